"""The plan's task tracker: the annex-2 tasks (data, resources/plan/periods/*.toml), progress reports per task and
unit (text, percentage or milestone, evidence files), the status derived from dates and reports, overdue warnings,
and the printed progress summary for the leading group (GB/T 9704, numbered, signed QR code).

A later plan period is a new file under resources/plan/periods/; the period shown is the one covering the day
asked about, else the most recent one that ended (the 2023–2025 plan after 2025, until the next file arrives).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import SEES_ALL_UNITS, Permission
from xuyi_desktop.domain.plan import (
    PlanFileError,
    PlanPeriod,
    PlanTask,
    ProgressFact,
    TaskStatus,
    UnitStanding,
    check_progress,
    parse_plan,
    task_status,
    unit_standing,
)
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.plan_files import FileRef, attach_in, files_of, read_files
from xuyi_desktop.services.units import canonical_unit, short_unit_name, unit_dictionary
from xuyi_desktop.storage.models_plan import PlanTaskReport
from xuyi_desktop.storage.queries import plan as plan_queries

TABLE = "plan_task_report"
DOC_TYPE = "RW"  # the progress summary's serial kind and QR document type


@lru_cache(maxsize=1)
def plan_periods() -> dict[str, PlanPeriod]:
    """Every plan period shipped (resources/plan/periods/*.toml), oldest first; checked once per process."""
    folder = resource_path("plan", "periods")
    units = unit_dictionary()
    periods = [parse_plan(p.read_text(encoding="utf-8"), units, f"plan/periods/{p.name}") for p in sorted(folder.glob("*.toml"))]
    if not periods:
        raise PlanFileError("plan/periods", "没有任何建设方案任务表")
    return {p.code: p for p in sorted(periods, key=lambda p: p.start)}


def current_period(code: str | None = None, today: dt.date | None = None) -> PlanPeriod:
    periods = plan_periods()
    if code:
        if code not in periods:
            raise ValidationError(FieldProblem("plan", f"没有“{code}”期的建设方案（现有：{'、'.join(periods)}）", f"no plan {code!r}"))
        return periods[code]
    today = today or dt.date.today()
    covering = [p for p in periods.values() if p.start <= today <= p.end]
    if covering:
        return covering[-1]
    ended = [p for p in periods.values() if p.end < today]
    return ended[-1] if ended else next(iter(periods.values()))


@dataclass(frozen=True)
class ReportView:
    id: uuid.UUID
    task_id: str
    unit: str
    reported_on: dt.date
    text: str
    percent: int | None
    milestone: str
    completed: bool
    reporter: str
    files: tuple[FileRef, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id), "task": self.task_id, "unit": self.unit, "reported_on": self.reported_on.isoformat(),
            "text": self.text, "percent": self.percent, "milestone": self.milestone, "completed": self.completed,
            "reporter": self.reporter, "files": [f.to_json() for f in self.files],
        }


@dataclass(frozen=True)
class TaskView:
    task: PlanTask
    status: TaskStatus
    standings: tuple[UnitStanding, ...]
    reports: tuple[ReportView, ...] = field(default=())
    unit: str | None = None  # the view asked for one unit: status and standings are that unit's

    @property
    def overdue_units(self) -> list[str]:
        return [s.unit for s in self.standings if s.status is TaskStatus.OVERDUE]

    @property
    def done_units(self) -> int:
        return sum(1 for s in self.standings if s.expected and s.status is TaskStatus.DONE)

    @property
    def expected_units(self) -> int:
        return sum(1 for s in self.standings if s.expected)

    def to_json(self) -> dict[str, Any]:
        t = self.task
        return {
            "id": t.id, "label": t.label, "section": t.section, "section_name": t.section_name, "no": t.no,
            "item": t.item, "item_name": t.item_name, "content": t.content, "deadline": t.deadline,
            "start": t.start.isoformat(), "due": t.due.isoformat(), "continuous": t.continuous,
            "responsible": t.responsible, "lead": list(t.lead), "co": list(t.co), "status": self.status.value,
            "status_label": self.status.label,
            "units": [{
                "unit": s.unit, "expected": s.expected, "status": s.status.value, "status_label": s.status.label,
                "reason": s.reason, "percent": s.percent, "last_report": s.last_report.isoformat() if s.last_report else None,
                "next_due": s.next_due.isoformat() if s.next_due else None, "reports": s.reports,
            } for s in self.standings],
            "reports": [r.to_json() for r in self.reports],
        }


def _views(rows: Sequence[PlanTaskReport], files: dict[uuid.UUID, list[FileRef]]) -> list[ReportView]:
    return [ReportView(r.id, r.task_id, r.unit, r.reported_on, r.text, r.percent, r.milestone, r.completed, r.reporter,
                       tuple(files.get(r.id, []))) for r in rows]


def _task_view(period: PlanPeriod, task: PlanTask, reports: list[ReportView], today: dt.date, unit: str | None) -> TaskView:
    facts = [ProgressFact(r.unit, r.reported_on, r.percent, r.milestone, r.completed) for r in reports]
    units = [(u, True) for u in task.expected_units] + [(u, False) for u in task.optional_units]
    standings = tuple(unit_standing(task, period, u, facts, today, expected=e) for u, e in units if unit is None or u == unit)
    status = standings[0].status if unit is not None and standings else task_status(standings)
    mine = tuple(r for r in reports if unit is None or r.unit == unit)
    return TaskView(task, status, standings, tuple(sorted(mine, key=lambda r: (r.reported_on, r.unit), reverse=True)), unit)


def _load(ctx: AppContext, period: PlanPeriod) -> list[ReportView]:
    with ctx.transaction() as session:
        rows = plan_queries.task_reports(session, period.code)
        return _views(rows, files_of(session, TABLE, [r.id for r in rows]))


def list_tasks(ctx: AppContext, *, unit: str | None = None, plan: str | None = None, today: dt.date | None = None,
               status: TaskStatus | None = None) -> list[TaskView]:
    """Every task of the period (or those a unit shares), with its status on `today`. With `unit`, the status and the
    reports are that unit's."""
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    period = current_period(plan, today)
    wanted = canonical_unit(unit) if unit else None
    reports = _load(ctx, period)
    out = []
    for t in period.tasks:
        if wanted is not None and wanted not in t.units:
            continue
        view = _task_view(period, t, [r for r in reports if r.task_id == t.id], today, wanted)
        if status is None or view.status is status:
            out.append(view)
    return out


def get_task(ctx: AppContext, key: str, *, plan: str | None = None, today: dt.date | None = None) -> TaskView:
    audit.require(ctx, Permission.VIEW)
    today = today or dt.date.today()
    period = current_period(plan, today)
    task = period.task(key)
    return _task_view(period, task, [r for r in _load(ctx, period) if r.task_id == task.id], today, None)


def report_progress(
    ctx: AppContext, key: str, *, unit: str, text: str, percent: int | None = None, milestone: str = "",
    completed: bool = False, on: dt.date | None = None, attachments: Sequence[Path | str] = (), plan: str | None = None,
    today: dt.date | None = None,
) -> ReportView:
    """A unit's progress on a task: what was done, how far, evidence files. 100 % (or `completed`) closes the unit's
    part. A clerk of a unit reports for that unit; reviewers and administrators for any unit the task names."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    on = on or today
    period = current_period(plan, today)
    task = period.task(key)
    unit_name = canonical_unit(unit) if unit.strip() else ""
    problems = []
    if not unit_name:
        problems.append(FieldProblem("unit", "报送单位：必填", "unit required"))
    elif unit_name not in task.units:
        problems.append(FieldProblem("unit", f"任务{task.label}的责任单位是“{task.responsible}”（{'、'.join(task.units)}），"
                                             f"不包括“{unit_name}”", "unit not responsible for this task"))
    if on > today:
        problems.append(FieldProblem("reported_on", f"报送日期（{on.isoformat()}）不能晚于今天", "report date in the future"))
    if problems:
        raise ValidationError(problems)
    check_progress(percent, milestone, text)
    user = ctx.user
    if user is not None and user.unit and user.role not in SEES_ALL_UNITS:
        own = unit_dictionary().find(user.unit)
        if own is None or own.name != unit_name:
            raise ValidationError(FieldProblem("unit", f"只能报送本单位（{user.unit}）的进展", "clerks report for their own unit"))
    files = read_files(attachments)
    done = completed or percent == 100
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, PlanTaskReport(
            plan_code=period.code, task_id=task.id, unit=unit_name, reported_on=on, text=text.strip(), percent=percent,
            milestone=milestone.strip(), completed=done, reporter=ctx.actor,
        ), summary=f"报送任务{task.label}进展：{unit_name}" + (f"，{percent}%" if percent is not None else "")
                   + (f"，{milestone.strip()}" if milestone.strip() else "") + ("，已完成" if done else ""))
        refs = attach_in(session, ctx, TABLE, row.id, files)
        return ReportView(row.id, task.id, unit_name, on, row.text, percent, row.milestone, done, row.reporter, tuple(refs))


@dataclass(frozen=True)
class TaskWarning:
    task: PlanTask
    unit: str
    status: TaskStatus
    due: dt.date | None
    reason: str

    def text(self) -> str:
        return f"任务{self.task.label}（{self.task.item_name}）：{self.unit} {self.reason}"


def warnings(ctx: AppContext, *, today: dt.date | None = None, days: int | None = None, plan: str | None = None) -> list[TaskWarning]:
    """Units overdue on a task, and units whose due day (or next report for 持续推进) falls within `days` (default
    the period's warn_days), most urgent first."""
    today = today or dt.date.today()
    period = current_period(plan, today)
    horizon = today + dt.timedelta(days=period.warn_days if days is None else days)
    out = []
    for view in list_tasks(ctx, plan=period.code, today=today):
        for s in view.standings:
            if not s.expected or s.status is TaskStatus.DONE:
                continue
            if s.status is TaskStatus.OVERDUE:
                out.append(TaskWarning(view.task, s.unit, s.status, s.next_due, s.reason))
            elif s.next_due is not None and s.next_due <= horizon:
                what = "应报送进展" if view.task.continuous and s.next_due < view.task.due else "任务到期"
                out.append(TaskWarning(view.task, s.unit, s.status, s.next_due, f"{s.next_due.isoformat()} {what}"))
    return sorted(out, key=lambda w: (w.status is not TaskStatus.OVERDUE, w.due or dt.date.max, w.task.id, w.unit))


# --- the printed summary ---------------------------------------------------------------------------------

def summary_counts(views: Sequence[TaskView]) -> dict[str, int]:
    counts = {s.value: 0 for s in TaskStatus}
    for v in views:
        counts[v.status.value] += 1
    return counts


def print_progress_summary(ctx: AppContext, out: str | Path, *, plan: str | None = None, today: dt.date | None = None) -> Path:
    """The leading group's progress summary: every task with its status and each unit's standing, numbered
    (<office>-RW-<year>-N), signed QR code, one audit entry; file, number and entry exist together or not at all."""
    from xuyi_desktop.printing import qr
    from xuyi_desktop.printing.fonts import register_fonts
    from xuyi_desktop.printing.output import atomic_output
    from xuyi_desktop.printing.plan_docs import render_task_summary
    from xuyi_desktop.services.office_keys import print_key
    from xuyi_desktop.services.printing import issuing_organ
    from xuyi_desktop.services.serials import next_serial

    audit.require(ctx, Permission.PRINT)
    today = today or dt.date.today()
    period = current_period(plan, today)
    views = list_tasks(ctx, plan=period.code, today=today)
    counts = summary_counts(views)
    out = Path(out)
    fonts = register_fonts()
    key = print_key(ctx)
    digest = hashlib.sha256("".join(f"{v.task.id}:{v.status.value};" for v in views).encode()).hexdigest()[:16]
    with atomic_output(out) as tmp, ctx.transaction() as session:
        serial = next_serial(session, ctx, DOC_TYPE, today.year)
        facts = {"pl": period.code, "asof": today.isoformat(), "n": len(views), "done": counts["done"],
                 "run": counts["in_progress"], "od": counts["overdue"], "ns": counts["not_started"], "h": digest}
        payload = qr.build_payload(DOC_TYPE, serial, ctx.office_code, today, facts, key.sign)
        pages = render_task_summary(period, views, tmp, serial=serial, organ=issuing_organ(ctx), today=today,
                                    payload=payload, fonts=fonts, short_unit=short_unit_name)
        audit.write(session, ctx, "print.task_summary", f"打印建设任务进展情况 {serial}（{period.code}，截至{today.isoformat()}）",
                    details={"serial": serial, "plan": period.code, "pages": pages, **{k: v for k, v in counts.items()},
                             "file": out.name})
    return out
