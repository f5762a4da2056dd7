"""The plan's 双公示 indicators for a period and a responsible unit, with the records that pull each one down.

Definitions (SPEC.md §7, §12), over the current version of every decision whose decision date lies in the
period (withdrawn decisions included: they were decisions and had to be published), as of a day `as_of`:
- due: reported, or the 7-working-day deadline is over (deadline < as_of);
- 报送率 report_rate = reported / due;
- 合规率 compliance_rate = reported records passing every rule (checked again now) / reported;
- 及时率 timeliness_rate = reported on or before the deadline / reported;
- completeness = filled mandatory and recommended fields / all such fields that apply (every record).
A rate whose denominator is 0 is None (shown as “—”), not 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.services import audit, list_scope
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import record_values, visible_records_stmt


@dataclass(frozen=True)
class Offender:
    """One record that pulls a figure down, and why."""

    id: str
    kind: str
    document_no: str
    name: str
    decided: dt.date | None
    deadline: dt.date | None
    reported_on: dt.date | None
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "document_no": self.document_no, "name": self.name,
            "decided": self.decided.isoformat() if self.decided else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "reported_on": self.reported_on.isoformat() if self.reported_on else None, "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class MonthFigures:
    month: str  # YYYY-MM
    records: int
    due: int
    reported: int
    on_time: int


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


@dataclass
class Indicators:
    date_from: dt.date
    date_to: dt.date
    unit: str | None
    as_of: dt.date
    records: int = 0
    due: int = 0
    reported: int = 0
    compliant: int = 0
    on_time: int = 0
    fields_filled: int = 0
    fields_total: int = 0
    not_reported: list[Offender] = field(default_factory=list)
    non_compliant: list[Offender] = field(default_factory=list)
    late: list[Offender] = field(default_factory=list)
    incomplete: list[Offender] = field(default_factory=list)
    months: list[MonthFigures] = field(default_factory=list)

    @property
    def report_rate(self) -> float | None:
        return _rate(self.reported, self.due)

    @property
    def compliance_rate(self) -> float | None:
        return _rate(self.compliant, self.reported)

    @property
    def timeliness_rate(self) -> float | None:
        return _rate(self.on_time, self.reported)

    @property
    def completeness(self) -> float | None:
        return _rate(self.fields_filled, self.fields_total)

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "unit": self.unit, "as_of": self.as_of.isoformat(),
            "records": self.records, "due": self.due, "reported": self.reported, "compliant": self.compliant,
            "on_time": self.on_time, "fields_filled": self.fields_filled, "fields_total": self.fields_total,
            "report_rate": self.report_rate, "compliance_rate": self.compliance_rate,
            "timeliness_rate": self.timeliness_rate, "completeness": self.completeness,
            "pulled_down_by": {
                "report_rate": [o.to_json() for o in self.not_reported],
                "compliance_rate": [o.to_json() for o in self.non_compliant],
                "timeliness_rate": [o.to_json() for o in self.late],
                "completeness": [o.to_json() for o in self.incomplete],
            },
            "months": [m.__dict__ for m in self.months],
        }

    def lines(self) -> list[str]:
        def pct(v: float | None) -> str:
            return "—" if v is None else f"{v * 100:.1f}%"

        head = f"{self.date_from}～{self.date_to}" + (f"，{self.unit}" if self.unit else "") + f"（截至 {self.as_of}）"
        return [
            head,
            f"记录 {self.records} 条，应报送 {self.due} 条，已报送 {self.reported} 条",
            f"报送率 {pct(self.report_rate)}（未报送 {len(self.not_reported)} 条）",
            f"合规率 {pct(self.compliance_rate)}（不合规 {len(self.non_compliant)} 条）",
            f"及时率 {pct(self.timeliness_rate)}（逾期报送 {len(self.late)} 条）",
            f"数据完整率 {pct(self.completeness)}（{self.fields_filled}/{self.fields_total} 项，缺项记录 {len(self.incomplete)} 条）",
        ]


def compute(rows: list[Any], *, date_from: dt.date, date_to: dt.date, unit: str | None, as_of: dt.date) -> Indicators:
    """The figures from current-version rows (pure: no session needed)."""
    out = Indicators(date_from, date_to, unit, as_of)
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in rows:
        kind = RecordKind(r.kind)
        values = record_values(r)

        def offender(reasons: list[str], r: Any = r, kind: RecordKind = kind) -> Offender:
            return Offender(str(r.id), kind.label, r.wsh, r.xdr_mc, r.jdrq, r.deadline, r.reported_on, tuple(reasons))

        out.records += 1
        month = months[r.jdrq.strftime("%Y-%m")] if r.jdrq else months["—"]
        month[0] += 1
        applicable = rules.completeness_fields(kind, values)
        missing = [n for n in applicable if not rules.is_filled(values.get(n))]
        out.fields_total += len(applicable)
        out.fields_filled += len(applicable) - len(missing)
        if missing:
            out.incomplete.append(offender([f"缺少{rules.label(kind, n)}" for n in missing]))
        reported = r.reported_on is not None and r.reported_on <= as_of
        overdue = r.deadline is not None and r.deadline < as_of
        if not (reported or overdue):
            continue
        out.due += 1
        month[1] += 1
        if not reported:
            out.not_reported.append(offender([f"截止 {r.deadline} 未报送"]))
            continue
        out.reported += 1
        month[2] += 1
        problems = rules.validate(kind, values, today=max(as_of, r.jdrq or as_of))
        if problems:
            out.non_compliant.append(offender([p.message_zh for p in problems]))
        else:
            out.compliant += 1
        if r.deadline is None or r.reported_on <= r.deadline:
            out.on_time += 1
            month[3] += 1
        else:
            out.late.append(offender([f"截止 {r.deadline}，{r.reported_on} 才报送"]))
    out.months = [MonthFigures(m, *v) for m, v in sorted(months.items())]
    return out


def indicators(
    ctx: AppContext, *, date_from: dt.date, date_to: dt.date, unit: str | None = None, as_of: dt.date | None = None
) -> Indicators:
    """The four figures for decisions taken from `date_from` to `date_to` (inclusive), optionally by 决定机关."""
    audit.require(ctx, Permission.VIEW)
    as_of = as_of or dt.date.today()
    own_unit = list_scope.current_list_unit(ctx)
    stmt = visible_records_stmt(own_unit, date_from=date_from, date_to=date_to, unit=unit).order_by("jdrq", "wsh")
    unit = unit or own_unit  # a unit-limited user's figures are their unit's: say so
    with ctx.transaction() as session:
        rows = list(session.execute(stmt).scalars())
        return compute(rows, date_from=date_from, date_to=date_to, unit=unit, as_of=as_of)


# The plan's (SPEC §12) and the municipal score's targets behind the four figures (resources/plan/indicators.toml).
_FIGURE_TARGETS = {
    "report_rate": "sgs_report_rate",
    "compliance_rate": "sgs_compliance_rate",
    "timeliness_rate": "city_timeliness",
    "completeness": "city_completeness",
}


@dataclass(frozen=True)
class FigureJudgement:
    target_text: str  # ≥100%
    met: bool | None  # None: nothing to judge (no records) or not assessed that year
    name: str  # the indicator as the plan names it


def judge_figures(result: Indicators) -> dict[str, FigureJudgement]:
    """Each of the four figures against its target, for the year the period ends in."""
    from xuyi_desktop.services.indicators import indicator_config

    defs = {d.code: d for d in indicator_config()[0]}
    out: dict[str, FigureJudgement] = {}
    for key, code in _FIGURE_TARGETS.items():
        d = defs.get(code)
        if d is None:
            continue
        out[key] = FigureJudgement(d.target_text(), d.met(getattr(result, key), result.date_to.year), d.name)
    return out
