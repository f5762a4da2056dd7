"""源头治超 follow-up: the upper level's overload notifications (治超抄报) imported through the import pipeline and
matched to the registry (vehicle by plate, its operator, the driver by ID or 从业资格证号), the unmatched ones resolved
by a clerk, an interview (约谈) per notification with its rectification deadline and result, overdue ones listed,
each notification an itemised deduction (ZC-01) of the road operator's rating, and vehicles and drivers overloaded
more than three times a year proposed for the 治超 list (cases 1 and 2). Deadlines and counts: resources/overload/."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import EntityKind
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.fleet import check_plate, check_plate_colour, normalise_plate
from xuyi_desktop.domain.overload import (
    CountedNotice,
    NoticeState,
    OverloadRules,
    due_date,
    is_overdue,
    list_candidates,
    notice_state,
    parse_overload_rules,
)
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange import ledger_layouts as L
from xuyi_desktop.exchange.columns import CellProblem, ParsedRow
from xuyi_desktop.exchange.pipeline import ImportResult, SheetFormat, SheetPlan
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem, write_template
from xuyi_desktop.services import audit, imports
from xuyi_desktop.services._shared import read_rules
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.services.fleet import plate_rules
from xuyi_desktop.storage import entity_queries, fleet_queries
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_fleet import OverloadNotice
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import overload as overload_queries

TABLE = "overload_notice"


@lru_cache(maxsize=1)
def overload_rules() -> OverloadRules:
    return read_rules(parse_overload_rules, "overload", "overload.toml")


@dataclass(frozen=True)
class NoticeView:
    id: uuid.UUID
    document_no: str
    occurred_on: dt.date
    received_on: dt.date
    place: str
    overload_ratio: float | None
    source: str
    plate: str
    vehicle_id: uuid.UUID | None
    operator_id: uuid.UUID | None
    operator_name: str  # the registered operator's name, or as written in the notification
    operator_identifier: str
    driver_id: uuid.UUID | None
    driver_name: str
    match_note: str
    state: NoticeState
    due: dt.date
    overdue: bool
    interviewed_on: dt.date | None
    participants: str
    interview_content: str
    rectify_by: dt.date | None
    rectify_result: str
    rectified_on: dt.date | None
    version: int

    @property
    def matched(self) -> bool:
        return self.operator_id is not None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for k, v in list(data.items()):
            if isinstance(v, uuid.UUID):
                data[k] = str(v)
            elif isinstance(v, dt.date):
                data[k] = v.isoformat()
        data.update(state=self.state.value, state_label=self.state.label)
        return data


def _view(session: Session, n: OverloadNotice, today: dt.date) -> NoticeView:
    rules = overload_rules()
    op = session.get(Entity, n.operator_id) if n.operator_id else None
    driver = session.get(Entity, n.driver_id) if n.driver_id else None
    state = notice_state(matched=n.operator_id is not None, interviewed_on=n.interviewed_on, result=n.rectify_result)
    due = due_date(rules, received_on=n.received_on, interviewed_on=n.interviewed_on, rectify_by=n.rectify_by)
    return NoticeView(
        n.id, n.document_no, n.occurred_on, n.received_on, n.place, n.overload_ratio, n.source, n.plate, n.vehicle_id, n.operator_id,
        op.name if op else n.operator_name, op.identifier if op else n.operator_identifier, n.driver_id,
        driver.name if driver else n.driver_name, n.match_note, state, due, is_overdue(state, due, today), n.interviewed_on,
        n.participants, n.interview_content, n.rectify_by, n.rectify_result, n.rectified_on, n.version,
    )


# --- matching ---------------------------------------------------------------------------------------------

@dataclass
class Match:
    vehicle_id: uuid.UUID | None = None
    operator_id: uuid.UUID | None = None
    driver_id: uuid.UUID | None = None
    notes: list[str] | None = None

    def note(self) -> str:
        return "；".join(self.notes or [])


def match(session: Session, *, plate: str, colour: str, operator_identifier: str, operator_name: str, driver_identifier: str) -> Match:
    """The registry's vehicle (by plate, and colour when given), its operator (else the USCC or the exact name
    written in the notification), and the driver (by ID number or 从业资格证号). What cannot be matched is noted."""
    m = Match(notes=[])
    assert m.notes is not None
    vehicles = fleet_queries.live_vehicles_by_plate(session, plate, colour)
    if len(vehicles) == 1:
        m.vehicle_id, m.operator_id = vehicles[0].id, vehicles[0].operator_id
    elif len(vehicles) > 1:
        m.notes.append(f"车牌号 {plate} 对应多辆车（号牌颜色不同），请指定")
    else:
        m.notes.append(f"车辆 {plate} 未登记")
    by_id = None
    if operator_identifier:
        by_id = entity_queries.live_by_identifier(session, operator_identifier)
        if by_id is None:
            m.notes.append(f"运输企业 {operator_identifier} 未登记")
    elif operator_name and m.operator_id is None:
        named = entity_queries.live_entities_named(session, operator_name, limit=2)
        by_id = named[0] if len(named) == 1 else None
        if by_id is None:
            m.notes.append(f"运输企业“{operator_name}”未登记或重名")
    if by_id is not None:
        if m.operator_id is not None and m.operator_id != by_id.id:
            m.notes.append(f"抄报所写企业（{by_id.name}）与车辆登记的经营业户不同，按车辆登记匹配")
        elif m.operator_id is None:
            m.operator_id = by_id.id
    if driver_identifier:
        person = entity_queries.live_person_by_identifier(session, driver_identifier, EntityKind.PERSON.value)
        if person is None:
            q = fleet_queries.live_qualification_by_cert_no(session, driver_identifier)
            m.driver_id = q.entity_id if q else None
        else:
            m.driver_id = person.id
        if m.driver_id is None:
            m.notes.append("驾驶员未登记")
    return m


# --- import -----------------------------------------------------------------------------------------------

FORMAT = SheetFormat("OV", L.OVERLOAD_SHEET, L.overload_layout, ("document_no", "plate", "occurred_on"), "document_no",
                     frozenset({"document_no", "overload_ratio", "place", "occurred_on"}), sheet_hint="治超", min_fields=3)
_NOT_FOUND = FileProblem(f"文件中没有找到治超抄报表（前{HEADER_SCAN_ROWS}行中需要有“抄报文书编号”“车牌号”“超限日期”等列）",
                         "no overload notification table found")


class _NoticeSink:
    def __init__(self, session: Session, ctx: AppContext, result: ImportResult, today: dt.date) -> None:
        self.session, self.ctx, self.result, self.today = session, ctx, result, today
        self.existing = overload_queries.live_document_nos(session)
        self.seen: dict[str, int] = {}

    def __call__(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> list[CellProblem]:
        v, bad = parsed.values, list(parsed.problems)
        if bad:
            return bad
        col = plan.header.column_of
        rules = plate_rules()
        checked = check_plate(v["plate"], rules)
        bad += [CellProblem("plate", p.message_zh, col("plate")) for p in checked.problems]
        colour = ""
        if v.get("plate_colour") and checked.ok:
            colour, cps = check_plate_colour(v["plate_colour"], rules, new_energy=checked.new_energy)
            bad += [CellProblem("plate_colour", p.message_zh, col("plate_colour")) for p in cps]
        if v["occurred_on"] > self.today:
            bad.append(CellProblem("occurred_on", "超限日期不能晚于今天", col("occurred_on")))
        received = v.get("received_on") or self.today
        if received < v["occurred_on"]:
            bad.append(CellProblem("received_on", "抄报日期早于超限日期", col("received_on")))
        doc = v["document_no"].strip()
        first = self.seen.setdefault(doc, parsed.row)
        if first != parsed.row:
            bad.append(CellProblem("document_no", f"抄报文书编号与本表第{first}行重复", col("document_no")))
        if bad or not write:
            return bad
        if doc in self.existing:
            self.result.count("unchanged")  # the same notification again: already registered, skipped
            return []
        m = match(self.session, plate=checked.value, colour=colour, operator_identifier=v.get("operator_identifier", ""),
                  operator_name=v.get("operator_name", ""), driver_identifier=v.get("driver_identifier", ""))
        notice = OverloadNotice(
            document_no=doc, occurred_on=v["occurred_on"], received_on=received, place=v.get("place", ""),
            overload_ratio=v.get("overload_ratio"), source=v.get("source", ""), plate=checked.value,
            operator_name=v.get("operator_name", ""), operator_identifier=v.get("operator_identifier", ""),
            driver_name=v.get("driver_name", ""), driver_identifier=v.get("driver_identifier", ""), vehicle_id=m.vehicle_id,
            operator_id=m.operator_id, driver_id=m.driver_id, match_note=m.note(), participants="", interview_content="",
            rectify_result="",
        )
        audit.insert_recorded(self.session, self.ctx, notice, summary=f"导入治超抄报 {doc}：{checked.value}"
                              + ("" if m.operator_id else "（待匹配）"))
        self.existing.add(doc)
        self.result.imported += 1
        self.result.count("created")
        self.result.count("matched" if m.operator_id else "unmatched")
        if m.driver_id:
            self.result.count("driver_matched")
        return []

    def close(self) -> None:
        return None


def import_overload(
    ctx: AppContext, path: Path, *, valid_only: bool = False, errors_path: Path | None = None, source: str | None = None,
    mapping: Mapping[str, str] | None = None, progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None, today: dt.date | None = None,
) -> ImportResult:
    """Import overload notifications; each matched where the registry allows (see `match`), never twice."""
    day = today or dt.date.today()

    def summary(r: ImportResult) -> str:
        o = r.outcomes
        return (f"导入治超抄报（{path.name}）：新增 {o.get('created', 0)} 份（已匹配 {o.get('matched', 0)}，待匹配 {o.get('unmatched', 0)}），"
                f"已登记跳过 {o.get('unchanged', 0)} 份")

    return imports.run_import(
        ctx, path, [FORMAT], lambda session, result: _NoticeSink(session, ctx, result, day), action="import.overload",
        summary=summary, not_found=_NOT_FOUND, valid_only=valid_only, errors_path=errors_path, source=source, mapping=mapping,
        progress=progress, cancel=cancel,
    )


def write_overload_template(out: Path) -> Path:
    write_template(FORMAT.layout(), out, instructions=L.TEMPLATE_INSTRUCTIONS[L.OVERLOAD_SHEET])
    return out


# --- lists and actions ------------------------------------------------------------------------------------

def list_notices(ctx: AppContext, *, state: str | None = None, overdue: bool = False, operator: str | uuid.UUID | None = None,
                 today: dt.date | None = None, limit: int = 2000) -> list[NoticeView]:
    """Newest first. `state`: unmatched / open / rectifying / closed; `overdue`: only those past their due date."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    with ctx.transaction() as session:
        party_id = resolve_entity(session, operator).id if operator is not None else None
        rows = overload_queries.listing(
            session, party_id=party_id, unmatched=state == NoticeState.UNMATCHED.value,
            unrectified=overdue or state in (NoticeState.OPEN.value, NoticeState.RECTIFYING.value), limit=limit)
        views = [_view(session, n, today) for n in rows]
    if state:
        views = [v for v in views if v.state.value == state]
    if overdue:
        views = [v for v in views if v.overdue]
    return views


def _load(session: Session, notice_id: uuid.UUID | str) -> OverloadNotice:
    n = None
    try:
        n = session.get(OverloadNotice, notice_id if isinstance(notice_id, uuid.UUID) else uuid.UUID(str(notice_id)))
    except ValueError:
        n = overload_queries.live_by_document_no(session, str(notice_id).strip())
    if n is None or n.deleted_at is not None:
        raise NotFoundError(f"治超抄报 {notice_id}")
    return n


def get_notice(ctx: AppContext, notice_id: uuid.UUID | str, *, today: dt.date | None = None) -> NoticeView:
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        return _view(session, _load(session, notice_id), today or dt.date.today())


def resolve(ctx: AppContext, notice_id: uuid.UUID | str, *, operator: str | None = None, plate: str | None = None,
            driver: str | None = None, today: dt.date | None = None) -> NoticeView:
    """A clerk matches a notification by hand: the operator (UUID or USCC), the vehicle (a registered plate; its
    operator follows) and/or the driver (UUID or ID number)."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.ENTITY_EDIT)
    if not (operator or plate or driver):
        raise ValidationError(FieldProblem("operator", "请指定运输企业、车辆或驾驶员", "nothing to resolve"))
    with ctx.transaction() as session:
        n = _load(session, notice_id)
        values: dict[str, Any] = {}
        done = []
        if plate:
            p = normalise_plate(plate)
            v = fleet_queries.first_live_vehicle_by_plate(session, p)
            if v is None:
                raise NotFoundError(f"车辆 {plate}")
            values.update(vehicle_id=v.id, operator_id=v.operator_id)
            done.append(f"车辆 {p}")
        # the operator (overriding the vehicle's) and the driver: (given, column, kind it must be, label, refusal)
        for key, column, kind, label, wrong in (
            (operator, "operator_id", EntityKind.ORG, "企业", FieldProblem("operator", "运输企业应为单位", "operator must be an organisation")),
            (driver, "driver_id", EntityKind.PERSON, "驾驶员", FieldProblem("driver", "驾驶员应为个人", "driver must be a person")),
        ):
            if key:
                e = resolve_entity(session, key)
                if e.kind != kind.value:
                    raise ValidationError(wrong)
                values[column] = e.id
                done.append(f"{label} {e.name}")
        note = f"{ctx.actor}人工匹配：{'、'.join(done)}"
        audit.update_recorded(session, ctx, n, verb="resolve", summary=f"治超抄报 {n.document_no} {note}", match_note=note, **values)
        return _view(session, n, today or dt.date.today())


def interview(ctx: AppContext, notice_id: uuid.UUID | str, *, on: dt.date, participants: str, content: str,
              rectify_by: dt.date | None = None, result: str = "", result_on: dt.date | None = None,
              today: dt.date | None = None) -> NoticeView:
    """Record the interview (约谈) of a notification: date, participants, content, the rectification deadline
    (default: resources/overload default_rectify_days) and, when known, the result — which closes it."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    problems = []
    if on > today:
        problems.append(FieldProblem("on", "约谈日期不能晚于今天", "interview date in the future"))
    if not participants.strip():
        problems.append(FieldProblem("participants", "请填写参加约谈的人员", "participants required"))
    if not content.strip():
        problems.append(FieldProblem("content", "请填写约谈内容", "content required"))
    if rectify_by is not None and rectify_by < on:
        problems.append(FieldProblem("rectify_by", "整改期限不能早于约谈日期", "deadline before the interview"))
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        n = _load(session, notice_id)
        if n.operator_id is None:
            raise ValidationError(FieldProblem("notice", f"抄报 {n.document_no} 尚未匹配到运输企业：请先处理“待匹配”", "resolve the notice first"))
        if on < n.received_on:
            raise ValidationError(FieldProblem("on", f"约谈日期早于抄报日期（{n.received_on}）", "interview before the notice arrived"))
        deadline = rectify_by or on + dt.timedelta(days=overload_rules().default_rectify_days)
        values: dict[str, Any] = {"interviewed_on": on, "participants": participants.strip(), "interview_content": content.strip(),
                                  "rectify_by": deadline}
        if result.strip():
            values.update(rectify_result=result.strip(), rectified_on=result_on or today)
        audit.update_recorded(session, ctx, n, verb="interview", summary=f"治超抄报 {n.document_no} 约谈（{on}，整改期限{deadline}）"
                              + ("，已整改办结" if result.strip() else ""), **values)
        return _view(session, n, today)


def record_result(ctx: AppContext, notice_id: uuid.UUID | str, *, result: str, on: dt.date | None = None,
                  today: dt.date | None = None) -> NoticeView:
    """The rectification result of an interviewed notification: it closes the notification."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    if not result.strip():
        raise ValidationError(FieldProblem("result", "请填写整改结果", "result required"))
    with ctx.transaction() as session:
        n = _load(session, notice_id)
        if n.interviewed_on is None:
            raise ValidationError(FieldProblem("notice", f"抄报 {n.document_no} 尚未约谈：请先记录约谈", "interview first"))
        audit.update_recorded(session, ctx, n, verb="rectified", summary=f"治超抄报 {n.document_no} 整改结果：{result.strip()}",
                              rectify_result=result.strip(), rectified_on=on or today)
        return _view(session, n, today)


# --- rating deductions and the 治超 list ------------------------------------------------------------------

def deductions_for(ctx: AppContext, operator: str | uuid.UUID, period: int, *, today: dt.date | None = None) -> list[NoticeView]:
    """The operator's notifications with an overload in `period` (a year): one ZC-01 deduction each."""
    views = list_notices(ctx, operator=operator, today=today)
    with ctx.transaction() as session:
        from xuyi_desktop.services.ratings import resolve_entity

        entity_id = resolve_entity(session, operator).id
    return [v for v in views if v.operator_id == entity_id and v.occurred_on.year == period]


def with_overload_deductions(ctx: AppContext, data: Any) -> Any:
    """A RatingInput for the road-operator scheme with one itemised deduction per notification of the period
    (the scheme's deduction code from resources/overload/overload.toml), and their numbers in the basis notes."""
    rules = overload_rules()
    if data.domain != rules.rating_domain:
        raise ValidationError(FieldProblem("domain", f"治超抄报扣分只适用于“{rules.rating_domain}”领域的评价", "overload deductions only for operators"))
    found = deductions_for(ctx, data.entity, data.period)
    if not found:
        return data
    docs = "、".join(v.document_no for v in found)
    notes = "；".join(x for x in (data.basis_notes, f"治超抄报扣分 {len(found)} 次：{docs}") if x)
    return replace(data, deductions=tuple(data.deductions) + tuple((rules.deduction_code, None) for _ in found), basis_notes=notes)


def propose_list_entries(ctx: AppContext, *, today: dt.date | None = None) -> list[Any]:
    """Vehicles (their operators, case 1) and drivers (case 2) overloaded more than N times in the window become
    proposed entries of the 治超 list, unless already proposed or listed under that case. Returns the new entries."""
    from xuyi_desktop.services import credit_lists

    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    rules = overload_rules()
    with ctx.transaction() as session:
        rows = overload_queries.all_live(session)
        counted = [CountedNotice(str(n.id), n.occurred_on, n.document_no, str(n.vehicle_id) if n.vehicle_id else (n.plate or None),
                                 str(n.operator_id) if n.operator_id else None, str(n.driver_id) if n.driver_id else None) for n in rows]
        plates = fleet_queries.live_plates_by_id(session)
        taken = {
            (str(m.entity_id), m.case_code) for m in list_queries.open_entries(session, "overload")
            if m.status == "proposed" or m.expires_on is None or m.expires_on >= today
        }
    made = []
    for c in list_candidates(rules, counted, today, plates=plates):
        if (c.entity_id, c.case_code) in taken:
            continue
        made.append(credit_lists.add_entry(ctx, c.entity_id, "overload", reason=c.reason, case_code=c.case_code,
                                           source_record=c.notices[-1].notice_id, today=today))
        taken.add((c.entity_id, c.case_code))
    return made
