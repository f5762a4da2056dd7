"""The counter credit check (信用核查): the entity's credit profile and what it means for the business in hand
(precedence applied), logged with a serial. Composed once, here: the page, the CLI, the sheet and commitment
acceptance all call it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.consequences import Decision, Line
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import CreditProfile, PenaltyFact, PenaltyState, RatingFact
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entity_views import EntitySummary, summary_of
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.profile import build_profile, decide_for
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.serials import next_serial
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import CreditCheck


@dataclass(frozen=True)
class DomainGrade:
    """The entity's standing in one evaluation domain today."""

    domain: str
    domain_name: str
    grade: str | None
    provisional: bool
    status: str
    period: int | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    publicity_until: str | None = None
    rating_id: str | None = None
    note: str = ""
    organ: str = ""


@dataclass(frozen=True)
class ConsequenceLine:
    """One line of the decision: `domain` names the scheme for grade consequences ("" for profile rules);
    `source` the facts that triggered it (the sheet says why)."""

    domain: str
    grade: str
    kind: str
    text: str
    source: str = ""
    measures: tuple[str, ...] = ()
    rule: str = ""


@dataclass
class CreditCheckResult:
    serial: str
    checked_at: str
    checked_by: str
    office: str
    business: str
    business_name: str
    entity: dict[str, Any]
    grades: list[DomainGrade]
    consequences: list[ConsequenceLine]
    dishonesty: list[dict[str, Any]] = field(default_factory=list)
    commitments: list[dict[str, Any]] = field(default_factory=list)  # 信用承诺, violated first
    penalties: list[dict[str, Any]] = field(default_factory=list)  # 行政处罚 in publicity (or pending a class)
    suppressed: list[dict[str, Any]] = field(default_factory=list)  # incentives a restriction overrode, and why
    lists: list[dict[str, Any]] = field(default_factory=list)  # red / black / watch / 治超 memberships
    # 第三方信用报告 for the businesses that look at them (tender.toml: 招投标); None elsewhere
    third_party_reports: list[dict[str, Any]] | None = None
    verdict: str = "none"  # restriction / incentive / none
    verdict_label: str = ""
    checked_by_name: str = ""
    # 信用积分 (诚信港区): balance, tier and the tier's differentiated service; None without a ledger.
    points: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _grade(r: RatingFact) -> DomainGrade:
    note = r.reason
    if r.publicity_grade:
        note = "；".join(x for x in (note, f"{r.publicity_period}年度评价{r.publicity_grade}级公示中") if x)
    return DomainGrade(
        r.domain, r.domain_name, r.grade, r.provisional, r.status, r.period, _iso(r.valid_from), _iso(r.valid_until),
        _iso(r.publicity_until), r.rating_id, note, r.organ,
    )


def _line(x: Line) -> ConsequenceLine:
    domain = x.rule.split("#", 1)[0] if "#" in x.rule else ""
    return ConsequenceLine(domain, "", x.kind, x.text, x.source, x.measures, x.rule)


def penalty_json(p: PenaltyFact) -> dict[str, Any]:
    return {
        "id": p.record_id, "document_no": p.document_no, "decided_on": _iso(p.decided_on),
        "categories": list(p.categories), "publicity_class": p.publicity_class, "class_source": p.class_source,
        "state": p.state.value, "state_label": p.state.label, "publicity_end": _iso(p.publicity_end),
        "repair_from": _iso(p.repair_from), "rules": p.rules_source, "organ": p.deciding_organ, "facts": p.facts,
        "content": p.content, "fine": p.fine, "repaired_on": _iso(p.repaired_on),
    }


def result_from_profile(profile: CreditProfile, decision: Decision, *, serial: str, business_name: str, checked_by: str,
                        checked_by_name: str, office: str, summary: dict[str, Any]) -> CreditCheckResult:
    """The check as the counter shows and prints it, all from one profile and its decision."""
    shown = (PenaltyState.IN_PUBLICITY, PenaltyState.PENDING_CLASS)
    return CreditCheckResult(
        serial=serial, checked_at=dt.datetime.now(dt.UTC).isoformat(), checked_by=checked_by, office=office,
        business=decision.business, business_name=business_name, entity=summary,
        grades=[_grade(r) for r in profile.ratings], consequences=[_line(x) for x in decision.lines],
        dishonesty=[
            {"id": d.record_id, "occurred_on": d.occurred_on.isoformat(), "category": d.category, "description": d.description,
             "document_no": d.document_no, "source": d.source, "ends_on": _iso(d.ends_on)}
            for d in profile.active_dishonesty
        ],
        commitments=[
            {"id": c.record_id, "serial": c.serial, "type": c.type_code, "type_name": c.type_name, "area_name": c.area_name,
             "business": c.business, "signed_on": c.signed_on.isoformat(), "term_until": c.term_until.isoformat(),
             "status": c.status, "status_label": c.status_label, "overdue": c.overdue, "outcome_on": _iso(c.outcome_on),
             "violation_facts": c.violation_facts}
            for c in profile.commitments if c.status != "revoked"
        ],
        penalties=[penalty_json(p) for p in profile.penalties if p.state in shown],
        suppressed=[s.to_json() for s in decision.suppressed],
        lists=[{"type": m.list_type, "name": m.list_name, "entered_on": m.entered_on.isoformat(),
                "expires_on": _iso(m.expires_on), "reason": m.reason} for m in profile.active_lists()],
        verdict=decision.verdict, verdict_label=decision.verdict_label, checked_by_name=checked_by_name,
        points=None if profile.points is None else {
            "balance": profile.points.balance, "tier_code": profile.points.tier_code, "tier_name": profile.points.tier_name,
            "services": list(profile.points.services), "scheme": profile.points.scheme,
        },
    )


class AmbiguousQueryError(DomainError):
    """A fragment matched several entities: the clerk picks one (no serial was used)."""

    def __init__(self, query: str, hits: list[EntitySummary]) -> None:
        self.hits = hits
        names = "；".join(f"{h.name}（{h.identifier}）" for h in hits[:5])
        more = f"{len(hits)}个以上" if len(hits) >= 20 else f"{len(hits)}个"
        self.message_zh = f"“{query}”匹配到{more}主体：{names}{'等' if len(hits) > 5 else ''}。请输入统一社会信用代码、身份证号码或完整名称"
        self.message_en = "several entities match: give the identifier or the full name"
        super().__init__(self.message_zh)


def resolve_query(ctx: AppContext, query: str) -> uuid.UUID:
    """The one entity a query names (services.entity_lookup.resolve_entity, the entity picker's service): a UUID,
    an identifier, an exact name, or a fragment with exactly one hit. Several hits are refused before anything is
    logged or numbered."""
    from xuyi_desktop.services.entity_lookup import resolve_entity

    return resolve_entity(ctx, query)


def run_check(ctx: AppContext, query: str, business: str, *, today: dt.date | None = None) -> CreditCheckResult:
    """`xuyi check QUERY --business B`: resolve the query to one entity, then check it."""
    audit.require(ctx, Permission.VIEW)
    biz = registry().business(business)
    return check_entity(ctx, resolve_query(ctx, query), biz.code, query=query, today=today)


def check_entity(ctx: AppContext, entity_id: uuid.UUID, business: str, *, query: str = "", today: dt.date | None = None) -> CreditCheckResult:
    """Assemble the profile, decide for the business, log the check with its serial (one per check)."""
    audit.require(ctx, Permission.VIEW)
    biz = registry().business(business)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        entity = entity_queries.by_id(session, entity_id)
        if entity is None or entity.deleted_at is not None:
            raise NotFoundError(f"市场主体 {entity_id}")
        return check_in(session, ctx, entity, biz.code, query=query, today=today)


def check_in(session: Session, ctx: AppContext, entity: Any, business: str, *, query: str = "", today: dt.date,
             action: str = "credit.check") -> CreditCheckResult:
    """check_entity inside the caller's transaction (commitment acceptance runs it before recording)."""
    biz = registry().business(business)
    profile = build_profile(session, entity, today)
    decision = decide_for(profile, biz.code)
    summary = summary_of(entity)
    serial = next_serial(session, ctx, "HC", today.year)
    result = result_from_profile(
        profile, decision, serial=serial, business_name=biz.name, checked_by=ctx.actor,
        checked_by_name=(ctx.user.display_name or ctx.user.username) if ctx.user else ctx.actor, office=ctx.office_code,
        summary={**summary.to_json(), "kind_label": summary.kind_label, "category_labels": summary.category_labels,
                 "status_label": summary.status_label},
    )
    from xuyi_desktop.services.tender import reports_for_check  # tender day: the entity's third-party reports

    result.third_party_reports = reports_for_check(session, entity.id, biz.code, today)
    session.add(CreditCheck(
        serial=serial, office_code=ctx.office_code, username=ctx.actor, entity_id=entity.id, business=biz.code,
        query=query[:200], result_json=json.dumps(result.to_json(), ensure_ascii=False, default=str),
    ))
    grade_text = "，".join(f"{g.domain_name}{g.grade or '无'}{'(暂定)' if g.provisional else ''}" for g in result.grades) or "无评价"
    audit.write(session, ctx, action, f"信用核查 {entity.name}（{biz.name}）：{grade_text}；{decision.verdict_label}",
                record_table="entity", record_id=entity.id, details={"serial": serial, "verdict": decision.verdict})
    return result
