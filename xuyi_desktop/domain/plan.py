"""Running the plan (信用交通县建设): the unit dictionary (局属各单位), a plan period's task table (annex 2) and the
status of a task per responsible unit, derived from dates and progress reports — pure rules, no storage.

The files themselves are data: resources/units.toml and resources/plan/periods/<code>.toml (a later plan period is
a new file). A status is never stored: it is computed from the task's dates, the reports and the day asked about.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError


class PlanFileError(DomainError):
    """A units or plan file is broken: the file and what is wrong, in Chinese."""

    def __init__(self, where: str, problem: str) -> None:
        self.where, self.problem = where, problem
        self.message_zh = f"{where}：{problem}"
        self.message_en = f"invalid plan data file {where}"
        super().__init__(self.message_zh)


def fold_unit(text: str) -> str:
    """How a typed unit name is compared: full-width folded, spaces dropped."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


# --- units ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class UnitGroup:
    """A collective name of the plan (局属各单位, 有关科室) and the units it stands for."""

    name: str
    members: tuple[str, ...]
    expected: bool  # every member must report on a task given to the group


class UnknownUnit(DomainError):
    def __init__(self, text: str, choices: Sequence[str]) -> None:
        self.text = text
        self.message_zh = f"单位“{text}”不在单位字典中，应为：{'、'.join(choices)}（见 resources/units.toml）"
        self.message_en = f"unknown unit {text!r}"
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class UnitDictionary:
    units: tuple[Unit, ...]
    groups: tuple[UnitGroup, ...]
    _index: Mapping[str, Unit] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [u.name for u in self.units]

    def find(self, text: str) -> Unit | None:
        """The unit a name or alias stands for, or None."""
        return self._index.get(fold_unit(text))

    def group(self, text: str) -> UnitGroup | None:
        key = fold_unit(text)
        return next((g for g in self.groups if fold_unit(g.name) == key), None)

    def canonical(self, text: str) -> str:
        """The standard name of a typed unit (an alias becomes the name); UnknownUnit if it is not one."""
        unit = self.find(text)
        if unit is None:
            raise UnknownUnit(text.strip(), self.names)
        return unit.name

    def names_for(self, text: str) -> tuple[str, ...]:
        """Every spelling that means the same unit as `text` (for matching a 决定机关 column); a text that is not a
        unit of the dictionary (another bureau) means only itself."""
        unit = self.find(text)
        return unit.names if unit is not None else (text.strip(),)

    def expand(self, names: Iterable[str]) -> tuple[list[str], list[str]]:
        """(units that must report, units that may report) for a task's responsible names."""
        expected: list[str] = []
        optional: list[str] = []
        for n in names:
            g = self.group(n)
            members = list(g.members) if g is not None else [self.canonical(n)]
            target = expected if g is None or g.expected else optional
            for m in members:
                if m not in expected and m not in target:
                    target.append(m)
        return expected, [m for m in optional if m not in expected]


def _table(value: Any, where: str, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise PlanFileError(where, f"缺少 [[{what}]] 表")
    return value


def _text(row: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = row.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise PlanFileError(where, f"“{key}”应为非空文字（{row.get('name') or row.get('id') or ''}）")
    return value


def parse_units(text: str, where: str = "units.toml") -> UnitDictionary:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc
    units = []
    index: dict[str, Unit] = {}
    for row in _table(data.get("unit"), where, "unit"):
        aliases = row.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise PlanFileError(where, f"{row.get('name')}：aliases 应为文字列表")
        unit = Unit(_text(row, "name", where).strip(), _text(row, "kind", where).strip(), tuple(a.strip() for a in aliases))
        for n in unit.names:
            key = fold_unit(n)
            if key in index:
                raise PlanFileError(where, f"名称“{n}”同时属于“{index[key].name}”和“{unit.name}”")
            index[key] = unit
        units.append(unit)
    groups = []
    for row in data.get("group", []) or []:
        name = _text(row, "name", where).strip()
        if fold_unit(name) in index:
            raise PlanFileError(where, f"集合名称“{name}”与单位名称重复")
        members = row.get("members", [])
        if not isinstance(members, list) or not members:
            raise PlanFileError(where, f"集合“{name}”的 members 应为单位名称列表")
        resolved = []
        for m in members:
            member = index.get(fold_unit(str(m)))
            if member is None:
                raise PlanFileError(where, f"集合“{name}”的成员“{m}”不是字典中的单位")
            resolved.append(member.name)
        groups.append(UnitGroup(name, tuple(resolved), bool(row.get("expected", True))))
    return UnitDictionary(tuple(units), tuple(groups), index)


# --- the plan's task table -----------------------------------------------------------------------------

SECTION_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class PlanTask:
    id: str  # "3.7": section number . task number
    section: str  # 一 … 四
    section_name: str
    no: int  # (7)
    item: int
    item_name: str
    content: str  # verbatim
    deadline: str  # the annex's 完成时间, verbatim
    start: dt.date
    due: dt.date
    continuous: bool  # 持续推进
    responsible: str  # the annex's 责任部门, verbatim
    lead: tuple[str, ...]
    co: tuple[str, ...]
    expected_units: tuple[str, ...]  # the units that must report
    optional_units: tuple[str, ...]  # may report (有关科室)

    @property
    def label(self) -> str:
        return f"{self.section}（{self.no}）"

    @property
    def units(self) -> tuple[str, ...]:
        return (*self.expected_units, *self.optional_units)


@dataclass(frozen=True)
class PlanPeriod:
    code: str
    title: str
    source: str
    start: dt.date
    end: dt.date
    report_every_days: int
    warn_days: int
    sections: tuple[tuple[str, str], ...]
    tasks: tuple[PlanTask, ...]

    def task(self, key: str) -> PlanTask:
        """A task by its id ("3.7") or its label ("三(7)", "三（7）")."""
        wanted = fold_unit(key).replace("(", "（").replace(")", "）")
        for t in self.tasks:
            if wanted in (t.id, t.label):
                return t
        if "（" in wanted:
            head, _, rest = wanted.partition("（")
            if head in SECTION_NUMBERS:
                return self.task(f"{SECTION_NUMBERS[head]}.{rest.rstrip('）')}")
        raise ValidationError(FieldProblem("task", f"没有编号为“{key}”的任务（编号如 3.7 或 三(7)）", f"no task {key!r}"))

    def section_counts(self) -> dict[str, int]:
        counts = {code: 0 for code, _ in self.sections}
        for t in self.tasks:
            counts[t.section] += 1
        return counts


def _date(value: Any, where: str, what: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PlanFileError(where, f"{what} 应为日期（如 2025-12-31）")


def parse_plan(text: str, units: UnitDictionary, where: str = "plan.toml") -> PlanPeriod:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc
    head = data.get("plan")
    if not isinstance(head, dict):
        raise PlanFileError(where, "缺少 [plan] 表")
    start, end = _date(head.get("start"), where, "plan.start"), _date(head.get("end"), where, "plan.end")
    if end < start:
        raise PlanFileError(where, "plan.end 早于 plan.start")
    sections = tuple((_text(s, "code", where), _text(s, "name", where)) for s in _table(data.get("section"), where, "section"))
    names = dict(sections)
    tasks: list[PlanTask] = []
    seen: set[str] = set()
    for row in _table(data.get("task"), where, "task"):
        tid = _text(row, "id", where)
        if tid in seen:
            raise PlanFileError(where, f"任务编号 {tid} 重复")
        seen.add(tid)
        section = _text(row, "section", where)
        if section not in names:
            raise PlanFileError(where, f"任务 {tid} 的 section “{section}”不在 [[section]] 中")
        lead = tuple(row.get("lead", []))
        co = tuple(row.get("co", []))
        if not lead:
            raise PlanFileError(where, f"任务 {tid} 没有牵头单位（lead）")
        try:
            expected, optional = units.expand([*lead, *co])
        except UnknownUnit as exc:
            raise PlanFileError(where, f"任务 {tid}：{exc.message_zh}") from exc
        t_start, due = _date(row.get("start", start), where, f"任务 {tid} 的 start"), _date(row.get("due"), where, f"任务 {tid} 的 due")
        if due < t_start:
            raise PlanFileError(where, f"任务 {tid} 的截止日早于开始日")
        no, item = row.get("no"), row.get("item")
        if not isinstance(no, int) or not isinstance(item, int):
            raise PlanFileError(where, f"任务 {tid} 的 no 和 item 应为整数")
        tasks.append(PlanTask(
            tid, section, names[section], no, item, _text(row, "item_name", where), _text(row, "content", where),
            _text(row, "deadline", where), t_start, due, bool(row.get("continuous", False)), _text(row, "responsible", where),
            tuple(lead), tuple(co), tuple(expected), tuple(optional),
        ))
    every = head.get("report_every_days", 183)
    warn = head.get("warn_days", 30)
    if not isinstance(every, int) or every <= 0 or not isinstance(warn, int) or warn < 0:
        raise PlanFileError(where, "report_every_days 应为正整数，warn_days 应为非负整数")
    return PlanPeriod(_text(head, "code", where), _text(head, "title", where), str(head.get("source", "")), start, end,
                      every, warn, sections, tuple(tasks))


# --- status --------------------------------------------------------------------------------------------

class TaskStatus(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {"not_started": "未开始", "in_progress": "进行中", "done": "已完成", "overdue": "逾期"}[self.value]


@dataclass(frozen=True)
class ProgressFact:
    """One progress report as the rules need it."""

    unit: str
    reported_on: dt.date
    percent: int | None
    milestone: str
    completed: bool


@dataclass(frozen=True)
class UnitStanding:
    unit: str
    expected: bool
    status: TaskStatus
    reason: str
    percent: int | None  # the latest percentage reported
    last_report: dt.date | None
    next_due: dt.date | None  # the day the next report (continuous) or the completion (dated) is due
    reports: int


def unit_standing(task: PlanTask, period: PlanPeriod, unit: str, reports: Sequence[ProgressFact], today: dt.date,
                  *, expected: bool = True) -> UnitStanding:
    """Where one unit stands on one task on `today`: 已完成 once a report says so (100 % or a completing milestone);
    逾期 when the due day passed without that, or — for a 持续推进 task — when no report came for
    report_every_days; 进行中 with any report; else 未开始. Reports dated after `today` do not count yet."""
    mine = sorted((r for r in reports if r.unit == unit and r.reported_on <= today), key=lambda r: r.reported_on)
    last = mine[-1] if mine else None
    percent = next((r.percent for r in reversed(mine) if r.percent is not None), None)
    done = next((r for r in mine if r.completed), None)
    if done is not None:
        return UnitStanding(unit, expected, TaskStatus.DONE, f"{done.reported_on.isoformat()} 报告完成", percent,
                            last.reported_on if last else None, None, len(mine))
    if task.continuous:
        since = last.reported_on if last else task.start
        next_due = min(since + dt.timedelta(days=period.report_every_days), task.due)
    else:
        next_due = task.due
    if today > task.due:
        next_due = task.due
        status, reason = TaskStatus.OVERDUE, f"截止 {task.due.isoformat()} 未报告完成"
    elif task.continuous and today > next_due and expected:
        status, reason = TaskStatus.OVERDUE, f"已超过 {period.report_every_days} 天未报送进展（应于 {next_due.isoformat()} 前报送）"
    elif mine:
        status, reason = TaskStatus.IN_PROGRESS, f"最近报送 {last.reported_on.isoformat()}" if last else ""
    else:
        status, reason = TaskStatus.NOT_STARTED, "尚未报送进展"
    if not expected and status is TaskStatus.OVERDUE:
        status = TaskStatus.IN_PROGRESS if mine else TaskStatus.NOT_STARTED  # 有关科室: may report, never owes
        reason = "配合单位（不计入应报单位）"
    return UnitStanding(unit, expected, status, reason, percent, last.reported_on if last else None, next_due, len(mine))


def task_status(standings: Sequence[UnitStanding]) -> TaskStatus:
    """The task as a whole: 已完成 when every unit that must report has completed; 逾期 when any of them is overdue;
    进行中 once anyone reported; else 未开始."""
    owed = [s for s in standings if s.expected]
    if owed and all(s.status is TaskStatus.DONE for s in owed):
        return TaskStatus.DONE
    if any(s.status is TaskStatus.OVERDUE for s in owed):
        return TaskStatus.OVERDUE
    if any(s.reports for s in standings):
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


def check_progress(percent: int | None, milestone: str, text: str) -> None:
    """A report says something and a percentage, if given, is 0–100."""
    problems = []
    if not text.strip():
        problems.append(FieldProblem("text", "进展情况：必填，请写明做了什么", "progress text required"))
    if percent is not None and not 0 <= percent <= 100:
        problems.append(FieldProblem("percent", f"完成比例应在 0 到 100 之间（收到 {percent}）", "percent out of range"))
    if len(milestone) > 100:
        problems.append(FieldProblem("milestone", "节点名称不能超过 100 个字", "milestone too long"))
    if problems:
        raise ValidationError(problems)


# --- indicators ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IndicatorDef:
    """One target of the plan (SPEC §12) or one item of the municipal department score, as data."""

    code: str
    name: str
    group: str  # plan / city
    kind: str  # rate / count
    target: float
    definition: str
    note: str = ""
    years: tuple[int, ...] = ()  # only assessed in these years (award editions); empty: every year

    def applies(self, year: int) -> bool:
        return not self.years or year in self.years

    def met(self, actual: float | None, year: int) -> bool | None:
        """None when it cannot be judged (no data, or not assessed this year)."""
        if actual is None or not self.applies(year):
            return None
        return actual + 1e-12 >= self.target

    def target_text(self) -> str:
        return f"≥{self.target * 100:g}%" if self.kind == "rate" else f"≥{self.target:g}"


KNOWN_INDICATORS = (
    "sgs_report_rate", "sgs_compliance_rate", "record_completeness", "commitment_areas", "scenarios", "campaigns",
    "trainings", "award_candidates", "city_report_share", "city_timeliness", "city_valid_entry", "city_completeness",
    "city_accuracy", "city_monthly_report",
)


def parse_indicators(text: str, where: str = "indicators.toml") -> tuple[tuple[IndicatorDef, ...], int]:
    """The indicator table and the day of the month the monthly 双公示 report is due by."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc
    out = []
    for row in _table(data.get("indicator"), where, "indicator"):
        code = _text(row, "code", where)
        if code not in KNOWN_INDICATORS:
            raise PlanFileError(where, f"未知指标代码“{code}”（可用：{'、'.join(KNOWN_INDICATORS)}）")
        kind = _text(row, "kind", where)
        target = row.get("target")
        if kind not in ("rate", "count") or not isinstance(target, (int, float)):
            raise PlanFileError(where, f"指标 {code}：kind 应为 rate 或 count，target 应为数字")
        if kind == "rate" and not 0 <= target <= 1:
            raise PlanFileError(where, f"指标 {code}：比率目标应在 0 到 1 之间（如 0.99）")
        years = row.get("years", [])
        out.append(IndicatorDef(code, _text(row, "name", where), _text(row, "group", where), kind, float(target),
                                _text(row, "definition", where), str(row.get("note", "")), tuple(int(y) for y in years)))
    codes = [d.code for d in out]
    missing = [c for c in KNOWN_INDICATORS if c not in codes]
    if missing or len(set(codes)) != len(codes):
        raise PlanFileError(where, f"每个指标应恰好出现一次（缺少：{'、'.join(missing) or '无'}）")
    day = data.get("monthly_report_day", 10)
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise PlanFileError(where, "monthly_report_day 应为 1 到 28 的整数")
    return tuple(out), day


def monthly_report_deadline(month: str, day: int) -> dt.date:
    """The monthly 双公示 report of `month` (YYYY-MM) is due by `day` of the month after."""
    year, m = (int(x) for x in month.split("-"))
    year, m = (year + 1, 1) if m == 12 else (year, m + 1)
    return dt.date(year, m, day)


def parse_month(text: str) -> str:
    """YYYY-MM, refusing anything else with the clerk's sentence."""
    import re

    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", fold_unit(text))
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise ValidationError(FieldProblem("month", f"月份应写成 YYYY-MM（收到：{text}）", "month must be YYYY-MM"))
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
