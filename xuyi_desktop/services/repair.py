"""Credit repair (信用修复) use cases: apply against a penalty or a dishonesty record, tick the materials, accept,
review, decide. Approval ends the record's publicity (it stays in the history, shown 已修复 with the date), takes
it out of the counter's restrictions and public exports (the credit profile reads repaired_on), ends list entries
that rested on it, and flags a re-evaluation where the scheme says so. Each step by its role, audited, synced.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import PenaltyState
from xuyi_desktop.domain.repair import (
    RepairRules,
    RepairStatus,
    check_repair_transition,
    checklist,
    missing_required,
    parse_repair_rules,
)
from xuyi_desktop.services import audit
from xuyi_desktop.services._shared import read_rules
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import DishonestyRecord, Entity
from xuyi_desktop.storage.models_commitments import Commitment
from xuyi_desktop.storage.models_credit import RepairApplication
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import repair as repair_queries

PENALTY, DISHONESTY = "penalty", "dishonesty"


@lru_cache(maxsize=1)
def repair_rules() -> RepairRules:
    return read_rules(parse_repair_rules, "repair", "repair.toml")


@dataclass(frozen=True)
class RepairView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    record_kind: str
    record_id: uuid.UUID
    record_summary: str
    applicant: str
    applicant_contact: str
    applied_on: dt.date
    earliest_on: dt.date
    rules_source: str
    materials: list[dict[str, Any]]
    commitment_serial: str
    status: RepairStatus
    accepted_on: dt.date | None
    accepted_by: str
    reviewed_on: dt.date | None
    reviewed_by: str
    review_note: str
    decided_on: dt.date | None
    decided_by: str
    decision_reason: str
    version: int

    @property
    def missing(self) -> list[str]:
        return missing_required(self.materials)

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "id": str(self.id), "entity_id": str(self.entity_id), "entity_name": self.entity_name,
            "record_kind": self.record_kind, "record_kind_label": "行政处罚" if self.record_kind == PENALTY else "失信记录",
            "record_id": str(self.record_id), "record_summary": self.record_summary, "applicant": self.applicant,
            "applicant_contact": self.applicant_contact, "applied_on": self.applied_on.isoformat(),
            "earliest_on": self.earliest_on.isoformat(), "rules_source": self.rules_source, "materials": self.materials,
            "missing": self.missing, "commitment_serial": self.commitment_serial, "status": self.status.value,
            "status_label": self.status.label, "accepted_on": iso(self.accepted_on), "accepted_by": self.accepted_by,
            "reviewed_on": iso(self.reviewed_on), "reviewed_by": self.reviewed_by, "review_note": self.review_note,
            "decided_on": iso(self.decided_on), "decided_by": self.decided_by, "decision_reason": self.decision_reason,
            "version": self.version,
        }


def _view(session: Session, r: RepairApplication) -> RepairView:
    e = session.get(Entity, r.entity_id)
    serial = ""
    if r.commitment_id is not None:
        c = session.get(Commitment, r.commitment_id)
        serial = c.serial if c else ""
    return RepairView(
        r.id, r.entity_id, e.name if e else "", r.record_kind, r.record_id, r.record_summary, r.applicant,
        r.applicant_contact, r.applied_on, r.earliest_on, r.rules_source, json.loads(r.materials_json or "[]"), serial,
        RepairStatus(r.status), r.accepted_on, r.accepted_by, r.reviewed_on, r.reviewed_by, r.review_note, r.decided_on,
        r.decided_by, r.decision_reason, r.version,
    )


@dataclass(frozen=True)
class _Target:
    kind: str
    record_id: uuid.UUID  # the lineage of a penalty, the id of a dishonesty record
    entity_id: uuid.UUID
    summary: str
    earliest: dt.date
    rules_source: str


def _target(session: Session, key: str | uuid.UUID, today: dt.date) -> _Target:
    """The record applied against, and the earliest day repair may be applied for (rules in force on the
    decision date). Refuses records that need no repair (withdrawn, expired, already repaired, not published)."""
    from xuyi_desktop.services.profile import penalty_fact
    from xuyi_desktop.services.sgs import current_version

    try:
        rid = key if isinstance(key, uuid.UUID) else uuid.UUID(str(key).strip())
    except ValueError as exc:
        raise ValidationError(FieldProblem("record", f"记录编号 {key} 不是有效的 ID", "record id expected")) from exc
    d = session.get(DishonestyRecord, rid)
    if d is not None and d.deleted_at is None:
        if d.repaired_on is not None:
            raise ValidationError(FieldProblem("record", f"该失信记录已于 {d.repaired_on} 修复", "already repaired"))
        if d.ends_on is not None and d.ends_on < today:
            raise ValidationError(FieldProblem("record", f"该失信记录已于 {d.ends_on} 结束，无需修复", "already ended"))
        rules = repair_rules()
        return _Target(DISHONESTY, d.id, d.entity_id, f"失信记录 {d.occurred_on} {d.category}",
                       rules.dishonesty_earliest(d.category, d.occurred_on), "resources/repair/repair.toml")
    try:
        row = current_version(session, rid)
    except NotFoundError:
        raise NotFoundError(f"行政处罚或失信记录 {key}") from None
    if row.kind != "CF":
        raise ValidationError(FieldProblem("record", "行政许可不需要信用修复；请选择行政处罚或失信记录", "not a penalty"))
    fact = penalty_fact(row, today)
    refusals = {
        PenaltyState.WITHDRAWN: "该处罚决定已撤销，无需修复",
        PenaltyState.REPAIRED: f"该处罚信息已于 {row.repaired_on} 修复",
        PenaltyState.EXPIRED: f"该处罚信息已于 {fact.publicity_end} 公示期满、自动停止公示，无需修复",
        PenaltyState.NOT_PUBLISHED: "该处罚信息不予公示，无需修复",
        PenaltyState.PENDING_CLASS: "该处罚的失信程度（公示类别）待定，请先由审核人员确定类别",
        PenaltyState.NOT_YET: "处罚决定日期晚于今天，请核对",
    }
    if fact.state in refusals:
        raise ValidationError(FieldProblem("record", refusals[fact.state], f"penalty is {fact.state.value}"))
    entity_id = row.entity_id
    if entity_id is None:
        ident = row.xdr_shxym or row.xdr_zjhm
        entity_id = entity_queries.live_id_by_identifier(session, ident)
        if entity_id is None:
            raise ValidationError(FieldProblem("record", "该处罚的行政相对人未在系统中登记，请先登记市场主体", "relative not registered"))
    assert fact.repair_from is not None
    return _Target(PENALTY, row.lineage_id, entity_id, f"行政处罚 {row.wsh}（{row.publicity_class}，{row.jdrq}）",
                   fact.repair_from, fact.rules_source)


def apply_repair(
    ctx: AppContext, record: str | uuid.UUID, *, applicant: str, contact: str = "", materials: tuple[str, ...] = (),
    commitment: str | None = None, applied_on: dt.date | None = None, today: dt.date | None = None,
) -> RepairView:
    """Record an application. Before the minimum publicity period has passed it is refused with the first day it
    becomes possible; a second open application against the same record is refused too."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    applied_on = applied_on or today
    if not applicant.strip():
        raise ValidationError(FieldProblem("applicant", "请填写申请人", "applicant required"))
    if applied_on > today:
        raise ValidationError(FieldProblem("applied_on", "申请日期不能晚于今天", "application in the future"))
    items = checklist(repair_rules(), materials)
    with ctx.transaction() as session:
        target = _target(session, record, applied_on)
        if applied_on < target.earliest:
            raise ValidationError(FieldProblem(
                "applied_on", f"{target.summary}最短公示期未满，{target.earliest:%Y年%m月%d日}起方可申请信用修复（{target.rules_source}）",
                f"repair possible from {target.earliest.isoformat()}",
            ))
        if repair_queries.has_application_in(session, target.kind, target.record_id, [s.value for s in RepairStatus if s.open]):
            raise ValidationError(FieldProblem("record", "该记录已有办理中的修复申请", "an application is open"))
        commitment_id = _repair_commitment(session, commitment, target.entity_id)
        if commitment_id is not None:
            items = [{**i, "ticked": True} if i["code"] == "repair_commitment" else i for i in items]
        app = RepairApplication(
            entity_id=target.entity_id, record_kind=target.kind, record_id=target.record_id, record_summary=target.summary,
            applicant=applicant.strip(), applicant_contact=contact.strip(), applied_on=applied_on,
            earliest_on=target.earliest, rules_source=target.rules_source,
            materials_json=json.dumps(items, ensure_ascii=False), commitment_id=commitment_id,
            status=RepairStatus.APPLIED.value, accepted_by="", reviewed_by="", review_note="", decided_by="",
            decision_reason="",
        )
        audit.insert_recorded(session, ctx, app, summary=f"信用修复申请：{target.summary}，申请人 {app.applicant}")
        return _view(session, app)


def _repair_commitment(session: Session, key: str | None, entity_id: uuid.UUID) -> uuid.UUID | None:
    """The 信用修复承诺书 (a 信用修复型 commitment of the same entity), by serial or id."""
    if not key:
        return None
    try:
        c = commitment_queries.live_by_id(session, uuid.UUID(key.strip()))
    except ValueError:
        c = commitment_queries.live_by_serial(session, key.strip())
    if c is None or c.entity_id != entity_id or c.type_code != "credit_repair":
        raise ValidationError(FieldProblem("commitment", "信用修复承诺书应为该主体的“信用修复型”信用承诺（先在信用承诺中登记并打印）",
                                           "a credit_repair commitment of the same entity"))
    return c.id


def _load(session: Session, app_id: uuid.UUID) -> RepairApplication:
    app = session.get(RepairApplication, app_id)
    if app is None or app.deleted_at is not None:
        raise NotFoundError(f"信用修复申请 {app_id}")
    return app


def _step(session: Session, ctx: AppContext, app: RepairApplication, target: RepairStatus, summary: str, **values: Any) -> RepairApplication:
    check_repair_transition(RepairStatus(app.status), target)
    return audit.update_recorded(session, ctx, app, verb=target.value, summary=summary, status=target.value, **values)


def update_materials(ctx: AppContext, app_id: uuid.UUID, *, ticked: tuple[str, ...]) -> RepairView:
    """Tick the materials handed in (before a decision)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    with ctx.transaction() as session:
        app = _load(session, app_id)
        if not RepairStatus(app.status).open:
            raise ValidationError(FieldProblem("materials", "申请已办结，不能再修改材料", "application decided"))
        old = {i["code"]: i for i in json.loads(app.materials_json or "[]")}
        items = checklist(repair_rules(), ticked)
        items = [{**i, **({"attachment": old[i["code"]]["attachment"]} if "attachment" in old.get(i["code"], {}) else {})} for i in items]
        if app.commitment_id is not None:
            items = [{**i, "ticked": True} if i["code"] == "repair_commitment" else i for i in items]
        audit.update_recorded(session, ctx, app, verb="materials", materials_json=json.dumps(items, ensure_ascii=False),
                              summary=f"修复申请材料：已交 {sum(i['ticked'] for i in items)}/{len(items)} 项")
        return _view(session, app)


def accept(ctx: AppContext, app_id: uuid.UUID, *, on: dt.date | None = None) -> RepairView:
    """受理: the clerk accepts a complete application (every required material handed in)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    on = on or dt.date.today()
    with ctx.transaction() as session:
        app = _load(session, app_id)
        missing = missing_required(json.loads(app.materials_json or "[]"))
        if missing:
            raise ValidationError(FieldProblem("materials", f"材料不全，暂不能受理：缺{'、'.join(missing)}", "required materials missing"))
        return _view(session, _step(session, ctx, app, RepairStatus.ACCEPTED, f"受理信用修复申请：{app.record_summary}",
                                    accepted_on=on, accepted_by=ctx.actor))


def review(ctx: AppContext, app_id: uuid.UUID, *, note: str, on: dt.date | None = None) -> RepairView:
    """审核: a reviewer's opinion before the decision."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    if not note.strip():
        raise ValidationError(FieldProblem("review_note", "请填写审核意见", "review note required"))
    with ctx.transaction() as session:
        app = _load(session, app_id)
        return _view(session, _step(session, ctx, app, RepairStatus.REVIEWED, f"审核信用修复申请：{note.strip()}",
                                    reviewed_on=on or dt.date.today(), reviewed_by=ctx.actor, review_note=note.strip()))


def decide(ctx: AppContext, app_id: uuid.UUID, *, approve: bool, reason: str, on: dt.date | None = None) -> RepairView:
    """准予修复 / 不予修复, with the reason. Approval repairs the record in the same transaction."""
    audit.require(ctx, Permission.REPAIR_APPROVE)
    on = on or dt.date.today()
    if not reason.strip():
        raise ValidationError(FieldProblem("decision_reason", "请填写决定理由", "reason required"))
    with ctx.transaction() as session:
        app = _load(session, app_id)
        target = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
        if approve and RepairStatus(app.status) is not RepairStatus.REVIEWED:
            raise ValidationError(FieldProblem("status", f"申请“{RepairStatus(app.status).label}”，须先受理、审核后才能准予修复",
                                               "accept and review first"))
        _step(session, ctx, app, target, f"{target.label}：{app.record_summary}（{reason.strip()}）",
              decided_on=on, decided_by=ctx.actor, decision_reason=reason.strip())
        if approve:
            _repair_record(session, ctx, app, on)
        return _view(session, app)


def _repair_record(session: Session, ctx: AppContext, app: RepairApplication, on: dt.date) -> None:
    from xuyi_desktop.services.sgs import current_version, set_in

    if app.record_kind == PENALTY:
        row = current_version(session, app.record_id)
        set_in(session, ctx, row, action="repair", repaired_on=on, summary=f"行政处罚 {row.wsh} 信用修复（{on}）：停止公示")
    else:
        d = session.get(DishonestyRecord, app.record_id)
        assert d is not None
        audit.update_recorded(session, ctx, d, verb="repair", repaired_on=on, summary=f"失信记录信用修复（{on}）：{d.category}")
    entries = list_queries.confirmed_from_record(session, app.record_id)
    for entry in entries:
        audit.update_recorded(session, ctx, entry, verb="exit", status="exited", exit_on=on, exit_reason="信用修复，提前移出",
                              summary=f"信用修复后提前移出名单（{entry.list_type}）")


def get_application(ctx: AppContext, app_id: uuid.UUID) -> RepairView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return _view(session, _load(session, app_id))


def list_applications(ctx: AppContext, *, status: str | None = None, entity: str | None = None, open_only: bool = False,
                      limit: int = 500) -> list[RepairView]:
    """Newest first."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    wanted = RepairStatus(status).value if status else None
    statuses = [s.value for s in RepairStatus if s.open] if open_only else None
    with ctx.transaction() as session:
        entity_id = resolve_entity(session, entity).id if entity else None
        rows = repair_queries.listing(session, status=wanted, statuses=statuses, entity_id=entity_id, limit=limit)
        return [_view(session, r) for r in rows]


def record_notice_served(ctx: AppContext, penalty_id: uuid.UUID, *, serial: str, on: dt.date | None = None) -> None:
    """两书同达: the 信用修复告知书 printed with `serial` was served with the penalty decision on `on`."""
    from xuyi_desktop.services.sgs import current_version, set_in

    audit.require(ctx, Permission.ENTITY_EDIT)
    on = on or dt.date.today()
    with ctx.transaction() as session:
        row = current_version(session, penalty_id)
        if row.kind != "CF":
            raise ValidationError(FieldProblem("record", "信用修复告知书只随行政处罚决定送达", "not a penalty"))
        set_in(session, ctx, row, action="notice", repair_notice_serial=serial, repair_notice_served_on=on,
               summary=f"信用修复告知书 {serial} 随处罚决定 {row.wsh} 送达（{on}）")
