"""双公示 record queries: the current penalty decisions against an entity, the penalties a repair may follow."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
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


def repairable_penalties(session: Session, visible: Select[SgsRecord], decided_since: dt.date) -> list[SgsRecord]:
    """Of the records the `visible` statement selects (the caller's scope): the 行政处罚 not withdrawn nor repaired,
    decided on or after decided_since, of publicity class 一般 or 严重; oldest decision first."""
    stmt = visible.where(
        SgsRecord.kind == "CF", SgsRecord.withdrawn_on.is_(None), SgsRecord.repaired_on.is_(None),
        SgsRecord.jdrq.is_not(None), SgsRecord.jdrq >= decided_since,
        SgsRecord.publicity_class.in_(("一般", "严重")),
    ).order_by(SgsRecord.jdrq)
    return list(session.execute(stmt).scalars())


def standing_penalties_of(session: Session, entity_ids: Sequence[uuid.UUID], classes: Collection[str]) -> list[SgsRecord]:
    """Current penalty decisions against these (linked) entities, of these publicity classes, neither withdrawn
    nor repaired (the caller decides which are still in publicity)."""
    return list(session.execute(
        select(SgsRecord).where(
            SgsRecord.entity_id.in_(entity_ids), SgsRecord.kind == sgs_rules.RecordKind.PENALTY.value,
            SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None),
            SgsRecord.publicity_class.in_(classes),
            SgsRecord.withdrawn_on.is_(None), SgsRecord.repaired_on.is_(None),
        )
    ).scalars())


def by_decision(session: Session, visible: Select[SgsRecord]) -> list[SgsRecord]:
    """The records the `visible` statement selects (the caller's scope and period), by decision day then 文书号."""
    return list(session.execute(visible.order_by("jdrq", "wsh")).scalars())


def current_by_document_no(session: Session, spellings: Collection[str], kind: str | None = None) -> list[SgsRecord]:
    """Current (not superseded, live) records whose 文书号 is one of these spellings (of this kind, when given)."""
    stmt = select(SgsRecord).where(SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None),
                                   SgsRecord.wsh.in_(spellings))
    if kind is not None:
        stmt = stmt.where(SgsRecord.kind == kind)
    return list(session.execute(stmt).scalars())


def selected(session: Session, records: Select[SgsRecord]) -> list[SgsRecord]:
    """The records a statement built by services/sgs.py (current_records_stmt: scope, kind, period) selects."""
    return list(session.execute(records).scalars())


def unreported_due_by(session: Session, visible: Select[SgsRecord], horizon: dt.date) -> list[Any]:
    """Of the records the `visible` statement selects (the caller's scope): those not yet reported whose reporting
    deadline is on or before horizon, earliest deadline first then by 文书号 (Any: the filter makes the deadline
    never None, which the types cannot say)."""
    stmt = visible.where(SgsRecord.reported_on.is_(None), SgsRecord.deadline.is_not(None),
                         SgsRecord.deadline <= horizon).order_by(SgsRecord.deadline, SgsRecord.wsh)
    return list(session.execute(stmt).scalars())
