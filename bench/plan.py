"""The plan's figures on a year of realistic volume: one figure a line.

    python bench/plan.py [--records 10000] [--repeat 5]

A temporary SQLite database gets N 双公示 decisions of one year (imported from a generated ledger, half licences, half
penalties; 90 % reported on 31 December, so many late), the demo year of services.plan_demo on top, and then (medians of --repeat): the indicator
dashboard's figures (plan_indicators: 双公示 rates, every record kind's completeness, registers, monthly reports), the
to-do list, the one-page PDF and the year-end workbook, each through the service as the window and the CLI call them.
Floors, for a counter PC: the dashboard under 5 s for 10,000 decisions, the to-do under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
(ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
os.environ["XUYI_DATA_DIR"] = tempfile.mkdtemp(prefix="plan-", dir=ROOT / "bench" / "data")


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from sqlalchemy import select

    from xuyi_desktop.services import sgs
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.indicators import plan_indicators, print_indicators
    from xuyi_desktop.services.plan_demo import AS_OF, YEAR, build
    from xuyi_desktop.services.sgs_demo import write_ledger
    from xuyi_desktop.services.sgs_exchange import import_sgs
    from xuyi_desktop.services.todo import todo_items
    from xuyi_desktop.services.yearbook import export_yearbook
    from xuyi_desktop.storage.models_sgs import SgsRecord

    work = Path(os.environ["XUYI_DATA_DIR"])
    ctx = open_context(str(work / "bench.db"))
    build(ctx)  # first: the ledger's rows that repeat its document numbers are then left out by the import
    half = args.records // 2
    ledger = write_ledger(work / "ledger.xlsx", licenses=half, penalties=args.records - half, start=dt.date(YEAR, 1, 2))
    t0 = time.perf_counter()
    import_sgs(ctx, ledger, valid_only=True)
    load = time.perf_counter() - t0
    with ctx.transaction() as session:
        ids = list(session.execute(select(SgsRecord.id).where(SgsRecord.superseded.is_(False))).scalars())
    reported = ids[: len(ids) * 9 // 10]
    for i in range(0, len(reported), 2000):
        sgs.mark_reported(ctx, reported[i:i + 2000], on=dt.date(YEAR, 12, 31), batch_no=f"B{i}", today=AS_OF)
    print(f"records\t{len(ids)} decisions of {YEAR} (import {load:.1f} s)")
    dash = timed(lambda: plan_indicators(ctx, year=YEAR, as_of=AS_OF), args.repeat)
    print(f"dashboard (plan_indicators)\t{dash * 1000:.0f} ms\tfloor 5000 ms")
    todo = timed(lambda: todo_items(ctx, today=AS_OF), args.repeat)
    print(f"to-do list\t{todo * 1000:.0f} ms\tfloor 2000 ms")
    pdf = timed(lambda: print_indicators(ctx, work / "ind.pdf", year=YEAR, as_of=AS_OF), max(1, args.repeat // 2))
    print(f"indicator PDF (figures + render)\t{pdf * 1000:.0f} ms")
    book = timed(lambda: export_yearbook(ctx, work / "book.xlsx", year=YEAR, as_of=AS_OF), max(1, args.repeat // 2))
    print(f"year-end workbook\t{book * 1000:.0f} ms\t{(work / 'book.xlsx').stat().st_size // 1024} KiB")
    ctx.close()


if __name__ == "__main__":
    main()
