"""Rating queries: a rating's objections, the grade before a period, live versions, an entity's timeline, the
statuses an import checks against, the public list of a period."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, case, exists, or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.ratings import RatingStatus
from xuyi_desktop.storage.models import Entity, Rating, RatingObjection

_PUBLIC = (RatingStatus.PUBLICITY.value, RatingStatus.EFFECTIVE.value)


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


def statuses_of(session: Session, entity_ids: Sequence[uuid.UUID], statuses: Sequence[RatingStatus]) -> list[tuple[uuid.UUID, str, int, str]]:
    """(entity id, domain, period, status) of the entities' live ratings in these statuses."""
    stmt = select(Rating.entity_id, Rating.domain, Rating.period, Rating.status).where(
        Rating.entity_id.in_(entity_ids), Rating.status.in_([s.value for s in statuses]), Rating.deleted_at.is_(None)
    )
    return [(eid, domain, period, status) for eid, domain, period, status in session.execute(stmt)]


def public_rows(session: Session, domain: str, period: int, grades: Sequence[str]) -> list[Row[Any]]:
    """The period's ratings of a domain in publicity or in effect, with their entity: best grade (in the order
    `grades` gives) first, then score, points, name, and newest entered first."""
    rank = case({g: i for i, g in enumerate(grades)}, value=Rating.grade, else_=len(grades))
    stmt = (
        select(
            Rating.entity_id, Entity.name, Entity.kind, Entity.identifier, Rating.grade, Rating.score, Rating.bad_points,
            Rating.evaluating_organ, Rating.publicity_start, Rating.publicity_end, Rating.created_at, Rating.deductions_json,
        )
        .join(Entity, Entity.id == Rating.entity_id)
        .where(Rating.domain == domain, Rating.period == period, Rating.status.in_(_PUBLIC), Rating.deleted_at.is_(None))
        .order_by(rank, Rating.score.desc().nulls_last(), Rating.bad_points.asc().nulls_last(), Entity.name, Rating.created_at.desc())
    )
    return list(session.execute(stmt))


def by_certificate_serial(session: Session, serial: str) -> Rating | None:
    return session.execute(select(Rating).where(Rating.certificate_serial == serial)).scalar_one_or_none()


def with_entities(session: Session, rating_ids: Sequence[uuid.UUID]) -> list[tuple[Rating, Entity]]:
    """The ratings (deleted ones too: the caller decides) with their entity, in no particular order."""
    stmt = select(Rating, Entity).join(Entity, Entity.id == Rating.entity_id).where(Rating.id.in_(list(rating_ids)))
    return [(r, e) for r, e in session.execute(stmt).all()]


def of_period(session: Session, period: int, domain: str, statuses: Sequence[RatingStatus]) -> list[tuple[Rating, Entity]]:
    """The live ratings of a period and domain in these statuses, of live entities, with the entity."""
    stmt = select(Rating, Entity).join(Entity, Entity.id == Rating.entity_id).where(
        Rating.period == period, Rating.domain == domain, Rating.status.in_([s.value for s in statuses]),
        Rating.deleted_at.is_(None), Entity.deleted_at.is_(None),
    )
    return [(r, e) for r, e in session.execute(stmt).all()]


def live_of_entity(session: Session, entity_id: uuid.UUID) -> list[Rating]:
    """The entity's live ratings in any status, newest period first."""
    return list(session.execute(
        select(Rating).where(Rating.entity_id == entity_id, Rating.deleted_at.is_(None)).order_by(Rating.period.desc())
    ).scalars())


def history_of(session: Session, entity_id: uuid.UUID, statuses: Sequence[str]) -> list[Rating]:
    """The entity's live ratings in these statuses, newest period first, then by domain, newest entered first."""
    return list(session.execute(
        select(Rating).where(Rating.entity_id == entity_id, Rating.deleted_at.is_(None), Rating.status.in_(statuses))
        .order_by(Rating.period.desc(), Rating.domain, Rating.created_at.desc())
    ).scalars())


def effective_domains_and_grades(session: Session, period: int) -> list[tuple[str, str]]:
    """(domain, grade) of every live effective rating of the period."""
    return [(d, g) for d, g in session.execute(select(Rating.domain, Rating.grade).where(
        Rating.deleted_at.is_(None), Rating.period == period, Rating.status == "effective")).all()]


def publicity_ending_by(session: Session, end_by: dt.date) -> list[tuple[Any, Any]]:
    """(rating, entity) of the live ratings in publicity whose publicity ends on or before end_by, earliest end
    first (Any: the filter makes the end never None, which the types cannot say)."""
    return [(a, b) for a, b in session.execute(select(Rating, Entity).join(Entity, Entity.id == Rating.entity_id).where(
        Rating.deleted_at.is_(None), Rating.status == "publicity", Rating.publicity_end.is_not(None),
        Rating.publicity_end <= end_by,
    ).order_by(Rating.publicity_end)).all()]


def published_between(session: Session, date_from: dt.date, date_to: dt.date) -> list[tuple[Rating, Entity]]:
    """Live ratings in publicity or in effect whose publicity began or decision was made between the two days
    inclusive, with their entity, by domain, period and entity name (the publication export)."""
    stmt = (select(Rating, Entity).join(Entity, Entity.id == Rating.entity_id)
            .where(Rating.deleted_at.is_(None), Rating.status.in_(("publicity", "effective")),
                   or_(and_(Rating.publicity_start >= date_from, Rating.publicity_start <= date_to),
                       and_(Rating.decision_date >= date_from, Rating.decision_date <= date_to)))
            .order_by(Rating.domain, Rating.period, Entity.name))
    return [(r, e) for r, e in session.execute(stmt)]


def grades_in_force(session: Session, entity_ids: Sequence[uuid.UUID], on: dt.date) -> list[tuple[uuid.UUID, str, str, int]]:
    """(entity id, domain, grade, period) of the entities' live effective ratings valid on that day, by entity,
    domain and newest period first (so the first of each entity and domain is the one in force)."""
    return [(eid, d, g, p) for eid, d, g, p in session.execute(
        select(Rating.entity_id, Rating.domain, Rating.grade, Rating.period).where(
            Rating.entity_id.in_(entity_ids), Rating.deleted_at.is_(None), Rating.status == RatingStatus.EFFECTIVE.value,
            Rating.valid_from.is_not(None), Rating.valid_from <= on,
            or_(Rating.valid_until.is_(None), Rating.valid_until >= on),
        ).order_by(Rating.entity_id, Rating.domain, Rating.period.desc())
    ).all()]
