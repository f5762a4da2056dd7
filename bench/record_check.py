"""Benchmark: what holding every record against its history costs (issue 21, finding 15) on a database of N
entities (default 20,000) imported through the program (so each has its change-log image and audit digest),
with one rating per 10 entities. Floor: 5 s for 20,000 entities (the whole `xuyi check` should stay a
coffee-free wait at the counter; restore runs the same check on the backup).

    python bench/record_check.py [--entities 20000] [--keep DIR]

Prints the record check alone, the whole `check_database`, and the check of a staged backup as restore does it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FLOOR_S = 5.0  # for 20,000 entities


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="xuyi-bench-records-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["XUYI_DATA_DIR"] = str(folder / "data")

    from xuyi_desktop.domain.errors import DomainError
    from xuyi_desktop.domain.permissions import Role
    from xuyi_desktop.services import ledger_demo, ratings, record_check, users
    from xuyi_desktop.services.backup import backup_now, check_database, staged_records
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.services.ledger_exchange import import_ledger

    ledger = folder / "主体台账.xlsx"
    ledger_demo.write_ledger_workbook(ledger, entities=args.entities)
    ctx = open_context(str(folder / "bench.db"))
    users.create_user(ctx, "admin", "admin-secret-1", Role.ADMIN)
    users.login(ctx, "admin", "admin-secret-1")
    t0 = time.perf_counter()
    result = import_ledger(ctx, ledger, ["entities"])
    assert result.ok, result.to_json()
    from sqlalchemy import select

    from xuyi_desktop.storage.models import Entity

    with ctx.transaction() as s:
        orgs = [i for i in s.execute(select(Entity.identifier).where(Entity.kind == "org")).scalars()][: args.entities // 10]
    rated = 0
    for ident in orgs:
        try:
            ratings.add_rating(ctx, ratings.RatingInput(entity=ident, domain="road_water_operator", period=dt.date.today().year,
                                                        score=90, points=0, evaluating_organ="盱眙县交通运输局"))
            rated += 1
        except DomainError:  # an entity this scheme does not rate
            continue
    print(f"set-up: {args.entities:,} entities imported, {rated:,} ratings added, in {time.perf_counter() - t0:.1f} s; "
          f"file {Path(folder / 'bench.db').stat().st_size / 2**20:.1f} MiB")

    with ctx.transaction() as s:
        t0 = time.perf_counter()
        report = record_check.check_records(s)
        alone = time.perf_counter() - t0
    assert report.ok, report.summary_zh()
    print(f"record check alone: {report.checked:,} records ({report.without_history} without history) in {alone:.2f} s")

    t0 = time.perf_counter()
    whole = check_database(ctx)
    took = time.perf_counter() - t0
    assert whole.ok, [p.detail_zh for p in whole.problems]
    scaled = took * 20_000 / args.entities
    print(f"xuyi check (integrity, foreign keys, audit chain, records, schema): {took:.2f} s; "
          f"floor {FLOOR_S:.0f} s per 20,000 entities: {'met' if scaled <= FLOOR_S else 'not met'} ({scaled:.2f} s scaled)")

    backup = backup_now(ctx, folder / "copy.db")
    t0 = time.perf_counter()
    staged = staged_records(backup)
    print(f"restore's check of the backup file: {time.perf_counter() - t0:.2f} s ({'ok' if staged.ok else 'NOT ok'})")
    ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
