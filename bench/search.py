"""Search benchmark: build (or reuse) a demo database and print one figure a line.

    python bench/search.py --entities 1000000 [--db PATH|URL] [--queries 200] [--short 50] [--repeat 3] [--seed 7]
    python bench/search.py --entities 1000000 --db postgresql+psycopg://xuyi@127.0.0.1:54329/bench
        (a server started by scripts/postgres; the database must exist: createdb -h 127.0.0.1 -p 54329 -U xuyi bench)

Figures: build time, database size, p50/p95 of mixed queries through the service (name fragment,
identifier prefix, pinyin initials, and --short one- and two-character names), the same queries as raw SQL on the
same index and the ratio of the two p95 (issue 17's goal: at most 3x), a LIKE '%…%' baseline,
and the time from process start to the main window shown (offscreen) on that database. Medians, not means.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.services.context import open_context
from xuyi_desktop.services.demo_data import generate_demo_data
from xuyi_desktop.services.entities import count_entities, find_entities
from xuyi_desktop.storage.database import sqlite_path
from xuyi_desktop.storage.models import Entity


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def make_queries(ctx, n: int, seed: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Queries drawn from real rows: a third name fragments, identifier prefixes, pinyin initials."""
    rng = random.Random(seed)
    with ctx.transaction() as s:
        top = s.execute(select(func.max(Entity.search_key))).scalar_one()
        keys = [rng.randint(1, top) for _ in range(n * 2)]
        rows = s.execute(select(Entity.name, Entity.identifier, Entity.name_initials).where(Entity.search_key.in_(keys))).all()
    rng.shuffle(rows)
    queries: list[tuple[str, str]] = []
    for i, (name, ident, initials) in enumerate(rows[:n]):
        kind = ("name", "identifier", "initials")[i % 3]
        if kind == "name":
            folded = fold(name)
            size = rng.choice((2, 2, 3, 4))
            start = rng.randrange(0, max(1, len(folded) - size + 1))
            queries.append((kind, folded[start : start + size]))
        elif kind == "identifier":
            queries.append((kind, ident[: rng.choice((6, 8, 10, 12, 18))]))
        else:
            size = min(len(initials), rng.choice((3, 4, 5)))
            start = rng.randrange(0, max(1, len(initials) - size + 1))
            queries.append((kind, initials[start : start + size]))
    return queries


def short_queries(ctx, n: int, seed: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """One- and two-character name fragments drawn from real rows (what clerks type most: 盱, 盱眙, 顺达)."""
    rng = random.Random(seed + 1)
    with ctx.transaction() as s:
        top = s.execute(select(func.max(Entity.search_key))).scalar_one()
        keys = [rng.randint(1, top) for _ in range(n * 2)]
        names = sorted(s.execute(select(Entity.name).where(Entity.search_key.in_(keys))).scalars())
    rng.shuffle(names)
    out = []
    for i, name in enumerate(names[:n]):
        folded = fold(name)
        size = 1 + i % 2
        start = rng.randrange(0, max(1, len(folded) - size + 1))
        out.append((f"short{size}", folded[start : start + size]))
    return out


def time_startup(db: str, runs: int = 3) -> list[float]:
    """Wall time from spawning the application to it printing that the main window is shown."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "xuyi_desktop.ui.app", "--db", db, "--quit-after-shown"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("window-shown"):
                times.append(time.perf_counter() - started)
                break
        proc.wait(timeout=120)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=1_000_000)
    ap.add_argument("--db", help="database path or URL (default bench/data/search-N.db)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--like-queries", type=int, default=20, help="how many of the queries to also run as LIKE (slow)")
    ap.add_argument("--short", type=int, default=50, help="one- and two-character name queries added to the mix")
    ap.add_argument("--repeat", type=int, default=1, help="time each query this many times, keep its median")
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument("--dbstat", type=int, default=0, metavar="N", help="also print the N largest tables and indexes (SQLite)")
    args = ap.parse_args()

    db = args.db or str(ROOT / "bench" / "data" / f"search-{args.entities}.db")
    ctx = open_context(db)
    have = count_entities(ctx)
    if have >= args.entities:
        print(f"build: reused existing database with {have} entities")
    else:
        started = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 10:
                last[0] = time.perf_counter()
                print(f"  … {done}/{total}", file=sys.stderr, flush=True)

        generate_demo_data(ctx, args.entities - have, seed=args.seed, progress=progress)
        print(f"build_seconds: {time.perf_counter() - started:.1f}")
    path = sqlite_path(ctx.url)
    if path:
        size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        print(f"database_size_mib: {size / 2**20:.0f}")
        _sqlite_sizes(ctx, args.dbstat)
    else:
        with ctx.engine.connect() as conn:
            # statistics as autovacuum would have them on a server that has been running a while
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            version = conn.execute(text("SHOW server_version")).scalar_one()
        print(f"database_size_mib: {size / 2**20:.0f}")
        print(f"server: PostgreSQL {version}")
    print(f"entities: {count_entities(ctx)}")
    print(f"search_backend: {type(ctx.search_index).__name__}")

    queries = make_queries(ctx, args.queries, args.seed) + short_queries(ctx, args.short, args.seed)
    for _, q in queries[:10]:  # warm the page cache the way a clerk's first minutes would
        find_entities(ctx, q)
    by_kind: dict[str, list[float]] = {}
    all_ms: list[float] = []
    empty = 0
    for kind, q in queries:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            hits = find_entities(ctx, q, limit=50)
            times.append((time.perf_counter() - t) * 1000)
        ms = statistics.median(times)
        empty += not hits
        all_ms.append(ms)
        by_kind.setdefault(kind, []).append(ms)
    print(f"queries: {len(queries)} (name fragment / identifier prefix / pinyin initials / 1-2 characters), {empty} with no hit")
    print(f"service_p50_ms: {statistics.median(all_ms):.2f}")
    print(f"service_p95_ms: {pct(all_ms, 95):.2f}")
    print(f"service_max_ms: {max(all_ms):.2f}")
    for kind, values in by_kind.items():
        print(f"service_{kind}_p50_ms: {statistics.median(values):.2f}  p95_ms: {pct(values, 95):.2f}")

    raw_ms = _raw_comparison(ctx, queries, args.like_queries, args.repeat)
    print(f"service_p95 / raw_p95: {pct(all_ms, 95) / pct(raw_ms, 95):.1f}x (goal <= 3x)")
    # An identifier search commits its audit entry before it answers (synchronous=FULL waits for the disk): the same
    # ratio without them, and what that commit costs on this disk, to tell the two apart.
    names = [i for i, (kind, _q) in enumerate(queries) if kind != "identifier"]
    svc_names, raw_names = [all_ms[i] for i in names], [raw_ms[i] for i in names]
    print(f"without identifier searches: service_p95_ms {pct(svc_names, 95):.2f} / raw_p95_ms {pct(raw_names, 95):.2f} "
          f"= {pct(svc_names, 95) / pct(raw_names, 95):.1f}x")
    # Each kind's p95 against the raw p95 of all queries (the goal), and beside it the raw p95 of that kind alone: an
    # initials query confirms more FTS candidates than a name query, so its own floor is higher than the mix's.
    raw_p95 = pct(raw_ms, 95)
    for kind, values in by_kind.items():
        own = [raw_ms[i] for i, (k, _q) in enumerate(queries) if k == kind]
        print(f"ratio_{kind}: service_p95_ms {pct(values, 95):.2f} / raw_p95_ms {raw_p95:.2f} = {pct(values, 95) / raw_p95:.1f}x"
              f"  (raw p95 of this kind alone {pct(own, 95):.2f} ms: {pct(values, 95) / pct(own, 95):.1f}x)")
    if not args.no_startup:
        runs = time_startup(db)
        if runs:
            print(f"startup_to_window_shown_s: median {statistics.median(runs):.2f} of {len(runs)} runs")
    ctx.close()
    return 0


def _sqlite_sizes(ctx, top: int) -> None:  # type: ignore[no-untyped-def]
    """Issue 17's size goal is about the file a backup copies: its pages in use per entity (the WAL beside it is
    emptied at each checkpoint; free pages are what a VACUUM would give back), and where they go (dbstat)."""
    with ctx.engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM entity")).scalar_one() or 1
        page, pages, free = (conn.exec_driver_sql(f"PRAGMA {p}").scalar_one() for p in ("page_size", "page_count", "freelist_count"))
        print(f"database_file_mib: {page * pages / 2**20:.0f} ({page * (pages - free) / n:.0f} bytes/entity in use, "
              f"{page * free / 2**20:.0f} MiB free pages)")
        if top:
            rows = conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT :n"), {"n": top}).all()
            for name, size in rows:
                print(f"  dbstat {name}: {size / 2**20:.1f} MiB, {size / n:.0f} bytes/entity")


def _raw_comparison(ctx, queries, like_n: int, repeat: int = 1) -> list[float]:  # type: ignore[no-untyped-def]
    """The database's own query on the same index (no ORM, no ranking), and the LIKE scan it replaces. A one-character
    name query's raw figure is the index lookup of that character. Returns each query's raw time (ms), in order."""
    index = ctx.search_index
    raw_ms: list[float] = []
    with ctx.transaction() as s:
        for kind, q in queries:
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                if kind == "identifier":
                    s.execute(select(Entity.search_key).where(Entity.deleted_at.is_(None), Entity.identifier >= q, Entity.identifier < q + "\U0010ffff").limit(50)).all()
                elif kind == "name" or kind.startswith("short"):
                    index.name_contains(s, fold(q), 50)
                else:
                    index.initials_contain(s, q, 50)
                times.append((time.perf_counter() - t) * 1000)
            raw_ms.append(statistics.median(times))
        print(f"raw_sql_same_index_p50_ms: {statistics.median(raw_ms):.2f}  p95_ms: {pct(raw_ms, 95):.2f}")
        like_ms = []
        for _kind, q in [x for x in queries if x[0] == "name"][:like_n]:
            t = time.perf_counter()
            s.execute(text("SELECT search_key FROM entity WHERE name LIKE :p LIMIT 50"), {"p": f"%{q}%"}).all()
            like_ms.append((time.perf_counter() - t) * 1000)
        if like_ms:
            print(f"like_scan_baseline_p50_ms: {statistics.median(like_ms):.2f}  p95_ms: {pct(like_ms, 95):.2f} ({len(like_ms)} name queries)")
    return raw_ms


if __name__ == "__main__":
    raise SystemExit(main())
