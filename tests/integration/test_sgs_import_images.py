"""The 双公示 import's bulk path (Core INSERTs, change-log image built from the values: issue 17) writes what the
ORM path of `sgs.insert_record` writes: the same change_log images byte for byte, the same stored rows and the
same audit lines, apart from ids, times and the office code; bad rows and the error list are unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import sgs, sgs_exchange
from xuyi_desktop.services.context import AppContext, open_context
from xuyi_desktop.services.sgs_demo import write_ledger

TODAY = dt.date(2025, 12, 1)
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00)?")


class _OrmInserter:
    """What the import did before issue 17: one ORM object per row through insert_record."""

    def __init__(self, session: Session, ctx: AppContext) -> None:
        self.session, self.ctx = session, ctx

    def add(self, kind: RecordKind, values: Mapping[str, Any], *, entity_id: uuid.UUID | None, audit_summary: str) -> None:
        sgs.insert_record(self.session, self.ctx, kind, values, [], entity_id=entity_id, audit_summary=audit_summary)

    def flush(self) -> None:
        self.session.flush()


def _dump(ctx: AppContext) -> list[str]:
    def mask(value: Any) -> str:
        return _TIME.sub("T", _ID.sub("U", str(value))).replace(ctx.office_code, "OFFICE")

    lines: list[str] = []
    with ctx.transaction() as session:
        for row in session.execute(text(
            "select seq, action, record_version, summary, before_json, after_json, table_name from change_log order by seq"
        )):
            lines.append("change " + " | ".join(mask(v) for v in row))
        for rec in session.execute(text("select * from sgs_record order by kind, wsh")).mappings():
            lines.append("row " + json.dumps({k: mask(v) for k, v in rec.items()}, ensure_ascii=False, sort_keys=True))
        for action, summary, table, details_json in session.execute(
            text("select action, summary, record_table, details_json from audit_log order by seq")
        ):
            details = json.loads(details_json or "{}")
            for key in ("after_sha256", "sha256"):  # digests of texts holding ids
                details.pop(key, None)
            lines.append(f"audit {action} | {mask(summary)} | {table} | {mask(json.dumps(details, ensure_ascii=False, sort_keys=True))}")
    return lines


def _import(database: str, ledger: Path, tmp_path: Path, *, valid_only: bool) -> tuple[list[str], list[str]]:
    ctx = open_context(database)
    try:
        result = sgs_exchange.import_sgs(ctx, ledger, valid_only=valid_only, errors_path=tmp_path / f"{uuid.uuid4().hex}.xlsx",
                                         today=TODAY)
        errors = [f"{e.sheet} {e.row} {e.column} {e.message_zh}" for e in result.errors]
        return _dump(ctx), errors
    finally:
        ctx.close()


@pytest.mark.parametrize("valid_only", [False, True])
def test_bulk_import_writes_what_the_orm_path_wrote(tmp_path: Path, new_db, monkeypatch: pytest.MonkeyPatch,
                                                    valid_only: bool) -> None:
    bad = {(RecordKind.PENALTY, 3): {"jdrq": "2099-01-01"}} if valid_only else {}
    ledger = write_ledger(tmp_path / "台账.xlsx", licenses=25, penalties=27, bad=bad)
    bulk, bulk_errors = _import(new_db("bulk"), ledger, tmp_path, valid_only=valid_only)
    monkeypatch.setattr(sgs_exchange, "BulkInserter", _OrmInserter)
    orm, orm_errors = _import(new_db("orm"), ledger, tmp_path, valid_only=valid_only)
    assert sum(line.startswith("change ") for line in bulk) == (51 if valid_only else 52)
    assert bulk == orm
    assert bulk_errors == orm_errors
    assert bool(bulk_errors) is valid_only


def test_all_or_nothing_still_writes_nothing(tmp_path: Path, ctx) -> None:
    ledger = write_ledger(tmp_path / "台账.xlsx", licenses=1200, penalties=5, bad={(RecordKind.PENALTY, 4): {"jdrq": "2099-01-01"}})
    result = sgs_exchange.import_sgs(ctx, ledger, errors_path=tmp_path / "err.xlsx", today=TODAY)
    assert result.imported == 0 and result.failed_rows == 1  # 1,200 good rows before it: one Core INSERT's worth
    with ctx.transaction() as session:
        assert session.execute(text("select count(*) from sgs_record")).scalar_one() == 0
        assert session.execute(text("select count(*) from change_log")).scalar_one() == 0
