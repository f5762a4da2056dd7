"""信用核查 (credit check) record queries."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import CreditCheck


def latest_of(session: Session, entity_id: uuid.UUID, limit: int) -> list[CreditCheck]:
    """The entity's latest checks, newest first."""
    return list(session.execute(
        select(CreditCheck).where(CreditCheck.entity_id == entity_id).order_by(CreditCheck.at.desc()).limit(limit)
    ).scalars())


def businesses_between(session: Session, begin: dt.datetime, stop: dt.datetime) -> list[str]:
    """The business code of every check made from begin up to (not including) stop."""
    return list(session.execute(select(CreditCheck.business).where(CreditCheck.at >= begin, CreditCheck.at < stop)).scalars())
