"""The to-do list (待办): what falls due soon or is overdue, each item pointing at its record — 双公示 records due
in the next two working days and overdue ones, commitments reaching their term, ratings whose publicity ends,
penalties whose repair becomes possible, list entries expiring, objections near their deadline, plan tasks due,
the monthly 双公示 report before the 10th, next year's holiday calendar missing. Horizons are data
(resources/plan/todo.toml). Read-only: nothing here changes a record.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.plan import PlanFileError, monthly_report_deadline
from xuyi_desktop.domain.profile import PenaltyState
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit, list_scope
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.units import short_unit_name
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import lists as list_queries
from xuyi_desktop.storage.queries import objections as objection_queries
from xuyi_desktop.storage.queries import plan as plan_queries
from xuyi_desktop.storage.queries import ratings as rating_queries
from xuyi_desktop.storage.queries import repair as repair_queries
from xuyi_desktop.storage.queries import sgs as sgs_queries

KIND_LABELS = {
    "sgs_due": "双公示待报送", "sgs_overdue": "双公示逾期未报", "commitment_term": "承诺到期", "rating_publicity": "评价公示期满",
    "penalty_repair": "可申请信用修复", "list_expiring": "名单到期", "objection_deadline": "异议处理期限", "task_due": "建设任务",
    "monthly_report": "双公示月报", "calendar_missing": "节假日安排",
}


@lru_cache(maxsize=1)
def todo_rules() -> dict[str, int]:
    where = "plan/todo.toml"
    try:
        data = tomllib.loads(resource_path("plan", "todo.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc
    keys = ("sgs_due_working_days", "commitment_term_days", "rating_publicity_days", "repair_window_days", "repair_recent_days",
            "list_expiry_days", "objection_days", "task_days", "monthly_report_from_day")
    for k in keys:
        if not isinstance(data.get(k), int) or data[k] < 0:
            raise PlanFileError(where, f"{k} 应为非负整数")
    return {k: data[k] for k in keys}


@dataclass(frozen=True)
class TodoItem:
    kind: str
    title: str
    due: dt.date | None
    overdue: bool
    record_kind: str  # what opens it (services.record_details.describe_record)
    record_id: str
    note: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "title": self.title,
                "due": self.due.isoformat() if self.due else None, "overdue": self.overdue,
                "record": {"kind": self.record_kind, "id": self.record_id}, "note": self.note}


def todo_items(ctx: AppContext, *, today: dt.date | None = None) -> list[TodoItem]:
    """Everything due, overdue first, then by due day."""
    from xuyi_desktop.services import plan_tasks
    from xuyi_desktop.services.sgs_calendar import missing_calendar_notice, working_day_after

    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    rules = todo_rules()
    items: list[TodoItem] = []
    own_unit = list_scope.current_list_unit(ctx)
    with ctx.transaction() as session:
        items += _sgs(session, own_unit, today, working_day_after(today, rules["sgs_due_working_days"]))
        items += _commitments(session, own_unit, today, rules["commitment_term_days"])
        items += _ratings(session, today, rules["rating_publicity_days"])
        items += _penalties(session, own_unit, today, rules["repair_window_days"], rules["repair_recent_days"])
        items += _lists(session, today, rules["list_expiry_days"])
        items += _objections(session, today, rules["objection_days"])
        items += _monthly(session, today, rules["monthly_report_from_day"])
    by_task: dict[str, list[plan_tasks.TaskWarning]] = {}
    for w in plan_tasks.warnings(ctx, today=today, days=rules["task_days"]):
        by_task.setdefault(w.task.id, []).append(w)
    for task_id, ws in by_task.items():
        t = ws[0].task
        overdue = [w for w in ws if w.status.value == "overdue"]
        due = min((w.due for w in ws if w.due), default=None)
        units = "、".join(short_unit_name(w.unit) for w in ws)
        note = f"{len(overdue)}个单位逾期" if overdue else "即将到期"
        items.append(TodoItem("task_due", f"任务{t.label} {t.item_name}：{units}", due, bool(overdue), "task", task_id, note))
    notice = missing_calendar_notice(today)
    if notice:
        items.append(TodoItem("calendar_missing", f"{today.year + 1}年法定节假日安排尚未安装", dt.date(today.year, 12, 31), False,
                              "calendar", str(today.year + 1), notice))
    return sorted(items, key=lambda i: (not i.overdue, i.due or dt.date.max, i.kind, i.title))


def _sgs(session: Any, own_unit: str | None, today: dt.date, horizon: dt.date) -> list[TodoItem]:
    from xuyi_desktop.services.sgs import visible_records_stmt

    out = []
    for r in sgs_queries.unreported_due_by(session, visible_records_stmt(own_unit), horizon):
        overdue = r.deadline < today
        kind = "sgs_overdue" if overdue else "sgs_due"
        label = "行政许可" if r.kind == "XK" else "行政处罚"
        note = f"报送截止 {r.deadline.isoformat()}" + ("（待确认）" if r.deadline_tentative else "")
        out.append(TodoItem(kind, f"{label} {r.wsh} {r.xdr_mc}".strip(), r.deadline, overdue, "sgs", str(r.id), note))
    return out


def _commitments(session: Any, own_unit: str | None, today: dt.date, days: int) -> list[TodoItem]:
    organs = None
    if own_unit is not None:
        from xuyi_desktop.services.units import unit_spellings

        organs = unit_spellings(own_unit)
    out = []
    for c, e in commitment_queries.active_due_by(session, today + dt.timedelta(days=days), organs):
        overdue = c.term_until < today
        note = f"履约期限 {c.term_until.isoformat()}" + ("，已届满未办结（践诺或违诺）" if overdue else "")
        out.append(TodoItem("commitment_term", f"{c.serial} {e.name}：{c.business}", c.term_until, overdue, "commitment", str(c.id), note))
    return out


def _ratings(session: Any, today: dt.date, days: int) -> list[TodoItem]:
    rows = rating_queries.publicity_ending_by(session, today + dt.timedelta(days=days))
    return [TodoItem("rating_publicity", f"{e.name} {r.period}年度 {r.grade}级", r.publicity_end, False, "rating", str(r.id),
                     f"公示期至 {r.publicity_end.isoformat()}" + ("，已期满，可转为生效" if r.publicity_end < today else ""))
            for r, e in rows]


def _penalties(session: Any, own_unit: str | None, today: dt.date, ahead: int, recent: int) -> list[TodoItem]:
    """Penalties in publicity whose earliest repair day (the profile's repair_from) is within the window, and no
    repair applied for yet: the clerk may tell the party (两书同达 names the day)."""
    from xuyi_desktop.services.profile import penalty_fact
    from xuyi_desktop.services.sgs import visible_records_stmt
    applied = repair_queries.applied_record_ids(session, "penalty")
    out = []
    for r in sgs_queries.repairable_penalties(session, visible_records_stmt(own_unit), today - dt.timedelta(days=3 * 366 + 31)):
        if r.lineage_id in applied:
            continue
        fact = penalty_fact(r, today)
        start = fact.repair_from
        if fact.state is not PenaltyState.IN_PUBLICITY or start is None:
            continue
        if today - dt.timedelta(days=recent) <= start <= today + dt.timedelta(days=ahead):
            when = "起可申请" if start > today else "起已可申请"
            out.append(TodoItem("penalty_repair", f"{r.wsh} {r.xdr_mc}", start, False, "sgs", str(r.id),
                                f"{start.isoformat()}{when}信用修复（{fact.publicity_class}，公示至 {fact.publicity_end}）"))
    return out


def _lists(session: Any, today: dt.date, days: int) -> list[TodoItem]:
    from xuyi_desktop.services.credit_lists import list_definitions

    defs = list_definitions()
    rows = list_queries.expiring_between(session, today, today + dt.timedelta(days=days))
    return [TodoItem("list_expiring", f"{e.name}（{defs[m.list_type].name if m.list_type in defs else m.list_type}）",
                     m.expires_on, False, "list_entry", str(m.id), f"{m.expires_on.isoformat()} 到期移出")
            for m, e in rows]


def _objections(session: Any, today: dt.date, days: int) -> list[TodoItem]:
    rows = objection_queries.open_due_by(session, today + dt.timedelta(days=days))
    return [TodoItem("objection_deadline", f"{o.objector}对{e.name}的异议", o.deadline, o.deadline < today, "objection", str(o.id),
                     f"处理期限 {o.deadline.isoformat()}" + ("，已超期" if o.deadline < today else ""))
            for o, e in rows]


def _monthly(session: Any, today: dt.date, from_day: int) -> list[TodoItem]:
    """Last month's bureau report (unit ""), from `from_day` of this month until it is recorded."""
    from xuyi_desktop.services.indicators import indicator_config

    if today.day < from_day:
        return []
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    _, day = indicator_config()
    deadline = monthly_report_deadline(last_month, day)
    if plan_queries.monthly_report_recorded(session, last_month, ""):
        return []
    return [TodoItem("monthly_report", f"{last_month} 双公示月报", deadline, today > deadline, "monthly_report", last_month,
                     f"应于 {deadline.isoformat()} 前（含）报送" + ("，已逾期" if today > deadline else ""))]
