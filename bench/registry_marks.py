"""Registry credit columns benchmark: the county training set plus N bulk entities, then the time to read the
信用等级 / 失信 marks for each page of 200 rows as the clerk scrolls (services.entity_file.registry_marks), beside the
time to read the page itself. One figure a line; medians.

    python bench/registry_marks.py --entities 100000 [--db PATH] [--pages 30]

Floor: the marks must cost less than the page they decorate (median), so scrolling never waits on them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xuyi_desktop.domain.permissions import Role  # noqa: E402
from xuyi_desktop.services import users  # noqa: E402
from xuyi_desktop.services.context import open_context  # noqa: E402
from xuyi_desktop.services.county_demo import generate_county  # noqa: E402
from xuyi_desktop.services.demo_data import generate_demo_data  # noqa: E402
from xuyi_desktop.services.entities import page_entities  # noqa: E402
from xuyi_desktop.services.entity_file import registry_marks  # noqa: E402
from xuyi_desktop.storage.entity_queries import SortKey  # noqa: E402

PASSWORD = "bench-pass-2026"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--db", default="")
    parser.add_argument("--pages", type=int, default=30)
    args = parser.parse_args()
    db = args.db or str(Path(tempfile.mkdtemp()) / "marks.db")
    ctx = open_context(db)
    users.create_user(ctx, "admin", PASSWORD, Role.ADMIN)
    users.login(ctx, "admin", PASSWORD)
    started = time.perf_counter()
    generate_county(ctx)
    generate_demo_data(ctx, args.entities)
    print(f"build: county set + {args.entities} entities in {time.perf_counter() - started:.1f} s")
    cursor, page_ms, marks_ms, marked = None, [], [], 0
    for _ in range(args.pages):
        t = time.perf_counter()
        page, cursor = page_entities(ctx, sort=SortKey.NAME, descending=False, after=cursor, size=200)
        page_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        marked += len(registry_marks(ctx, [row.id for row in page]))
        marks_ms.append((time.perf_counter() - t) * 1000)
        if cursor is None:
            break
    page_median, marks_median = statistics.median(page_ms), statistics.median(marks_ms)
    print(f"page of 200 rows: median {page_median:.1f} ms")
    print(f"marks for the page: median {marks_median:.1f} ms, max {max(marks_ms):.1f} ms ({marked} rows marked)"
          f"  [floor: below the page's own {page_median:.1f} ms]")
    ctx.close()
    return 0 if marks_median < page_median else 1


if __name__ == "__main__":
    sys.exit(main())
