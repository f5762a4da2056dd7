"""信用修复 application queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_credit import RepairApplication


def approved_of(session: Session, entity_id: uuid.UUID) -> list[RepairApplication]:
    """The entity's live approved applications, latest decided first."""
    return list(session.execute(select(RepairApplication).where(
        RepairApplication.entity_id == entity_id, RepairApplication.status == "approved", RepairApplication.deleted_at.is_(None),
    ).order_by(RepairApplication.decided_on.desc())).scalars())


def applied_record_ids(session: Session, record_kind: str) -> set[uuid.UUID]:
    """The records of this kind with a live application that was not rejected."""
    return set(session.execute(select(RepairApplication.record_id).where(
        RepairApplication.record_kind == record_kind, RepairApplication.deleted_at.is_(None),
        RepairApplication.status != "rejected")).scalars())


def has_application_in(session: Session, record_kind: str, record_id: uuid.UUID, statuses: Collection[str]) -> bool:
    """Whether the record has a live application in one of these statuses."""
    return session.execute(select(RepairApplication.id).where(
        RepairApplication.record_kind == record_kind, RepairApplication.record_id == record_id,
        RepairApplication.status.in_(statuses), RepairApplication.deleted_at.is_(None),
    )).first() is not None


def listing(session: Session, *, status: str | None = None, statuses: Collection[str] | None = None,
            entity_id: uuid.UUID | None = None, limit: int = 500) -> list[RepairApplication]:
    """Live applications, latest applied first then newest entered; status: only that one; statuses: only those;
    entity_id: only the entity's."""
    stmt = select(RepairApplication).where(RepairApplication.deleted_at.is_(None))
    if status:
        stmt = stmt.where(RepairApplication.status == status)
    if statuses is not None:
        stmt = stmt.where(RepairApplication.status.in_(statuses))
    if entity_id is not None:
        stmt = stmt.where(RepairApplication.entity_id == entity_id)
    return list(session.execute(stmt.order_by(RepairApplication.applied_on.desc(), RepairApplication.created_at.desc())
                                .limit(limit)).scalars())


def approved_between(session: Session, date_from: dt.date, date_to: dt.date) -> list[tuple[RepairApplication, Entity]]:
    """Live applications approved (decided) between the two days inclusive, with their entity, by decision day
    (the publication export)."""
    stmt = (select(RepairApplication, Entity).join(Entity, Entity.id == RepairApplication.entity_id)
            .where(RepairApplication.deleted_at.is_(None), RepairApplication.status == "approved",
                   and_(RepairApplication.decided_on >= date_from, RepairApplication.decided_on <= date_to))
            .order_by(RepairApplication.decided_on))
    return [(a, e) for a, e in session.execute(stmt)]
