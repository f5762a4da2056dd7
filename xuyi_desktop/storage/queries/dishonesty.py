"""失信记录 queries: the list, newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import DishonestyRecord, Entity


def records(session: Session, *, entity_id: uuid.UUID | None = None, active_on: dt.date | None = None,
            limit: int = 500) -> list[tuple[DishonestyRecord, Entity]]:
    """Live records with their entity, newest conduct first. active_on: only those in force that day."""
    stmt = select(DishonestyRecord, Entity).join(Entity, Entity.id == DishonestyRecord.entity_id).where(
        DishonestyRecord.deleted_at.is_(None)
    )
    if active_on is not None:
        stmt = stmt.where(DishonestyRecord.occurred_on <= active_on,
                          (DishonestyRecord.ends_on.is_(None)) | (DishonestyRecord.ends_on >= active_on))
    if entity_id is not None:
        stmt = stmt.where(DishonestyRecord.entity_id == entity_id)
    return [(d, e) for d, e in session.execute(stmt.order_by(DishonestyRecord.occurred_on.desc()).limit(limit)).all()]


def of_entity(session: Session, entity_id: uuid.UUID) -> list[DishonestyRecord]:
    """The entity's live records, newest conduct first."""
    return list(session.execute(
        select(DishonestyRecord).where(DishonestyRecord.entity_id == entity_id, DishonestyRecord.deleted_at.is_(None))
        .order_by(DishonestyRecord.occurred_on.desc())
    ).scalars())


def categories_in_force(session: Session, entity_ids: Sequence[uuid.UUID], on: dt.date) -> list[tuple[uuid.UUID, str]]:
    """(entity id, category) of the entities' live records in force and not repaired on that day."""
    return [(eid, c) for eid, c in session.execute(
        select(DishonestyRecord.entity_id, DishonestyRecord.category).where(
            DishonestyRecord.entity_id.in_(entity_ids), DishonestyRecord.deleted_at.is_(None),
            DishonestyRecord.occurred_on <= on,
            or_(DishonestyRecord.ends_on.is_(None), DishonestyRecord.ends_on >= on),
            or_(DishonestyRecord.repaired_on.is_(None), DishonestyRecord.repaired_on > on),
        )
    ).all()]
