"""The indicator dashboard: every target of the plan (SPEC §12) and the municipal assessment's department scores for a
year and (optionally) a unit — target, actual, met or not, the monthly trend, and for every figure the records
behind it. Targets and definitions are data (resources/plan/indicators.toml).

The figures are not computed twice: 双公示 comes from services.sgs_stats.indicators (what `xuyi stats sgs` prints),
the commitment areas from services.commitments.area_indicator (`xuyi commitment indicator`), completeness from
services.completeness.record_completeness (`xuyi stats completeness`); this module adds the registers' counts,
the valid-entry rate and the monthly reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xuyi_desktop.domain import sgs as sgs_rules
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.plan import IndicatorDef, monthly_report_deadline, parse_indicators, parse_month
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit, list_scope
from xuyi_desktop.services.commitments import AreaIndicator, area_indicator, area_name
from xuyi_desktop.services.completeness import Completeness, record_completeness
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.plan_registers import count_in, register_options
from xuyi_desktop.services.sgs_stats import Indicators, Offender
from xuyi_desktop.services.sgs_stats import indicators as sgs_indicators
from xuyi_desktop.services.units import canonical_unit
from xuyi_desktop.storage.models_plan import SgsMonthlyReport
from xuyi_desktop.storage.queries import commitments as commitment_queries
from xuyi_desktop.storage.queries import plan as plan_queries
from xuyi_desktop.storage.queries import sgs as sgs_queries

DOC_TYPE = "ZB"


@lru_cache(maxsize=1)
def indicator_config() -> tuple[tuple[IndicatorDef, ...], int]:
    path = resource_path("plan", "indicators.toml")
    return parse_indicators(path.read_text(encoding="utf-8"), "plan/indicators.toml")


@dataclass(frozen=True)
class DrillRecord:
    """A record behind a figure: what it is (kind, to open it), its id, a line for the clerk, and why it is there."""

    kind: str
    id: str
    title: str
    day: dt.date | None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title, "date": self.day.isoformat() if self.day else None,
                "note": self.note}


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class Figure:
    definition: IndicatorDef
    actual: float | None
    numerator: int | None = None
    denominator: int | None = None
    met: bool | None = None
    records: list[DrillRecord] = field(default_factory=list)
    records_label: str = ""  # what the drill-down lists: 拉低该指标的记录 / 计入的记录

    @property
    def actual_text(self) -> str:
        if self.definition.kind == "rate":
            return pct(self.actual)
        return "—" if self.actual is None else f"{self.actual:g}"

    @property
    def met_text(self) -> str:
        return {True: "达标", False: "未达标", None: "—"}[self.met]

    def to_json(self) -> dict[str, Any]:
        d = self.definition
        return {
            "code": d.code, "name": d.name, "group": d.group, "kind": d.kind, "target": d.target,
            "target_text": d.target_text(), "actual": self.actual, "actual_text": self.actual_text,
            "numerator": self.numerator, "denominator": self.denominator, "met": self.met, "met_text": self.met_text,
            "definition": d.definition, "note": d.note, "records_label": self.records_label,
            "records": [r.to_json() for r in self.records],
        }


@dataclass
class IndicatorReport:
    year: int
    unit: str | None
    as_of: dt.date
    figures: list[Figure]
    sgs: Indicators
    commitments: AreaIndicator
    completeness: Completeness
    months: list[str]
    trend: dict[str, list[float | None]]  # rates by month (报送率, 及时率, 合规率, 数据完整率)
    counts: dict[str, list[int]]  # campaigns and trainings by month

    def figure(self, code: str) -> Figure:
        return next(f for f in self.figures if f.definition.code == code)

    @property
    def met_count(self) -> int:
        return sum(1 for f in self.figures if f.met is True)

    @property
    def judged_count(self) -> int:
        return sum(1 for f in self.figures if f.met is not None)

    def to_json(self) -> dict[str, Any]:
        sgs = self.sgs.to_json()
        return {
            "year": self.year, "unit": self.unit, "as_of": self.as_of.isoformat(),
            "indicators": [f.to_json() for f in self.figures],
            "met": self.met_count, "judged": self.judged_count,
            "trend": {"months": self.months, "rates": self.trend, "counts": self.counts},
            "sources": {
                "stats_sgs": {k: sgs[k] for k in ("records", "due", "reported", "compliant", "on_time", "fields_filled",
                                                  "fields_total", "report_rate", "compliance_rate", "timeliness_rate",
                                                  "completeness")},
                "commitment_indicator": self.commitments.to_json(),
                "completeness": {k: v for k, v in self.completeness.to_json().items() if k != "incomplete"},
            },
        }


def _offenders(items: list[Offender], why: str = "") -> list[DrillRecord]:
    return [DrillRecord("sgs", o.id, f"{o.kind} {o.document_no} {o.name}".strip(), o.decided, why or "；".join(o.reasons))
            for o in items]


def _rate_figure(d: IndicatorDef, num: int, den: int, year: int, records: list[DrillRecord]) -> Figure:
    actual = None if den == 0 else num / den
    return Figure(d, actual, num, den, d.met(actual, year), records, "拉低该指标的记录")


def _count_figure(d: IndicatorDef, records: list[DrillRecord], year: int, actual: float | None = None) -> Figure:
    value = float(len(records)) if actual is None else actual
    return Figure(d, value, None, None, d.met(value, year), records, "计入的记录")


def _monthly(session: Any, year: int, unit: str, as_of: dt.date, day: int) -> tuple[int, int, list[DrillRecord], list[SgsMonthlyReport]]:
    """(on time, due, the months behind it, the reports) for the monthly 双公示 reports of a year."""
    rows = plan_queries.monthly_reports_of_year(session, year, unit)
    first: dict[str, SgsMonthlyReport] = {}
    for r in rows:
        if r.submitted_on <= as_of:
            first.setdefault(r.month, r)
    on_time = due = 0
    records = []
    for m in range(1, 13):
        month = f"{year}-{m:02d}"
        deadline = monthly_report_deadline(month, day)
        sent = first.get(month)
        if sent is None and deadline >= as_of:
            continue  # not due yet
        due += 1
        if sent is not None and sent.submitted_on <= deadline:
            on_time += 1
            continue
        note = f"截止 {deadline.isoformat()}，" + (f"{sent.submitted_on.isoformat()} 才报送" if sent else "未报送")
        records.append(DrillRecord("monthly_report", str(sent.id) if sent else month, f"{month} 双公示月报", deadline, note))
    return on_time, due, records, rows


def plan_indicators(ctx: AppContext, *, year: int, unit: str | None = None, as_of: dt.date | None = None) -> IndicatorReport:
    """Every indicator for `year` (decisions, records and events dated in it) as of `as_of` (default today), for
    the whole bureau or one unit."""
    audit.require(ctx, Permission.VIEW)
    if not 2000 <= year <= 2100:
        raise ValidationError(FieldProblem("year", f"年度应为四位年份（收到：{year}）", "bad year"))
    as_of = as_of or dt.date.today()
    unit_name = canonical_unit(unit) if unit and unit.strip() else None
    defs, report_day = indicator_config()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    until = min(end, as_of)  # events still to come do not count yet
    sgs = sgs_indicators(ctx, date_from=start, date_to=end, unit=unit_name, as_of=as_of)
    commitments = area_indicator(ctx, start, end, unit_name)
    own_unit = list_scope.current_list_unit(ctx)
    opts = register_options()
    figures: list[Figure] = []
    with ctx.transaction() as session:
        completeness = record_completeness(session, date_from=start, date_to=end, unit=unit_name, own_unit=own_unit)
        from xuyi_desktop.services.sgs import record_values, visible_records_stmt

        invalid: list[DrillRecord] = []
        rows = sgs_queries.by_decision(session, visible_records_stmt(own_unit, date_from=start, date_to=end, unit=unit_name))
        for r in rows:
            kind = sgs_rules.RecordKind(r.kind)
            problems = sgs_rules.validate(kind, record_values(r), today=max(as_of, r.jdrq or as_of))
            if problems:
                invalid.append(DrillRecord("sgs", str(r.id), f"{kind.label} {r.wsh} {r.xdr_mc}".strip(), r.jdrq,
                                           "；".join(p.message_zh for p in problems)))
        committed = commitment_queries.kept_signed_between(session, start, end, _spellings(unit_name) if unit_name else None)
        commitment_rows = [DrillRecord("commitment", str(c.id), f"{c.serial} {c.business}", c.signed_on, area_name(c.area_code))
                           for c in committed]
        scenarios = [DrillRecord("scenario", str(s.id), f"{s.name}（{s.business_type}）", s.started_on, s.unit)
                     for s in count_in(session, "scenario", date_from=start, date_to=until, unit=unit_name)]
        campaigns = count_in(session, "campaign", date_from=start, date_to=until, unit=unit_name)
        trainings = count_in(session, "training", date_from=start, date_to=until, unit=unit_name)
        awards = [DrillRecord("model", str(m.id), f"{m.name}（{m.kind}）", m.nominated_on, m.edition)
                  for m in count_in(session, "model", date_from=start, date_to=until, unit=unit_name, kinds=opts.award_kinds)]
        on_time, due, late_months, _ = _monthly(session, year, unit_name or "", as_of, report_day)

    valid = len(rows) - len(invalid)
    for d in defs:
        c = d.code
        if c in ("sgs_report_rate", "city_report_share"):
            figures.append(_rate_figure(d, sgs.reported, sgs.due, year, _offenders(sgs.not_reported)))
        elif c in ("sgs_compliance_rate", "city_accuracy"):
            figures.append(_rate_figure(d, sgs.compliant, sgs.reported, year, _offenders(sgs.non_compliant)))
        elif c == "city_timeliness":
            figures.append(_rate_figure(d, sgs.on_time, sgs.reported, year, _offenders(sgs.late)))
        elif c == "city_completeness":
            figures.append(_rate_figure(d, sgs.fields_filled, sgs.fields_total, year, _offenders(sgs.incomplete)))
        elif c == "city_valid_entry":
            figures.append(_rate_figure(d, valid, len(rows), year, invalid))
        elif c == "record_completeness":
            figures.append(_rate_figure(d, completeness.fields_filled, completeness.fields_total, year, [
                DrillRecord(i.kind, i.id, f"{i.kind_label} {i.title}", i.day, "缺少" + "、".join(i.missing))
                for i in completeness.incomplete]))
        elif c == "commitment_areas":
            figures.append(_count_figure(d, commitment_rows, year, float(commitments.count)))
        elif c == "scenarios":
            figures.append(_count_figure(d, scenarios, year))
        elif c == "campaigns":
            figures.append(_count_figure(d, [DrillRecord("campaign", str(x.id), f"{x.kind}：{x.theme}", x.held_on, x.unit)
                                             for x in campaigns], year))
        elif c == "trainings":
            figures.append(_count_figure(d, [DrillRecord("training", str(x.id), f"{x.kind}：{x.topic}", x.held_on, x.unit)
                                             for x in trainings], year))
        elif c == "award_candidates":
            figures.append(_count_figure(d, awards, year))
        elif c == "city_monthly_report":
            figures.append(_rate_figure(d, on_time, due, year, late_months))

    months = [f"{year}-{m:02d}" for m in range(1, 13) if dt.date(year, m, 1) <= as_of]
    by_month = {m.month: m for m in sgs.months}
    noncompliant: dict[str, int] = {}
    for o in sgs.non_compliant:
        if o.decided:
            key = o.decided.strftime("%Y-%m")
            noncompliant[key] = noncompliant.get(key, 0) + 1
    complete = completeness.month_rates()

    def ratio(n: int, d: int) -> float | None:
        return None if d == 0 else n / d

    trend = {
        "sgs_report_rate": [ratio(by_month[m].reported, by_month[m].due) if m in by_month else None for m in months],
        "city_timeliness": [ratio(by_month[m].on_time, by_month[m].reported) if m in by_month else None for m in months],
        "sgs_compliance_rate": [ratio(by_month[m].reported - noncompliant.get(m, 0), by_month[m].reported) if m in by_month else None
                                for m in months],
        "record_completeness": [complete.get(m) for m in months],
    }
    counts = {
        "campaigns": [sum(1 for x in campaigns if x.held_on.strftime("%Y-%m") == m) for m in months],
        "trainings": [sum(1 for x in trainings if x.held_on.strftime("%Y-%m") == m) for m in months],
    }
    return IndicatorReport(year, unit_name, as_of, figures, sgs, commitments, completeness, months, trend, counts)


def _spellings(unit: str) -> tuple[str, ...]:
    from xuyi_desktop.services.units import unit_spellings

    return unit_spellings(unit)


# --- monthly 双公示 reports ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthlyReportView:
    id: uuid.UUID
    month: str
    unit: str
    submitted_on: dt.date
    deadline: dt.date
    note: str

    @property
    def on_time(self) -> bool:
        return self.submitted_on <= self.deadline

    def to_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "month": self.month, "unit": self.unit or "全局", "submitted_on": self.submitted_on.isoformat(),
                "deadline": self.deadline.isoformat(), "on_time": self.on_time, "note": self.note}


def add_monthly_report(ctx: AppContext, month: str, *, unit: str = "", on: dt.date | None = None, note: str = "",
                       today: dt.date | None = None) -> MonthlyReportView:
    """Record that the 双公示 report of `month` was sent (for the whole bureau, or a unit's own)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    month = parse_month(month)
    today = today or dt.date.today()
    on = on or today
    first_day = dt.date.fromisoformat(f"{month}-01")
    if on > today:
        raise ValidationError(FieldProblem("submitted_on", "报送日期不能晚于今天", "report date in the future"))
    if first_day > on:
        raise ValidationError(FieldProblem("month", f"{month} 的月报不能在该月开始前报送", "month not begun"))
    unit_name = canonical_unit(unit) if unit.strip() else ""
    _, day = indicator_config()
    with ctx.transaction() as session:
        row = audit.insert_recorded(session, ctx, SgsMonthlyReport(month=month, unit=unit_name, submitted_on=on, note=note.strip()),
                                    summary=f"登记{month}双公示月报已报送（{unit_name or '全局'}，{on.isoformat()}）")
        return MonthlyReportView(row.id, month, unit_name, on, monthly_report_deadline(month, day), row.note)


def list_monthly_reports(ctx: AppContext, *, year: int | None = None, unit: str | None = None) -> list[MonthlyReportView]:
    audit.require(ctx, Permission.VIEW)
    _, day = indicator_config()
    unit_name = None if unit is None else (canonical_unit(unit) if unit.strip() else "")
    with ctx.transaction() as session:
        return [MonthlyReportView(r.id, r.month, r.unit, r.submitted_on, monthly_report_deadline(r.month, day), r.note)
                for r in plan_queries.monthly_reports(session, year=year, unit=unit_name)]


# --- the one-page PDF ------------------------------------------------------------------------------------

def print_indicators(ctx: AppContext, out: str | Path, *, year: int, unit: str | None = None,
                     as_of: dt.date | None = None) -> Path:
    """The leading group's one-page indicator sheet with its charts, numbered (<office>-ZB-<year>-N), signed QR code,
    one audit entry; the numbers are those of plan_indicators (and so of `xuyi indicators --json`)."""
    from xuyi_desktop.printing import qr
    from xuyi_desktop.printing.fonts import register_fonts
    from xuyi_desktop.printing.output import atomic_output
    from xuyi_desktop.printing.plan_docs import render_indicator_sheet
    from xuyi_desktop.services.office_keys import print_key
    from xuyi_desktop.services.printing import issuing_organ
    from xuyi_desktop.services.serials import next_serial

    audit.require(ctx, Permission.PRINT)
    report = plan_indicators(ctx, year=year, unit=unit, as_of=as_of)
    today = dt.date.today()
    out = Path(out)
    fonts = register_fonts()
    key = print_key(ctx)
    digest = hashlib.sha256("".join(f"{f.definition.code}={f.actual_text};" for f in report.figures).encode()).hexdigest()[:16]
    with atomic_output(out) as tmp, ctx.transaction() as session:
        serial = next_serial(session, ctx, DOC_TYPE, today.year)
        facts = {"y": year, "un": report.unit or "", "asof": report.as_of.isoformat(), "ok": report.met_count,
                 "of": report.judged_count, "h": digest}
        payload = qr.build_payload(DOC_TYPE, serial, ctx.office_code, today, facts, key.sign)
        pages = render_indicator_sheet(report, tmp, serial=serial, organ=issuing_organ(ctx), today=today, payload=payload,
                                       fonts=fonts)
        audit.write(session, ctx, "print.indicators", f"打印指标完成情况 {serial}（{year}年度{('，' + report.unit) if report.unit else ''}）",
                    details={"serial": serial, "year": year, "unit": report.unit, "pages": pages, "met": report.met_count,
                             "file": out.name})
    return out
