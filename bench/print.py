"""Printing benchmark: one figure a line.

    python bench/print.py [--batch 1000] [--repeat 30] [--profile]

Figures: font registration (cold, once per process); the median time of one certificate, rendered alone
(layout engine, frame, QR code) and through the service (serial, audit entry, atomic write, on a real
SQLite file); pages per second for a batch of N certificates, rendered alone and through the service; and
beside them bare ReportLab drawing the same text with the same embedded font and plain drawString (no
line-breaking rule, no frame, no QR code) as the comparison. Medians, not means. Uses a temporary data
folder and database under bench/data/ (removed at the end); nothing of the user's is touched.
The same figures follow for the 信用承诺书 (issue 4): one form rendered and through the service, a batch of
N forms into one PDF, and bare ReportLab drawing the same form text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
(ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
os.environ["XUYI_DATA_DIR"] = tempfile.mkdtemp(prefix="print-", dir=ROOT / "bench" / "data")

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import insert, select

from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.printing.fonts import register_fonts

SAMPLE_NAME = "盱眙县顺达建设工程有限公司"


def sample_data(i: int = 0):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from xuyi_desktop.printing import qr
    from xuyi_desktop.printing.certificate import CertificateData

    key = Ed25519PrivateKey.generate()
    serial = f"BENCH-CERT-2026-{i:06d}"
    payload = qr.build_payload("CERT", serial, "BENCH", dt.date(2026, 3, 5),
                               {"u": "91320830PYQLFT169T", "d": "highway_construction", "p": 2025, "g": "AA",
                                "fr": "2026-03-05", "to": "2027-03-04", "n": SAMPLE_NAME}, key.sign)
    return CertificateData(
        serial, SAMPLE_NAME, "91320830PYQLFT169T", "统一社会信用代码", "公路水运工程建设从业单位", 2025, "AA",
        dt.date(2026, 3, 5), dt.date(2027, 3, 4), "盱眙县交通运输局", dt.date(2026, 3, 5), "盱交信〔2026〕3号", payload,
    )


def bare_page(c: Canvas, font: str, d) -> None:  # type: ignore[no-untyped-def]
    """The same text drawn with plain ReportLab calls: no layout rules, no frame, no QR code."""
    w, h = A4
    c.setFont(font, 40)
    c.drawCentredString(w / 2, h - 52 * mm, "信用等级证书")
    c.setFont(font, 10.5)
    c.drawRightString(w - 30 * mm, h - 25 * mm, f"证书编号：{d.serial}")
    c.setFont(font, 16)
    c.drawString(30 * mm, h - 80 * mm, f"{d.entity_name}：")
    c.drawString(30 * mm, h - 91 * mm, f"    经评定，你单位在{d.period}年度{d.domain_name}信用评价中，")
    c.drawString(30 * mm, h - 102 * mm, "信用等级为：")
    c.setFont(font, 88)
    c.drawCentredString(w / 2, h - 140 * mm, f"{d.grade}级")
    c.setFont(font, 14)
    y = h - 165 * mm
    for label, value in (("主体名称", d.entity_name), ("统一社会信用代码", d.identifier), ("评价领域", d.domain_name),
                         ("有效期限", "2026年3月5日至2027年3月4日"), ("评定文号", d.document_no)):
        c.drawString(40 * mm, y, f"{label}：{value}")
        y -= 9 * mm
    c.setFont(font, 16)
    c.drawString(120 * mm, 50 * mm, d.organ)
    c.drawString(122 * mm, 40 * mm, "2026年3月5日")


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def seed_ratings(ctx, n: int) -> None:  # type: ignore[no-untyped-def]
    """n effective ratings on n synthetic organisations, inserted directly (the workflow is not measured)."""
    from xuyi_desktop.services.demo_data import generate_demo_data
    from xuyi_desktop.services.schemes import registry
    from xuyi_desktop.storage.models import Entity, Rating

    generate_demo_data(ctx, int(n / 0.65) + 50, seed=7)
    version = registry().for_period("highway_construction", 2025).version
    today = dt.date.today()
    with ctx.transaction() as s:
        orgs = s.execute(select(Entity.id).where(Entity.kind == "org").limit(n)).scalars().all()
        s.execute(insert(Rating), [
            {
                "id": uuid.uuid4(), "entity_id": eid, "domain": "highway_construction", "scheme_version": version,
                "period": 2025, "score": 96.0, "bad_points": None, "deductions_json": "[]", "grade": "AA",
                "grade_notes": "", "status": RatingStatus.EFFECTIVE.value, "evaluating_organ": "", "decision_date": today,
                "document_no": "盱交信〔2026〕3号", "basis_notes": "", "valid_from": today,
                "valid_until": today.replace(year=today.year + 1) - dt.timedelta(days=1), "publicity_start": None,
                "publicity_end": None, "supersedes_id": None, "certificate_serial": None,
                "created_office": ctx.office_code, "updated_office": ctx.office_code,
            }
            for eid in orgs
        ])


def commitment_sample(i: int = 0):  # type: ignore[no-untyped-def]
    """A 信用承诺书 as the service fills it from the shipped template (the one-page usual case)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from xuyi_desktop.domain.commitments import fill_template
    from xuyi_desktop.printing import qr
    from xuyi_desktop.printing.commitment_form import CommitmentFormData
    from xuyi_desktop.services.commitments import catalogue, consequences_text, template_text

    t = catalogue().type("approval_substitute")
    name, text = template_text(t.code)
    values = {"organ": "盱眙县交通运输局", "business": "道路运输经营许可申请 XK-2026-0123", "term": "30日（2026年11月26日至2026年12月26日）",
              "consequences": consequences_text()}
    serial = f"BENCH-CN-2026-{i:06d}"
    payload = qr.build_payload("CN", serial, "BENCH", dt.date(2026, 11, 26),
                               {"n": SAMPLE_NAME, "u": "91320830PYQLFT169T", "t": t.code, "a": "licensing", "b": "道路运输经营许可申请",
                                "tm": "2026-12-26"}, Ed25519PrivateKey.generate().sign)
    return CommitmentFormData(
        serial, t.title, SAMPLE_NAME, "统一社会信用代码", "91320830PYQLFT169T", "张建国", "盱眙县盱城街道淮河北路8号", "0517-88881234",
        t.name, "行政许可", values["business"], values["term"], tuple(fill_template(name, text, values, t.items)),
        "盱眙县交通运输局", dt.date(2026, 11, 26), qr_payload=payload,
    )


def bare_commitment_page(c: Canvas, font: str, d) -> None:  # type: ignore[no-untyped-def]
    """The same form text with plain drawString: fixed-width chunks, no table rules, no QR code."""
    w, h = A4
    c.setFont(font, 22)
    c.drawCentredString(w / 2, h - 45 * mm, d.title)
    c.setFont(font, 10.5)
    c.drawRightString(w - 26 * mm, h - 31 * mm, f"编号：{d.serial}")
    c.setFont(font, 12)
    y = h - 58 * mm
    for label, value in (("承诺主体", d.entity_name), ("统一社会信用代码", d.identifier), ("法定代表人", d.legal_representative),
                         ("住所", d.address), ("承诺类型", d.type_name), ("涉及业务", d.business), ("履约期限", d.term_text)):
        c.drawString(28 * mm, y, f"{label}：{value}")
        y -= 7 * mm
    c.setFont(font, 14)
    for para in d.paragraphs:
        for k in range(0, len(para), 31):
            c.drawString(28 * mm, y, para[k : k + 31])
            y -= 22
    c.drawString(110 * mm, 60 * mm, d.entity_name)
    c.drawString(122 * mm, 50 * mm, "2026年11月26日")


def commitment_figures(ctx, fonts, batch: int, repeat: int, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.printing.commitment_form import render_commitment_forms
    from xuyi_desktop.services.commitments import CommitmentInput, add_commitment, print_commitment, print_commitments

    data = commitment_sample()
    render_commitment_forms([data], io.BytesIO())
    print(f"one commitment form, rendered (median of {repeat}): {median_ms(lambda: render_commitment_forms([data], io.BytesIO()), repeat):.1f} ms")

    def bare_one() -> None:
        c = Canvas(io.BytesIO(), pagesize=A4, initialFontName=fonts.body.name)
        bare_commitment_page(c, fonts.body.name, data)
        c.showPage()
        c.save()

    bare_one()
    print(f"one commitment page, bare ReportLab drawString (median of {repeat}): {median_ms(bare_one, repeat):.1f} ms")
    from xuyi_desktop.storage.models import Entity

    with ctx.transaction() as s:
        orgs = s.execute(select(Entity.id).where(Entity.kind == "org").limit(batch)).scalars().all()
    ids = [add_commitment(ctx, CommitmentInput(e, "approval_substitute", "licensing", f"道路运输经营许可申请 XK-2026-{i:04d}", 30)).id
           for i, e in enumerate(orgs)]
    print_commitment(ctx, ids[0], tmp / "cn-warm.pdf")
    print(f"one commitment form through the service (median of {repeat}): "
          f"{median_ms(lambda: print_commitment(ctx, ids[0], tmp / 'cn-one.pdf'), repeat):.1f} ms")
    items = [commitment_sample(i) for i in range(batch)]
    t, c0 = time.perf_counter(), time.process_time()
    pages = render_commitment_forms(items, tmp / "cn-render.pdf")
    secs, cpu_secs = time.perf_counter() - t, time.process_time() - c0
    print(f"batch of {batch} commitment forms, rendered: {pages / secs:.0f} pages/s ({pages} pages, {secs:.1f} s, "
          f"{(tmp / 'cn-render.pdf').stat().st_size / pages / 1024:.1f} KiB/page; CPU time {pages / cpu_secs:.0f} pages/s)")
    t, c0 = time.perf_counter(), time.process_time()
    c = Canvas(str(tmp / "cn-bare.pdf"), pagesize=A4, initialFontName=fonts.body.name)
    for d in items:
        bare_commitment_page(c, fonts.body.name, d)
        c.showPage()
    c.save()
    secs, cpu_secs = time.perf_counter() - t, time.process_time() - c0
    print(f"batch of {batch} commitment pages, bare ReportLab drawString: {batch / secs:.0f} pages/s ({secs:.1f} s; "
          f"CPU time {batch / cpu_secs:.0f} pages/s)")
    runs, cpu = [], []
    for _ in range(3):  # the same work each time (no serial is assigned by a print): a median of three
        t, c0 = time.perf_counter(), time.process_time()
        print_commitments(ctx, ids, tmp / "cn-batch.pdf")
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c0)
    secs = statistics.median(runs)
    # The process's own CPU time beside the wall clock: on a machine shared with other work the wall clock
    # also counts the time this process waited for a core.
    print(f"batch of {len(ids)} commitment forms through the service (audit entries, atomic write; median of 3): "
          f"{len(ids) / secs:.0f} forms/s ({secs:.1f} s; CPU time {len(ids) / statistics.median(cpu):.0f} forms/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--profile", action="store_true",
                    help="run under cProfile and print the 30 costliest calls (cumulative) after the figures")
    args = ap.parse_args()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            figures(args)
        finally:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    else:
        figures(args)


def figures(args: argparse.Namespace) -> None:
    """Every figure, one a line (see the module docstring)."""

    t = time.perf_counter()
    fonts = register_fonts()
    print(f"font registration (cold): {(time.perf_counter() - t) * 1000:.0f} ms ({fonts.summary})")

    from xuyi_desktop.printing.certificate import render_certificates

    data = sample_data()
    render_certificates([data], io.BytesIO())  # warm caches once, as a running application would be
    print(f"one certificate, rendered (median of {args.repeat}): {median_ms(lambda: render_certificates([data], io.BytesIO()), args.repeat):.1f} ms")

    def bare_one() -> None:
        c = Canvas(io.BytesIO(), pagesize=A4, initialFontName=fonts.body.name)
        bare_page(c, fonts.body.name, data)
        c.showPage()
        c.save()

    bare_one()
    print(f"one page, bare ReportLab drawString, same text and font (median of {args.repeat}): {median_ms(bare_one, args.repeat):.1f} ms")

    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.printing import effective_rating_ids, print_certificate, print_certificates

    tmp = Path(os.environ["XUYI_DATA_DIR"])
    ctx = open_context(str(tmp / "bench.db"))
    seed_ratings(ctx, args.batch)
    ids = effective_rating_ids(ctx, 2025, "highway_construction")[: args.batch]
    sample = ids[: args.repeat]
    print_certificate(ctx, ids[-1], tmp / "warm.pdf")
    first = iter(sample)
    print(f"one certificate through the service, first print with new serial (median of {len(sample)}): "
          f"{median_ms(lambda: print_certificate(ctx, next(first), tmp / 'one.pdf'), len(sample)):.1f} ms")
    print(f"one certificate through the service, reprint (median of {args.repeat}): "
          f"{median_ms(lambda: print_certificate(ctx, ids[0], tmp / 'one.pdf'), args.repeat):.1f} ms")

    items = [sample_data(i) for i in range(args.batch)]
    t = time.perf_counter()
    render_certificates(items, tmp / "render.pdf")
    secs = time.perf_counter() - t
    print(f"batch of {args.batch}, rendered: {args.batch / secs:.0f} pages/s ({secs:.1f} s, {(tmp / 'render.pdf').stat().st_size / args.batch / 1024:.1f} KiB/page)")

    t = time.perf_counter()
    c = Canvas(str(tmp / "bare.pdf"), pagesize=A4, initialFontName=fonts.body.name)
    for d in items:
        bare_page(c, fonts.body.name, d)
        c.showPage()
    c.save()
    secs = time.perf_counter() - t
    print(f"batch of {args.batch}, bare ReportLab drawString: {args.batch / secs:.0f} pages/s ({secs:.1f} s, {(tmp / 'bare.pdf').stat().st_size / args.batch / 1024:.1f} KiB/page)")

    t, c0 = time.perf_counter(), time.process_time()
    print_certificates(ctx, ids, tmp / "batch.pdf")
    secs, cpu_secs = time.perf_counter() - t, time.process_time() - c0
    print(f"batch of {len(ids)} through the service (serials, audit entries, atomic write): {len(ids) / secs:.0f} pages/s "
          f"({secs:.1f} s; CPU time {len(ids) / cpu_secs:.0f} pages/s)")
    commitment_figures(ctx, fonts, args.batch, args.repeat, tmp)
    ctx.close()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
