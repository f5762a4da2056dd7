"""Credit commitment use cases (信用承诺, SPEC §6): record, fulfil, violate, revoke, list the overdue, print the
信用承诺书 (one or a batch, signed QR code), export for publicity with the plan's indicator.

Rules:
- A commitment gets its serial (office code + CN + year + sequence) in the transaction that records it;
  office codes make serials unique across offices, the counter row lock makes them unique within one.
- 履约中 → 已践诺 / 违诺 / 撤销; an outcome is final. A violation creates a dishonesty record (失信记录,
  category 违反信用承诺) in the same transaction, or links an existing one, so the credit check and the
  暂定A级 rule see it; the commitment also shows as 违诺 in the credit check.
- Every change goes through the unit of work (services.unit_of_work) with full row images; every print and export
  writes an audit entry.
- The form's wording is the editable template of its type under resources/commitments/.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.commitments import (
    Catalogue,
    CommitmentStatus,
    check_term_days,
    check_transition,
    clean_items,
    fill_template,
    is_overdue,
    parse_catalogue,
    strip_comment_lines,
    term_until,
)
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange.columns import Column, Layout
from xuyi_desktop.paths import resource_path
from xuyi_desktop.printing.commitment_form import DOC_TYPE, PREVIEW_SERIAL, CommitmentFormData, render_commitment_forms
from xuyi_desktop.printing.fonts import register_fonts
from xuyi_desktop.printing.layout import cn_date
from xuyi_desktop.printing.output import Cancelled, Progress, atomic_output, check_writable
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.serials import next_serial
from xuyi_desktop.services.unit_of_work import UnitOfWork, unit_of_work
from xuyi_desktop.storage.models import DishonestyRecord, Entity
from xuyi_desktop.storage.models_commitments import Commitment
from xuyi_desktop.storage.queries import commitments as commitment_queries

TABLE = "commitment"
SERIAL_KIND = "CN"
VIOLATION_CATEGORY = "违反信用承诺"
PERSON_LABEL = "身份证号码"
ORG_LABEL = "统一社会信用代码"


# --- catalogue and templates ----------------------------------------------------------------------------
def resources_dir() -> Path:
    return resource_path("commitments")


@lru_cache(maxsize=1)
def _catalogue_cached(folder: str) -> Catalogue:
    base = Path(folder)
    return parse_catalogue((base / "types.toml").read_text(encoding="utf-8"), (base / "areas.toml").read_text(encoding="utf-8"))


def catalogue() -> Catalogue:
    """Commitment types and application areas from resources/commitments/ (read once per process)."""
    return _catalogue_cached(str(resources_dir()))


def reload_catalogue() -> None:
    """After an administrator edited the files (templates are read at every print anyway)."""
    _catalogue_cached.cache_clear()


def template_text(type_code: str) -> tuple[str, str]:
    """(file name, text) of the type's form template; read at every print so edits apply at once."""
    t = catalogue().type(type_code)
    path = resources_dir() / "templates" / t.template
    try:
        return t.template, path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValidationError(FieldProblem("template", f"找不到承诺书模板：{path}", f"template missing: {path}")) from exc


def consequences_text() -> str:
    path = resources_dir() / "consequences.txt"
    try:
        return strip_comment_lines(path.read_text(encoding="utf-8-sig"))
    except OSError:
        return "愿意承担相应的法律责任，同意将违诺行为记入信用记录并依法依规公开、接受失信惩戒。"


# --- views ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommitmentInput:
    entity: str | uuid.UUID
    type_code: str
    area_code: str
    business: str
    term_days: int
    items: tuple[str, ...] = ()  # empty: the type's default items
    signer: str = ""
    signed_on: dt.date | None = None
    organ: str = ""
    # A reviewer accepts a 告知承诺 / 容缺受理 commitment although the credit check excludes the entity: why.
    override_reason: str = ""


class CommitmentRefused(DomainError):
    """The credit check run on acceptance excludes the entity from this kind of commitment (D grade, a recent
    违诺, a serious penalty in publicity …); nothing was recorded. A reviewer may accept it with a reason."""

    def __init__(self, type_name: str, reasons: list[str], serial: str) -> None:
        self.reasons, self.serial = reasons, serial
        self.message_zh = (f"不予受理{type_name}：" + "；".join(reasons)
                           + "。确需受理的，由审核人员写明理由后受理")
        self.message_en = "the credit check excludes this entity from the commitment; a reviewer may override with a reason"
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class CommitmentView:
    id: uuid.UUID
    serial: str
    entity_id: uuid.UUID
    entity_name: str
    entity_kind: str
    identifier: str  # masked for persons
    type_code: str
    type_name: str
    area_code: str
    area_name: str
    business: str
    items: tuple[str, ...]
    term_days: int
    term_until: dt.date
    signer: str
    signed_on: dt.date
    organ: str
    status: CommitmentStatus
    outcome_on: dt.date | None
    outcome_note: str
    violation_facts: str
    violation_handling: str
    penalty_document_no: str
    dishonesty_id: uuid.UUID | None
    overdue: bool
    version: int
    warnings: tuple[str, ...] = field(default_factory=tuple)
    check_serial: str = ""  # the credit check run on acceptance
    check_override_reason: str = ""
    check_override_by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "serial": self.serial, "status": self.status.value, "status_label": self.status.label,
            "entity_id": str(self.entity_id), "entity_name": self.entity_name, "identifier": self.identifier,
            "type": self.type_code, "type_name": self.type_name, "area": self.area_code, "area_name": self.area_name,
            "business": self.business, "items": list(self.items), "term_days": self.term_days,
            "term_until": self.term_until.isoformat(), "signer": self.signer, "signed_on": self.signed_on.isoformat(),
            "organ": self.organ, "outcome_on": self.outcome_on.isoformat() if self.outcome_on else None,
            "outcome_note": self.outcome_note, "violation_facts": self.violation_facts,
            "violation_handling": self.violation_handling, "penalty_document_no": self.penalty_document_no,
            "dishonesty_id": str(self.dishonesty_id) if self.dishonesty_id else None, "overdue": self.overdue,
            "version": self.version, "warnings": list(self.warnings), "check_serial": self.check_serial,
            "check_override_reason": self.check_override_reason, "check_override_by": self.check_override_by,
        }


def type_name(code: str) -> str:
    try:
        return catalogue().type(code).name
    except DomainError:
        return code


def area_name(code: str) -> str:
    try:
        return catalogue().area(code).name
    except DomainError:
        return code


def public_identifier(entity: Entity) -> str:
    return (mask_id_number(entity.identifier) or "") if entity.kind == "person" else entity.identifier


def _view(c: Commitment, e: Entity, today: dt.date, warnings: tuple[str, ...] = ()) -> CommitmentView:
    status = CommitmentStatus(c.status)
    return CommitmentView(
        c.id, c.serial, c.entity_id, e.name, e.kind, public_identifier(e), c.type_code, type_name(c.type_code),
        c.area_code, area_name(c.area_code), c.business, tuple(json.loads(c.items_json)), c.term_days, c.term_until,
        c.signer, c.signed_on, c.organ, status, c.outcome_on, c.outcome_note, c.violation_facts, c.violation_handling,
        c.penalty_document_no, c.dishonesty_id, is_overdue(status, c.term_until, today), c.version, warnings,
        c.check_serial or "", c.check_override_reason or "", c.check_override_by or "",
    )


def default_organ(ctx: AppContext) -> str:
    """The accepting organ when the clerk names none: the clerk's own unit (执法大队, 公路中心 …) where the user
    belongs to one, else this office. So a unit-limited list (services.list_scope) shows what its clerks took."""
    from xuyi_desktop.services.printing import issuing_organ  # late: services.printing imports this module's users

    if ctx.user is not None and ctx.user.unit.strip():
        from xuyi_desktop.services.units import unit_dictionary

        unit = unit_dictionary().find(ctx.user.unit)  # the dictionary's standard name, as lists compare it
        return unit.name if unit is not None else ctx.user.unit.strip()
    return issuing_organ(ctx)


# --- records --------------------------------------------------------------------------------------------
def add_commitment(ctx: AppContext, data: CommitmentInput, *, today: dt.date | None = None) -> CommitmentView:
    """Record a signed commitment (履约中) and give it its serial."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    from xuyi_desktop.services.ratings import resolve_entity

    today = today or dt.date.today()
    cat = catalogue()
    ctype = cat.type(data.type_code.strip())
    area = cat.area(data.area_code.strip())
    business = " ".join(data.business.split())
    problems = []
    if not business:
        problems.append(FieldProblem("business", "请填写承诺涉及的业务（如许可申请编号）", "business required"))
    elif len(business) > 200:
        problems.append(FieldProblem("business", "业务说明不能超过200字", "business too long"))
    signed_on = data.signed_on or today
    if signed_on > today:
        problems.append(FieldProblem("signed_on", "签署日期不能晚于今天", "signing date in the future"))
    if problems:
        raise ValidationError(problems)
    check_term_days(data.term_days)
    items = clean_items(data.items or ctype.items)
    organ = data.organ.strip() or default_organ(ctx)
    if data.override_reason.strip():
        audit.require(ctx, Permission.CREDIT_REVIEW)
    with unit_of_work(ctx) as uow:
        session = uow.session
        entity = resolve_entity(session, data.entity)
        check_serial, override = _acceptance_check(session, ctx, entity, ctype.code, ctype.name, area.code, data.override_reason, today)
        signer = data.signer.strip() or (entity.legal_representative if entity.kind != "person" else entity.name)
        c = Commitment(
            entity_id=entity.id, serial=next_serial(session, ctx, SERIAL_KIND, signed_on.year), type_code=ctype.code,
            area_code=area.code, business=business, items_json=json.dumps(list(items), ensure_ascii=False),
            term_days=data.term_days, term_until=term_until(signed_on, data.term_days), signer=signer,
            signed_on=signed_on, organ=organ, status=CommitmentStatus.ACTIVE.value, check_serial=check_serial,
            check_override_reason=override, check_override_by=ctx.actor if override else "",
        )
        uow.add(
            c, summary=f"信用承诺 {c.serial} {entity.name}：{ctype.name}，{area.name}，{business}"
            + (f"；信用核查 {check_serial}" if check_serial else "") + (f"；例外受理（{override}）" if override else ""),
        )
        warnings = () if signer else ("未填写签署人（法定代表人）",)
        return _view(c, entity, today, warnings)


def _acceptance_check(
    session: Session, ctx: AppContext, entity: Entity, type_code: str, type_name_: str, area_code: str, override_reason: str,
    today: dt.date,
) -> tuple[str, str]:
    """The credit check embedded in acceptance (三(三)2): for the types the rules name (告知承诺, 容缺受理 …), run
    the check for the area's business; a restriction on the commitment measure refuses the commitment unless a
    reviewer gave a reason. Returns (the check's serial, the override reason kept) — ("", "") for other types."""
    from xuyi_desktop.services.credit_check import check_in
    from xuyi_desktop.services.profile import rule_book

    policy = rule_book().commitments
    if type_code not in policy.checked_types:
        return "", ""
    result = check_in(session, ctx, entity, policy.business_for_area(area_code), query=f"承诺受理：{type_name_}", today=today,
                      action="credit.check.commitment")
    blocking = [c for c in result.consequences if c.kind == "restriction" and ("*" in c.measures or policy.measure in c.measures)]
    if not blocking:
        return result.serial, ""
    if not override_reason.strip():
        raise CommitmentRefused(type_name_, [f"{c.text}（{c.source}）" for c in blocking], result.serial)
    audit.write(session, ctx, "commitment.override", f"例外受理{type_name_}：{entity.name}（{override_reason.strip()}）",
                record_table="entity", record_id=entity.id,
                details={"check_serial": result.serial, "restrictions": [c.text for c in blocking]})
    return result.serial, override_reason.strip()


def _load(session: Session, commitment_id: uuid.UUID | str) -> tuple[Commitment, Entity]:
    c = None
    try:
        key = commitment_id if isinstance(commitment_id, uuid.UUID) else uuid.UUID(str(commitment_id).strip())
        c = session.get(Commitment, key)
    except ValueError:
        c = commitment_queries.by_serial(session, str(commitment_id).strip())
    if c is None or c.deleted_at is not None:
        raise NotFoundError(f"信用承诺 {commitment_id}")
    e = session.get(Entity, c.entity_id)
    assert e is not None
    return c, e


def _load_many(session: Session, commitment_ids: Sequence[uuid.UUID | str]) -> list[tuple[Commitment, Entity]]:
    """_load for a batch, in the order given: every id with its entity in one query instead of two queries a form;
    a serial number, or an id not found, goes through _load (which names what is missing)."""
    keys: dict[uuid.UUID | str, uuid.UUID] = {}
    for given in commitment_ids:
        try:
            keys[given] = given if isinstance(given, uuid.UUID) else uuid.UUID(str(given).strip())
        except ValueError:
            pass
    found = commitment_queries.live_with_entities(session, keys.values())
    return [found[keys[given]] if given in keys and keys[given] in found else _load(session, given) for given in commitment_ids]


def get_commitment(ctx: AppContext, commitment_id: uuid.UUID | str, *, today: dt.date | None = None) -> CommitmentView:
    """By id or by serial."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        c, e = _load(session, commitment_id)
        return _view(c, e, today or dt.date.today())


def list_commitments(
    ctx: AppContext, *, entity: str | uuid.UUID | None = None, status: CommitmentStatus | str | None = None,
    overdue: bool = False, text: str = "", limit: int = 500, today: dt.date | None = None,
) -> list[CommitmentView]:
    """Newest first. `overdue`: only 履约中 commitments whose term has passed (to follow up). Where the bureau
    limits lists to the user's unit, only commitments accepted by that unit (受理机关) are listed."""
    audit.require(ctx, Permission.VIEW)
    from xuyi_desktop.services.list_scope import current_list_unit
    from xuyi_desktop.services.ratings import resolve_entity

    today = today or dt.date.today()
    organs = None
    own_unit = current_list_unit(ctx)
    if own_unit is not None:
        from xuyi_desktop.services.units import unit_spellings

        organs = unit_spellings(own_unit)
    st = None
    if status:
        st = status if isinstance(status, CommitmentStatus) else CommitmentStatus.parse(status)
    with ctx.transaction() as session:
        entity_id = resolve_entity(session, entity).id if entity else None
        rows = commitment_queries.listing(session, organs=organs, status=st, overdue_on=today if overdue else None,
                                          text=text.strip(), entity_id=entity_id, limit=limit)
        return [_view(c, e, today) for c, e in rows]


def overdue_commitments(ctx: AppContext, *, today: dt.date | None = None) -> list[CommitmentView]:
    """Term passed, no outcome: the follow-up list, oldest term first."""
    return list_commitments(ctx, overdue=True, today=today, limit=100_000)


def _close(
    ctx: AppContext, commitment_id: uuid.UUID | str, target: CommitmentStatus, *, on: dt.date | None, note: str,
    summary: str, extra: Any = None,
) -> CommitmentView:
    today = dt.date.today()
    on = on or today
    if on > today:
        raise ValidationError(FieldProblem("outcome_on", "办结日期不能晚于今天", "date in the future"))
    with unit_of_work(ctx) as uow:
        c, e = _load(uow.session, commitment_id)
        check_transition(CommitmentStatus(c.status), target)
        if on < c.signed_on:
            raise ValidationError(FieldProblem("outcome_on", "办结日期不能早于签署日期", "outcome before signing"))
        before = uow.before_image(c)
        c.status, c.outcome_on, c.outcome_note = target.value, on, note.strip()
        c.updated_office = ctx.office_code  # before `extra`, whose writes flush the commitment too
        if extra is not None:
            extra(uow, c, e)
        uow.record(c, before, summary=f"信用承诺 {c.serial} {e.name}：{summary}")
        return _view(c, e, today)


def fulfil(ctx: AppContext, commitment_id: uuid.UUID | str, *, note: str = "", on: dt.date | None = None) -> CommitmentView:
    """履约中 → 已践诺."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    return _close(ctx, commitment_id, CommitmentStatus.FULFILLED, on=on, note=note, summary="已践诺" + (f"（{note.strip()}）" if note.strip() else ""))


#: 撤销 is a reviewer's act (审核信用信息: a commitment is credit information, not a rating).
REVOKE_RIGHT = Permission.CREDIT_REVIEW


def may_revoke(ctx: AppContext) -> bool:
    """Whether this user may 撤销 a commitment: the window enables the button on the service's own rule."""
    return ctx.can(REVOKE_RIGHT)


def revoke(ctx: AppContext, commitment_id: uuid.UUID | str, *, reason: str, on: dt.date | None = None) -> CommitmentView:
    """履约中 → 撤销 (e.g. the application was withdrawn). Reviewers only (REVOKE_RIGHT; a refusal names that
    right); a reason is required."""
    audit.require(ctx, REVOKE_RIGHT)
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写撤销原因", "reason required"))
    return _close(ctx, commitment_id, CommitmentStatus.REVOKED, on=on, note=reason, summary=f"撤销（{reason.strip()}）")


def violate(
    ctx: AppContext, commitment_id: uuid.UUID | str, *, facts: str, handling: str = "", penalty_document_no: str = "",
    on: dt.date | None = None, dishonesty_id: uuid.UUID | None = None,
) -> CommitmentView:
    """履约中 → 违诺: records date, facts, handling and the penalty document; creates the dishonesty record
    (or links the given one) in the same transaction, so the credit check counts it at once."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    if not facts.strip():
        raise ValidationError(FieldProblem("facts", "请填写违诺事实", "facts required"))

    def link(uow: UnitOfWork, c: Commitment, e: Entity) -> None:
        c.violation_facts, c.violation_handling = facts.strip(), handling.strip()
        c.penalty_document_no = penalty_document_no.strip()
        if dishonesty_id is not None:
            rec = uow.session.get(DishonestyRecord, dishonesty_id)
            if rec is None or rec.entity_id != c.entity_id or rec.deleted_at is not None:
                raise ValidationError(FieldProblem("dishonesty_id", "关联的失信记录不存在或不属于该主体", "dishonesty record not found for this entity"))
            c.dishonesty_id = rec.id
            return
        assert c.outcome_on is not None
        rec = DishonestyRecord(
            entity_id=c.entity_id, occurred_on=c.outcome_on, category=VIOLATION_CATEGORY,
            description=f"{type_name(c.type_code)}承诺（{c.business}）违诺：{facts.strip()}" + (f"；处理：{handling.strip()}" if handling.strip() else ""),
            document_no=c.penalty_document_no, source=f"信用承诺 {c.serial}",
        )
        uow.add(rec, summary=f"失信记录 {e.name}：{VIOLATION_CATEGORY}（{c.serial}）")
        c.dishonesty_id = rec.id

    return _close(ctx, commitment_id, CommitmentStatus.VIOLATED, on=on, note=handling, summary=f"违诺：{facts.strip()}", extra=link)


# --- credit check ---------------------------------------------------------------------------------------
def for_credit_check(session: Session, entity_id: uuid.UUID, today: dt.date) -> list[dict[str, Any]]:
    """The entity's commitments (not the revoked ones), violations first, then newest; for the credit check."""
    out = []
    for c in commitment_queries.of_entity_not_revoked(session, entity_id):
        status = CommitmentStatus(c.status)
        out.append({
            "id": str(c.id), "serial": c.serial, "type": c.type_code, "type_name": type_name(c.type_code),
            "area": c.area_code, "area_name": area_name(c.area_code), "business": c.business,
            "signed_on": c.signed_on.isoformat(), "term_until": c.term_until.isoformat(), "status": status.value,
            "status_label": status.label, "overdue": is_overdue(status, c.term_until, today),
            "outcome_on": c.outcome_on.isoformat() if c.outcome_on else None, "violation_facts": c.violation_facts,
        })
    out.sort(key=lambda d: d["status"] != CommitmentStatus.VIOLATED.value)
    return out


# --- printing -------------------------------------------------------------------------------------------
def qr_facts(c: Commitment, e: Entity) -> dict[str, object]:
    """What the form's code vouches for. A person's ID is masked (anyone may scan the code)."""
    return {
        "n": e.name, "u": public_identifier(e), "t": c.type_code, "a": c.area_code, "b": c.business[:12],  # the start of it: a longer code would not scan at 150 dpi
        "tm": c.term_until.isoformat(),
    }


def term_text(c: Commitment) -> str:
    return f"{c.term_days}日（{cn_date(c.signed_on)}至{cn_date(c.term_until)}）"


def form_data(ctx: AppContext, c: Commitment, e: Entity, *, sign: Any = None, reveal: bool = False, preview: bool = False) -> CommitmentFormData:
    from xuyi_desktop.printing import qr

    cat = catalogue()
    ctype = cat.type(c.type_code)
    person = e.kind == "person"
    ident = e.identifier if (reveal or not person) else (mask_id_number(e.identifier) or "")
    items = tuple(json.loads(c.items_json))
    serial = PREVIEW_SERIAL if preview else c.serial
    values = {
        "entity_name": e.name, "identifier": ident, "identifier_label": PERSON_LABEL if person else ORG_LABEL,
        "legal_representative": e.legal_representative, "address": e.address, "phone": e.phone, "business": c.business,
        "area": area_name(c.area_code), "type_name": ctype.name, "term": term_text(c), "deadline": cn_date(c.term_until),
        "consequences": consequences_text(), "organ": c.organ, "date": cn_date(c.signed_on), "serial": serial,
    }
    name, text = template_text(c.type_code)
    try:
        paragraphs = fill_template(name, text, values, items)
    except ValueError as exc:  # CatalogueError: an unknown placeholder in an edited template
        raise ValidationError(FieldProblem("template", str(exc), "template has unknown placeholders")) from exc
    payload = None
    if sign is not None and not preview:
        payload = qr.build_payload(DOC_TYPE, c.serial, ctx.office_code, c.signed_on, qr_facts(c, e), sign)
    return CommitmentFormData(
        serial=serial, title=ctype.title, entity_name=e.name, identifier_label=values["identifier_label"], identifier=ident,
        legal_representative="" if person else e.legal_representative, address=e.address, phone=e.phone,
        type_name=ctype.name, area_name=values["area"], business=c.business, term_text=values["term"],
        paragraphs=tuple(paragraphs), organ=c.organ, signed_on=c.signed_on,
        signature_label="承诺人（签字）：" if person else "法定代表人（签字）：", qr_payload=payload, preview=preview,
    )


def _printable(c: Commitment, e: Entity, preview: bool) -> None:
    if c.status == CommitmentStatus.REVOKED.value and not preview:
        raise ValidationError(FieldProblem("status", f"承诺 {c.serial}（{e.name}）已撤销，不能打印承诺书（可打印样张）", "revoked commitments are not printed"))


def print_commitment(
    ctx: AppContext, commitment_id: uuid.UUID | str, out: str | Path, *, reveal: bool = False, preview: bool = False,
) -> Path:
    """The 信用承诺书 as a PDF at `out`. `preview`: a watermarked 样张 without serial or code."""
    audit.require(ctx, Permission.PRINT)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    from xuyi_desktop.services.office_keys import print_key

    out = Path(out)
    fonts = register_fonts()
    key = None if preview else print_key(ctx)
    with atomic_output(out) as tmp, ctx.transaction() as session:
        c, e = _load(session, commitment_id)
        _printable(c, e, preview)
        data = form_data(ctx, c, e, sign=key.sign if key else None, reveal=reveal, preview=preview)
        pages = render_commitment_forms([data], tmp, fonts=fonts)
        audit.write(
            session, ctx, "print.commitment_preview" if preview else "print.commitment",
            f"打印信用承诺书{'样张' if preview else ''} {c.serial} {e.name}", record_table=TABLE, record_id=c.id,
            details={"serial": c.serial, "pages": pages, "revealed": reveal, "preview": preview, "file": out.name},
        )
    return out


@dataclass(frozen=True)
class BatchPrinted:
    """What a batch print made: the PDF, how many forms it holds, and the revoked commitments left out of it
    (their serial and entity), which the page and the CLI both report."""

    path: Path
    printed: int
    left_out: tuple[tuple[str, str], ...] = ()

    def left_out_text(self) -> str:
        """One line for the clerk ("" when nothing was left out)."""
        if not self.left_out:
            return ""
        names = "、".join(f"{serial}（{name}）" for serial, name in self.left_out[:5])
        return f"已撤销的 {len(self.left_out)} 份未打印：{names}{'等' if len(self.left_out) > 5 else ''}"


def print_commitments(
    ctx: AppContext, commitment_ids: Sequence[uuid.UUID | str], out: str | Path, *, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """print_commitment_batch, giving only the PDF's path."""
    return print_commitment_batch(ctx, commitment_ids, out, progress=progress, cancelled=cancelled).path


def print_commitment_batch(
    ctx: AppContext, commitment_ids: Sequence[uuid.UUID | str], out: str | Path, *, progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> BatchPrinted:
    """Many forms into one PDF, each starting on a new page, in the order given. Revoked commitments are left
    out (a revoked one is never printed, SPEC: 撤销的承诺不出具承诺书) and named in the result; when every one
    chosen is revoked, nothing is printed (NothingToPrintError). Renders outside any transaction;
    progress(done, total) after each form; cancelled() → PrintCancelled, no file, no audit."""
    audit.require(ctx, Permission.PRINT)
    from xuyi_desktop.services.office_keys import print_key
    from xuyi_desktop.services.printing import NothingToPrintError

    out = Path(out)
    if not commitment_ids:
        raise NothingToPrintError("未选择信用承诺")
    check_writable(out)
    fonts = register_fonts()
    key = print_key(ctx)
    with ctx.transaction() as session:
        chosen = _load_many(session, commitment_ids)
        loaded = [(c, e) for c, e in chosen if c.status != CommitmentStatus.REVOKED.value]
        left_out = tuple((c.serial, e.name) for c, e in chosen if c.status == CommitmentStatus.REVOKED.value)
        if not loaded:
            raise NothingToPrintError(f"所选的 {len(chosen)} 份信用承诺均已撤销")
        data = [form_data(ctx, c, e, sign=key.sign) for c, e in loaded]
        ids = [(c.id, c.serial, e.name) for c, e in loaded]
    with atomic_output(out) as tmp:
        pages = render_commitment_forms(data, tmp, fonts=fonts, progress=progress, cancelled=cancelled)
        with ctx.transaction() as session, audit.batched(session, ctx):  # one chain append for the batch
            for cid, serial, name in ids:
                audit.write(
                    session, ctx, "print.commitment", f"打印信用承诺书 {serial} {name}（批量，共{len(ids)}份）",
                    record_table=TABLE, record_id=cid,
                    details={"serial": serial, "batch": len(ids), "pages": pages, "file": out.name,
                             **({"left_out": [s for s, _ in left_out]} if left_out else {})},
                )
    return BatchPrinted(out, len(ids), left_out)


# --- publicity ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublicRow:
    seq: int
    serial: str
    name: str
    identifier: str  # already masked for persons
    type_name: str
    area_name: str
    business: str
    signed_on: dt.date
    term_until: dt.date
    status_label: str
    outcome_on: dt.date | None


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


#: The public commitments list (.xlsx), declared once.
PUBLICITY_LAYOUT = Layout("信用承诺公示", (
    Column("seq", "序号", width=6),
    Column("serial", "承诺编号", width=26),
    Column("name", "承诺主体", width=32),
    Column("identifier", "统一社会信用代码/身份证号码", width=24),
    Column("type_name", "承诺类型", width=22),
    Column("area_name", "应用领域", width=12),
    Column("business", "涉及业务", width=30),
    Column("signed_on", "签署日期", width=12, format=lambda r: _iso(r.signed_on)),
    Column("term_until", "履约期限至", width=12, format=lambda r: _iso(r.term_until)),
    Column("status_label", "履约状态", width=10),
    Column("outcome_on", "办结日期", width=12, format=lambda r: _iso(r.outcome_on)),
))


@dataclass(frozen=True)
class AreaIndicator:
    """The plan's indicator: application areas with commitments signed in the period (target ≥ 1; ≥ 2)."""

    start: dt.date
    end: dt.date
    count: int
    areas: tuple[tuple[str, str, int], ...]  # (code, name, commitments)
    commitments: int

    def text(self) -> str:
        names = "、".join(f"{n}（{k}份）" for _, n, k in self.areas) or "无"
        return f"{self.start.isoformat()}至{self.end.isoformat()}，有信用承诺的应用领域 {self.count} 个：{names}；共 {self.commitments} 份承诺。"

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "areas_with_commitments": self.count,
            "areas": [{"code": c, "name": n, "commitments": k} for c, n, k in self.areas], "commitments": self.commitments,
        }


def _area_counts(session: Session, start: dt.date, end: dt.date, unit: str | None = None) -> AreaIndicator:
    organs = None
    if unit:
        from xuyi_desktop.services.units import unit_spellings

        organs = unit_spellings(unit)  # the accepting organ (受理机关)
    rows = commitment_queries.area_counts(session, start, end, organs)
    order = {a.code: i for i, a in enumerate(catalogue().areas)}
    areas = tuple(sorted(((code, area_name(code), int(n)) for code, n in rows), key=lambda x: order.get(x[0], 99)))
    return AreaIndicator(start, end, len(areas), areas, sum(a[2] for a in areas))


def area_indicator(ctx: AppContext, start: dt.date, end: dt.date, unit: str | None = None) -> AreaIndicator:
    """Number of application areas with commitments signed between start and end (inclusive); revoked
    commitments do not count. `unit`: only those the unit accepted (受理机关)."""
    audit.require(ctx, Permission.VIEW)
    if end < start:
        raise ValidationError(FieldProblem("end", "结束日期不能早于开始日期", "end before start"))
    with ctx.transaction() as session:
        return _area_counts(session, start, end, unit)


def export_publicity(ctx: AppContext, out: str | Path, start: dt.date, end: dt.date) -> tuple[int, AreaIndicator]:
    """Commitments signed in the period (revoked ones left out) as a public .xlsx: persons' ID numbers masked,
    the indicator in the footer. Returns (rows, indicator)."""
    audit.require(ctx, Permission.EXPORT)
    from xuyi_desktop.exchange.publicity import write_publicity

    if end < start:
        raise ValidationError(FieldProblem("end", "结束日期不能早于开始日期", "end before start"))
    out = Path(out)
    check_writable(out)
    with ctx.transaction() as session:
        found = commitment_queries.signed_between(session, start, end)
        rows = [
            PublicRow(i, c.serial, e.name, public_identifier(e), type_name(c.type_code), area_name(c.area_code), c.business,
                      c.signed_on, c.term_until, CommitmentStatus(c.status).label, c.outcome_on)
            for i, (c, e) in enumerate(found, 1)
        ]
        indicator = _area_counts(session, start, end)
    title = f"信用承诺公示（{cn_date(start)}至{cn_date(end)}）"
    count = write_publicity(out, PUBLICITY_LAYOUT, title, rows, footer=indicator.text())
    with ctx.transaction() as session:
        audit.write(session, ctx, "export.commitments", f"导出信用承诺公示 {count} 条（{start}至{end}）",
                    details={"rows": count, "areas": indicator.count, "file": out.name})
    return count, indicator
