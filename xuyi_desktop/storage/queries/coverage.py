"""Coverage queries (`xuyi stats coverage`): per evaluation category, the live entities by kind with a rating in
force, with any credit record, and with each registry field filled; and the totals over every category. A few
grouped queries, so a million entities stay cheap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from xuyi_desktop.storage.models import DishonestyRecord, Entity, EntityCategory, EntityRelation, Licence, Rating
from xuyi_desktop.storage.models_commitments import Commitment
from xuyi_desktop.storage.models_credit import ListEntry
from xuyi_desktop.storage.models_fleet import OverloadNotice, PointEntry
from xuyi_desktop.storage.models_sgs import SgsRecord


def _rated(today: dt.date) -> Any:
    return exists().where(
        Rating.entity_id == Entity.id, Rating.status == "effective", Rating.deleted_at.is_(None),
        Rating.valid_from <= today, or_(Rating.valid_until.is_(None), Rating.valid_until >= today),
    )


def _has_record() -> Any:
    def live(model: Any) -> Any:
        return model.deleted_at.is_(None)

    return or_(
        exists().where(Rating.entity_id == Entity.id, live(Rating), Rating.status.in_(("publicity", "effective", "superseded", "revoked"))),
        exists().where(SgsRecord.entity_id == Entity.id, live(SgsRecord), SgsRecord.superseded.is_(False)),
        exists().where(DishonestyRecord.entity_id == Entity.id, live(DishonestyRecord)),
        exists().where(Commitment.entity_id == Entity.id, live(Commitment)),
        exists().where(ListEntry.entity_id == Entity.id, live(ListEntry), ListEntry.status.in_(("confirmed", "exited"))),
        exists().where(PointEntry.entity_id == Entity.id, live(PointEntry)),
        exists().where(or_(OverloadNotice.operator_id == Entity.id, OverloadNotice.driver_id == Entity.id), live(OverloadNotice)),
    )


def _filled(field: str) -> Any:
    if field == "licences":
        return exists().where(Licence.entity_id == Entity.id, Licence.deleted_at.is_(None))
    if field == "employer":
        return exists().where(EntityRelation.person_id == Entity.id, EntityRelation.deleted_at.is_(None))
    if field == "categories":
        other = aliased(EntityCategory)  # the outer query joins entity_category already
        return exists().where(other.entity_id == Entity.id)
    return func.coalesce(getattr(Entity, field), "") != ""


def category_counts(session: Session, category: str, today: dt.date, fields: Sequence[str]) -> list[tuple[Any, ...]]:
    """Per entity kind of the category's live entities: (kind, number, rated, with a record, rated or with a record,
    then the number with each of `fields` filled); the sums are None when the group is empty of them."""
    rated, record = _rated(today), _has_record()
    stmt = (
        select(
            Entity.kind, func.count(),
            func.sum(case((rated, 1), else_=0)), func.sum(case((record, 1), else_=0)),
            func.sum(case((or_(rated, record), 1), else_=0)),
            *[func.sum(case((_filled(f), 1), else_=0)) for f in fields],
        )
        .join(EntityCategory, EntityCategory.entity_id == Entity.id)
        .where(EntityCategory.category == category, Entity.deleted_at.is_(None))
        .group_by(Entity.kind)
    )
    return [tuple(row) for row in session.execute(stmt)]


def totals(session: Session, today: dt.date) -> tuple[int, int | None]:
    """(live entities in any category, how many of them rated in force or with a record: None when there are none)."""
    rated, record = _rated(today), _has_record()
    in_any = exists().where(EntityCategory.entity_id == Entity.id)
    total, covered = session.execute(
        select(func.count(), func.sum(case((or_(rated, record), 1), else_=0))).where(Entity.deleted_at.is_(None), in_any)
    ).one()
    return total, covered
