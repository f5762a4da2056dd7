"""Writing the change log: one row per insert, update or soft delete, in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import ChangeLog

# Built once: json.dumps with any non-default option builds a new encoder on every call (a bulk import logs
# thousands of images); the text is the same.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _dump(image: dict[str, Any] | None) -> str | None:
    return None if image is None else _ENCODER.encode(image)


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
                skip_conflict_on: Sequence[str] = ()) -> None:
    """Insert plain tuples (values in `columns` order) with one DB-API executemany: each column's bind processing
    (UUID as text on SQLite, UTC datetimes) is applied here once per value, without SQLAlchemy's per-row parameter
    dicts, which were a large part of a sync import of 100,000 changes. With `skip_conflict_on`, a row whose values
    of those (unique) columns already exist is left out (ON CONFLICT DO NOTHING, SQLite and PostgreSQL alike)."""
    dialect = conn.dialect
    procs = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    data = list(rows)
    if not data:
        return
    width = len(columns)
    if any(len(row) != width for row in data):
        raise ValueError(f"each row must have {width} values")
    if any(p is not None for p in procs):
        # Column by column (map over one column, then zip back into rows): the same values as processing each row's
        # tuple, without a Python generator step per value (960,000 of them for 20,000 received changes).
        cols = [col if p is None else tuple(map(p, col)) for p, col in zip(procs, zip(*data), strict=True)]
        data = list(zip(*cols))
    else:
        data = [tuple(row) for row in data]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    if skip_conflict_on:
        sql += f" ON CONFLICT ({', '.join(skip_conflict_on)}) DO NOTHING"
    conn.exec_driver_sql(sql, data)


def dump_image(image: dict[str, Any] | None) -> str | None:
    """The stored text of a before/after image (the one encoding of change_log)."""
    return _dump(image)


def image_digest(stored: str | None) -> str:
    """What an audit entry keeps of the after image it logged (issue 21): the SHA-256 of its stored text, so a
    history rewritten around the program no longer matches the hash-chained audit log."""
    return hashlib.sha256((stored or "").encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Logged:
    """What a writer needs back of a change-log row: its sequence number (the audit entry names it)."""

    id: uuid.UUID
    seq: int


#: The change_log columns in the order the plain-tuple writers give them (this office's changes here, received ones
#: in sync.apply).
LOG_COLUMNS = ("id", "office_code", "seq", "at", "actor", "table_name", "record_id", "action", "record_version",
               "summary", "before_json", "after_json")


def record_changes(session: Session, office_code: str, changes: list[dict[str, Any]]) -> list[Logged]:
    """Append changes, in order, with this office's next sequence numbers (what sync ships in order), reserved
    at once. Each dict: at, actor, table_name, record_id, action, record_version, before, after, summary, and
    optionally after_json, the after image's stored text when the caller already made it (the audit entry hashes
    that same text: dumped once, not twice). One executemany of plain tuples (a bulk import logs a thousand
    changes per call)."""
    if not changes:
        return []
    first = counters.reserve(session, f"change_log:{office_code}", len(changes))
    rows = [
        (
            uuid.uuid4(), office_code, first + i, c["at"], c["actor"], c["table_name"], c["record_id"], c["action"],
            c["record_version"], c.get("summary", ""), _dump(c.get("before")),
            c["after_json"] if "after_json" in c else _dump(c.get("after")),
        )
        for i, c in enumerate(changes)
    ]
    insert_rows(session.connection(), ChangeLog.__table__, LOG_COLUMNS, rows)  # type: ignore[arg-type]
    return [Logged(r[0], r[2]) for r in rows]


def history_of(session: Session, table_name: str, record_id: uuid.UUID) -> list[ChangeLog]:
    stmt = (
        select(ChangeLog)
        .where(ChangeLog.table_name == table_name, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.at, ChangeLog.seq)
    )
    return list(session.execute(stmt).scalars())


def head(session: Session) -> dict[str, int]:
    """The last sequence number of each office's change log (the unique (office_code, seq) index answers it)."""
    stmt = select(ChangeLog.office_code, func.max(ChangeLog.seq)).group_by(ChangeLog.office_code)
    return {office: int(seq) for office, seq in session.execute(stmt)}


def tables_since(session: Session, since: dict[str, int]) -> set[str]:
    """The tables written after `since` (an earlier head): what another counter of a shared database changed."""
    tables: set[str] = set()
    for office, seq in head(session).items():
        if seq > since.get(office, 0):
            stmt = select(ChangeLog.table_name).where(ChangeLog.office_code == office, ChangeLog.seq > since.get(office, 0))
            tables.update(session.execute(stmt.distinct()).scalars())
    return tables
