"""信用积分 (credit points) entry queries."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_fleet import PointEntry


def entries_of(session: Session, entity_id: uuid.UUID, as_of: dt.date | None = None) -> list[PointEntry]:
    """The entity's live entries (those that happened by as_of, when given), oldest first then as entered."""
    stmt = select(PointEntry).where(PointEntry.entity_id == entity_id, PointEntry.deleted_at.is_(None))
    if as_of is not None:
        stmt = stmt.where(PointEntry.occurred_on <= as_of)
    return list(session.execute(stmt.order_by(PointEntry.occurred_on, PointEntry.created_at)).scalars())


def is_corrected(session: Session, entry_id: uuid.UUID) -> bool:
    """Whether a live correction of the entry exists."""
    return session.execute(select(PointEntry).where(PointEntry.corrects_id == entry_id, PointEntry.deleted_at.is_(None))).first() is not None


def entity_ids(session: Session, limit: int) -> list[uuid.UUID]:
    """Distinct entities with a live entry (at most limit, no order)."""
    return list(session.execute(select(PointEntry.entity_id).where(PointEntry.deleted_at.is_(None)).distinct().limit(limit)).scalars())
