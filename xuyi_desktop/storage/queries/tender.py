"""第三方信用报告 queries: a report by agency and number, the filtered list, an entity's reports."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_tender import ThirdPartyReport

_LIVE = ThirdPartyReport.deleted_at.is_(None)


def live_report(session: Session, agency: str, report_no: str) -> ThirdPartyReport | None:
    """The live report this agency issued under this number, if one is registered."""
    stmt = select(ThirdPartyReport).where(ThirdPartyReport.report_no == report_no, ThirdPartyReport.agency_name == agency, _LIVE)
    return session.execute(stmt).scalars().first()


def reports(session: Session, *, text: str = "", entity_id: uuid.UUID | None = None,
            limit: int | None = None) -> list[tuple[ThirdPartyReport, Entity]]:
    """Live reports with their entity, newest issued first; `text`: part of the agency, number or entity name."""
    stmt = select(ThirdPartyReport, Entity).join(Entity, Entity.id == ThirdPartyReport.entity_id).where(_LIVE)
    if text:
        stmt = stmt.where(ThirdPartyReport.agency_name.icontains(text, autoescape=True)
                          | ThirdPartyReport.report_no.icontains(text, autoescape=True)
                          | Entity.name.icontains(text, autoescape=True))
    if entity_id is not None:
        stmt = stmt.where(ThirdPartyReport.entity_id == entity_id)
    stmt = stmt.order_by(ThirdPartyReport.issued_on.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(r, e) for r, e in session.execute(stmt).all()]
