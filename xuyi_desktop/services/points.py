"""Credit points (信用积分, the 诚信港区 pilot): a ledger per driver or enterprise, rules as data
(resources/points/points.toml). A ledger opens with the initial points; every addition or deduction cites a rule,
a reason and (where the rule asks) evidence, with who and when; a correction is a new entry reversing another,
never an edit. Balance and tier are the plain sum clamped to floor/ceiling; the tier's differentiated service is
what the profile and the counter show. Entries sync and are audited like every record."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.points import ENTRY_KINDS, SUBJECT_LABELS, PointRules, Standing, parse_point_rules, standing
from xuyi_desktop.services import audit
from xuyi_desktop.services._shared import read_rules
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_fleet import PointEntry
from xuyi_desktop.storage.queries import points as point_queries

TABLE = "point_entry"


@lru_cache(maxsize=1)
def point_rules() -> PointRules:
    return read_rules(parse_point_rules, "points", "points.toml")


@dataclass(frozen=True)
class EntryView:
    id: uuid.UUID
    kind: str
    rule_code: str
    rule_name: str
    points: float
    reason: str
    evidence: str
    occurred_on: dt.date
    recorded_by: str
    recorded_at: dt.datetime
    corrects_id: uuid.UUID | None
    corrected_by: uuid.UUID | None  # a later entry that reverses this one
    balance_after: float  # running balance (clamped), in ledger order

    @property
    def kind_label(self) -> str:
        return ENTRY_KINDS.get(self.kind, self.kind)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "kind": self.kind, "kind_label": self.kind_label, "rule_code": self.rule_code, "rule_name": self.rule_name,
            "points": self.points, "reason": self.reason, "evidence": self.evidence, "occurred_on": self.occurred_on.isoformat(),
            "recorded_by": self.recorded_by, "recorded_at": self.recorded_at.isoformat(),
            "corrects_id": str(self.corrects_id) if self.corrects_id else None,
            "corrected_by": str(self.corrected_by) if self.corrected_by else None, "balance_after": self.balance_after,
        }


@dataclass(frozen=True)
class Ledger:
    entity_id: uuid.UUID
    entity_name: str
    identifier: str  # masked for persons
    subject: str
    as_of: dt.date
    standing: Standing
    entries: tuple[EntryView, ...]  # oldest first
    rules_name: str
    rules_version: str

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS.get(self.subject, self.subject)

    def to_json(self) -> dict[str, Any]:
        t = self.standing.tier
        return {
            "entity_id": str(self.entity_id), "entity_name": self.entity_name, "identifier": self.identifier, "subject": self.subject,
            "subject_label": self.subject_label, "as_of": self.as_of.isoformat(), "balance": self.standing.balance,
            "raw_total": self.standing.raw_total, "tier": {"code": t.code, "name": t.name, "min_points": t.min_points, "services": list(t.services)},
            "entries": [e.to_json() for e in self.entries], "rules": self.rules_name, "rules_version": self.rules_version,
        }


def _entity(session: Session, key: str | uuid.UUID) -> Entity:
    from xuyi_desktop.services.ratings import resolve_entity

    return resolve_entity(session, key)


def _subject(rules: PointRules, e: Entity) -> str:
    subject = rules.subject_of(c.category for c in e.categories)
    if subject is None:
        cats = "、".join(f"{k}：{'、'.join(v)}" for k, v in rules.subjects.items())
        raise ValidationError(FieldProblem("entity", f"“{e.name}”不属于积分管理的主体类别（{cats}）", "entity not covered by the points scheme"))
    return subject


def _rows(session: Session, entity_id: uuid.UUID, as_of: dt.date | None = None) -> list[PointEntry]:
    return point_queries.entries_of(session, entity_id, as_of)


def _ledger(session: Session, e: Entity, rows: list[PointEntry], as_of: dt.date, rules: PointRules, *, reveal: bool = False) -> Ledger:
    from xuyi_desktop.domain.masking import mask_id_number

    corrected = {r.corrects_id: r.id for r in rows if r.corrects_id}
    running, entries = 0.0, []
    for r in rows:
        running += r.points
        entries.append(EntryView(r.id, r.kind, r.rule_code, r.rule_name, r.points, r.reason, r.evidence, r.occurred_on, r.recorded_by,
                                 r.created_at, r.corrects_id, corrected.get(r.id), rules.clamp(running)))
    ident = e.identifier if reveal or e.kind != "person" else (mask_id_number(e.identifier) or "")
    subject = rows[0].subject if rows else (rules.subject_of(c.category for c in e.categories) or "")
    return Ledger(e.id, e.name, ident, subject, as_of, standing(rules, [r.points for r in rows]), tuple(entries), rules.name, rules.version)


def _open_in(session: Session, ctx: AppContext, e: Entity, rules: PointRules, on: dt.date) -> PointEntry:
    row = PointEntry(entity_id=e.id, subject=_subject(rules, e), kind="initial", rule_code="", rule_name="开户初始分",
                     points=rules.initial, reason=f"{rules.name}开户", evidence="", occurred_on=on, recorded_by=ctx.actor,
                     rules_version=rules.version)
    return audit.insert_recorded(session, ctx, row, verb="open", summary=f"开立积分账户：{e.name}，初始 {rules.initial:g} 分")


def add_entry(ctx: AppContext, entity: str | uuid.UUID, rule_code: str, *, reason: str, evidence: str = "",
              points: float | None = None, on: dt.date | None = None, today: dt.date | None = None) -> EntryView:
    """An addition or deduction under a rule. The first entry of an entity opens its ledger with the initial points
    (dated the same day). Evidence is required where the rule says so."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    rules = point_rules()
    today = today or dt.date.today()
    on = on or today
    rule = rules.rule(rule_code)
    problems = []
    if not reason.strip():
        problems.append(FieldProblem("reason", "请填写加分或扣分的事由", "reason required"))
    if rule.evidence and not evidence.strip():
        problems.append(FieldProblem("evidence", f"规则{rule.code}（{rule.name}）须填写证据（文书号、照片编号等）", "evidence required"))
    if on > today:
        problems.append(FieldProblem("on", "发生日期不能晚于今天", "date in the future"))
    if problems:
        raise ValidationError(problems)
    value = rule.value(points)
    with ctx.transaction() as session:
        e = _entity(session, entity)
        subject = _subject(rules, e)
        if not rule.applies_to(subject):
            raise ValidationError(FieldProblem("rule", f"规则{rule.code}只适用于{SUBJECT_LABELS.get(rule.subject, rule.subject)}", "rule not for this subject"))
        existing = _rows(session, e.id)
        if not existing:
            opened = _open_in(session, ctx, e, rules, min(on, today))
            existing = [opened]
        elif on < existing[0].occurred_on:
            raise ValidationError(FieldProblem("on", f"发生日期早于开户日期（{existing[0].occurred_on}）", "before the ledger was opened"))
        row = PointEntry(entity_id=e.id, subject=subject, kind="add" if value > 0 else "deduct", rule_code=rule.code, rule_name=rule.name,
                         points=value, reason=reason.strip(), evidence=evidence.strip(), occurred_on=on, recorded_by=ctx.actor,
                         rules_version=rules.version)
        audit.insert_recorded(session, ctx, row, verb="insert", summary=f"信用积分{'加' if value > 0 else '扣'}{abs(value):g}分：{e.name}（{rule.code} {rule.name}）")
        ledger = _ledger(session, e, existing + [row], today, rules)
        return next(x for x in ledger.entries if x.id == row.id)


def correct_entry(ctx: AppContext, entry_id: uuid.UUID | str, *, reason: str, today: dt.date | None = None) -> EntryView:
    """Reverse an entry by a new one (冲正) with the opposite points; the original stays. An entry is reversed once."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写冲正理由", "reason required"))
    with ctx.transaction() as session:
        try:
            target = session.get(PointEntry, entry_id if isinstance(entry_id, uuid.UUID) else uuid.UUID(str(entry_id)))
        except ValueError:
            target = None
        if target is None or target.deleted_at is not None:
            raise NotFoundError(f"积分记录 {entry_id}")
        if target.kind == "correction":
            raise ValidationError(FieldProblem("entry", "冲正记录不能再冲正：如需恢复，请按规则重新记录", "a correction is not corrected"))
        if target.kind == "initial":
            raise ValidationError(FieldProblem("entry", "开户初始分不能冲正", "the opening entry stays"))
        if point_queries.is_corrected(session, target.id):
            raise ValidationError(FieldProblem("entry", "该记录已冲正", "already corrected"))
        e = session.get(Entity, target.entity_id)
        assert e is not None
        row = PointEntry(entity_id=e.id, subject=target.subject, kind="correction", rule_code=target.rule_code,
                         rule_name=f"冲正：{target.rule_name}", points=-target.points, reason=reason.strip(),
                         evidence=f"冲正 {target.occurred_on} 的记录", occurred_on=today, recorded_by=ctx.actor, corrects_id=target.id,
                         rules_version=target.rules_version)
        audit.insert_recorded(session, ctx, row, verb="correct", summary=f"信用积分冲正 {-target.points:+g}分：{e.name}（{reason.strip()}）")
        ledger = _ledger(session, e, _rows(session, e.id), today, point_rules())
        return next(x for x in ledger.entries if x.id == row.id)


def get_ledger(ctx: AppContext, entity: str | uuid.UUID, *, as_of: dt.date | None = None, reveal: bool = False) -> Ledger:
    """The entity's ledger up to `as_of` (default today): entries oldest first, balance and tier."""
    audit.require(ctx, Permission.VIEW)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    as_of = as_of or dt.date.today()
    rules = point_rules()
    with ctx.transaction() as session:
        e = _entity(session, entity)
        ledger = _ledger(session, e, _rows(session, e.id, as_of), as_of, rules, reveal=reveal)
        if reveal and e.kind == "person":
            audit.write(session, ctx, "personal.reveal", f"查看完整证件号码（信用积分）：{e.name}", record_table="entity", record_id=e.id)
        return ledger


def points_fact_in(session: Session, entity: Entity, as_of: dt.date) -> Any:
    """The profile's points section (None when the entity has no ledger)."""
    from xuyi_desktop.domain.profile import PointsFact

    rows = _rows(session, entity.id, as_of)
    if not rows:
        return None
    rules = point_rules()
    s = standing(rules, [r.points for r in rows])
    return PointsFact(s.balance, s.tier.code, s.tier.name, s.tier.services, len(rows), rows[-1].occurred_on, rules.name)


def ledgers(ctx: AppContext, *, limit: int = 1000, today: dt.date | None = None) -> list[Ledger]:
    """Every entity with a ledger, lowest balance first (the points page's list)."""
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    rules = point_rules()
    with ctx.transaction() as session:
        ids = point_queries.entity_ids(session, limit)
        out = []
        for eid in ids:
            e = session.get(Entity, eid)
            if e is not None and e.deleted_at is None:
                out.append(_ledger(session, e, _rows(session, eid, today), today, rules))
    return sorted(out, key=lambda x: (x.standing.balance, x.entity_name))


POINTS_STATEMENT = "JF"


def print_statement(ctx: AppContext, entity: str | uuid.UUID, out: Any, *, as_of: dt.date | None = None) -> Any:
    """The 积分明细 statement (PDF) of the entity's ledger up to `as_of`: numbered (office-JF-year-N), signed QR
    (`xuyi verify` checks it), audited; number, audit entry and file exist together or not at all. A person's ID
    number is masked on the page and in the code."""
    from pathlib import Path

    from xuyi_desktop.printing import qr
    from xuyi_desktop.printing.credit_report import ReportStamp
    from xuyi_desktop.printing.fonts import register_fonts
    from xuyi_desktop.printing.output import atomic_output
    from xuyi_desktop.printing.points_statement import render_statement
    from xuyi_desktop.services.office_keys import print_key
    from xuyi_desktop.services.printing import issuing_organ
    from xuyi_desktop.services.serials import next_serial

    audit.require(ctx, Permission.PRINT)
    out = Path(out)
    today = dt.date.today()
    as_of = as_of or today
    if as_of > today:
        raise ValidationError(FieldProblem("as_of", "截止日期不能晚于今天", "date in the future"))
    fonts = register_fonts()
    key = print_key(ctx)
    rules = point_rules()
    with atomic_output(out) as tmp, ctx.transaction() as session:
        e = _entity(session, entity)
        rows = _rows(session, e.id, as_of)
        if not rows:
            raise NotFoundError(f"{e.name} 的积分账户")
        ledger = _ledger(session, e, rows, as_of, rules)
        serial = next_serial(session, ctx, POINTS_STATEMENT, today.year)
        facts = {"u": ledger.identifier, "asof": as_of.isoformat(), "b": f"{ledger.standing.balance:g}", "t": ledger.standing.tier.code,
                 "c": len(ledger.entries), "n": e.name}
        payload = qr.build_payload(POINTS_STATEMENT, serial, ctx.office_code, today, facts, key.sign)
        who = ctx.user.display_name or ctx.user.username if ctx.user else "系统（初始设置）"
        stamp = ReportStamp(serial, issuing_organ(ctx), today, dt.datetime.now().astimezone(), as_of, payload, who)
        pages = render_statement(ledger, tmp, stamp, fonts=fonts)
        audit.write(session, ctx, "print.points_statement", f"打印信用积分明细 {serial}：{e.name}（截至{as_of}，{ledger.standing.balance:g}分）",
                    record_table="entity", record_id=e.id,
                    details={"serial": serial, "as_of": as_of.isoformat(), "balance": ledger.standing.balance, "pages": pages, "file": out.name})
    return out


def describe_statement_facts(facts: dict[str, str]) -> list[tuple[str, str]]:
    """What a verified statement code vouches for (services.printing.describe_facts)."""
    out = []
    if facts.get("asof"):
        out.append(("截止日期", facts["asof"]))
    if facts.get("b"):
        tier = next((t for t in point_rules().tiers if t.code == facts.get("t")), None)
        out.append(("信用积分", f"{facts['b']}分" + (f"（{tier.name}）" if tier else "")))
    if facts.get("c"):
        out.append(("记录条数", f"{facts['c']}条"))
    return out
