"""The plan's registers (工作台账): publicity campaigns, trainings with their attendees and certificates, 信易+
scenarios with their beneficiaries, integrity models and award candidates, and the credit-website items with the
谁生产、谁审核 review step. Each is a business record (synced, audited through audit.insert_recorded/update_recorded)
and exportable (.xlsx). The options (campaign kinds, training kinds …) are data: resources/plan/registers.toml.

`training_certificates` is what the repair feature asks for an entity's 信用修复培训证明.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.plan import PlanFileError
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.plan_files import FileRef, attach_in, files_of, read_files
from xuyi_desktop.services.units import canonical_unit, unit_spellings
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_plan import (
    CreditScenario,
    CreditTraining,
    IntegrityModel,
    PublicityCampaign,
    ScenarioBenefit,
    TrainingAttendee,
    WebsiteItem,
)
from xuyi_desktop.storage.queries import plan as plan_queries

OUTCOMES = {"pending": "待定", "recommended": "已推荐上报", "selected": "入选", "not_selected": "未入选"}
WEBSITE_STATUSES = {"submitted": "待审核", "approved": "已审核", "returned": "退回修改", "published": "已发布"}


@dataclass(frozen=True)
class RegisterOptions:
    campaign_kinds: tuple[str, ...]
    training_kinds: tuple[str, ...]
    repair_training_kinds: tuple[str, ...]  # kinds whose certificate a repair application accepts
    scenario_types: tuple[str, ...]
    benefit_measures: tuple[str, ...]
    model_kinds: tuple[str, ...]
    award_kinds: tuple[str, ...]  # counted as award candidates (the provincial integrity awards)
    editions: tuple[str, ...]
    website_kinds: tuple[str, ...]


@lru_cache(maxsize=1)
def register_options() -> RegisterOptions:
    where = "plan/registers.toml"
    try:
        d = tomllib.loads(resource_path("plan", "registers.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc

    def names(key: str) -> tuple[str, ...]:
        value = d.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise PlanFileError(where, f"{key} 应为非空的文字列表")
        return tuple(value)

    trainings = d.get("training_kind", [])
    models = d.get("model_kind", [])
    if not trainings or not models:
        raise PlanFileError(where, "缺少 [[training_kind]] 或 [[model_kind]]")
    return RegisterOptions(
        names("campaign_kinds"), tuple(t["name"] for t in trainings),
        tuple(t["name"] for t in trainings if t.get("repair_certificate")), names("scenario_types"),
        names("benefit_measures"), tuple(m["name"] for m in models), tuple(m["name"] for m in models if m.get("award")),
        names("editions"), names("website_kinds"),
    )


def _choice(value: str, options: Sequence[str], field: str, what: str) -> str:
    if value not in options:
        raise ValidationError(FieldProblem(field, f"{what}应为：{'、'.join(options)}（收到：{value}）", f"unknown {field} {value!r}"))
    return value


def _required(problems: list[FieldProblem], value: str, field: str, what: str) -> str:
    if not value.strip():
        problems.append(FieldProblem(field, f"{what}：必填", f"{field} required"))
    return value.strip()


def _unit(ctx: AppContext, unit: str) -> str:
    """The organising unit: the typed one as its standard name, else the user's own unit."""
    if unit.strip():
        return canonical_unit(unit)
    if ctx.user is not None and ctx.user.unit.strip():
        return canonical_unit(ctx.user.unit)
    return ""


def _entity(session: Session, key: str | uuid.UUID | None) -> Entity | None:
    if key is None or (isinstance(key, str) and not key.strip()):
        return None
    from xuyi_desktop.services.ratings import resolve_entity

    return resolve_entity(session, key)


def _load(session: Session, model: Any, record_id: uuid.UUID | str, what: str) -> Any:
    try:
        rid = record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id).strip())
    except ValueError:
        raise NotFoundError(f"{what} {record_id}") from None
    row = session.get(model, rid)
    if row is None or row.deleted_at is not None:
        raise NotFoundError(f"{what} {record_id}")
    return row


# --- campaigns ------------------------------------------------------------------------------------------

def add_campaign(ctx: AppContext, *, held_on: dt.date, kind: str, theme: str, place: str = "", unit: str = "",
                 reach: int | None = None, media_links: str = "", notes: str = "", ends_on: dt.date | None = None,
                 photos: Sequence[Path | str] = ()) -> uuid.UUID:
    audit.require(ctx, Permission.ENTITY_EDIT)
    opts = register_options()
    problems: list[FieldProblem] = []
    theme = _required(problems, theme, "theme", "活动主题")
    if reach is not None and reach < 0:
        problems.append(FieldProblem("reach", "覆盖人数不能为负数", "reach negative"))
    if ends_on is not None and ends_on < held_on:
        problems.append(FieldProblem("ends_on", "结束日期不能早于开始日期", "ends before it starts"))
    if problems:
        raise ValidationError(problems)
    _choice(kind, opts.campaign_kinds, "kind", "活动类型")
    unit = _unit(ctx, unit)
    files = read_files(photos)
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, PublicityCampaign(
            held_on=held_on, ends_on=ends_on, kind=kind, theme=theme, place=place.strip(), unit=unit, reach=reach,
            media_links=media_links.strip(), notes=notes.strip(),
        ), summary=f"登记宣传活动：{held_on.isoformat()} {theme}")
        attach_in(session, ctx, row.__tablename__, row.id, files, "photo")
        return row.id


# --- trainings ------------------------------------------------------------------------------------------

def add_training(ctx: AppContext, *, held_on: dt.date, kind: str, topic: str, trainer: str = "", place: str = "",
                 unit: str = "", hours: float | None = None, notes: str = "") -> uuid.UUID:
    audit.require(ctx, Permission.ENTITY_EDIT)
    problems: list[FieldProblem] = []
    topic = _required(problems, topic, "topic", "培训主题")
    if hours is not None and not 0 < hours <= 200:
        problems.append(FieldProblem("hours", "学时应在 0 到 200 之间", "hours out of range"))
    if problems:
        raise ValidationError(problems)
    _choice(kind, register_options().training_kinds, "kind", "培训类型")
    unit = _unit(ctx, unit)
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, CreditTraining(
            held_on=held_on, kind=kind, topic=topic, trainer=trainer.strip(), place=place.strip(), unit=unit, hours=hours,
            notes=notes.strip(),
        ), summary=f"登记信用培训：{held_on.isoformat()} {topic}")
        return row.id


def add_attendee(ctx: AppContext, training_id: uuid.UUID | str, *, entity: str | uuid.UUID | None = None,
                 person_name: str = "", org_name: str = "", certificate_no: str = "",
                 certificate_on: dt.date | None = None, certificate_file: Path | str | None = None) -> uuid.UUID:
    """An attendee, linked to a registered entity where given (a person, or an organisation and its delegate), and
    the certificate the training issued (number, date, scanned copy)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    files = read_files([certificate_file] if certificate_file else [])
    with ctx.transaction() as session:
        training = _load(session, CreditTraining, training_id, "培训")
        e = _entity(session, entity)
        person, org = person_name.strip(), org_name.strip()
        if e is not None:
            if e.kind == "person" and not person:
                person = e.name
            elif e.kind != "person" and not org:
                org = e.name
        if not person and not org:
            raise ValidationError(FieldProblem("person_name", "参训人员：请填写姓名或所在单位，或选择已登记的主体", "attendee required"))
        if certificate_on is not None and certificate_on < training.held_on:
            raise ValidationError(FieldProblem("certificate_on", "发证日期不能早于培训日期", "certificate before training"))
        if certificate_no.strip() and certificate_on is None:
            certificate_on = training.held_on
        row = audit.insert_recorded(session, ctx, TrainingAttendee(
            training_id=training.id, entity_id=e.id if e else None, person_name=person, org_name=org,
            certificate_no=certificate_no.strip(), certificate_on=certificate_on,
        ), summary=f"登记参训人员：{person or org}（{training.topic}）")
        attach_in(session, ctx, row.__tablename__, row.id, files, "certificate")
        return row.id


@dataclass(frozen=True)
class TrainingCertificate:
    """A certificate an entity (or a person of it) holds from a training: what a repair application shows."""

    attendee_id: uuid.UUID
    training_id: uuid.UUID
    entity_id: uuid.UUID
    holder: str
    training_kind: str
    topic: str
    held_on: dt.date
    certificate_no: str
    certificate_on: dt.date | None
    repair_training: bool  # the training kind's certificate is accepted as 信用修复培训证明
    files: tuple[FileRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {"attendee_id": str(self.attendee_id), "training_id": str(self.training_id), "entity_id": str(self.entity_id),
                "holder": self.holder, "training_kind": self.training_kind, "topic": self.topic,
                "held_on": self.held_on.isoformat(), "certificate_no": self.certificate_no,
                "certificate_on": self.certificate_on.isoformat() if self.certificate_on else None,
                "repair_training": self.repair_training, "files": [f.to_json() for f in self.files]}


def training_certificates(session: Session, entity_id: uuid.UUID, *, repair_only: bool = False,
                          since: dt.date | None = None) -> list[TrainingCertificate]:
    """The training certificates of an entity, newest first, in the caller's transaction — for the repair feature
    (materials code training_certificate). `repair_only`: only trainings whose kind the registers mark as a
    信用修复培训; `since`: issued on or after that day (a training before the penalty proves nothing)."""
    repair_kinds = set(register_options().repair_training_kinds)
    rows = plan_queries.certified_attendances(session, entity_id)
    files = files_of(session, "training_attendee", [a.id for a, _ in rows])
    out = []
    for a, t in rows:
        issued = a.certificate_on or t.held_on
        if repair_only and t.kind not in repair_kinds:
            continue
        if since is not None and issued < since:
            continue
        out.append(TrainingCertificate(a.id, t.id, entity_id, a.person_name or a.org_name, t.kind, t.topic, t.held_on,
                                       a.certificate_no, a.certificate_on, t.kind in repair_kinds, tuple(files.get(a.id, []))))
    return out


def find_training_certificates(ctx: AppContext, entity: str | uuid.UUID, *, repair_only: bool = False) -> list[TrainingCertificate]:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        e = _entity(session, entity)
        assert e is not None
        return training_certificates(session, e.id, repair_only=repair_only)


# --- 信易+ scenarios --------------------------------------------------------------------------------------

def add_scenario(ctx: AppContext, *, name: str, business_type: str, started_on: dt.date, unit: str = "",
                 ended_on: dt.date | None = None, description: str = "", measures: str = "") -> uuid.UUID:
    audit.require(ctx, Permission.ENTITY_EDIT)
    problems: list[FieldProblem] = []
    name = _required(problems, name, "name", "场景名称")
    if ended_on is not None and ended_on < started_on:
        problems.append(FieldProblem("ended_on", "结束日期不能早于开始日期", "ends before it starts"))
    if problems:
        raise ValidationError(problems)
    _choice(business_type, register_options().scenario_types, "business_type", "业务类型")
    unit = _unit(ctx, unit)
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, CreditScenario(
            name=name, business_type=business_type, unit=unit, started_on=started_on, ended_on=ended_on,
            description=description.strip(), measures=measures.strip(),
        ), summary=f"登记“信易+”场景：{name}（{business_type}）")
        return row.id


def add_benefit(ctx: AppContext, scenario_id: uuid.UUID | str, *, granted_on: dt.date, measure: str,
                entity: str | uuid.UUID | None = None, beneficiary: str = "", amount_wan: float | None = None,
                note: str = "") -> uuid.UUID:
    """One beneficiary of a scenario: the measure and the amount in 万元 (a deposit waived, a loan discount)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    _choice(measure, register_options().benefit_measures, "measure", "激励措施")
    if amount_wan is not None and amount_wan < 0:
        raise ValidationError(FieldProblem("amount", "金额不能为负数", "amount negative"))
    with ctx.transaction() as session:
        scenario = _load(session, CreditScenario, scenario_id, "“信易+”场景")
        e = _entity(session, entity)
        who = beneficiary.strip() or (e.name if e else "")
        if not who:
            raise ValidationError(FieldProblem("beneficiary", "受益主体：请填写名称或选择已登记的主体", "beneficiary required"))
        if granted_on < scenario.started_on:
            raise ValidationError(FieldProblem("granted_on", f"受益日期不能早于场景开始日期（{scenario.started_on}）", "before the scenario"))
        row = audit.insert_recorded(session, ctx, ScenarioBenefit(
            scenario_id=scenario.id, entity_id=e.id if e else None, beneficiary=who, granted_on=granted_on,
            measure=measure, amount_wan=amount_wan, note=note.strip(),
        ), summary=f"登记“信易+”受益：{who}，{measure}" + (f" {amount_wan:g}万元" if amount_wan is not None else ""))
        return row.id


# --- integrity models and award candidates --------------------------------------------------------------

def add_model(ctx: AppContext, *, kind: str, nominated_on: dt.date, entity: str | uuid.UUID | None = None,
              name: str = "", unit: str = "", edition: str = "", reason: str = "") -> uuid.UUID:
    audit.require(ctx, Permission.ENTITY_EDIT)
    opts = register_options()
    _choice(kind, opts.model_kinds, "kind", "类型")
    if edition:
        _choice(edition, opts.editions, "edition", "评选届次")
    unit = _unit(ctx, unit)
    with ctx.transaction() as session:
        e = _entity(session, entity)
        who = name.strip() or (e.name if e else "")
        problems: list[FieldProblem] = []
        if not who:
            problems.append(FieldProblem("name", "名称：请填写或选择已登记的主体", "name required"))
        _required(problems, reason, "reason", "推荐理由")
        if problems:
            raise ValidationError(problems)
        row = audit.insert_recorded(session, ctx, IntegrityModel(
            kind=kind, entity_id=e.id if e else None, name=who, unit=unit, nominated_on=nominated_on, edition=edition,
            reason=reason.strip(),
        ), summary=f"登记{kind}：{who}")
        return row.id


def set_model_outcome(ctx: AppContext, model_id: uuid.UUID | str, *, outcome: str, on: dt.date | None = None,
                      note: str = "") -> None:
    audit.require(ctx, Permission.ENTITY_EDIT)
    if outcome not in OUTCOMES:
        raise ValidationError(FieldProblem("outcome", f"结果应为：{'、'.join(f'{k}（{v}）' for k, v in OUTCOMES.items())}", "bad outcome"))
    with ctx.transaction() as session:
        row = _load(session, IntegrityModel, model_id, "诚信典型")
        audit.update_recorded(session, ctx, row, verb="outcome", summary=f"{row.name}：{OUTCOMES[outcome]}",
                              outcome=outcome, outcome_on=on or dt.date.today(), outcome_note=note.strip())


# --- credit-website items (谁生产、谁审核) ------------------------------------------------------------------

def submit_website_item(ctx: AppContext, *, kind: str, title: str, content: str, unit: str = "",
                        on: dt.date | None = None) -> uuid.UUID:
    """A clerk produces an item (待审核); someone else reviews it before it may be published."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    problems: list[FieldProblem] = []
    title = _required(problems, title, "title", "标题")
    content = _required(problems, content, "content", "内容")
    if problems:
        raise ValidationError(problems)
    _choice(kind, register_options().website_kinds, "kind", "信息类别")
    unit = _unit(ctx, unit)
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, WebsiteItem(
            kind=kind, title=title, content=content, unit=unit, producer=ctx.actor, submitted_on=on or dt.date.today(),
            status="submitted",
        ), summary=f"报送信用网站信息（待审核）：{title}")
        return row.id


def review_website_item(ctx: AppContext, item_id: uuid.UUID | str, *, approve: bool, note: str = "",
                        on: dt.date | None = None) -> None:
    """谁审核: a reviewer other than the producer approves or returns the item, with an opinion when returning."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    with ctx.transaction() as session:
        row = _load(session, WebsiteItem, item_id, "信用网站信息")
        if row.status not in ("submitted", "returned"):
            raise ValidationError(FieldProblem("status", f"该信息当前为“{WEBSITE_STATUSES[row.status]}”，不能再审核", "not awaiting review"))
        if row.producer == ctx.actor:
            raise ValidationError(FieldProblem("reviewer", "谁生产、谁审核：审核人不能是信息的报送人本人，请由本单位其他审核人审核",
                                               "the producer may not review their own item"))
        if not approve and not note.strip():
            raise ValidationError(FieldProblem("note", "退回修改时请写明审核意见", "a note is required when returning"))
        status = "approved" if approve else "returned"
        audit.update_recorded(session, ctx, row, verb="review", summary=f"审核信用网站信息：{row.title}（{WEBSITE_STATUSES[status]}）",
                              status=status, reviewer=ctx.actor, reviewed_on=on or dt.date.today(), review_note=note.strip())


def publish_website_item(ctx: AppContext, item_id: uuid.UUID | str, *, url: str = "", on: dt.date | None = None) -> None:
    """Only a reviewed item is published; the address it was published at is kept."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    with ctx.transaction() as session:
        row = _load(session, WebsiteItem, item_id, "信用网站信息")
        if row.status != "approved":
            raise ValidationError(FieldProblem("status", f"未经审核的信息不能发布（当前：{WEBSITE_STATUSES[row.status]}）", "not reviewed"))
        audit.update_recorded(session, ctx, row, verb="publish", summary=f"发布信用网站信息：{row.title}",
                              status="published", published_on=on or dt.date.today(), url=url.strip())


# --- lists and exports ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegisterSpec:
    """How a register is listed and exported: its table, date column and columns (key, header, width)."""

    code: str
    label: str
    model: Any
    date_col: str
    columns: tuple[tuple[str, str, int], ...]


REGISTERS: dict[str, RegisterSpec] = {
    "campaign": RegisterSpec("campaign", "宣传活动", PublicityCampaign, "held_on", (
        ("held_on", "日期", 12), ("kind", "活动类型", 16), ("theme", "主题", 30), ("place", "地点", 20),
        ("unit", "组织单位", 24), ("reach", "覆盖人数", 10), ("media_links", "媒体报道", 30), ("files", "照片", 8))),
    "training": RegisterSpec("training", "信用培训", CreditTraining, "held_on", (
        ("held_on", "日期", 12), ("kind", "培训类型", 16), ("topic", "培训主题", 30), ("trainer", "授课人", 12),
        ("place", "地点", 16), ("unit", "组织单位", 24), ("hours", "学时", 6), ("attendees", "参训人数", 8),
        ("certificates", "发证数", 8))),
    "scenario": RegisterSpec("scenario", "“信易+”场景", CreditScenario, "started_on", (
        ("name", "场景名称", 26), ("business_type", "业务类型", 14), ("unit", "实施单位", 24), ("started_on", "开始日期", 12),
        ("ended_on", "结束日期", 12), ("measures", "激励措施", 24), ("beneficiaries", "受益主体数", 10),
        ("amount_wan", "惠及金额（万元）", 14))),
    "model": RegisterSpec("model", "诚信典型", IntegrityModel, "nominated_on", (
        ("nominated_on", "推荐日期", 12), ("kind", "类型", 28), ("name", "名称", 28), ("edition", "届次", 8),
        ("unit", "推荐单位", 24), ("reason", "推荐理由", 30), ("outcome_label", "结果", 10))),
    "website": RegisterSpec("website", "信用网站信息", WebsiteItem, "submitted_on", (
        ("submitted_on", "报送日期", 12), ("kind", "类别", 12), ("title", "标题", 32), ("unit", "报送单位", 24),
        ("producer", "报送人", 10), ("status_label", "状态", 10), ("reviewer", "审核人", 10), ("published_on", "发布日期", 12),
        ("url", "发布网址", 24))),
}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _row_dict(spec: RegisterSpec, r: Any) -> dict[str, Any]:
    from xuyi_desktop.storage.snapshots import row_image

    d = row_image(r)
    d.pop("version", None)
    if spec.code == "model":
        d["outcome_label"] = OUTCOMES.get(r.outcome, r.outcome)
    if spec.code == "website":
        d["status_label"] = WEBSITE_STATUSES.get(r.status, r.status)
    return d


def _children(session: Session, spec: RegisterSpec, rows: list[Any], reveal: bool) -> None:
    """Attendees (training), beneficiaries (scenario) and file counts, added to each row dict in place."""
    ids = [r["id"] for r in rows]
    uids = [uuid.UUID(i) for i in ids]
    if spec.code == "training":
        people = plan_queries.attendees_with_entities(session, uids)
        by: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for a, e in people:
            ident = e.identifier if e is not None else ""
            if e is not None and e.kind == "person" and not reveal:
                ident = mask_id_number(ident) or ""
            by[str(a.training_id)].append({
                "id": str(a.id), "entity_id": str(a.entity_id) if a.entity_id else None, "identifier": ident,
                "person_name": a.person_name, "org_name": a.org_name, "certificate_no": a.certificate_no,
                "certificate_on": _iso(a.certificate_on),
            })
        for r in rows:
            r["attendee_list"] = by[r["id"]]
            r["attendees"] = len(by[r["id"]])
            r["certificates"] = sum(1 for a in by[r["id"]] if a["certificate_no"])
    if spec.code == "scenario":
        benefits = plan_queries.benefits_of(session, uids)
        by2: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
        for b in benefits:
            by2[str(b.scenario_id)].append({"id": str(b.id), "entity_id": str(b.entity_id) if b.entity_id else None,
                                            "beneficiary": b.beneficiary, "granted_on": _iso(b.granted_on),
                                            "measure": b.measure, "amount_wan": b.amount_wan, "note": b.note})
        for r in rows:
            r["benefit_list"] = by2[r["id"]]
            r["beneficiaries"] = len({b["entity_id"] or b["beneficiary"] for b in by2[r["id"]]})
            r["amount_wan"] = round(sum(b["amount_wan"] or 0.0 for b in by2[r["id"]]), 4)
    files = files_of(session, spec.model.__tablename__, uids)
    for r in rows:
        r["files"] = len(files.get(uuid.UUID(r["id"]), []))


def _register_rows(session: Session, spec: RegisterSpec, *, date_from: dt.date | None, date_to: dt.date | None,
                   unit: str | None, status: str | None = None, kinds: Sequence[str] | None = None) -> list[Any]:
    """The register's rows in the period and unit: the one query list_register and count_in share."""
    return plan_queries.register_rows(
        session, spec.model, spec.date_col, spans_years=spec.code == "scenario",  # a scenario counts in every year it runs
        date_from=date_from, date_to=date_to, organs=unit_spellings(unit) if unit else None, status=status, kinds=kinds)


def list_register(ctx: AppContext, register: str, *, year: int | None = None, unit: str | None = None,
                  date_from: dt.date | None = None, date_to: dt.date | None = None, status: str | None = None,
                  reveal: bool = False) -> list[dict[str, Any]]:
    """A register's rows as JSON-ready dicts (with their children and file counts), by year or dates and unit."""
    audit.require(ctx, Permission.VIEW)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    spec = REGISTERS.get(register)
    if spec is None:
        raise ValidationError(FieldProblem("register", f"台账应为：{'、'.join(REGISTERS)}", f"unknown register {register!r}"))
    if year is not None:
        date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with ctx.transaction() as session:
        found = _register_rows(session, spec, date_from=date_from, date_to=date_to, unit=unit,
                               status=status if status and spec.code == "website" else None)
        rows = [_row_dict(spec, r) for r in found]
        _children(session, spec, rows, reveal)
        return rows


def export_register(ctx: AppContext, register: str, out: Path | str, *, year: int | None = None,
                    unit: str | None = None) -> int:
    """The register as .xlsx (title, header, rows; persons' ID numbers masked). Returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from xuyi_desktop.exchange.workbooks import HEADER_FILL, save_workbook

    audit.require(ctx, Permission.EXPORT)
    rows = list_register(ctx, register, year=year, unit=unit)
    spec = REGISTERS[register]
    wb = Workbook()
    ws = wb.active
    ws.title = spec.label.strip("“”")[:31]
    title = f"{spec.label}台账" + (f"（{year}年）" if year else "") + (f"——{unit}" if unit else "")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["序号", *[h for _, h, _ in spec.columns]])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, r in enumerate(rows, 1):
        ws.append([i, *[r.get(k) for k, _, _ in spec.columns]])
    from openpyxl.utils import get_column_letter

    for i, (_, _, width) in enumerate(spec.columns, 2):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    save_workbook(wb, Path(out))
    with ctx.transaction() as session:
        audit.write(session, ctx, "export.register", f"导出{spec.label}台账 {len(rows)} 条", details={"register": register, "rows": len(rows),
                                                                                                   "year": year, "file": Path(out).name})
    return len(rows)


def count_in(session: Session, register: str, *, date_from: dt.date, date_to: dt.date, unit: str | None,
             kinds: Sequence[str] | None = None) -> list[Any]:
    """The rows of a register in the period (for the indicators): one statement, shared with list_register.
    kinds: only rows of these kinds (the register's `kind` column)."""
    return _register_rows(session, REGISTERS[register], date_from=date_from, date_to=date_to, unit=unit, kinds=kinds)
