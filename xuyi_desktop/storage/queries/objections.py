"""信用异议 (credit objection) queries."""

from __future__ import annotations

import datetime as dt

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
