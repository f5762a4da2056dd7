"""Writing the change log: one row per insert, update or soft delete, in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import ChangeLog


def _dump(image: dict[str, Any] | None) -> str | None:
    return None if image is None else json.dumps(image, ensure_ascii=False, sort_keys=True, default=str)


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


def record_changes(session: Session, office_code: str, changes: list[dict[str, Any]]) -> list[Logged]:
    """Append changes, in order, with this office's next sequence numbers (what sync ships in order), reserved
    at once. Each dict: at, actor, table_name, record_id, action, record_version, before, after, summary.
    One multi-row INSERT (no ORM unit of work: a bulk import logs a thousand changes per call)."""
    if not changes:
        return []
    first = counters.reserve(session, f"change_log:{office_code}", len(changes))
    rows = [
        {
            "id": uuid.uuid4(), "office_code": office_code, "seq": first + i, "at": c["at"], "actor": c["actor"],
            "table_name": c["table_name"], "record_id": c["record_id"], "action": c["action"],
            "record_version": c["record_version"], "before_json": _dump(c.get("before")), "after_json": _dump(c.get("after")),
            "summary": c.get("summary", ""),
        }
        for i, c in enumerate(changes)
    ]
    session.execute(insert(ChangeLog), rows)
    return [Logged(r["id"], r["seq"]) for r in rows]


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
