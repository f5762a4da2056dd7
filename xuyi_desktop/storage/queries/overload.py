"""治超抄报 (overload notification) queries: the live document numbers, the filtered list, one by its number,
every live notice."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_fleet import OverloadNotice

_LIVE = OverloadNotice.deleted_at.is_(None)


def live_document_nos(session: Session) -> set[str]:
    """The 抄报文书编号 of every live notice."""
    return set(session.execute(select(OverloadNotice.document_no).where(_LIVE)).scalars())


def listing(session: Session, *, party_id: uuid.UUID | None = None, unmatched: bool = False, unrectified: bool = False,
            limit: int = 2000) -> list[OverloadNotice]:
    """Live notices, newest occurrence first then by number. party_id: only those naming it as operator or driver;
    unmatched: only those without an operator; unrectified: only those with no rectification result yet."""
    stmt = select(OverloadNotice).where(_LIVE)
    if party_id is not None:
        stmt = stmt.where(or_(OverloadNotice.operator_id == party_id, OverloadNotice.driver_id == party_id))
    if unmatched:
        stmt = stmt.where(OverloadNotice.operator_id.is_(None))
    if unrectified:
        stmt = stmt.where(OverloadNotice.rectify_result == "")
    return list(session.execute(stmt.order_by(OverloadNotice.occurred_on.desc(), OverloadNotice.document_no).limit(limit)).scalars())


def live_by_document_no(session: Session, document_no: str) -> OverloadNotice | None:
    return session.execute(select(OverloadNotice).where(OverloadNotice.document_no == document_no, _LIVE)).scalar_one_or_none()


def all_live(session: Session) -> list[OverloadNotice]:
    """Every live notice (no order)."""
    return list(session.execute(select(OverloadNotice).where(_LIVE)).scalars())

