"""Batch credit check benchmark (tender day): one figure a line.

    python bench/batch_check.py [--rows 100] [--db URL]

A list of N bidders (every fifth with an effective rating, every tenth with a third-party report, two rows that
match nothing or several) checked through services.tender.batch_check into one PDF and a summary workbook.
Figures: the whole batch (seconds, entities per second), its check phase (one logged check and serial each)
and its drawing phase (summary + one sheet each, merged into one file); beside them, as the floor, the same
entities checked one by one with check_entity and each sheet printed alone with print_credit_check (what a clerk
at the counter would do). Uses a temporary data folder and an SQLite file under bench/data/ unless --db is
given (removed at the end); nothing of the user's is touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
(ROOT / "bench" / "data").mkdir(parents=True, exist_ok=True)
WORK = Path(tempfile.mkdtemp(prefix="batch-", dir=ROOT / "bench" / "data"))
os.environ["XUYI_DATA_DIR"] = str(WORK / "data")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--db", help="a database URL (default: an SQLite file in a temporary folder)")
    args = parser.parse_args()

    from openpyxl import Workbook

    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.domain.ratings import RatingStatus
    from xuyi_desktop.services import ratings, tender
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.credit_check import check_entity
    from xuyi_desktop.services.entities import register_entity
    from xuyi_desktop.services.printing import print_credit_check
    from xuyi_desktop.services.sgs_demo import uscc

    ctx = open_context(args.db or str(WORK / "bench.db"))
    today = dt.date.today()
    idents = []
    for i in range(args.rows):
        ident = uscc(5000 + i)
        register_entity(ctx, EntityDraft(name=f"盱眙县第{i + 1}建设工程有限公司", identifier=ident,
                                         categories=("construction_unit",)), allow_similar=True)
        if i % 5 == 0:
            view = ratings.add_rating(ctx, ratings.RatingInput(ident, "highway_construction", today.year - 1, score=80 + i % 20))
            for status in (RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE):
                ratings.set_status(ctx, view.id, status, today=today - dt.timedelta(days=40) if status.value != "effective" else None)
        if i % 10 == 0:
            tender.add_report(ctx, tender.ReportInput(ident, "江苏信用评估有限公司", True, f"JSXY-{i:05d}",
                                                      today - dt.timedelta(days=30), today + dt.timedelta(days=300)))
        idents.append(ident)
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "投标人名称", "统一社会信用代码"])
    for i, ident in enumerate(idents, start=1):
        ws.append([i, f"盱眙县第{i}建设工程有限公司", ident])
    ws.append([len(idents) + 1, "淮安市不存在建设有限公司", ""])
    ws.append([len(idents) + 2, "建设工程有限公司", ""])
    wb.save(WORK / "list.xlsx")

    marks: list[float] = []
    start = time.perf_counter()
    result = tender.batch_check(ctx, WORK / "list.xlsx", "tender", WORK / "batch.pdf", summary=WORK / "batch.xlsx",
                                progress=lambda d, t: marks.append(time.perf_counter()) if d == args.rows else None)
    total = time.perf_counter() - start
    checks = (marks[0] - start) if marks else float("nan")
    assert len(result.checked) == args.rows and len(result.problems) == 2

    start = time.perf_counter()
    for ident in idents:
        r = check_entity(ctx, tender.resolve_query(ctx, ident), "tender")
        print_credit_check(ctx, r, WORK / "one.pdf")
    floor = time.perf_counter() - start
    ctx.close()

    n = args.rows
    print(f"batch check, {n} entities + 2 problem rows: {total:.1f} s, {n / total:.1f} entities/s, {result.pages} pages,"
          f" {(WORK / 'batch.pdf').stat().st_size / 1024 / 1024:.1f} MiB")
    print(f"  check phase (one logged check and serial each): {checks:.1f} s, {1000 * checks / n:.0f} ms/entity")
    print(f"  drawing phase (summary + sheets, merged): {total - checks:.1f} s, {result.pages / (total - checks):.1f} pages/s")
    print(f"floor: check_entity + print_credit_check one by one: {floor:.1f} s, {n / floor:.1f} entities/s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
