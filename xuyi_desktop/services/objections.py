"""Objections to credit records (信息异议): any entity may dispute a penalty, a dishonesty record, a rating, a
commitment or a list entry. Received → 审查中 → 异议成立 / 异议不成立, decided within the deadline of
resources/repair/repair.toml (working days). An upheld objection withdraws a penalty (marked, kept), ends a
dishonesty record or takes the entity off the list, in the same transaction; a rating or a commitment is then
corrected as a new version by the clerk (the decision says so)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.repair import ObjectionStatus
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import DishonestyRecord, Entity, Rating
from xuyi_desktop.storage.models_commitments import Commitment
from xuyi_desktop.storage.models_credit import CreditObjection, ListEntry
from xuyi_desktop.storage.queries import objections as objection_queries

KIND_LABELS = {"penalty": "行政处罚", "dishonesty": "失信记录", "rating": "信用评价", "commitment": "信用承诺", "list": "名单"}

# the records kept by their own id, looked up in this order: (model, kind, summary of a row)
_BY_ID: tuple[tuple[Any, str, Callable[[Any], str]], ...] = (
    (DishonestyRecord, "dishonesty", lambda d: f"失信记录 {d.occurred_on} {d.category}"),
    (Rating, "rating", lambda r: f"信用评价 {r.period}年度 {r.grade}级"),
    (Commitment, "commitment", lambda c: f"信用承诺 {c.serial}"),
    (ListEntry, "list", lambda m: f"名单 {m.list_type} {m.entered_on or m.proposed_on}"),
)


@dataclass(frozen=True)
class ObjectionView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    record_kind: str
    record_id: uuid.UUID
    record_summary: str
    objector: str
    content: str
    received_on: dt.date
    deadline: dt.date
    status: ObjectionStatus
    reviewer: str
    decided_on: dt.date | None
    decision_note: str
    action: str
    overdue: bool
    version: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "entity_id": str(self.entity_id), "entity_name": self.entity_name,
            "record_kind": self.record_kind, "record_kind_label": KIND_LABELS.get(self.record_kind, self.record_kind),
            "record_id": str(self.record_id), "record_summary": self.record_summary, "objector": self.objector,
            "content": self.content, "received_on": self.received_on.isoformat(), "deadline": self.deadline.isoformat(),
            "status": self.status.value, "status_label": self.status.label, "reviewer": self.reviewer,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None, "decision_note": self.decision_note,
            "action": self.action, "overdue": self.overdue, "version": self.version,
        }


def _view(session: Session, o: CreditObjection, today: dt.date) -> ObjectionView:
    e = session.get(Entity, o.entity_id)
    status = ObjectionStatus(o.status)
    open_ = status in (ObjectionStatus.RECEIVED, ObjectionStatus.REVIEWING)
    return ObjectionView(o.id, o.entity_id, e.name if e else "", o.record_kind, o.record_id, o.record_summary, o.objector,
                         o.content, o.received_on, o.deadline, status, o.reviewer, o.decided_on, o.decision_note, o.action,
                         open_ and today > o.deadline, o.version)


def _record(session: Session, key: uuid.UUID) -> tuple[str, uuid.UUID, uuid.UUID, str]:
    """(kind, record id to keep, entity id, summary) of any credit record by its id."""
    from xuyi_desktop.services.errors import NotFoundError as Missing
    from xuyi_desktop.services.sgs import current_version

    for model, kind, summary in _BY_ID:
        found = session.get(model, key)
        if found is not None:
            return kind, found.id, found.entity_id, summary(found)
    try:
        row = current_version(session, key)
    except Missing:
        raise NotFoundError(f"信用记录 {key}") from None
    entity_id = row.entity_id or entity_queries.live_id_by_identifier(session, row.xdr_shxym or row.xdr_zjhm)
    if entity_id is None:
        raise ValidationError(FieldProblem("record", "该记录的行政相对人未在系统中登记，请先登记市场主体", "relative not registered"))
    return "penalty", row.lineage_id, entity_id, f"{'行政处罚' if row.kind == 'CF' else '行政许可'} {row.wsh}"


def add_objection(ctx: AppContext, record: str | uuid.UUID, *, objector: str, content: str,
                  received_on: dt.date | None = None, today: dt.date | None = None) -> ObjectionView:
    """Register an objection; its deadline is N working days from receipt (待确认 where the calendar lacks the year)."""
    from xuyi_desktop.services.repair import repair_rules
    from xuyi_desktop.services.sgs_calendar import calendar

    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    received_on = received_on or today
    problems = []
    if not objector.strip():
        problems.append(FieldProblem("objector", "请填写异议人", "objector required"))
    if not content.strip():
        problems.append(FieldProblem("content", "请填写异议内容和理由", "content required"))
    if received_on > today:
        problems.append(FieldProblem("received_on", "收到日期不能晚于今天", "received in the future"))
    if problems:
        raise ValidationError(problems)
    try:
        key = record if isinstance(record, uuid.UUID) else uuid.UUID(str(record).strip())
    except ValueError as exc:
        raise ValidationError(FieldProblem("record", f"记录编号 {record} 不是有效的 ID", "record id expected")) from exc
    deadline, _ = calendar().working_day_after_tentative(received_on, repair_rules().objection_working_days)
    with ctx.transaction() as session:
        kind, rid, entity_id, summary = _record(session, key)
        o = CreditObjection(entity_id=entity_id, record_kind=kind, record_id=rid, record_summary=summary,
                            objector=objector.strip(), content=content.strip(), received_on=received_on, deadline=deadline,
                            status=ObjectionStatus.RECEIVED.value, reviewer="", decision_note="", action="")
        audit.insert_recorded(session, ctx, o, summary=f"信息异议：{summary}，异议人 {o.objector}，{deadline}前处理")
        return _view(session, o, today)


def _load(session: Session, objection_id: uuid.UUID) -> CreditObjection:
    o = session.get(CreditObjection, objection_id)
    if o is None or o.deleted_at is not None:
        raise NotFoundError(f"信息异议 {objection_id}")
    return o


def start_review(ctx: AppContext, objection_id: uuid.UUID, *, today: dt.date | None = None) -> ObjectionView:
    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        o = _load(session, objection_id)
        if o.status != ObjectionStatus.RECEIVED.value:
            raise ValidationError(FieldProblem("status", f"该异议“{ObjectionStatus(o.status).label}”，不能再开始审查", "not received"))
        audit.update_recorded(session, ctx, o, verb="review", status=ObjectionStatus.REVIEWING.value, reviewer=ctx.actor,
                              summary=f"审查信息异议：{o.record_summary}")
        return _view(session, o, today)


def decide(ctx: AppContext, objection_id: uuid.UUID, *, upheld: bool, note: str, on: dt.date | None = None,
           today: dt.date | None = None) -> ObjectionView:
    """异议成立 (the record is withdrawn / ended / taken off the list now; a rating or commitment is corrected as a new
    version) or 异议不成立, with the reasons. Reviewers; audited."""
    from xuyi_desktop.services.sgs import current_version, withdraw_in

    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = today or dt.date.today()
    on = on or today
    if not note.strip():
        raise ValidationError(FieldProblem("decision_note", "请填写处理意见和理由", "note required"))
    with ctx.transaction() as session:
        o = _load(session, objection_id)
        if o.status not in (ObjectionStatus.RECEIVED.value, ObjectionStatus.REVIEWING.value):
            raise ValidationError(FieldProblem("status", "该异议已处理", "already decided"))
        action = _apply(session, ctx, o, on, note.strip(), current_version, withdraw_in) if upheld else "none"
        audit.update_recorded(
            session, ctx, o, verb="decide", status=(ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED).value,
            decided_on=on, decision_note=note.strip(), action=action, reviewer=o.reviewer or ctx.actor,
            summary=f"信息异议{'成立' if upheld else '不成立'}：{o.record_summary}（{note.strip()}）",
        )
        return _view(session, o, today)


def _apply(session: Session, ctx: AppContext, o: CreditObjection, on: dt.date, note: str, current_version: Any, withdraw_in: Any) -> str:
    reason = f"信息异议成立：{note}"
    if o.record_kind == "penalty":
        row = current_version(session, o.record_id)
        if row.withdrawn_on is None:
            withdraw_in(session, ctx, row, on=max(on, row.jdrq or on), reason=reason)
        return "withdraw"
    if o.record_kind == "dishonesty":
        d = session.get(DishonestyRecord, o.record_id)
        assert d is not None
        audit.update_recorded(session, ctx, d, verb="end", ends_on=on, end_reason=reason, summary=f"结束失信记录：{reason}")
        return "end"
    if o.record_kind == "list":
        m = session.get(ListEntry, o.record_id)
        assert m is not None
        audit.update_recorded(session, ctx, m, verb="exit", status="exited" if m.status == "confirmed" else "removed",
                              exit_on=on, exit_reason=reason, summary=f"移出名单：{reason}")
        return "exit"
    return "correct"  # a rating or a commitment: the clerk enters the correction as a new version


def list_objections(ctx: AppContext, *, open_only: bool = False, overdue: bool = False, entity: str | None = None,
                    today: dt.date | None = None, limit: int = 1000) -> list[ObjectionView]:
    """Open ones by deadline (the most urgent first); all others newest first."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    statuses = (ObjectionStatus.RECEIVED.value, ObjectionStatus.REVIEWING.value) if (open_only or overdue) else None
    with ctx.transaction() as session:
        entity_id = resolve_entity(session, entity).id if entity else None
        rows = objection_queries.listing(session, statuses=statuses, due_before=today if overdue else None, entity_id=entity_id,
                                         by_deadline=open_only or overdue, limit=limit)
        return [_view(session, o, today) for o in rows]
