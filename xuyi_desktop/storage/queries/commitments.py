"""信用承诺 queries: by serial, the filtered list, an entity's live commitments, the signed-in-period sets."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.commitments import CommitmentStatus
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_commitments import Commitment

_LIVE = Commitment.deleted_at.is_(None)
_NOT_REVOKED = Commitment.status != CommitmentStatus.REVOKED.value


def by_serial(session: Session, serial: str) -> Commitment | None:
    return session.execute(select(Commitment).where(Commitment.serial == serial)).scalar_one_or_none()


def live_with_entities(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[Commitment, Entity]]:
    """Live commitments by id with their entity, in one query (a batch print)."""
    if not ids:
        return {}
    rows = session.execute(select(Commitment, Entity).join(Entity, Entity.id == Commitment.entity_id)
                           .where(Commitment.id.in_(set(ids)), _LIVE))
    return {c.id: (c, e) for c, e in rows}


def listing(
    session: Session, *, organs: Collection[str] | None = None, status: CommitmentStatus | None = None,
    overdue_on: dt.date | None = None, text: str = "", entity_id: uuid.UUID | None = None, limit: int = 500,
) -> list[tuple[Commitment, Entity]]:
    """Live commitments with their entity. organs: only those accepted by these spellings of a unit;
    overdue_on: only 履约中 ones whose term ended before that day (oldest term first); otherwise newest first.
    text: part of the entity's name, the serial or the business, or the whole identifier."""
    stmt = select(Commitment, Entity).join(Entity, Entity.id == Commitment.entity_id).where(_LIVE)
    if organs is not None:
        stmt = stmt.where(Commitment.organ.in_(organs))
    if status is not None:
        stmt = stmt.where(Commitment.status == status.value)
    if overdue_on is not None:
        stmt = stmt.where(Commitment.status == CommitmentStatus.ACTIVE.value, Commitment.term_until < overdue_on)
    if text:
        # icontains: the same answer on SQLite (case-blind for ASCII) and PostgreSQL (LIKE is case-sensitive there)
        stmt = stmt.where(
            Entity.name.icontains(text, autoescape=True) | Commitment.serial.icontains(text, autoescape=True)
            | Commitment.business.icontains(text, autoescape=True) | (Entity.identifier == text.upper())
        )
    if entity_id is not None:
        stmt = stmt.where(Commitment.entity_id == entity_id)
    order = (Commitment.term_until.asc(),) if overdue_on is not None else (Commitment.signed_on.desc(), Commitment.serial.desc())
    return [(c, e) for c, e in session.execute(stmt.order_by(*order).limit(limit)).all()]


def of_entity_not_revoked(session: Session, entity_id: uuid.UUID, limit: int = 200) -> list[Commitment]:
    """The entity's live commitments except the revoked ones, newest signed first."""
    stmt = select(Commitment).where(Commitment.entity_id == entity_id, _LIVE, _NOT_REVOKED)
    return list(session.execute(stmt.order_by(Commitment.signed_on.desc()).limit(limit)).scalars())


def _signed_between(start: dt.date, end: dt.date) -> tuple[ColumnElement[bool], ...]:
    return (_LIVE, _NOT_REVOKED, Commitment.signed_on >= start, Commitment.signed_on <= end)


def area_counts(session: Session, start: dt.date, end: dt.date, organs: Collection[str] | None = None) -> list[tuple[str, int]]:
    """(area code, number) of the commitments signed between start and end inclusive, revoked ones left out."""
    stmt = select(Commitment.area_code, func.count()).where(*_signed_between(start, end))
    if organs is not None:
        stmt = stmt.where(Commitment.organ.in_(organs))  # the accepting organ (受理机关)
    return [(code, int(n)) for code, n in session.execute(stmt.group_by(Commitment.area_code)).all()]


def signed_between(session: Session, start: dt.date, end: dt.date) -> list[tuple[Commitment, Entity]]:
    """The commitments (with entity) signed between start and end inclusive, revoked ones left out, in order."""
    stmt = select(Commitment, Entity).join(Entity, Entity.id == Commitment.entity_id).where(*_signed_between(start, end))
    return [(c, e) for c, e in session.execute(stmt.order_by(Commitment.signed_on, Commitment.serial)).all()]


def of_entity(session: Session, entity_id: uuid.UUID, limit: int = 500) -> list[Commitment]:
    """The entity's live commitments (revoked ones too), newest signed first then by serial, descending."""
    return list(session.execute(
        select(Commitment).where(Commitment.entity_id == entity_id, Commitment.deleted_at.is_(None))
        .order_by(Commitment.signed_on.desc(), Commitment.serial.desc()).limit(limit)
    ).scalars())


def live_signed_between(session: Session, start: dt.date, end: dt.date, organs: Collection[str] | None = None) -> list[Commitment]:
    """The live commitments (revoked ones too) signed between start and end inclusive; organs: only those accepted
    by these spellings of a unit. No order."""
    stmt = select(Commitment).where(Commitment.deleted_at.is_(None), Commitment.signed_on >= start, Commitment.signed_on <= end)
    if organs is not None:
        stmt = stmt.where(Commitment.organ.in_(organs))
    return list(session.execute(stmt).scalars())


def active_due_by(session: Session, due_by: dt.date, organs: Collection[str] | None = None) -> list[tuple[Commitment, Entity]]:
    """Live 履约中 commitments with their entity whose term ends on or before due_by, earliest term first;
    organs: only those accepted by these spellings of a unit."""
    stmt = select(Commitment, Entity).join(Entity, Entity.id == Commitment.entity_id).where(
        Commitment.deleted_at.is_(None), Commitment.status == CommitmentStatus.ACTIVE.value,
        Commitment.term_until <= due_by,
    )
    if organs is not None:
        stmt = stmt.where(Commitment.organ.in_(organs))
    return [(c, e) for c, e in session.execute(stmt.order_by(Commitment.term_until)).all()]


def live_by_id(session: Session, commitment_id: uuid.UUID) -> Commitment | None:
    return session.execute(select(Commitment).where(Commitment.deleted_at.is_(None)).where(Commitment.id == commitment_id)).scalar()


def live_by_serial(session: Session, serial: str) -> Commitment | None:
    return session.execute(select(Commitment).where(Commitment.deleted_at.is_(None)).where(Commitment.serial == serial)).scalar()


def signed_or_concluded_between(session: Session, date_from: dt.date, date_to: dt.date) -> list[tuple[Commitment, Entity]]:
    """Live commitments (revoked ones too) signed or concluded between the two days inclusive, with their entity,
    by signing day and serial (the publication export)."""
    stmt = (select(Commitment, Entity).join(Entity, Entity.id == Commitment.entity_id)
            .where(Commitment.deleted_at.is_(None),
                   or_(and_(Commitment.signed_on >= date_from, Commitment.signed_on <= date_to),
                       and_(Commitment.outcome_on >= date_from, Commitment.outcome_on <= date_to)))
            .order_by(Commitment.signed_on, Commitment.serial))
    return [(c, e) for c, e in session.execute(stmt)]


def kept_signed_between(session: Session, start: dt.date, end: dt.date, organs: Collection[str] | None = None) -> list[Commitment]:
    """The live commitments not revoked signed between start and end inclusive (organs: only those accepted by
    these spellings of a unit), by signing day and serial."""
    return list(session.execute(select(Commitment).where(
        Commitment.deleted_at.is_(None), Commitment.status != "revoked", Commitment.signed_on >= start,
        Commitment.signed_on <= end, *([Commitment.organ.in_(organs)] if organs is not None else []),
    ).order_by(Commitment.signed_on, Commitment.serial)).scalars())
