"""Rating use cases: enter, correct, move through the publicity workflow, objections, attachments, timeline."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.rating_schemes import RatingScheme
from xuyi_desktop.domain.ratings import (
    DerivedGrade,
    RatingStatus,
    check_correctable,
    check_transition,
    check_typed_grade,
    derive_grade,
    may_correct,
    score_from_deductions,
)
from xuyi_desktop.domain.working_days import add_months
from xuyi_desktop.paths import data_dir
from xuyi_desktop.services import attachments, audit, four_eyes
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.unit_of_work import UnitOfWork, unit_of_work
from xuyi_desktop.storage.models import (
    Entity,
    Rating,
    RatingAttachment,
    RatingObjection,
)
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.snapshots import row_image

TABLE = "rating"


@dataclass(frozen=True)
class RatingInput:
    """What a clerk enters for a rating. Give a score, itemised deductions, points, or (only where no
    score decides it) a grade."""

    entity: str | uuid.UUID
    domain: str
    period: int
    score: float | None = None
    points: float | None = None
    deductions: tuple[tuple[str, float | None], ...] = ()
    grade: str | None = None
    evaluating_organ: str = ""
    decision_date: dt.date | None = None
    document_no: str = ""
    basis_notes: str = ""
    # Where a serious act sets the grade directly (直接定为D级): the end of the penalty for that act; the grade
    # then lasts until it when that is later than the usual validity (SPEC §4).
    penalty_until: dt.date | None = None


@dataclass(frozen=True)
class RatingView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    domain: str
    domain_name: str
    scheme_version: str
    period: int
    score: float | None
    points: float | None
    deductions: list[dict[str, Any]]
    grade: str
    grade_notes: str
    status: RatingStatus
    evaluating_organ: str
    decision_date: dt.date | None
    document_no: str
    basis_notes: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    supersedes_id: uuid.UUID | None
    certificate_serial: str | None
    version: int
    updated_at: dt.datetime
    updated_office: str
    warnings: tuple[str, ...] = ()
    objections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def correctable(self) -> bool:
        """Whether correct_rating accepts this rating (not revoked, not superseded)."""
        return may_correct(self.status)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "entity_id": str(self.entity_id),
            "entity_name": self.entity_name,
            "domain": self.domain,
            "domain_name": self.domain_name,
            "scheme_version": self.scheme_version,
            "period": self.period,
            "score": self.score,
            "points": self.points,
            "deductions": self.deductions,
            "grade": self.grade,
            "grade_notes": self.grade_notes,
            "status": self.status.value,
            "status_label": self.status.label,
            "evaluating_organ": self.evaluating_organ,
            "decision_date": self.decision_date.isoformat() if self.decision_date else None,
            "document_no": self.document_no,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "publicity_start": self.publicity_start.isoformat() if self.publicity_start else None,
            "publicity_end": self.publicity_end.isoformat() if self.publicity_end else None,
            "supersedes_id": str(self.supersedes_id) if self.supersedes_id else None,
            "certificate_serial": self.certificate_serial,
            "version": self.version,
            "warnings": list(self.warnings),
            "objections": self.objections,
        }


def snapshot(r: Rating) -> dict[str, Any]:
    """The change-log image of a rating: every column (what sync rebuilds the row from)."""
    return row_image(r)


def resolve_entity(session: Session, key: str | uuid.UUID) -> Entity:
    """ENTITY as the CLI and importers give it: a UUID or an identifier."""
    from xuyi_desktop.domain.identifiers import normalise_identifier
    from xuyi_desktop.storage import entity_queries

    entity = None
    if isinstance(key, uuid.UUID):
        entity = entity_queries.by_id(session, key)
    else:
        try:
            entity = entity_queries.by_id(session, uuid.UUID(key.strip()))
        except ValueError:
            entity = entity_queries.live_by_identifier(session, normalise_identifier(key))
    if entity is None or entity.deleted_at is not None:
        raise NotFoundError(f"市场主体 {key}")
    return entity


def _view(session: Session, r: Rating, warnings: tuple[str, ...] = ()) -> RatingView:
    entity = session.get(Entity, r.entity_id)
    scheme = registry().for_period(r.domain, r.period)
    objections = [
        {"id": str(o.id), "received_on": o.received_on.isoformat(), "objector": o.objector, "content": o.content,
         "outcome": o.outcome, "outcome_note": o.outcome_note}
        for o in rating_queries.objections_of(session, r.id)
    ]
    return RatingView(
        r.id, r.entity_id, entity.name if entity else "", r.domain, scheme.name, r.scheme_version, r.period, r.score,
        r.bad_points, json.loads(r.deductions_json), r.grade, r.grade_notes, RatingStatus(r.status), r.evaluating_organ,
        r.decision_date, r.document_no, r.basis_notes, r.valid_from, r.valid_until, r.publicity_start, r.publicity_end,
        r.supersedes_id, r.certificate_serial, r.version, r.updated_at, r.updated_office, warnings, objections,
    )


def _previous_grade(session: Session, entity_id: uuid.UUID, domain: str, period: int) -> str | None:
    """The grade of the latest evaluated period before this one (逐级上升 compares with it): unrated years in
    between do not reset the climb — a C of 2022 still caps 2024 at B when 2023 was not rated."""
    return rating_queries.previous_grade(session, entity_id, domain, period)


def previous_grade(ctx: AppContext, entity_id: uuid.UUID, domain: str, period: int) -> str | None:
    """The effective grade of the period before (what the 逐级上升 cap compares with), for live previews."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return _previous_grade(session, entity_id, domain, period)


def _derive(scheme: RatingScheme, data: RatingInput, previous: str | None) -> tuple[DerivedGrade | None, float | None, list[dict[str, Any]]]:
    score = data.score
    deductions: list[dict[str, Any]] = []
    direct = None
    if data.deductions:
        if not scheme.uses_deductions:
            raise ValidationError(FieldProblem("deductions", f"“{scheme.name}”不使用扣分项", "scheme has no deductions"))
        computed, direct = score_from_deductions(scheme, data.deductions)
        if score is not None and abs(score - computed) > 0.005:
            raise ValidationError(FieldProblem("score", f"填写的分数{score:g}与扣分计算结果{computed:g}不一致", "score contradicts deductions"))
        score = computed
        for code, points in data.deductions:
            item = scheme.deduction(code)
            assert item is not None
            deductions.append({"code": code, "name": item.name, "points": item.points if points is None else points})
    if scheme.uses_score or scheme.uses_points:
        if score is None and data.points is None and data.grade and not direct:
            # A grade typed without any measure: only acceptable where the scheme has no score at all.
            raise ValidationError(FieldProblem("score", f"“{scheme.name}”的等级由分数决定，请填写分数或扣分项", "enter the score, not the grade"))
        derived = derive_grade(scheme, score, data.points, direct_grade=direct, previous_grade=previous)
        return derived, score, deductions
    return None, score, deductions


def add_rating(ctx: AppContext, data: RatingInput) -> RatingView:
    """Record a rating as a draft. The grade is derived from the scheme; a typed grade must agree with it."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    return _create(ctx, data, supersedes=None)


def correct_rating(ctx: AppContext, rating_id: uuid.UUID, data: RatingInput) -> RatingView:
    """A correction is a new draft version; the old one stays and is superseded when the new one takes effect."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    return _create(ctx, data, supersedes=rating_id)


def _create(ctx: AppContext, data: RatingInput, supersedes: uuid.UUID | None) -> RatingView:
    with ctx.transaction() as session:
        return add_rating_in(session, ctx, data, supersedes=supersedes)


def add_rating_in(session: Session, ctx: AppContext, data: RatingInput, *, supersedes: uuid.UUID | None = None) -> RatingView:
    """add_rating inside the caller's transaction (for all-or-nothing imports). The caller checks the right."""
    reg = registry()
    if not 2000 <= data.period <= dt.date.today().year + 1:
        raise ValidationError(FieldProblem("period", "评价年度不合理", "implausible period"))
    # The scheme in force for the period: an earlier period gets the scheme valid then (the legacy operator
    # scheme for 2023), a replaced scheme is refused after its successor began; each a one-line message.
    scheme = reg.for_period(data.domain, data.period)
    if data.decision_date and data.decision_date > dt.date.today():
        raise ValidationError(FieldProblem("decision_date", "评定日期不能晚于今天", "decision date in the future"))
    entity = resolve_entity(session, data.entity)
    person_domain = all(CATEGORIES[c][1] is EntityKind.PERSON for c in scheme.applies_to)
    if (entity.kind == EntityKind.PERSON.value) != person_domain:
        raise ValidationError(FieldProblem("domain", f"“{scheme.name}”不适用于{EntityKind(entity.kind).label}", "domain does not fit the entity kind"))
    warnings = []
    if not {c.category for c in entity.categories} & set(scheme.applies_to):
        labels = "、".join(CATEGORIES[c][0] for c in scheme.applies_to)
        warnings.append(f"该主体未登记为“{labels}”类别")
    if supersedes is not None:
        old = session.get(Rating, supersedes)
        if old is None or old.entity_id != entity.id or old.domain != data.domain or old.period != data.period:
            raise ValidationError(FieldProblem("supersedes", "更正的评价应为同一主体、同一领域、同一年度", "correction must match"))
        check_correctable(RatingStatus(old.status))
    derived, score, deductions = _derive(scheme, data, _previous_grade(session, entity.id, data.domain, data.period))
    if data.grade:
        grade = check_typed_grade(scheme, data.grade.strip().upper(), derived)
    elif derived is not None:
        grade = derived.grade
    else:
        raise ValidationError(FieldProblem("grade", "请填写等级", "grade required"))
    notes = list(derived.notes) if derived else []
    direct = bool(derived and derived.direct)
    if data.penalty_until is not None and not direct:
        raise ValidationError(FieldProblem("penalty_until", "只有直接定级（如直接定为D级）的评价才填写处罚期限", "penalty end only for a direct grade"))
    rating = Rating(
        entity_id=entity.id, domain=scheme.code, scheme_version=scheme.version, period=data.period, score=score,
        bad_points=data.points, deductions_json=json.dumps(deductions, ensure_ascii=False), grade=grade,
        grade_notes="；".join(notes), status=RatingStatus.DRAFT.value, evaluating_organ=data.evaluating_organ.strip(),
        decision_date=data.decision_date, document_no=data.document_no.strip(), basis_notes=data.basis_notes.strip(),
        supersedes_id=supersedes, penalty_until=data.penalty_until if direct else None,
    )
    what = "更正" if supersedes else "录入"
    UnitOfWork(session, ctx).add(rating, summary=f"{what}信用评价 {entity.name} {scheme.name} {data.period}年度 {grade}级")
    return _view(session, rating, tuple(warnings + notes))


def add_working_days(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The Nth working day after `start` (the start day itself not counted), by the statutory holiday calendar
    (resources/holidays/); days of a year the calendar lacks count by weekends alone and the flag says so (待确认)."""
    from xuyi_desktop.services.sgs_calendar import calendar

    return calendar().working_day_after_tentative(start, days)



def set_status(
    ctx: AppContext, rating_id: uuid.UUID, target: RatingStatus, *, note: str = "", today: dt.date | None = None,
    override_reason: str = "",
) -> RatingView:
    """Move a rating through 草稿 → 已审核 → 公示中 → 生效 (or 撤销). Reviewers only; every step audited.
    生效 is refused while the publicity window runs (SPEC §4: at least 10 working days), unless a reviewer
    gives a written reason (override_reason), which is kept on the rating and in the audit trail."""
    audit.require(ctx, Permission.RATING_APPROVE)
    today = today or dt.date.today()
    if override_reason.strip():
        audit.require(ctx, Permission.CREDIT_REVIEW)
    with unit_of_work(ctx) as uow:
        session = uow.session
        rating = session.get(Rating, rating_id)
        if rating is None or rating.deleted_at is not None:
            raise NotFoundError(f"信用评价 {rating_id}")
        current = RatingStatus(rating.status)
        check_transition(current, target)
        before = uow.before_image(rating)
        warnings: list[str] = []
        scheme = registry().for_period(rating.domain, rating.period)
        if target is RatingStatus.PUBLICITY:
            rating.publicity_start = today
            rating.publicity_end, tentative = add_working_days(today, scheme.publicity_working_days)
            if tentative:
                warnings.append(f"公示期截止日 {rating.publicity_end:%Y-%m-%d} 待确认：{rating.publicity_end.year}年节假日安排尚未安装，暂按周末计算")
        if target is RatingStatus.EFFECTIVE:
            four_eyes.check_effect(session, ctx, TABLE, rating.id)  # issue 21: not the one who entered it
            if rating_queries.has_pending_objection(session, rating.id):
                raise ValidationError(FieldProblem("status", "还有未处理的异议，处理完毕后才能生效", "objections pending"))
            if rating.publicity_end and today <= rating.publicity_end:
                if not override_reason.strip():
                    raise ValidationError(FieldProblem(
                        "status", f"公示期至{rating.publicity_end:%Y-%m-%d}，公示期满后（{rating.publicity_end + dt.timedelta(days=1):%Y-%m-%d}起）才能生效；"
                        "确需提前生效的，由审核人员填写理由", "publicity has not ended",
                    ))
                rating.effective_override_reason = override_reason.strip()
                warnings.append(f"公示期至{rating.publicity_end:%Y-%m-%d}，未满即生效（理由：{override_reason.strip()}）")
            rating.valid_from = today
            rating.valid_until = add_months(today, scheme.validity_months) - dt.timedelta(days=1)
            if rating.penalty_until is not None and rating.penalty_until > rating.valid_until:
                rating.valid_until = rating.penalty_until
                warnings.append(f"直接定为{rating.grade}级，处罚期限至{rating.penalty_until:%Y-%m-%d}，有效期相应延长")
            _supersede_others(uow, rating)
        rating.status = target.value
        entity = session.get(Entity, rating.entity_id)
        uow.record(
            rating, before,
            summary=f"信用评价 {entity.name if entity else ''} {rating.period}年度 {current.label}→{target.label}" + (f"：{note}" if note else "") + ("（" + "；".join(warnings) + "）" if warnings else ""),
        )
        return _view(session, rating, tuple(warnings))


def _supersede_others(uow: UnitOfWork, rating: Rating) -> None:
    for old in rating_queries.other_effective(uow.session, rating):
        uow.change(old, verb="update", status=RatingStatus.SUPERSEDED.value, summary=f"信用评价被新版本取代（{rating.id}）")


def add_objection(ctx: AppContext, rating_id: uuid.UUID, *, objector: str, content: str, received_on: dt.date | None = None) -> uuid.UUID:
    """Record an objection received during publicity."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    with unit_of_work(ctx) as uow:
        rating = uow.session.get(Rating, rating_id)
        if rating is None:
            raise NotFoundError(f"信用评价 {rating_id}")
        if rating.status != RatingStatus.PUBLICITY.value:
            raise ValidationError(FieldProblem("status", "只能在公示期内登记异议", "objections only during publicity"))
        if not objector.strip() or not content.strip():
            raise ValidationError(FieldProblem("objection", "异议人和异议内容都必须填写", "objector and content required"))
        obj = RatingObjection(
            rating_id=rating.id, received_on=received_on or dt.date.today(), objector=objector.strip(), content=content.strip(),
        )
        uow.add(obj, summary=f"登记异议：{obj.objector}")
        return obj.id


def decide_objection(ctx: AppContext, objection_id: uuid.UUID, *, upheld: bool, note: str) -> None:
    """Record the outcome. An upheld objection sends the rating back to draft for a correction."""
    audit.require(ctx, Permission.RATING_APPROVE)
    with unit_of_work(ctx) as uow:
        obj = uow.session.get(RatingObjection, objection_id)
        if obj is None:
            raise NotFoundError(f"异议 {objection_id}")
        if obj.outcome != "pending":
            raise ValidationError(FieldProblem("outcome", "该异议已处理", "already decided"))
        uow.change(obj, verb="update", summary=f"异议处理：{'成立' if upheld else '不成立'}",
                   outcome="upheld" if upheld else "rejected", outcome_note=note.strip(), decided_on=dt.date.today())
    if upheld:
        set_status(ctx, obj.rating_id, RatingStatus.DRAFT, note="异议成立，退回更正")


def attach_file(ctx: AppContext, rating_id: uuid.UUID, source: Path) -> uuid.UUID:
    """Link a file to the rating. Its bytes go into the database (services.attachments: every counter and every
    office receiving the rating by sync can open it); the data folder keeps a cache copy."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    data, digest = attachments.read_checked(source)
    target = attachments.write_cache(attachments.cache_path(digest, attachments.cache_suffix(data)), data)
    with unit_of_work(ctx) as uow:
        if uow.session.get(Rating, rating_id) is None:
            raise NotFoundError(f"信用评价 {rating_id}")
        attachments.store_content(uow.session, ctx, data, digest, source.name)
        att = RatingAttachment(
            rating_id=rating_id, original_name=source.name, stored_path=str(target.relative_to(data_dir())), sha256=digest,
            size=len(data),
        )
        uow.add(att, summary=f"附件 {source.name}")
        return att.id


def list_ratings(ctx: AppContext, entity: str | uuid.UUID) -> list[RatingView]:
    """The entity's timeline: every rating and version, newest period first."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        e = resolve_entity(session, entity)
        return [_view(session, r) for r in rating_queries.timeline(session, e.id)]


def get_rating(ctx: AppContext, rating_id: uuid.UUID) -> RatingView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        r = session.get(Rating, rating_id)
        if r is None:
            raise NotFoundError(f"信用评价 {rating_id}")
        return _view(session, r)
