"""Change-log queries: the per-record history of business changes that the audit trail vouches for."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import ChangeLog


def first_actor(session: Session, table: str, record_id: uuid.UUID) -> str | None:
    """Who made the first logged change of a record (the one who entered it); None: no history."""
    return session.execute(
        select(ChangeLog.actor).where(ChangeLog.table_name == table, ChangeLog.record_id == record_id)
        .order_by(ChangeLog.at, ChangeLog.seq).limit(1)
    ).scalar_one_or_none()


def images_in_order(session: Session, tables: list[str], batch: int) -> Iterator[Row[Any, Any, Any, Any, Any, Any]]:
    """(office_code, seq, table_name, record_id, before_json, after_json) of every change of these tables, by
    time then sequence number, streamed `batch` rows at a time."""
    cl = ChangeLog.__table__
    stmt = (select(cl.c.office_code, cl.c.seq, cl.c.table_name, cl.c.record_id, cl.c.before_json, cl.c.after_json)
            .where(cl.c.table_name.in_(tables)).order_by(cl.c.at, cl.c.seq))
    yield from session.execute(stmt.execution_options(yield_per=batch))
