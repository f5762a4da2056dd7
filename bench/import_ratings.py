"""Rating import/export benchmark: one figure a line.

    python bench/import_ratings.py --rows 10000 [--db PATH] [--seed 7]

Builds a demo database with enough organisations, writes a results sheet of ROWS rows (openpyxl write_only),
then times: a clean import (all rows in one transaction), the same sheet with one bad row at the end (nothing
written, error report streamed), and the publicity-list export of the imported rows.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook
from sqlalchemy import select, update

from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.demo_data import generate_demo_data
from xuyi_desktop.services.rating_exchange import export_publicity, import_ratings
from xuyi_desktop.storage.models import Entity, Rating

HEADER = ["序号", "单位名称", "统一社会信用代码", "评价领域", "评价年度", "得分", "等级", "评价机关", "评定日期", "文号"]


def _sheet(path: Path, orgs: list[tuple[str, str]], rng: random.Random, *, bad_last: bool) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("评价结果")
    ws.append(["2024年度公路水运工程建设从业单位信用评价结果"])
    ws.append(HEADER)
    for i, (ident, name) in enumerate(orgs, start=1):
        score, grade = round(rng.uniform(55, 100), 1), ""
        if bad_last and i == len(orgs):
            score, grade = 90.0, "AA"  # contradicts the score: the one bad row
        ws.append([i, name, ident, "公路水运工程建设从业单位", 2024, score, grade, "淮安市交通运输局", "2025-03-15", "淮交信〔2025〕12号"])
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="xuyi-bench-"))
    ctx = open_context(args.db or str(work / "bench.db"))
    rng = random.Random(args.seed)

    t = time.perf_counter()
    generate_demo_data(ctx, int(args.rows * 1.6) + 100, seed=args.seed)
    print(f"demo entities: {time.perf_counter() - t:.1f} s")
    with ctx.transaction() as s:
        orgs = [(r.identifier, r.name) for r in s.execute(select(Entity.identifier, Entity.name).where(Entity.kind == "org").limit(args.rows))]
    assert len(orgs) == args.rows, f"only {len(orgs)} organisations"

    bad = work / "bad.xlsx"
    _sheet(bad, orgs, random.Random(1), bad_last=True)
    t = time.perf_counter()
    failed = import_ratings(ctx, bad)
    dt_bad = time.perf_counter() - t
    assert not failed.ok and failed.failed_rows == 1, failed.errors[:3]
    print(f"import with 1 bad row of {args.rows}: {dt_bad:.1f} s ({args.rows / dt_bad:.0f} rows/s checked, nothing written, report {failed.errors_path.stat().st_size // 1024} KiB)")

    good = work / "good.xlsx"
    _sheet(good, orgs, rng, bad_last=False)
    t = time.perf_counter()
    result = import_ratings(ctx, good)
    dt_good = time.perf_counter() - t
    assert result.ok, result.errors[:3]
    print(f"clean import of {result.imported} rows: {dt_good:.1f} s ({result.imported / dt_good:.0f} rows/s, one transaction)")

    with ctx.transaction() as s:  # bench only: skip the per-rating review workflow
        s.execute(update(Rating).values(status="effective"))
    t = time.perf_counter()
    exported = export_publicity(ctx, period=2024, domain="highway_construction", out=work / "publicity.xlsx")
    dt_exp = time.perf_counter() - t
    print(f"publicity export of {exported.rows} rows: {dt_exp:.1f} s ({exported.rows / dt_exp:.0f} rows/s)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB; files in {work}")
    ctx.close()


if __name__ == "__main__":
    main()
