"""Report printing benchmark: one figure a line.

    python bench/reports.py [--repeat 15] [--penalties 40]

Figures (medians): the 信用报告 and the 专项信用报告 through the service (profile read, serial, signed code, render,
audit entry, atomic write, on a real SQLite file) for an entity with 3 penalties, and for one with N penalties
(several pages). Uses a temporary data folder and database under bench/data/ (removed at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
(ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
os.environ["XUYI_DATA_DIR"] = tempfile.mkdtemp(prefix="reports-", dir=ROOT / "bench" / "data")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--penalties", type=int, default=40)
    args = ap.parse_args()

    from pypdf import PdfReader

    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.domain.sgs import RecordKind
    from xuyi_desktop.printing.fonts import register_fonts
    from xuyi_desktop.services import reports, sgs
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.entities import register_entity
    from xuyi_desktop.services.sgs_demo import penalty_raw, uscc

    work = Path(os.environ["XUYI_DATA_DIR"])
    ctx = open_context(str(work / "bench.db"))
    register_fonts()
    today = dt.date.today()
    try:
        entities = []
        for n, count in ((1, 3), (2, args.penalties)):
            e = register_entity(ctx, EntityDraft(name=f"江苏淮河水运集团盱眙县港口物流装卸服务有限公司{n}", identifier=uscc(7000 + n),
                                                 categories=("port_operator",)), allow_similar=True).summary
            for i in range(count):
                raw = penalty_raw(n * 1000 + i, today - dt.timedelta(days=20 + 30 * i))
                raw.update(xdr_mc=e.name, xdr_shxym=e.identifier)
                sgs.add_record(ctx, RecordKind.PENALTY, raw, today=today)
            entities.append((e, count))
        reports.print_credit_report(ctx, entities[0][0].id, work / "warm.pdf")  # key, caches
        for e, count in entities:
            for label, fn in (
                ("信用报告", lambda out, e=e: reports.print_credit_report(ctx, e.id, out)),
                ("专项信用报告 (5 years)", lambda out, e=e: reports.print_special_report(ctx, e.id, out, years=5)),
            ):
                times = []
                for r in range(args.repeat):
                    out = work / f"r{r}.pdf"
                    t = time.perf_counter()
                    fn(out)
                    times.append(time.perf_counter() - t)
                pages = len(PdfReader(out).pages)
                print(f"{label}, {count} penalties, {pages} pages: median {statistics.median(times) * 1000:.0f} ms "
                      f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; {args.repeat} runs)")
    finally:
        ctx.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
