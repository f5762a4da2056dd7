"""Rating queries: a rating's objections, the grade before a period, live versions, an entity's timeline."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.storage.models import Rating, RatingObjection


def objections_of(session: Session, rating_id: uuid.UUID) -> list[RatingObjection]:
    """The rating's objections, oldest received first."""
    stmt = select(RatingObjection).where(RatingObjection.rating_id == rating_id).order_by(RatingObjection.received_on)
    return list(session.execute(stmt).scalars())


def has_pending_objection(session: Session, rating_id: uuid.UUID) -> bool:
    stmt = select(exists().where(RatingObjection.rating_id == rating_id, RatingObjection.outcome == "pending"))
    return bool(session.execute(stmt).scalar())


def previous_grade(session: Session, entity_id: uuid.UUID, domain: str, period: int) -> str | None:
    """The grade of the latest evaluated period before `period` (effective or superseded), or None."""
    stmt = select(Rating.grade).where(
        Rating.entity_id == entity_id, Rating.domain == domain, Rating.period < period,
        Rating.status.in_((RatingStatus.EFFECTIVE.value, RatingStatus.SUPERSEDED.value)), Rating.deleted_at.is_(None),
    ).order_by(Rating.period.desc(), Rating.status.asc())  # "effective" sorts before "superseded"
    return session.execute(stmt.limit(1)).scalar_one_or_none()


def other_effective(session: Session, rating: Rating) -> list[Rating]:
    """The other effective versions of the same entity, domain and period (which `rating` supersedes)."""
    stmt = select(Rating).where(
        Rating.id != rating.id, Rating.entity_id == rating.entity_id, Rating.domain == rating.domain,
        Rating.period == rating.period, Rating.status == RatingStatus.EFFECTIVE.value, Rating.deleted_at.is_(None),
    )
    return list(session.execute(stmt).scalars())


def timeline(session: Session, entity_id: uuid.UUID) -> list[Rating]:
    """Every live rating and version of the entity, newest period first, then newest entered."""
    stmt = select(Rating).where(Rating.entity_id == entity_id, Rating.deleted_at.is_(None)).order_by(
        Rating.period.desc(), Rating.created_at.desc()
    )
    return list(session.execute(stmt).scalars())
