"""Data completeness over every record kind (信用记录数据内容完整率): which fields each kind should have filled is data
(resources/plan/completeness.toml); the 双公示 kind uses the national field rules, exactly as `xuyi stats sgs`.

`record_completeness` is THE one function that computes it (the indicator dashboard, `xuyi indicators`, the
yearbook and `xuyi stats completeness` all call it); a coverage statistic built elsewhere should call it too.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as sgs_rules
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.plan import PlanFileError
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.queries import plan as plan_queries
from xuyi_desktop.storage.queries import sgs as sgs_queries

CHINA = dt.timezone(dt.timedelta(hours=8))  # a record entered at 07:00 on 1 January in Xuyi belongs to the new year
VIRTUAL = ("categories", "attendees")


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str
    when: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def applies(self, row: Any) -> bool:
        return all(getattr(row, col) in values for col, values in self.when)


@dataclass(frozen=True)
class KindRule:
    code: str
    label: str
    group: str  # credit / register
    table: str
    date: str
    unit: str
    title: tuple[str, ...]
    rules: str  # "sgs" or ""
    fields: tuple[FieldRule, ...]


def _model(table: str) -> Any:
    from xuyi_desktop.storage.all_models import Base

    return next((m.class_ for m in Base.registry.mappers if getattr(m.class_, "__tablename__", None) == table), None)


@lru_cache(maxsize=1)
def completeness_rules() -> tuple[KindRule, ...]:
    """The kinds and their fields, checked against the tables once per process (a misspelt column is refused)."""
    where = "plan/completeness.toml"
    try:
        data = tomllib.loads(resource_path("plan", "completeness.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(where, f"格式错误：{exc}") from exc
    out = []
    for row in data.get("kind", []):
        code, table = str(row.get("code", "")), str(row.get("table", ""))
        model = _model(table)
        if model is None:
            raise PlanFileError(where, f"{code}：没有数据表“{table}”")
        columns = set(model.__table__.columns.keys())
        for col in [row.get("date", ""), *([row["unit"]] if row.get("unit") else []), *row.get("title", [])]:
            if col not in columns:
                raise PlanFileError(where, f"{code}：数据表 {table} 没有“{col}”项")
        fields = []
        for f in row.get("field", []):
            name = str(f.get("name", ""))
            if name not in columns and name not in VIRTUAL:
                raise PlanFileError(where, f"{code}：数据表 {table} 没有“{name}”项")
            when = tuple((k, tuple(v) if isinstance(v, list) else (v,)) for k, v in (f.get("when") or {}).items())
            if any(k not in columns for k, _ in when):
                raise PlanFileError(where, f"{code}：“{name}”的 when 条件引用了不存在的项")
            fields.append(FieldRule(name, str(f.get("label", name)), when))
        rules = str(row.get("rules", ""))
        if rules not in ("", "sgs") or (not rules and not fields):
            raise PlanFileError(where, f"{code}：应有 field 列表或 rules = \"sgs\"")
        group = str(row.get("group", "credit"))
        if group not in ("credit", "register"):
            raise PlanFileError(where, f"{code}：group 应为 credit 或 register")
        out.append(KindRule(code, str(row.get("label", code)), group, table, str(row["date"]), str(row.get("unit", "")),
                            tuple(row.get("title", [])), rules, tuple(fields)))
    if not out:
        raise PlanFileError(where, "没有任何记录类别")
    return tuple(out)


@dataclass(frozen=True)
class Incomplete:
    """A record with at least one field it should have and has not."""

    kind: str
    kind_label: str
    id: str
    title: str
    day: dt.date | None
    missing: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "kind_label": self.kind_label, "id": self.id, "title": self.title,
                "date": self.day.isoformat() if self.day else None, "missing": list(self.missing)}


def _rate(filled: int, total: int) -> float | None:
    return None if total == 0 else filled / total


@dataclass
class KindCompleteness:
    code: str
    label: str
    group: str
    counted: bool = True  # False: the kind has no unit and a unit was asked for
    records: int = 0
    fields_filled: int = 0
    fields_total: int = 0
    incomplete: list[Incomplete] = field(default_factory=list)
    months: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def rate(self) -> float | None:
        return _rate(self.fields_filled, self.fields_total)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.code, "label": self.label, "group": self.group, "counted": self.counted,
                "records": self.records, "fields_filled": self.fields_filled, "fields_total": self.fields_total,
                "rate": self.rate, "incomplete": len(self.incomplete)}


@dataclass
class Completeness:
    date_from: dt.date
    date_to: dt.date
    unit: str | None
    kinds: list[KindCompleteness]

    def _credit(self) -> list[KindCompleteness]:
        return [k for k in self.kinds if k.group == "credit" and k.counted]

    @property
    def fields_filled(self) -> int:
        return sum(k.fields_filled for k in self._credit())

    @property
    def fields_total(self) -> int:
        return sum(k.fields_total for k in self._credit())

    @property
    def records(self) -> int:
        return sum(k.records for k in self._credit())

    @property
    def rate(self) -> float | None:
        """The headline figure: credit records only (registers are shown per kind, not counted here)."""
        return _rate(self.fields_filled, self.fields_total)

    @property
    def incomplete(self) -> list[Incomplete]:
        return [i for k in self._credit() for i in k.incomplete]

    def kind(self, code: str) -> KindCompleteness:
        return next(k for k in self.kinds if k.code == code)

    def month_rates(self) -> dict[str, float | None]:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for k in self._credit():
            for m, (filled, total) in k.months.items():
                totals[m][0] += filled
                totals[m][1] += total
        return {m: _rate(f, t) for m, (f, t) in sorted(totals.items())}

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "unit": self.unit,
            "records": self.records, "fields_filled": self.fields_filled, "fields_total": self.fields_total,
            "rate": self.rate, "kinds": [k.to_json() for k in self.kinds],
            "incomplete": [i.to_json() for i in self.incomplete],
        }


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA).date()
    return value if isinstance(value, dt.date) else None


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _sgs_kind(session: Session, rule: KindRule, date_from: dt.date, date_to: dt.date, unit: str | None,
              own_unit: str | None) -> KindCompleteness:
    """The 双公示 kind, from the very statement and field rules `xuyi stats sgs` uses (so the figures agree)."""
    from xuyi_desktop.services.sgs import record_values, visible_records_stmt

    out = KindCompleteness(rule.code, rule.label, rule.group)
    for r in sgs_queries.by_decision(session, visible_records_stmt(own_unit, date_from=date_from, date_to=date_to, unit=unit)):
        kind = sgs_rules.RecordKind(r.kind)
        values = record_values(r)
        applicable = sgs_rules.completeness_fields(kind, values)
        missing = [n for n in applicable if not sgs_rules.is_filled(values.get(n))]
        out.records += 1
        out.fields_total += len(applicable)
        out.fields_filled += len(applicable) - len(missing)
        month = out.months[r.jdrq.strftime("%Y-%m") if r.jdrq else "—"]
        month[0] += len(applicable) - len(missing)
        month[1] += len(applicable)
        if missing:
            out.incomplete.append(Incomplete(rule.code, rule.label, str(r.id), f"{r.wsh} {r.xdr_mc}".strip(), r.jdrq,
                                             tuple(sgs_rules.label(kind, n) for n in missing)))
    return out


def _ids_with(session: Session, virtual: str, ids: list[Any]) -> set[Any]:
    found: set[Any] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        if virtual == "categories":
            found |= entity_queries.with_categories_among(session, chunk)
        else:
            found |= plan_queries.trainings_with_attendees(session, chunk)
    return found


def _kind(session: Session, rule: KindRule, date_from: dt.date, date_to: dt.date, unit: str | None) -> KindCompleteness:
    from xuyi_desktop.services.units import unit_spellings

    out = KindCompleteness(rule.code, rule.label, rule.group)
    model = _model(rule.table)
    if unit and not rule.unit:
        out.counted = False
        return out
    rows = plan_queries.records_between(session, model, rule.date, date_from, date_to, CHINA,  # the day as it was in Xuyi
                                        unit_column=rule.unit or None, organs=unit_spellings(unit) if unit else None)
    virtual = {v: _ids_with(session, v, [r.id for r in rows]) for v in VIRTUAL if any(f.name == v for f in rule.fields)}
    for r in rows:
        applicable = [f for f in rule.fields if f.applies(r)]
        missing = [f.label for f in applicable
                   if not (r.id in virtual[f.name] if f.name in virtual else _filled(getattr(r, f.name)))]
        day = _day(getattr(r, rule.date))
        out.records += 1
        out.fields_total += len(applicable)
        out.fields_filled += len(applicable) - len(missing)
        month = out.months[day.strftime("%Y-%m") if day else "—"]
        month[0] += len(applicable) - len(missing)
        month[1] += len(applicable)
        if missing:
            title = " ".join(str(getattr(r, c)) for c in rule.title if getattr(r, c) not in (None, ""))
            out.incomplete.append(Incomplete(rule.code, rule.label, str(r.id), title, day, tuple(missing)))
    return out


def record_completeness(session: Session, *, date_from: dt.date, date_to: dt.date, unit: str | None = None,
                        own_unit: str | None = None) -> Completeness:
    """Completeness of every record kind dated from `date_from` to `date_to` (inclusive), optionally for one unit
    (kinds without a unit are then left out). `own_unit`: the user's unit where lists are limited to it (双公示).
    Per record: the fields that apply to it; filled ÷ applicable over all records. In the caller's transaction."""
    kinds = []
    for rule in completeness_rules():
        if rule.rules == "sgs":
            kinds.append(_sgs_kind(session, rule, date_from, date_to, unit, own_unit))
        else:
            kinds.append(_kind(session, rule, date_from, date_to, unit))
    return Completeness(date_from, date_to, unit, kinds)


def completeness(ctx: AppContext, *, date_from: dt.date, date_to: dt.date, unit: str | None = None) -> Completeness:
    """`xuyi stats completeness`: record_completeness in its own read transaction."""
    from xuyi_desktop.services import list_scope

    audit.require(ctx, Permission.VIEW)
    own_unit = list_scope.current_list_unit(ctx)
    with ctx.transaction() as session:
        return record_completeness(session, date_from=date_from, date_to=date_to, unit=unit, own_unit=own_unit)

