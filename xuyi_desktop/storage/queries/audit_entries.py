"""Audit-trail queries the services ask (the chain itself is storage.audit_chain)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import AuditEntry


def count_since(session: Session, username: str, action: str, since: dt.datetime) -> int:
    """How many entries of this action the user has made since `since`."""
    stmt = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.username == username, AuditEntry.action == action, AuditEntry.at >= since)
    return int(session.execute(stmt).scalar_one())


def any_of_action(session: Session, action: str) -> bool:
    """Whether the audit log holds any entry of this action."""
    return bool(session.execute(select(exists().where(AuditEntry.action == action))).scalar())
