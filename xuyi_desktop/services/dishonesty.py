"""Dishonesty records (失信记录): a 违诺 writes one (services.commitments), other sources are entered by hand
(court enforcement lists, other authorities, serious acts). Listed, shown and ended early with a reason; never
deleted. The credit profile reads them (services.profile)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services._shared import live_with_entity
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.unit_of_work import unit_of_work
from xuyi_desktop.storage.models import DishonestyRecord, Entity
from xuyi_desktop.storage.queries import dishonesty as dishonesty_queries


@dataclass(frozen=True)
class DishonestyView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    occurred_on: dt.date
    category: str
    description: str
    document_no: str
    source: str
    ends_on: dt.date | None
    end_reason: str
    active: bool
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "entity_id": str(self.entity_id), "entity_name": self.entity_name,
            "occurred_on": self.occurred_on.isoformat(), "category": self.category, "description": self.description,
            "document_no": self.document_no, "source": self.source,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None, "end_reason": self.end_reason,
            "active": self.active, "state_label": "有效" if self.active else "已结束", "version": self.version,
        }


def _view(d: DishonestyRecord, e: Entity, today: dt.date) -> DishonestyView:
    active = d.occurred_on <= today and (d.ends_on is None or d.ends_on >= today)
    return DishonestyView(d.id, d.entity_id, e.name, d.occurred_on, d.category, d.description, d.document_no, d.source,
                          d.ends_on, d.end_reason or "", active, d.version)


def add_dishonesty(
    ctx: AppContext, entity: str | uuid.UUID, *, occurred_on: dt.date, category: str, description: str = "",
    document_no: str = "", source: str = "", ends_on: dt.date | None = None,
) -> uuid.UUID:
    """Record dishonest conduct (失信记录); the credit profile reads it at once (check, 暂定A级, acceptance)."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.ENTITY_EDIT)
    problems = []
    if occurred_on > dt.date.today():
        problems.append(FieldProblem("occurred_on", "失信行为日期不能晚于今天", "date in the future"))
    if not category.strip():
        problems.append(FieldProblem("category", "请填写失信类别", "category required"))
    if ends_on is not None and ends_on < occurred_on:
        problems.append(FieldProblem("ends_on", "结束日期不能早于失信行为日期", "ends before it occurred"))
    if problems:
        raise ValidationError(problems)
    with unit_of_work(ctx) as uow:
        e = resolve_entity(uow.session, entity)
        rec = DishonestyRecord(
            entity_id=e.id, occurred_on=occurred_on, category=category.strip(), description=description.strip(),
            document_no=document_no.strip(), source=source.strip(), ends_on=ends_on, end_reason="",
        )
        uow.add(rec, summary=f"失信记录 {e.name}：{rec.category}")
        return rec.id


def list_dishonesty(
    ctx: AppContext, *, entity: str | uuid.UUID | None = None, active_only: bool = False, limit: int = 500,
    today: dt.date | None = None,
) -> list[DishonestyView]:
    """Newest first; `entity` by UUID or identifier; `active_only`: not ended on `today`."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        entity_id = resolve_entity(session, entity).id if entity is not None else None
        rows = dishonesty_queries.records(session, entity_id=entity_id, active_on=today if active_only else None, limit=limit)
        return [_view(d, e, today) for d, e in rows]


def _load(session: Any, record_id: uuid.UUID) -> tuple[DishonestyRecord, Entity]:
    return live_with_entity(session, DishonestyRecord, record_id, "失信记录")


def get_dishonesty(ctx: AppContext, record_id: uuid.UUID) -> DishonestyView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        d, e = _load(session, record_id)
        return _view(d, e, dt.date.today())


def end_dishonesty(ctx: AppContext, record_id: uuid.UUID, *, on: dt.date | None = None, reason: str) -> DishonestyView:
    """End a record early (e.g. the court lifted the measure, or it was entered in error): it stays in the
    history, leaves the counter's restrictions from the day after `on`. Reviewers only; the reason is audited."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = dt.date.today()
    on = on or today
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写结束失信记录的理由", "reason required"))
    if on > today:
        raise ValidationError(FieldProblem("ends_on", "结束日期不能晚于今天", "end in the future"))
    with unit_of_work(ctx) as uow:
        d, e = _load(uow.session, record_id)
        if d.ends_on is not None and d.ends_on < today:
            raise ValidationError(FieldProblem("ends_on", f"该失信记录已于 {d.ends_on} 结束", "already ended"))
        if on < d.occurred_on:
            raise ValidationError(FieldProblem("ends_on", "结束日期不能早于失信行为日期", "ends before it occurred"))
        uow.change(d, verb="end", ends_on=on, end_reason=reason.strip(),
                   summary=f"结束失信记录 {e.name}：{d.category}（{on}，{reason.strip()}）")
        return _view(d, e, today)
