"""信用异议 (credit objection) queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_credit import CreditObjection


def open_due_by(session: Session, deadline_by: dt.date) -> list[tuple[CreditObjection, Entity]]:
    """Live objections received or in review whose deadline is on or before deadline_by, with their entity,
    earliest deadline first."""
    return [(o, e) for o, e in session.execute(select(CreditObjection, Entity).join(Entity, Entity.id == CreditObjection.entity_id).where(
        CreditObjection.deleted_at.is_(None), CreditObjection.status.in_(("received", "reviewing")),
        CreditObjection.deadline <= deadline_by,
    ).order_by(CreditObjection.deadline)).all()]


def listing(session: Session, *, statuses: Collection[str] | None = None, due_before: dt.date | None = None,
            entity_id: uuid.UUID | None = None, by_deadline: bool = False, limit: int = 1000) -> list[CreditObjection]:
    """Live objections (in these statuses, past their deadline before due_before, about the entity, when given);
    by_deadline: the most urgent first, otherwise newest received first."""
    stmt = select(CreditObjection).where(CreditObjection.deleted_at.is_(None))
    if statuses is not None:
        stmt = stmt.where(CreditObjection.status.in_(statuses))
    if due_before is not None:
        stmt = stmt.where(CreditObjection.deadline < due_before)
    order = CreditObjection.deadline.asc() if by_deadline else CreditObjection.received_on.desc()
    if entity_id is not None:
        stmt = stmt.where(CreditObjection.entity_id == entity_id)
    return list(session.execute(stmt.order_by(order).limit(limit)).scalars())
