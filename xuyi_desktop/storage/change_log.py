"""Writing the change log: one row per insert, update or soft delete, in the caller's transaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import ChangeLog


def _dump(image: dict[str, Any] | None) -> str | None:
    return None if image is None else json.dumps(image, ensure_ascii=False, sort_keys=True, default=str)


def record_change(
    session: Session,
    *,
    office_code: str,
    actor: str,
    table_name: str,
    record_id: uuid.UUID,
    action: str,
    record_version: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    summary: str = "",
) -> ChangeLog:
    """Append a change with this office's next sequence number (what sync will ship in order)."""
    entry = ChangeLog(
        office_code=office_code,
        seq=counters.reserve(session, f"change_log:{office_code}"),
        actor=actor,
        table_name=table_name,
        record_id=record_id,
        action=action,
        record_version=record_version,
        before_json=_dump(before),
        after_json=_dump(after),
        summary=summary,
    )
    session.add(entry)
    return entry


def history_of(session: Session, table_name: str, record_id: uuid.UUID) -> list[ChangeLog]:
    stmt = (
        select(ChangeLog)
        .where(ChangeLog.table_name == table_name, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.at, ChangeLog.seq)
    )
    return list(session.execute(stmt).scalars())
