"""Benchmark: import a 双公示 ledger of N rows (default 100,000) and compare with a bare openpyxl read-only pass.

    python bench/import.py [--rows 100000] [--keep DIR] [--runs 3] [--profile]

Prints rows per second and peak memory (ru_maxrss of this process; the file and the database are made in a
temporary folder first). The bare pass reads every cell of the same file with openpyxl read_only and does
nothing else: the floor any importer built on openpyxl can reach. Each run measures that pass again just before
its import (the machine is shared: the ratio of the two is the figure to compare). Both are also timed in CPU
seconds of this process (time.process_time): on a machine where other work takes most of the cores, wall-clock
ratios swing with whatever else runs in each phase, the CPU ratio much less (the import's own SQLite writes are
in this process; only fsync waits are left out). The import's CPU beyond the bare pass (µs a row) is its own work:
checks, inserts, change log and audit chain.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the ledger and database in this folder")
    parser.add_argument("--runs", type=int, default=1, help="import into a fresh database this many times (medians)")
    parser.add_argument("--profile", action="store_true", help="profile the first import (slower) and print the top")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="xuyi-bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["XUYI_DATA_DIR"] = str(folder / "data")

    from openpyxl import load_workbook

    from xuyi_desktop.services import sgs_demo
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.sgs_exchange import import_sgs

    ledger = folder / "ledger.xlsx"
    half = args.rows // 2
    t0 = time.perf_counter()
    sgs_demo.write_ledger(ledger, licenses=half, penalties=args.rows - half)
    print(f"ledger: {args.rows} rows (行政许可 {half}, 行政处罚 {args.rows - half}), "
          f"{ledger.stat().st_size / 2**20:.1f} MiB, written in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    wb = load_workbook(ledger, read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    bare = time.perf_counter() - t0
    print(f"bare openpyxl read_only pass: {bare:.1f} s, {args.rows / bare:,.0f} rows/s ({cells:,} cells)")

    rss_before = _rss_mib()
    rates = []
    cpu_ratios = []
    own_cpu = []
    for run in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        wb = load_workbook(ledger, read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()
        bare, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx = open_context(str(folder / f"bench{run}.db"))
        profiler = cProfile.Profile() if args.profile and run == 0 else None
        t0, c0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = import_sgs(ctx, ledger, today=dt.date(2026, 11, 26))
        if profiler:
            profiler.disable()
        took, took_cpu = time.perf_counter() - t0, time.process_time() - c0
        ctx.close()
        assert result.ok and result.imported == args.rows, result.to_json()
        rates.append((args.rows / took, args.rows / bare))
        cpu_ratios.append(bare_cpu / took_cpu)
        own_cpu.append(took_cpu - bare_cpu)
        print(f"run {run + 1}: xuyi import sgs (validate + insert + change log + audit, one transaction): {took:.1f} s, "
              f"{args.rows / took:,.0f} rows/s | bare pass just before: {bare:.1f} s, {args.rows / bare:,.0f} rows/s "
              f"→ {bare / took:.0%} of the bare pass (goal ≥ 50 %) | CPU: import {took_cpu:.2f} s, bare {bare_cpu:.2f} s "
              f"→ {bare_cpu / took_cpu:.0%}; the import's own CPU beyond the bare pass {took_cpu - bare_cpu:.2f} s "
              f"({(took_cpu - bare_cpu) / args.rows * 1e6:.0f} µs a row)", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    rate, floor = statistics.median(r for r, _ in rates), statistics.median(f for _, f in rates)
    print(f"median of {len(rates)}: {rate:,.0f} rows/s beside the bare pass {floor:,.0f} rows/s "
          f"(median ratio {statistics.median(r / f for r, f in rates):.0%}; in CPU seconds {statistics.median(cpu_ratios):.0%}; "
          f"own CPU beyond the bare pass {statistics.median(own_cpu) / args.rows * 1e6:.0f} µs a row)")
    print(f"process peak RSS: {_rss_mib():.0f} MiB (peak before the imports: {rss_before:.0f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
