"""Printed documents on a real SQLite file: certificates, the credit-check sheet, the publicity list, the
signed QR code (decoded from the rendered page) and the Chinese line-breaking rule.

Needs poppler-utils (pdftotext, pdffonts, pdftoppm, pdfinfo) and zbar-tools (zbarimg); scripts/install
--test installs both."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from rating_flow import step_day
from sqlalchemy import func, select

from xuyi_desktop.cli import main
from xuyi_desktop.domain.entities import EntityDraft
from xuyi_desktop.domain.identifiers import id_check_char, org_code_check_char, uscc_check_char
from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.printing import layout as L
from xuyi_desktop.printing import qr
from xuyi_desktop.printing.fonts import register_fonts
from xuyi_desktop.printing.output import PrintCancelled
from xuyi_desktop.printing.publicity import PublicityRow, publicity_list_pdf
from xuyi_desktop.services import office_keys, printing
from xuyi_desktop.services.credit_check import check_entity
from xuyi_desktop.services.dishonesty import add_dishonesty
from xuyi_desktop.services.entities import register_entity
from xuyi_desktop.services.ratings import RatingInput, add_rating, get_rating, set_status
from xuyi_desktop.storage.models import AuditEntry, ChangeLog

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo", "zbarimg")
needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in TOOLS) and not os.environ.get("CI"),
    reason="poppler-utils and zbar-tools are needed (scripts/install --test)",
)


# --- helpers --------------------------------------------------------------------------------------------
def uscc(n: int) -> str:
    org8 = f"{n:08d}"
    first17 = "91320830" + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


def id_number(n: int) -> str:
    first17 = f"32083019800101{n:03d}"
    return first17 + id_check_char(first17)


def make_rating(ctx, name: str, n: int, *, score: float = 96, status: RatingStatus = RatingStatus.EFFECTIVE):  # type: ignore[no-untyped-def]
    entity = register_entity(ctx, EntityDraft(name=name, identifier=uscc(n), categories=("construction_unit",)), allow_similar=True)
    rating = add_rating(ctx, RatingInput(
        entity=entity.summary.id, domain="highway_construction", period=2025, score=score,
        decision_date=dt.date.today(), document_no="盱交信〔2026〕3号",
    ))
    steps = [RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE]
    for step in steps[: steps.index(status) + 1] if status in steps else []:
        set_status(ctx, rating.id, step, today=step_day(step))
    return entity, rating


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(path: Path) -> str:
    return run("pdftotext", "-enc", "UTF-8", str(path), "-")


def assert_fonts_embedded(path: Path) -> None:
    lines = run("pdffonts", str(path)).splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        parts = line.split()
        # name type [type2] encoding emb sub uni id gen: emb is the fifth field from the end
        assert parts[-5] == "yes", f"font not embedded: {line}"
        assert "Helvetica" not in line and "STSong" not in line, line


def decode_qr(pdf: Path, tmp: Path, page: int = 1) -> str:
    png = tmp / f"qr-{uuid.uuid4().hex}"
    run("pdftoppm", "-r", "300", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf), str(png))
    out = subprocess.run(["zbarimg", "-q", "--raw", f"{png}.png"], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, f"no QR code found: {out.stderr}"
    return out.stdout.strip()


def pages(pdf: Path) -> int:
    for line in run("pdfinfo", str(pdf)).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("no page count")


def audit_count(ctx, action: str) -> int:  # type: ignore[no-untyped-def]
    with ctx.transaction() as s:
        return s.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)).scalar_one()


def tamper(payload: str) -> str:
    """Change one character of the signed part (the grade or a digit), keeping the format valid."""
    i = payload.index("g=") + 2
    return payload[:i] + ("B" if payload[i] != "B" else "C") + payload[i + 1 :]


# --- line breaking (禁则) -------------------------------------------------------------------------------
CLOSERS = "，。、；：？！）》」』"


def test_line_breaker_never_starts_a_line_with_closing_punctuation() -> None:
    fonts = register_fonts()
    style = L.body_style(fonts)
    rng = random.Random(20260305)
    pool = "盱眙县交通运输局信用评价公示结果等级证书核查" * 3 + CLOSERS * 2 + "（《「『“" + "AB12 "
    for trial in range(400):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(5, 160)))
        width = rng.choice((L.TEXT_WIDTH, 300.0, 160.0, 97.0, 64.0))
        lines = L.layout_lines(text, style, width)
        for k, line in enumerate(lines):
            if k > 0:
                assert line.text[:1] not in set(CLOSERS) | L.NO_LINE_START, (trial, [x.text for x in lines])
            if k < len(lines) - 1:
                assert line.text[-1:] not in L.NO_LINE_END, (trial, [x.text for x in lines])
        # Nothing lost but the spaces at breaks.
        assert "".join(x.text for x in lines).replace(" ", "") == text.replace(" ", "")


def test_line_breaker_pushes_or_squeezes_punctuation() -> None:
    fonts = register_fonts()
    style = L.TextStyle(fonts.body.name, 10, 14, "justify")
    # Five characters and 6/10 of a sixth fit: the comma overhangs by 4 pt, within half its width, so it
    # is squeezed in (挤进) rather than starting line two.
    lines = L.layout_lines("一二三四五，六七", style, 56.0)
    assert [x.text for x in lines] == ["一二三四五，", "六七"]
    # Two closing marks overhang by more than the squeeze allows: the last character moves down with them (推出).
    lines = L.layout_lines("一二三四五）。六七", style, 56.0)
    assert [x.text for x in lines] == ["一二三四", "五）。六七"]
    # An opening bracket never ends a line.
    lines = L.layout_lines("一二三四《五六》", style, 50.0)
    assert [x.text for x in lines] == ["一二三四", "《五六》"]
    # An identifier is not broken while it fits on a line.
    lines = L.layout_lines("代码91320830PYQLFT169T", style, 100.0)
    assert [x.text for x in lines] == ["代码", "91320830PYQLFT169T"]


# --- certificate ----------------------------------------------------------------------------------------
@needs_tools
def test_certificate_pdf_text_fonts_render_and_qr(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县顺达建设工程有限公司", 1)
    out = printing.print_certificate(ctx, rating.id, tmp_path / "cert.pdf")
    serial = get_rating(ctx, rating.id).certificate_serial
    assert serial and serial.startswith(f"{ctx.office_code}-CERT-")

    text = pdf_text(out)
    for needle in ("信用等级证书", "盱眙县顺达建设工程有限公司", serial, uscc(1), "公路水运工程建设从业单位", "AA"):
        assert needle in text
    assert_fonts_embedded(out)
    assert pages(out) == 1
    run("pdftoppm", "-r", "50", "-png", "-singlefile", str(out), str(tmp_path / "page"))
    assert (tmp_path / "page.png").stat().st_size > 10_000

    payload = decode_qr(out, tmp_path)
    result = office_keys.verify_payload(ctx, payload)
    assert result.valid, result.reason_zh
    assert (result.serial, result.issuer, result.doc_type) == (serial, ctx.office_code, "CERT")
    assert result.facts["n"] == "盱眙县顺达建设工程有限公司" and result.facts["g"] == "AA"

    bad = office_keys.verify_payload(ctx, tamper(payload))
    assert not bad.valid and "签名不符" in bad.reason_zh
    # Any single changed character anywhere in the signed part or the signature fails.
    for i in (5, payload.index("|", 20) + 3, len(payload) - 5):
        flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
        assert not office_keys.verify_payload(ctx, flipped).valid
    assert not office_keys.verify_payload(ctx, "hello").valid


def test_office_key_created_once_private_and_published(ctx) -> None:  # type: ignore[no-untyped-def]
    key = office_keys.print_key(ctx)
    path = office_keys.key_path()
    assert path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert office_keys.print_key(ctx) is key
    (row,) = office_keys.list_keys(ctx)  # registered once; set-up mode approves it
    assert row.this_pc and row.status is office_keys.KeyStatus.APPROVED
    assert row.fingerprint == office_keys.fingerprint(key.public_key())


def test_draft_is_refused_and_preview_is_watermarked(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县天泉湖交通工程有限公司", 2, status=RatingStatus.DRAFT)
    with pytest.raises(printing.NotPrintableError) as err:
        printing.print_certificate(ctx, rating.id, tmp_path / "draft.pdf")
    assert "草稿" in err.value.message_zh and "生效" in err.value.message_zh
    assert not (tmp_path / "draft.pdf").exists()
    assert audit_count(ctx, "print.certificate") == 0

    out = printing.print_certificate(ctx, rating.id, tmp_path / "preview.pdf", preview=True)
    assert out.is_file() and get_rating(ctx, rating.id).certificate_serial is None
    if shutil.which("pdftotext"):
        assert "样张" in pdf_text(out)
    assert audit_count(ctx, "print.certificate_preview") == 1


def test_reprint_keeps_the_serial_and_is_audited_each_time(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "江苏淮河路桥集团有限公司", 3)
    printing.print_certificate(ctx, rating.id, tmp_path / "a.pdf")
    first = get_rating(ctx, rating.id).certificate_serial
    printing.print_certificate(ctx, rating.id, tmp_path / "a.pdf")  # over the old file
    assert get_rating(ctx, rating.id).certificate_serial == first
    assert audit_count(ctx, "print.certificate") == 2
    with ctx.transaction() as s:
        changes = s.execute(select(ChangeLog).where(ChangeLog.record_id == rating.id, ChangeLog.summary.contains("证书编号"))).scalars().all()
    assert len(changes) == 1  # the serial was assigned once, as a change of the rating
    assert not list(tmp_path.glob("*.part"))


@needs_tools
def test_batch_of_50_certificates_and_cancel(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i in range(50):
        make_rating(ctx, f"盱眙县第{i + 1}号建设工程有限公司", 100 + i, score=70 + (i % 30))
    seen: list[tuple[int, int]] = []
    out = printing.print_certificates_batch(ctx, 2025, "highway_construction", tmp_path / "batch.pdf", progress=lambda d, n: seen.append((d, n)))
    assert pages(out) == 50
    assert seen[-1] == (50, 50) and len(seen) == 50
    assert_fonts_embedded(out)
    assert audit_count(ctx, "print.certificate") == 50
    assert pdf_text(out).count("信用等级证书") >= 50

    calls = iter(range(1000))
    with pytest.raises(PrintCancelled):
        printing.print_certificates_batch(ctx, 2025, "highway_construction", tmp_path / "cancelled.pdf", cancelled=lambda: next(calls) >= 5)
    assert not (tmp_path / "cancelled.pdf").exists() and not list(tmp_path.glob("*.part"))
    assert audit_count(ctx, "print.certificate") == 50


# --- credit check sheet ---------------------------------------------------------------------------------
@needs_tools
def test_credit_check_sheet_masks_persons_and_verifies(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    person = register_entity(ctx, EntityDraft(name="王建国", identifier=id_number(11), categories=("key_personnel",)))
    add_dishonesty(ctx, person.summary.id, occurred_on=dt.date.today() - dt.timedelta(days=30), category="行政处罚（一般）",
                   description="未按规定报送信用信息", document_no="盱交罚〔2026〕12号")
    result = check_entity(ctx, person.summary.id, "licensing")
    out = printing.print_credit_check(ctx, result, tmp_path / "check.pdf")

    text = pdf_text(out)
    assert "信用核查结果单" in text and result.serial in text and "王建国" in text
    assert id_number(11) not in text and "320830********" in text
    assert "盱交罚" in text and "主要从业人员" in text and "未按规定报送信用信息" in text
    assert_fonts_embedded(out)
    last = pages(out)
    assert f"— {last} —" in text

    payload = decode_qr(out, tmp_path, page=last)
    verified = office_keys.verify_payload(ctx, payload)
    assert verified.valid and verified.doc_type == "HC" and verified.serial == result.serial
    assert verified.facts["x"] == "1" and "*" in verified.facts["u"]
    assert audit_count(ctx, "print.credit_check") == 1


# --- publicity list -------------------------------------------------------------------------------------
@needs_tools
def test_publicity_list_repeats_header_over_pages(tmp_path: Path) -> None:
    rows = [PublicityRow(f"盱眙县第{i}号建设工程有限公司", uscc(500 + i), "AA" if i < 10 else "A", 95.5 - i / 10) for i in range(40)]
    rows.append(PublicityRow("李四", id_number(12), "B", 80))
    out = publicity_list_pdf(rows, tmp_path / "list.pdf", period=2025, domain_name="公路水运工程建设从业单位",
                             organ="盱眙县交通运输局", issued_on=dt.date(2026, 3, 5), serial="TEST-GS-2026-000001")
    n = pages(out)
    assert n >= 2
    for p in range(1, n + 1):
        page_text = run("pdftotext", "-enc", "UTF-8", "-f", str(p), "-l", str(p), str(out), "-")
        assert "主体名称" in page_text and "TEST-GS-2026-000001" in page_text and f"— {p} —" in page_text
    text = pdf_text(out)
    assert id_number(12) not in text and "320830********" in text and uscc(500) in text
    assert_fonts_embedded(out)


@needs_tools
def test_publicity_list_service_and_cli_verify(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        make_rating(ctx, f"盱眙县马坝镇第{i}建筑安装公司", 200 + i, status=RatingStatus.PUBLICITY)
    out = printing.print_publicity_list(ctx, 2025, "highway_construction", tmp_path / "gs.pdf")
    payload = decode_qr(out, tmp_path, page=pages(out))
    assert payload.startswith(f"XY1|GS|{ctx.office_code}-GS-")

    (tmp_path / "code.txt").write_text(payload + "\r\n", encoding="utf-8")
    assert main(["--db", database, "verify", str(tmp_path / "code.txt")]) == 0
    said = capsys.readouterr().out
    assert "有效" in said and ctx.office_code in said and "名单条数：3" in said
    assert main(["--db", database, "verify", payload[:-3] + "AAA"]) == 1
    assert "无效" in capsys.readouterr().out


@needs_tools
def test_cli_print_commands(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, rating = make_rating(ctx, "盱眙县古桑物流有限公司", 300)
    assert main(["--db", database, "print", "certificate", str(rating.id), "--out", str(tmp_path / "c.pdf")]) == 0
    assert main(["--db", database, "print", "certificates", "--period", "2025", "--domain", "highway_construction",
                 "--out", str(tmp_path / "b.pdf")]) == 0
    assert "打印进度 1/1" in capsys.readouterr().err
    assert main(["--db", database, "print", "check", "古桑物流", "--business", "tender", "--out", str(tmp_path / "h.pdf")]) == 0
    assert "古桑物流" in pdf_text(tmp_path / "h.pdf")
    assert capsys.readouterr().err.startswith("警告：本单位代码尚未设置")  # printed under the provisional office code
    _, draft = make_rating(ctx, "盱眙县桂五运输有限公司", 301, status=RatingStatus.DRAFT)
    assert main(["--db", database, "print", "certificate", str(draft.id), "--out", str(tmp_path / "d.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and err.count("\n") == 1
    assert main(["--db", database, "verify", decode_qr(tmp_path / "c.pdf", tmp_path), "--json"]) == 0
    assert '"valid": true' in capsys.readouterr().out


# --- keys of other offices ------------------------------------------------------------------------------
def test_peer_codes_verify_only_with_their_key(ctx) -> None:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    peer = Ed25519PrivateKey.generate()
    payload = qr.build_payload("CERT", "320830-01-CERT-2026-000007", "320830-01", dt.date(2026, 3, 5),
                               {"u": uscc(9), "g": "A", "n": "盱眙县河桥运输公司"}, peer.sign)
    unknown = office_keys.verify_payload(ctx, payload)
    assert not unknown.valid and "公钥" in unknown.reason_zh
    office_keys.trust_peer_key(ctx, "320830-01", office_keys.public_key_text(peer.public_key()))
    known = office_keys.verify_payload(ctx, payload)
    assert known.valid and known.issuer == "320830-01" and known.facts["n"] == "盱眙县河桥运输公司"
    # A code naming the peer but signed by someone else still fails.
    forged = qr.build_payload("CERT", "320830-01-CERT-2026-000008", "320830-01", dt.date(2026, 3, 5), {"g": "AA"},
                              Ed25519PrivateKey.generate().sign)
    assert not office_keys.verify_payload(ctx, forged).valid


# --- fonts and rights -----------------------------------------------------------------------------------
def test_windows_system_fonts_are_preferred_and_the_shipped_font_fills_gaps(tmp_path: Path) -> None:
    """A fresh interpreter that believes it runs on Windows, with a fonts folder holding only "simfang.ttf"
    (here the shipped face under that name): body text uses it, titles and headings fall back."""
    import sys

    fonts_dir = tmp_path / "Windows" / "Fonts"
    fonts_dir.mkdir(parents=True)
    bundled = Path(__file__).resolve().parents[2] / "resources" / "fonts" / "uming.ttc"
    try:
        (fonts_dir / "simfang.ttf").symlink_to(bundled)
    except OSError:
        shutil.copyfile(bundled, fonts_dir / "simfang.ttf")
    code = (
        "import sys; sys.platform = 'win32'\n"
        "from xuyi_desktop.printing.fonts import register_fonts, BUNDLED_FONT\n"
        "f = register_fonts()\n"
        "assert f.body.family.startswith('仿宋') and f.body.name != BUNDLED_FONT, f\n"
        "assert f.title.name == BUNDLED_FONT and f.title.fake_bold and f.heading.name == BUNDLED_FONT, f\n"
        "from xuyi_desktop.printing.layout import runs\n"
        "assert runs('盱眙', f.body.name) == [('盱眙', f.body.name)]\n"
        "print('ok')\n"
    )
    env = {**os.environ, "WINDIR": str(tmp_path / "Windows"), "LOCALAPPDATA": str(tmp_path / "none")}
    env.pop("XUYI_PRINT_FONTS", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60,
                         cwd=Path(__file__).resolve().parents[2], check=False)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_printing_needs_the_print_right_and_a_known_domain(ctx, database: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.errors import ValidationError
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users
    from xuyi_desktop.services.audit import PermissionDenied
    from xuyi_desktop.services.context import open_context

    _, rating = make_rating(ctx, "盱眙县官滩港口有限公司", 400)
    with pytest.raises(ValidationError):
        printing.print_certificates_batch(ctx, 2025, "no_such_domain", tmp_path / "x.pdf")
    users.create_user(ctx, "admin", "admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "admin-secret-1")
    users.create_user(ctx, "viewer", "viewer-secret-1", Role.VIEWER)
    viewer = open_context(database)
    try:
        users.login(viewer, "viewer", "viewer-secret-1")
        with pytest.raises(PermissionDenied):
            printing.print_certificate(viewer, rating.id, tmp_path / "v.pdf")
        assert not (tmp_path / "v.pdf").exists()
    finally:
        viewer.close()


def test_codes_signed_before_the_key_file_was_lost_still_verify(ctx) -> None:  # type: ignore[no-untyped-def]
    sign_old = office_keys.print_key(ctx).sign
    old = qr.build_payload("HC", f"{ctx.office_code}-HC-2026-000009", ctx.office_code, dt.date(2026, 3, 5), {"x": 0}, sign_old)
    office_keys.key_path().unlink()  # the data folder was lost; the database came back from a backup
    office_keys._loaded.clear()  # as in a new process
    office_keys._synced.clear()
    new_key = office_keys.print_key(ctx)
    assert office_keys.verify_payload(ctx, old).valid
    fresh = qr.build_payload("HC", f"{ctx.office_code}-HC-2026-000010", ctx.office_code, dt.date(2026, 3, 5), {"x": 0}, new_key.sign)
    assert office_keys.verify_payload(ctx, fresh).valid
    assert audit_count(ctx, "signing_key.insert") == 2


# --- issue 19: real names, the provisional office, the objection contact ---------------------------------------
def _user(ctx, username: str, display_name: str, role: str = "clerk") -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import users

    password = "Counter-pass-2026"
    users.create_user(ctx, username, password, Role(role), display_name=display_name)
    users.login(ctx, username, password)


@needs_tools
def test_the_check_sheet_names_the_checker_by_real_name_never_by_login(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_rating(ctx, "盱眙县运河港务有限公司", 610)
    _user(ctx, "admin", "", "admin")  # the first account: no 姓名 recorded
    _user(ctx, "zhangwei01", "张伟")
    from xuyi_desktop.services.credit_check import run_check

    result = run_check(ctx, "运河港务", "tender")
    text = pdf_text(printing.print_credit_check(ctx, result, tmp_path / "named.pdf"))
    assert "张伟" in text and "zhangwei01" not in text
    assert printing.real_name("zhangwei01", "zhangwei01") == "" and printing.real_name(" 李娜 ", "lina") == "李娜"
    unnamed = dataclasses.replace(result, checked_by="admin", checked_by_name="admin")
    text = pdf_text(printing.print_credit_check(ctx, unnamed, tmp_path / "unnamed.pdf"))
    assert "admin" not in text.replace("核查人", "")  # blank, to be signed by hand
    assert pages(tmp_path / "named.pdf") == 1


@needs_tools
def test_printing_under_the_provisional_office_warns_on_the_cli_and_asks_in_the_window(ctx, database: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import offices, print_settings

    assert ctx.office_provisional
    _, rating = make_rating(ctx, "盱眙县古桑港口有限公司", 620)
    assert main(["--db", database, "print", "certificate", str(rating.id), "--out", str(tmp_path / "c.pdf")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("警告：本单位代码尚未设置") and "TMP-" in err and "(warning:" in err
    assert main(["--db", database, "print", "certificate", str(rating.id), "--preview", "--out", str(tmp_path / "p.pdf")]) == 0
    assert capsys.readouterr().err == ""  # a 样张 carries no serial

    # The window's guard: refused → nothing written, nothing recorded; confirmed once → prints for the session.
    asked: list[str] = []
    answers = iter([False, True])
    print_settings.set_provisional_guard(lambda c, w: asked.append(w.message_zh) or next(answers))
    try:
        before = audit_count(ctx, "print.certificate")
        with pytest.raises(PrintCancelled):
            printing.print_certificate(ctx, rating.id, tmp_path / "refused.pdf")
        assert not (tmp_path / "refused.pdf").exists() and audit_count(ctx, "print.certificate") == before
        printing.print_certificate(ctx, rating.id, tmp_path / "yes.pdf")
        printing.print_certificate(ctx, rating.id, tmp_path / "again.pdf")
        assert len(asked) == 2 and (tmp_path / "again.pdf").exists()
        printing.print_certificate(ctx, rating.id, tmp_path / "sample.pdf", preview=True)
        assert len(asked) == 2
    finally:
        print_settings.set_provisional_guard(None)

    offices.init_office(ctx, "XY-JTJ", "盱眙县交通运输局", "bureau")
    assert main(["--db", database, "print", "certificate", str(rating.id), "--out", str(tmp_path / "d.pdf")]) == 0
    assert "警告" not in capsys.readouterr().err
    # A refused print says its one 错误 line only, without the warning.
    _, draft = make_rating(ctx, "盱眙县桂五港口有限公司", 621, status=RatingStatus.DRAFT)
    assert main(["--db", database, "print", "certificate", str(draft.id), "--out", str(tmp_path / "e.pdf")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and err.count("\n") == 1


@needs_tools
def test_the_publicity_list_names_the_objection_contact_from_the_settings(ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services.print_settings import get_print_settings, set_print_settings

    for n in range(3):
        make_rating(ctx, f"盱眙县第{n}号港口物流有限公司", 630 + n, status=RatingStatus.PUBLICITY)
    out = printing.print_publicity_list(ctx, 2025, "highway_construction", tmp_path / "before.pdf")
    assert "异议受理：盱眙县交通运输局（联系方式请向本单位窗口查询）" in pdf_text(out).replace("\n", "")
    set_print_settings(ctx, organ_name="盱眙县交通运输综合行政执法大队", objection_phone="0517-88221234",
                       objection_address="盱眙县盱城街道五墩路1号")
    assert get_print_settings(ctx).objection_contact() == "联系电话：0517-88221234；通信地址：盱眙县盱城街道五墩路1号"
    text = pdf_text(printing.print_publicity_list(ctx, 2025, "highway_construction", tmp_path / "after.pdf")).replace("\n", "")
    assert "0517-88221234" in text and "五墩路1号" in text
    assert audit_count(ctx, "settings.print") == 1
