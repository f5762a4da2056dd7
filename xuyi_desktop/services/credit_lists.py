"""The red, black, watch and 治超 lists (名单管理): propose candidates by the criteria of resources/lists/lists.toml
evaluated on each entity's credit profile, a reviewer confirms each entry with a reason, entries expire by
themselves (the profile reads entered_on/expires_on), leave early on repair or by decision, and are published with
personal identifiers masked. Memberships feed the consequence rules through the profile."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.consequences import LIST_TYPES
from xuyi_desktop.domain.credit_lists import ListDefinition, candidate, parse_lists
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services._shared import live_with_entity, read_rules
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_credit import ListEntry
from xuyi_desktop.storage.queries import lists as list_queries

STATUS_LABELS = {"proposed": "待确认", "confirmed": "已列入", "removed": "未列入", "exited": "已移出"}


@lru_cache(maxsize=1)
def list_definitions() -> dict[str, ListDefinition]:
    return read_rules(parse_lists, "lists", "lists.toml")


def definition(list_type: str) -> ListDefinition:
    defs = list_definitions()
    if list_type not in defs:
        raise ValidationError(FieldProblem("type", f"名单类型应为 {'/'.join(LIST_TYPES)} 之一（red 红名单、black 黑名单、"
                                                   "watch 重点关注、overload 治超）", "unknown list type"))
    return defs[list_type]


@dataclass(frozen=True)
class EntryView:
    id: uuid.UUID
    entity_id: uuid.UUID
    entity_name: str
    identifier: str  # masked for persons
    list_type: str
    list_name: str
    period: str
    status: str
    reason: str
    criteria: str
    case_code: str
    proposed_on: dt.date
    confirmed_on: dt.date | None
    confirmed_by: str
    entered_on: dt.date | None
    expires_on: dt.date | None
    exit_on: dt.date | None
    exit_reason: str
    published_on: dt.date | None
    active: bool
    version: int

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "id": str(self.id), "entity_id": str(self.entity_id), "entity_name": self.entity_name,
            "identifier": self.identifier, "type": self.list_type, "list_name": self.list_name, "period": self.period,
            "status": self.status, "status_label": STATUS_LABELS.get(self.status, self.status), "reason": self.reason,
            "criteria": self.criteria, "case_code": self.case_code, "proposed_on": self.proposed_on.isoformat(),
            "confirmed_on": iso(self.confirmed_on), "confirmed_by": self.confirmed_by, "entered_on": iso(self.entered_on),
            "expires_on": iso(self.expires_on), "exit_on": iso(self.exit_on), "exit_reason": self.exit_reason,
            "published_on": iso(self.published_on), "active": self.active, "version": self.version,
        }


def _active(m: ListEntry, today: dt.date) -> bool:
    return (m.status == "confirmed" and m.entered_on is not None and m.entered_on <= today
            and (m.expires_on is None or m.expires_on >= today) and (m.exit_on is None or m.exit_on > today))


def _view(m: ListEntry, e: Entity, today: dt.date) -> EntryView:
    ident = mask_id_number(e.identifier) or "" if e.kind == "person" else e.identifier
    return EntryView(
        m.id, m.entity_id, e.name, ident, m.list_type, definition(m.list_type).name, m.period, m.status, m.reason,
        m.criteria, m.case_code, m.proposed_on, m.confirmed_on, m.confirmed_by, m.entered_on, m.expires_on, m.exit_on,
        m.exit_reason, m.published_on, _active(m, today), m.version,
    )


def _candidate_ids(session: Session, d: ListDefinition) -> list[uuid.UUID]:
    """Entities that can possibly meet a criterion: rated with a named grade, penalised or with dishonesty.
    The profile decides; this only keeps a million-entity registry from being read whole."""
    grades = {g for r in d.rules for g in r.when.get("grades", ())}
    return list_queries.candidate_entity_ids(
        session, grades=grades, penalised=any("penalty_classes" in r.when for r in d.rules),
        dishonesty=any(k in r.when for r in d.rules for k in ("violation_within_years", "dishonesty")))


def propose(ctx: AppContext, list_type: str, *, period: str = "", today: dt.date | None = None) -> list[EntryView]:
    """Evaluate the list's criteria on every candidate's profile; each entity that meets one and is not already
    proposed or a member becomes a proposed entry (待确认) naming the rule and the facts."""
    from xuyi_desktop.services.profile import build_profile

    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    d = definition(list_type)
    period = period.strip() or str(today.year)
    made: list[EntryView] = []
    with ctx.transaction() as session:
        taken = {
            m.entity_id for m in list_queries.open_entries(session, list_type) if m.status == "proposed" or _active(m, today)
        }
        for eid in _candidate_ids(session, d):
            if eid in taken:
                continue
            e = session.get(Entity, eid)
            if e is None or e.deleted_at is not None:
                continue
            hit = candidate(d, build_profile(session, e, today))
            if hit is None:
                continue
            m = ListEntry(entity_id=eid, list_type=list_type, period=period, status="proposed", reason="",
                          criteria=hit.criteria, case_code="", proposed_on=today, confirmed_by="", exit_reason="")
            audit.insert_recorded(session, ctx, m, verb="propose", summary=f"提名{d.name}：{e.name}（{hit.rule.text}）")
            made.append(_view(m, e, today))
            taken.add(eid)
    if list_type == "overload":
        # The ten 治超 cases are facts about vehicles and drivers, not about one profile: cases 1 and 2 (more than N
        # overloads a year) are counted from the overload notifications (services/overload.py).
        from xuyi_desktop.services.overload import propose_list_entries

        made += propose_list_entries(ctx, today=today)
    return made


def add_entry(ctx: AppContext, entity: str | uuid.UUID, list_type: str, *, reason: str, case_code: str = "",
              source_record: str | None = None, period: str = "", today: dt.date | None = None) -> EntryView:
    """Propose an entity by hand (the 治超 list: one of its ten cases)."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    d = definition(list_type)
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写列入理由", "reason required"))
    if d.cases and d.case(case_code.strip()) is None:
        shown = "；".join(f"{c.code} {c.text}" for c in d.cases)
        raise ValidationError(FieldProblem("case", f"{d.name}须注明列入情形（--case）：{shown}", "entry case required"))
    source = None
    if source_record:
        try:
            source = uuid.UUID(source_record.strip())
        except ValueError as exc:
            raise ValidationError(FieldProblem("source", "依据记录应为记录 ID", "record id expected")) from exc
    with ctx.transaction() as session:
        e = resolve_entity(session, entity)
        case = d.case(case_code.strip())
        m = ListEntry(entity_id=e.id, list_type=list_type, period=period.strip() or str(today.year), status="proposed",
                      reason=reason.strip(), criteria=f"情形{case.code}：{case.text}" if case else "人工提名",
                      case_code=case.code if case else "", source_record_id=source, proposed_on=today, confirmed_by="",
                      exit_reason="")
        audit.insert_recorded(session, ctx, m, verb="propose", summary=f"提名{d.name}：{e.name}（{m.criteria}）")
        return _view(m, e, today)


def _load(session: Session, entry_id: uuid.UUID) -> tuple[ListEntry, Entity]:
    return live_with_entity(session, ListEntry, entry_id, "名单记录")


def confirm(ctx: AppContext, entry_id: uuid.UUID, *, reason: str, entered_on: dt.date | None = None,
            today: dt.date | None = None) -> EntryView:
    """A reviewer lists the entity: from entered_on for the list's validity (治超: two years)."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = today or dt.date.today()
    entered_on = entered_on or today
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写确认列入的理由", "reason required"))
    with ctx.transaction() as session:
        m, e = _load(session, entry_id)
        if m.status != "proposed":
            raise ValidationError(FieldProblem("status", f"该记录“{STATUS_LABELS.get(m.status, m.status)}”，只能确认待确认的提名",
                                               "only proposed entries are confirmed"))
        d = definition(m.list_type)
        expires = d.expiry(entered_on)
        audit.update_recorded(
            session, ctx, m, verb="confirm", status="confirmed", confirmed_on=today, confirmed_by=ctx.actor,
            reason="；".join(x for x in (m.reason, reason.strip()) if x), entered_on=entered_on, expires_on=expires,
            summary=f"列入{d.name}：{e.name}，{entered_on}至{expires}（{reason.strip()}）",
        )
        return _view(m, e, today)


def remove(ctx: AppContext, entry_id: uuid.UUID, *, reason: str, on: dt.date | None = None, today: dt.date | None = None) -> EntryView:
    """A proposal not confirmed (未列入), or a member taken off early (已移出) — with the reason. Reviewers."""
    audit.require(ctx, Permission.CREDIT_REVIEW)
    today = today or dt.date.today()
    on = on or today
    if not reason.strip():
        raise ValidationError(FieldProblem("reason", "请填写理由", "reason required"))
    with ctx.transaction() as session:
        m, e = _load(session, entry_id)
        if m.status not in ("proposed", "confirmed"):
            raise ValidationError(FieldProblem("status", "该记录已不在名单中", "not on the list"))
        status = "removed" if m.status == "proposed" else "exited"
        audit.update_recorded(session, ctx, m, verb="remove", status=status, exit_on=on if status == "exited" else None,
                              exit_reason=reason.strip(),
                              summary=f"{definition(m.list_type).name}：{e.name} {STATUS_LABELS[status]}（{reason.strip()}）")
        return _view(m, e, today)


def entries(ctx: AppContext, list_type: str | None = None, *, status: str | None = None, members_only: bool = False,
            today: dt.date | None = None, limit: int = 5000) -> list[EntryView]:
    """The list's entries, newest first; `members_only`: in force on `today` (expired and exited ones left out)."""
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    if list_type:
        definition(list_type)
    with ctx.transaction() as session:
        rows = list_queries.listing(session, list_type=list_type, status=status, members_on=today if members_only else None,
                                    limit=limit)
        views = [_view(m, e, today) for m, e in rows]
    return [v for v in views if v.active] if members_only else views


def publish(ctx: AppContext, list_type: str, out: Path, *, today: dt.date | None = None) -> tuple[Path, int]:
    """The members in force as .xlsx for publication (persons' ID numbers masked); marks them published. Audited."""
    from types import SimpleNamespace

    from xuyi_desktop.exchange.columns import Column, Layout
    from xuyi_desktop.exchange.publicity import write_publicity

    audit.require(ctx, Permission.EXPORT)
    today = today or dt.date.today()
    d = definition(list_type)
    members = entries(ctx, list_type, members_only=True, today=today)
    layout = Layout(d.name[:31], (
        Column("seq", "序号", width=6), Column("entity_name", "名称", width=36),
        Column("identifier", "统一社会信用代码/身份证号码", width=24), Column("criteria", "列入事由", width=40),
        Column("entered_on", "列入日期", width=12), Column("expires_on", "有效期至", width=12),
    ))
    rows = [SimpleNamespace(seq=i, **v.to_json()) for i, v in enumerate(members, start=1)]
    footer = "个人身份证号码已隐去中间部分。" if any(v.identifier and "*" in v.identifier for v in members) else ""
    write_publicity(out, layout, f"{d.name}（{today:%Y年%m月%d日}公布）", rows, footer=footer)
    with ctx.transaction() as session:
        for v in members:
            m, _ = _load(session, v.id)
            audit.update_recorded(session, ctx, m, verb="publish", published_on=today, summary=f"公布{d.name}：{v.entity_name}")
        audit.write(session, ctx, "export.list", f"公布{d.name}：{len(members)} 个主体", details={"file": out.name, "type": list_type})
    return out, len(members)
