"""双公示 record queries: the current penalty decisions against an entity."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as sgs_rules
from xuyi_desktop.storage.models_sgs import SgsRecord


def current_penalties_of(session: Session, entity_id: uuid.UUID, identifier: str) -> list[SgsRecord]:
    """Current (not superseded, live) penalty decisions against the entity, linked by id or, unlinked, naming its
    identifier as 统一社会信用代码 or 证件号码; newest decision first, then by 文书号."""
    by_identifier = and_(
        SgsRecord.entity_id.is_(None),
        or_(SgsRecord.xdr_shxym == identifier, SgsRecord.xdr_zjhm == identifier),
    )
    stmt = select(SgsRecord).where(
        SgsRecord.kind == sgs_rules.RecordKind.PENALTY.value, SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None),
        or_(SgsRecord.entity_id == entity_id, by_identifier),
    ).order_by(SgsRecord.jdrq.desc(), SgsRecord.wsh)
    return list(session.execute(stmt).scalars())
