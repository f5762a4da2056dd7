"""信用修复 application queries."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_credit import RepairApplication


def approved_of(session: Session, entity_id: uuid.UUID) -> list[RepairApplication]:
    """The entity's live approved applications, latest decided first."""
    return list(session.execute(select(RepairApplication).where(
        RepairApplication.entity_id == entity_id, RepairApplication.status == "approved", RepairApplication.deleted_at.is_(None),
    ).order_by(RepairApplication.decided_on.desc())).scalars())
