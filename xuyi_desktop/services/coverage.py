"""`xuyi stats coverage`: per evaluation category, the share of live entities with a rating in force or any credit
record (rating, 行政处罚, dishonesty, commitment, list entry, credit points, 治超抄报), and registry completeness (the
required and recommended fields of domain/coverage.py filled). A few grouped queries, so a million entities stay
cheap; the indicator page will show the same figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import aliased

from xuyi_desktop.domain.coverage import RECOMMENDED_FIELDS, REQUIRED_FIELDS, CategoryCoverage, share
from xuyi_desktop.domain.entities import CATEGORIES
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import DishonestyRecord, Entity, EntityCategory, EntityRelation, Licence, Rating
from xuyi_desktop.storage.models_commitments import Commitment
from xuyi_desktop.storage.models_credit import ListEntry
from xuyi_desktop.storage.models_fleet import OverloadNotice, PointEntry
from xuyi_desktop.storage.models_sgs import SgsRecord


@dataclass(frozen=True)
class Coverage:
    as_of: dt.date
    categories: tuple[CategoryCoverage, ...]
    entities: int  # live entities in any category
    covered: int

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "entities": self.entities, "covered": self.covered,
                "coverage": share(self.covered, self.entities), "categories": [c.to_json() for c in self.categories]}


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


def coverage(ctx: AppContext, *, today: dt.date | None = None) -> Coverage:
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    rated, record = _rated(today), _has_record()
    fields = sorted({f for fs in (*REQUIRED_FIELDS.values(), *RECOMMENDED_FIELDS.values()) for f in fs})
    out = []
    with ctx.transaction() as session:
        for code, (label, _kind) in CATEGORIES.items():
            c = CategoryCoverage(code, label)
            stmt = (
                select(
                    Entity.kind, func.count(),
                    func.sum(case((rated, 1), else_=0)), func.sum(case((record, 1), else_=0)),
                    func.sum(case((or_(rated, record), 1), else_=0)),
                    *[func.sum(case((_filled(f), 1), else_=0)) for f in fields],
                )
                .join(EntityCategory, EntityCategory.entity_id == Entity.id)
                .where(EntityCategory.category == code, Entity.deleted_at.is_(None))
                .group_by(Entity.kind)
            )
            for kind, n, r, w, cov, *filled in session.execute(stmt):
                c.kinds[kind] = int(n)
                c.entities += int(n)
                c.rated += int(r or 0)
                c.with_record += int(w or 0)
                c.covered += int(cov or 0)
                wanted = set(REQUIRED_FIELDS[kind]) | set(RECOMMENDED_FIELDS[kind])
                for f, v in zip(fields, filled):
                    if f in wanted:
                        c.filled[f] = c.filled.get(f, 0) + int(v or 0)
            out.append(c)
        in_any = exists().where(EntityCategory.entity_id == Entity.id)
        total, covered = session.execute(
            select(func.count(), func.sum(case((or_(rated, record), 1), else_=0))).where(Entity.deleted_at.is_(None), in_any)
        ).one()
    return Coverage(today, tuple(out), int(total), int(covered or 0))

