"""The counter credit check (信用核查): every credit fact about an entity, for the business in hand, logged."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.ratings import RatingStatus, consequences_for, provisional_applies
from xuyi_desktop.services import audit
from xuyi_desktop.services.commitments import for_credit_check as commitments_for_check
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import find_entities
from xuyi_desktop.services.entity_views import summary_of
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.ratings import dishonest_in_year, rated_in_period
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.serials import next_serial
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.models import CreditCheck, DishonestyRecord, Rating


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


@dataclass(frozen=True)
class ConsequenceLine:
    domain: str
    grade: str
    kind: str
    text: str


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return data


def standing(session: Session, entity_id: uuid.UUID, categories: list[str], today: dt.date) -> list[DomainGrade]:
    """Current grade per applicable domain: an effective rating valid today, else 暂定A级 where the rule
    gives it, else none. A rating in publicity is shown beside it."""
    reg = registry()
    result: list[DomainGrade] = []
    domains = {s.code for s in reg.for_categories(categories)}
    rated_domains = set(session.execute(select(Rating.domain).where(Rating.entity_id == entity_id, Rating.deleted_at.is_(None))).scalars())
    for code in sorted(domains | {d for d in rated_domains if reg.latest(d).active}):
        scheme = reg.latest(code)
        current = session.execute(
            select(Rating).where(
                Rating.entity_id == entity_id, Rating.domain == code, Rating.status == RatingStatus.EFFECTIVE.value,
                Rating.deleted_at.is_(None), Rating.valid_from <= today, or_(Rating.valid_until.is_(None), Rating.valid_until >= today),
            ).order_by(Rating.period.desc(), Rating.valid_from.desc()).limit(1)
        ).scalar_one_or_none()
        in_publicity = session.execute(
            select(Rating).where(Rating.entity_id == entity_id, Rating.domain == code, Rating.status == RatingStatus.PUBLICITY.value, Rating.deleted_at.is_(None)).limit(1)
        ).scalar_one_or_none()
        pub_note = f"{in_publicity.period}年度评价{in_publicity.grade}级公示中" if in_publicity else ""
        if current is not None:
            result.append(DomainGrade(
                code, scheme.name, current.grade, False, "effective", current.period,
                current.valid_from.isoformat() if current.valid_from else None,
                current.valid_until.isoformat() if current.valid_until else None,
                in_publicity.publicity_end.isoformat() if in_publicity and in_publicity.publicity_end else None,
                str(current.id), pub_note,
            ))
            continue
        previous = today.year - 1
        if provisional_applies(
            scheme,
            rated_in_previous_period=rated_in_period(session, entity_id, code, previous),
            dishonest_in_previous_period=dishonest_in_year(session, entity_id, previous),
        ):
            result.append(DomainGrade(
                code, scheme.name, scheme.provisional_grade, True, "provisional", None, None, None,
                in_publicity.publicity_end.isoformat() if in_publicity and in_publicity.publicity_end else None, None,
                "；".join(x for x in (f"{previous}年度未参评且无失信记录，暂定{scheme.provisional_grade}级，享受同等待遇", pub_note) if x),
            ))
        else:
            result.append(DomainGrade(code, scheme.name, None, False, "none", note=pub_note or "无有效评价结果"))
    return result


def run_check(ctx: AppContext, query: str, business: str, *, today: dt.date | None = None) -> CreditCheckResult:
    """Find the best-matching entity and assemble its credit facts for the business; log the check."""
    audit.require(ctx, Permission.VIEW)
    reg = registry()
    biz = reg.business(business)
    hits = find_entities(ctx, query, limit=1)
    if not hits:
        raise NotFoundError(f"与“{query}”匹配的市场主体")
    return check_entity(ctx, hits[0].id, biz.code, query=query, today=today)


def check_entity(ctx: AppContext, entity_id: uuid.UUID, business: str, *, query: str = "", today: dt.date | None = None) -> CreditCheckResult:
    audit.require(ctx, Permission.VIEW)
    reg = registry()
    biz = reg.business(business)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        entity = entity_queries.by_id(session, entity_id)
        if entity is None or entity.deleted_at is not None:
            raise NotFoundError(str(entity_id))
        categories = [c.category for c in entity.categories]
        grades = standing(session, entity.id, categories, today)
        lines: list[ConsequenceLine] = []
        for g in grades:
            if g.grade:
                scheme = reg.latest(g.domain)
                lines += [ConsequenceLine(g.domain, g.grade, c.kind, c.text) for c in consequences_for(scheme, g.grade, biz.code)]
        dishonest = [
            {"occurred_on": d.occurred_on.isoformat(), "category": d.category, "description": d.description, "document_no": d.document_no}
            for d in session.execute(
                select(DishonestyRecord).where(
                    DishonestyRecord.entity_id == entity.id, DishonestyRecord.deleted_at.is_(None),
                    or_(DishonestyRecord.ends_on.is_(None), DishonestyRecord.ends_on >= today),
                ).order_by(DishonestyRecord.occurred_on.desc())
            ).scalars()
        ]
        if dishonest:
            lines.append(ConsequenceLine("", "", "restriction", f"存在{len(dishonest)}条失信记录，依法依规审慎办理"))
        commitments = commitments_for_check(session, entity.id, today)
        violated = [c for c in commitments if c["status"] == "violated"]
        if violated:
            lines.append(ConsequenceLine(
                "", "", "restriction",
                f"存在{len(violated)}项违诺的信用承诺（{'、'.join(c['serial'] for c in violated[:3])}{'等' if len(violated) > 3 else ''}），"
                "不适用告知承诺、容缺受理等信用便利措施，依法依规审慎办理",
            ))
        summary = summary_of(entity)
        serial = next_serial(session, ctx, "HC", today.year)
        result = CreditCheckResult(
            serial=serial, checked_at=dt.datetime.now(dt.UTC).isoformat(), checked_by=ctx.actor, office=ctx.office_code,
            business=biz.code, business_name=biz.name,
            entity={**summary.to_json(), "kind_label": summary.kind_label, "category_labels": summary.category_labels},
            grades=grades, consequences=lines, dishonesty=dishonest, commitments=commitments,
        )
        session.add(CreditCheck(
            serial=serial, office_code=ctx.office_code, username=ctx.actor, entity_id=entity.id, business=biz.code,
            query=query[:200], result_json=json.dumps(result.to_json(), ensure_ascii=False, default=str),
        ))
        grade_text = "，".join(f"{g.domain_name}{g.grade or '无'}{'(暂定)' if g.provisional else ''}" for g in grades) or "无评价"
        audit.write(session, ctx, "credit.check", f"信用核查 {entity.name}（{biz.name}）：{grade_text}", record_table="entity", record_id=entity.id, details={"serial": serial})
        return result
