"""Office queries: the local office, one office by code, the registered peers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Office


def local(session: Session) -> Office | None:
    """This installation's own office row, if set."""
    return session.execute(select(Office).where(Office.is_local.is_(True))).scalar_one_or_none()


def by_code(session: Session, code: str) -> Office | None:
    """The office with this code, local or peer."""
    return session.execute(select(Office).where(Office.code == code)).scalar_one_or_none()


def peer(session: Session, code: str) -> Office | None:
    """The registered peer office with this code (never the local one)."""
    return session.execute(select(Office).where(Office.code == code, Office.is_local.is_(False))).scalar_one_or_none()


def peers(session: Session) -> list[Office]:
    """Every registered peer office, by code."""
    return list(session.execute(select(Office).where(Office.is_local.is_(False)).order_by(Office.code)).scalars().all())
