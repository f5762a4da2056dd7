"""Benchmark: import a 主体台账 (entity ledger with licences) of N rows (default 100,000) and compare with a bare
openpyxl read-only pass over the same file, in the same run. Goal: 2,000 entities/s.

    python bench/import_ledger.py [--rows 100000] [--keep DIR] [--profile]

Prints rows per second beside the bare pass, a second import of the same file (everything matched, nothing
written), and peak memory. --profile prints the top of a cProfile of the import (where the time goes).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL = 2_000  # entities/s


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the ledger and database in this folder")
    parser.add_argument("--profile", action="store_true", help="profile the first import (slower) and print the top")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="xuyi-bench-ledger-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["XUYI_DATA_DIR"] = str(folder / "data")

    from openpyxl import load_workbook

    from xuyi_desktop.services import ledger_demo
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.ledger_exchange import import_ledger

    ledger = folder / "主体台账.xlsx"
    t0 = time.perf_counter()
    ledger_demo.write_ledger_workbook(ledger, entities=args.rows)
    print(f"ledger: {args.rows} entities × 14 columns, {ledger.stat().st_size / 2**20:.1f} MiB, written in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    wb = load_workbook(ledger, read_only=True, data_only=True)
    cells = sum(len(row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
    wb.close()
    bare = time.perf_counter() - t0
    print(f"bare openpyxl read_only pass: {bare:.1f} s, {args.rows / bare:,.0f} rows/s ({cells:,} cells)")

    ctx = open_context(str(folder / "bench.db"))
    rss_before = _rss_mib()
    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    result = import_ledger(ctx, ledger, ["entities"])
    if profiler:
        profiler.disable()
    took = time.perf_counter() - t0
    assert result.ok and result.outcomes == {"entities.created": args.rows}, result.to_json()
    rate = args.rows / took
    print(f"xuyi import entities (validate, pinyin keys, insert, search index, change log + audit, one transaction): "
          f"{took:.1f} s, {rate:,.0f} rows/s = {rate / (args.rows / bare):.0%} of the bare pass; goal {GOAL:,} rows/s: "
          f"{'met' if rate >= GOAL else 'not met'}{' (profiled: slower)' if profiler else ''}")
    t0 = time.perf_counter()
    again = import_ledger(ctx, ledger, ["entities"])
    took2 = time.perf_counter() - t0
    assert again.ok and again.imported == 0, again.to_json()
    print(f"the same file again (every row matched, unchanged, nothing written): {took2:.1f} s, {args.rows / took2:,.0f} rows/s")
    ctx.close()
    print(f"process peak RSS: {_rss_mib():.0f} MiB (peak before the import: {rss_before:.0f} MiB)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
