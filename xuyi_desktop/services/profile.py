"""The credit profile service: one place that reads every record bearing on an entity's credit (ratings,
双公示 penalties, dishonesty, commitments, licences, lists, repairs, checks) and hands out a CreditProfile for a
date. Every decision reads the profile and nothing else: the counter check (services.credit_check), 暂定A级,
commitment acceptance, the reports. A penalty entered at any counter, or arriving by sync, is in the next one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as sgs_rules
from xuyi_desktop.domain.commitments import CommitmentStatus, is_overdue
from xuyi_desktop.domain.consequences import (
    Decision,
    RuleBook,
    RuleFileError,
    decide,
    parse_rule_book,
    previous_period_bounds,
)
from xuyi_desktop.domain.entities import CATEGORIES, EntityKind, EntityStatus
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.profile import (
    PENDING_CLASS,
    CheckFact,
    CommitmentFact,
    CreditProfile,
    DishonestyFact,
    EntityFacts,
    LicenceFact,
    ListMembership,
    PenaltyFact,
    PenaltyState,
    RatingFact,
    RatingHistoryFact,
    RepairFact,
)
from xuyi_desktop.domain.ratings import RatingStatus, provisional_decision
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_sgs import SgsRecord
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import credit_checks as credit_check_queries
from xuyi_desktop.storage.queries import dishonesty as dishonesty_queries
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.queries import repair as repair_queries
from xuyi_desktop.storage.queries import sgs as sgs_queries

CHECKS_IN_PROFILE = 50


class RuleBookError(DomainError):
    """resources/credit_check/consequences.toml is broken: the application refuses to guess."""

    def __init__(self, error: RuleFileError) -> None:
        self.message_zh = f"信用核查规则文件有误：{error}"
        self.message_en = "resources/credit_check/consequences.toml is invalid"
        super().__init__(self.message_zh)


@lru_cache(maxsize=1)
def rule_book() -> RuleBook:
    """The profile rules, checked against the business types and the measures the schemes name (once per process)."""
    reg = registry()
    path = resource_path("credit_check", "consequences.toml")
    try:
        return parse_rule_book(
            path.read_text(encoding="utf-8"), where=path.name, business_codes=[b.code for b in reg.businesses],
            measures_in_schemes=reg.measures(),
        )
    except RuleFileError as exc:
        raise RuleBookError(exc) from exc


def decide_for(profile: CreditProfile, business: str) -> Decision:
    """The incentives and restrictions the profile gives for the business, precedence applied."""
    reg = registry()
    reg.business(business)  # an unknown business is the clerk's one-line error, not a silent empty answer
    return decide(rule_book(), reg, profile, business)


# --- assembling ------------------------------------------------------------------------------------------

def entity_facts(entity: Entity, *, reveal: bool) -> EntityFacts:
    kind = EntityKind(entity.kind)
    ident = entity.identifier if reveal or kind is not EntityKind.PERSON else (mask_id_number(entity.identifier) or "")
    cats = tuple(c.category for c in entity.categories)
    return EntityFacts(
        str(entity.id), entity.name, entity.kind, kind.label, ident, entity.status, EntityStatus(entity.status).label,
        cats, tuple(CATEGORIES[c][0] for c in cats if c in CATEGORIES), entity.legal_representative, entity.address,
        entity.region_code,
    )


def _penalty_rows(session: Session, entity: Entity) -> list[SgsRecord]:
    """Current versions of the penalty decisions against the entity: linked by id, or (recorded before the entity
    was registered, or received by sync unlinked) by its identifier."""
    return sgs_queries.current_penalties_of(session, entity.id, entity.identifier)


def penalty_fact(row: SgsRecord, as_of: dt.date) -> PenaltyFact:
    """Where a penalty stands on `as_of`, under the publicity rules in force on its decision date."""
    from xuyi_desktop.services.sgs import publicity_rules

    klass = row.publicity_class or PENDING_CLASS
    decided = row.jdrq
    rules = publicity_rules(decided) if decided else publicity_rules()
    text = " ".join(x for x in (row.wfxw, row.sy, row.yj) if x)
    known = klass in sgs_rules.PUBLICITY_CLASSES and decided is not None
    end = row.gsjzq or (rules.end(klass, decided) if known and decided else None)
    repair_from = rules.earliest_repair(klass, decided, text) if known and decided else None
    if row.withdrawn_on is not None and row.withdrawn_on <= as_of:
        state = PenaltyState.WITHDRAWN
    elif decided is None or decided > as_of:
        state = PenaltyState.NOT_YET
    elif row.repaired_on is not None and row.repaired_on <= as_of:
        state = PenaltyState.REPAIRED
    elif klass == PENDING_CLASS:
        state = PenaltyState.PENDING_CLASS
    elif end is None:
        state = PenaltyState.NOT_PUBLISHED
    else:
        state = PenaltyState.IN_PUBLICITY if as_of <= end else PenaltyState.EXPIRED
    source = {"record": "record", "": "record", "review": "record"}.get(row.class_source or "", row.class_source)
    return PenaltyFact(
        str(row.id), str(row.lineage_id), row.wsh, decided, tuple(c for c in (row.cflb or "").split("；") if c), klass,
        source, state, end, repair_from, rules.label, row.jg, (row.wfxw or row.sy or "")[:200], (row.nr or "")[:300],
        row.fk or "", row.repaired_on, row.withdrawn_on, bool(row.simple_procedure), (row.yj or "")[:200],
    )


def _dishonesty(session: Session, entity_id: uuid.UUID, as_of: dt.date) -> list[DishonestyFact]:
    rows = dishonesty_queries.of_entity(session, entity_id)
    return [
        DishonestyFact(
            str(d.id), d.occurred_on, d.category, d.description, d.document_no, d.source, d.ends_on,
            d.occurred_on <= as_of and (d.ends_on is None or d.ends_on >= as_of)
            and (d.repaired_on is None or d.repaired_on > as_of),
            d.end_reason or "", d.repaired_on,
        )
        for d in rows
    ]


def _lists(session: Session, entity_id: uuid.UUID) -> list[ListMembership]:
    """Confirmed entries (an early exit shortens them to the day before it); the profile's date picks the active."""
    from xuyi_desktop.services.credit_lists import list_definitions

    defs = list_definitions()
    rows = list_queries.memberships_of(session, entity_id)
    out = []
    for m in rows:
        assert m.entered_on is not None
        ends = m.expires_on
        if m.exit_on is not None and (ends is None or m.exit_on <= ends):
            ends = m.exit_on - dt.timedelta(days=1)
        out.append(ListMembership(m.list_type, defs[m.list_type].name if m.list_type in defs else m.list_type,
                                  m.entered_on, ends, m.reason, str(m.id)))
    return out


def _repairs(session: Session, entity_id: uuid.UUID) -> list[RepairFact]:
    rows = repair_queries.approved_of(session, entity_id)
    return [RepairFact(r.record_kind, str(r.record_id), r.decided_on or r.applied_on, r.record_summary) for r in rows]


def _commitments(session: Session, entity_id: uuid.UUID, as_of: dt.date) -> list[CommitmentFact]:
    from xuyi_desktop.services.commitments import area_name, type_name

    rows = commitment_queries.of_entity(session, entity_id, limit=500)
    out = []
    for c in rows:
        status = CommitmentStatus(c.status)
        out.append(CommitmentFact(
            str(c.id), c.serial, c.type_code, type_name(c.type_code), area_name(c.area_code), c.business, c.signed_on,
            c.term_until, status.value, status.label, is_overdue(status, c.term_until, as_of), c.outcome_on,
            c.violation_facts,
        ))
    out.sort(key=lambda c: c.status != CommitmentStatus.VIOLATED.value)
    return out


def _licences(entity: Entity, as_of: dt.date) -> list[LicenceFact]:
    out = []
    for lic in entity.licences:
        if lic.deleted_at is not None:
            continue
        if lic.valid_to is not None and lic.valid_to < as_of:
            state = "已过期"
        elif lic.valid_from is not None and lic.valid_from > as_of:
            state = "未生效"
        else:
            state = "有效"
        out.append(LicenceFact(lic.licence_type, lic.number, lic.valid_from, lic.valid_to, state))
    return out


def _checks(session: Session, entity_id: uuid.UUID) -> list[CheckFact]:
    rows = credit_check_queries.latest_of(session, entity_id, CHECKS_IN_PROFILE)
    return [CheckFact(c.serial, c.at, c.business, c.username) for c in rows]


def _ratings(
    session: Session, entity: Entity, as_of: dt.date, penalties: list[PenaltyFact], dishonesty: list[DishonestyFact],
) -> list[RatingFact]:
    """Per applicable domain: the effective grade valid on the date; else 暂定A级 where the scheme and the profile
    allow it (provisional_decision says why not otherwise); a newer rating in publicity is shown beside it."""
    reg = registry()
    book = rule_book()
    categories = [c.category for c in entity.categories]
    ratings = rating_queries.live_of_entity(session, entity.id)
    domains = {s.code for s in reg.for_categories(categories)}
    domains |= {r.domain for r in ratings if r.status == RatingStatus.EFFECTIVE.value}
    prev_start, prev_end = previous_period_bounds(as_of)
    out: list[RatingFact] = []
    for code in sorted(domains):
        scheme = reg.latest(code)
        mine = [r for r in ratings if r.domain == code]
        current = next((
            r for r in sorted(mine, key=lambda r: (r.period, r.valid_from or dt.date.min), reverse=True)
            if r.status == RatingStatus.EFFECTIVE.value and r.valid_from is not None and r.valid_from <= as_of
            and (r.valid_until is None or r.valid_until >= as_of)
        ), None)
        in_publicity = next((r for r in mine if r.status == RatingStatus.PUBLICITY.value), None)
        pub: dict[str, Any] = {
            "publicity_grade": in_publicity.grade if in_publicity else None,
            "publicity_period": in_publicity.period if in_publicity else None,
            "publicity_until": in_publicity.publicity_end if in_publicity else None,
        }
        if current is not None:
            out.append(RatingFact(
                code, scheme.name, current.grade, "effective", False, "", current.period, current.scheme_version,
                current.valid_from, current.valid_until, current.evaluating_organ, current.decision_date,
                current.document_no, str(current.id), **pub,
            ))
            continue
        if not scheme.active:
            continue  # a replaced scheme's domain with nothing valid: nothing to show
        rated_before = any(
            r.period == prev_start.year and r.status in (RatingStatus.EFFECTIVE.value, RatingStatus.SUPERSEDED.value) for r in mine
        )
        decision = provisional_decision(
            scheme, previous_year=prev_start.year, entity_status=entity.status,
            entity_status_label=EntityStatus(entity.status).label, blocking_statuses=book.provisional.blocking_statuses,
            rated_in_previous_period=rated_before,
            dishonesty_in_previous_period=[f"{d.occurred_on:%Y-%m-%d} {d.category}" for d in dishonesty if prev_start <= d.occurred_on <= prev_end],
            blocking_penalties=[
                f"{p.document_no}（{p.publicity_class}）" for p in penalties
                if p.publicity_class in book.provisional.blocking_penalty_classes and p.publicised_during(prev_start, as_of)
            ],
        )
        if decision.granted:
            out.append(RatingFact(code, scheme.name, scheme.provisional_grade, "provisional", True, decision.reason,
                                  scheme_version=scheme.version, **pub))
        else:
            out.append(RatingFact(code, scheme.name, None, "none", False, decision.reason, scheme_version=scheme.version, **pub))
    return out


def _flag_rerating(ratings: list[RatingFact], repairs: list[RepairFact]) -> list[RatingFact]:
    """A grade in force when a repair was approved is flagged for re-evaluation where the scheme says so."""
    from xuyi_desktop.services.repair import repair_rules

    domains = set(repair_rules().rerate_domains)
    out = []
    for r in ratings:
        since = r.valid_from or dt.date.max
        if r.status == "effective" and r.domain in domains and any(x.decided_on >= since for x in repairs):
            r = replace(r, reason="；".join(x for x in (r.reason, "信用修复后待重新评价") if x))
        out.append(r)
    return out


HISTORY_STATUSES = (RatingStatus.EFFECTIVE.value, RatingStatus.SUPERSEDED.value, RatingStatus.REVOKED.value)


def _rating_history(session: Session, entity: Entity, as_of: dt.date) -> list[RatingHistoryFact]:
    """Every rating that took effect (still in force, expired, corrected by a later version, or revoked), every
    domain, newest period first; drafts and ratings still in review or publicity are not history yet."""
    reg = registry()
    rows = rating_queries.history_of(session, entity.id, HISTORY_STATUSES)
    out = []
    for r in rows:
        try:
            name = reg.for_period(r.domain, r.period).name
        except (KeyError, LookupError, ValueError, DomainError):
            name = r.domain  # a scheme no longer shipped: the code is still the truth
        standing = ""
        if r.status == RatingStatus.EFFECTIVE.value:
            if r.valid_from is not None and r.valid_from > as_of:
                standing = "not_yet"
            elif r.valid_until is not None and r.valid_until < as_of:
                standing = "expired"
            else:
                standing = "in_force"
        out.append(RatingHistoryFact(
            str(r.id), r.domain, name, r.period, r.grade, r.status, r.scheme_version, r.score, r.valid_from,
            r.valid_until, r.evaluating_organ, r.decision_date, r.document_no, r.grade_notes or "", standing,
        ))
    return out


def build_profile(session: Session, entity: Entity, as_of: dt.date, *, reveal: bool = False) -> CreditProfile:
    """Everything on `as_of`, in the caller's transaction (no permission check: callers check)."""
    penalties = [penalty_fact(r, as_of) for r in _penalty_rows(session, entity)]
    dishonesty = _dishonesty(session, entity.id, as_of)
    repairs = [r for r in _repairs(session, entity.id) if r.decided_on <= as_of]
    return CreditProfile(
        entity=entity_facts(entity, reveal=reveal),
        as_of=as_of,
        ratings=tuple(_flag_rerating(_ratings(session, entity, as_of, penalties, dishonesty), repairs)),
        penalties=tuple(penalties),
        dishonesty=tuple(dishonesty),
        commitments=tuple(_commitments(session, entity.id, as_of)),
        licences=tuple(_licences(entity, as_of)),
        lists=tuple(_lists(session, entity.id)),
        repairs=tuple(repairs),
        checks=tuple(_checks(session, entity.id)),
        rating_history=tuple(_rating_history(session, entity, as_of)),
        points=_points(session, entity, as_of),
    )


def _points(session: Session, entity: Entity, as_of: dt.date):
    from xuyi_desktop.services.points import points_fact_in

    return points_fact_in(session, entity, as_of)


def get_profile(ctx: AppContext, entity: str | uuid.UUID, *, as_of: dt.date | None = None, reveal: bool = False) -> CreditProfile:
    """`xuyi profile` and the 信用档案 view: the entity by UUID or identifier; revealing a person's identifier
    needs the right and is audited."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    with ctx.transaction() as session:
        e = resolve_entity(session, entity)
        profile = build_profile(session, e, as_of or dt.date.today(), reveal=reveal)
        if reveal and e.kind == EntityKind.PERSON.value:
            audit.write(session, ctx, "personal.reveal", f"查看完整证件号码（信用档案）：{e.name}", record_table="entity", record_id=e.id)
        return profile
