"""What the two reports say, decided from the credit profile alone: the report period of a 专项信用报告, the areas
(领域) a clerk may choose and which records belong to them, and the selection of records for the period.

The 专项信用报告 replaces the 有无违法违规记录证明 (发改财金〔2025〕565号; in Jiangsu 苏政办规〔2025〕5号): for a period the
applicant chooses, at most five years back, it lists administrative penalties (simple-procedure ones included),
coercive measures, serious-dishonesty list entries, with repaired records marked 已修复, or states there are none.
The areas and the words that place a record in an area are data (resources/reports/special_report.toml); a record
no rule places is never dropped from a report limited to some areas: it is listed, marked 领域未能确定.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.profile import CreditProfile, DishonestyFact, ListMembership, PenaltyFact, PenaltyState

MIN_YEARS = 1


class AreaFileError(ValueError):
    """The areas file is broken: named with the file and the field, refused at load."""


@dataclass(frozen=True)
class ReportArea:
    code: str
    name: str
    categories: tuple[str, ...]  # entity categories whose records are in this area when no word decides
    keywords: tuple[str, ...]  # words in a record's text that place it in this area


@dataclass(frozen=True)
class SpecialReportRules:
    max_years: int
    serious_list_types: tuple[str, ...]  # ListMembership.list_type values that are 严重失信主体名单
    areas: tuple[ReportArea, ...]

    def area(self, code: str) -> ReportArea:
        for a in self.areas:
            if a.code == code:
                return a
        raise KeyError(code)

    def resolve(self, requested: Iterable[str]) -> tuple[ReportArea, ...]:
        """Areas by code or Chinese name, in the file's order; none requested means all. An unknown one is the
        clerk's error, naming the valid ones."""
        wanted: list[str] = []
        for text in requested:
            text = text.strip()
            if not text:
                continue
            found = next((a for a in self.areas if text in (a.code, a.name)), None)
            if found is None:
                valid = "、".join(f"{a.name}（{a.code}）" for a in self.areas)
                raise ValidationError(FieldProblem(
                    "domains", f"未知的领域“{text}”，可选：{valid}", f"unknown area {text!r}",
                ))
            if found.code not in wanted:
                wanted.append(found.code)
        if not wanted:
            return self.areas
        return tuple(a for a in self.areas if a.code in wanted)


def parse_rules(text: str, *, where: str, known_categories: Iterable[str]) -> SpecialReportRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AreaFileError(f"{where}：不是有效的 TOML（{exc}）") from exc
    known = set(known_categories)
    max_years = data.get("max_years")
    if not isinstance(max_years, int) or not MIN_YEARS <= max_years <= 10:
        raise AreaFileError(f"{where}：max_years 应为1至10之间的整数")
    lists = data.get("serious_list_types")
    if not isinstance(lists, list) or not all(isinstance(x, str) and x for x in lists):
        raise AreaFileError(f"{where}：serious_list_types 应为名单类型代码的列表")
    areas: list[ReportArea] = []
    for i, raw in enumerate(data.get("area") or [], 1):
        at = f"{where} 第{i}个 [[area]]"
        code, name = raw.get("code"), raw.get("name")
        if not isinstance(code, str) or not code.isascii() or not code.replace("_", "").isalnum():
            raise AreaFileError(f"{at}：code 应为英文代码")
        if not isinstance(name, str) or not name.strip():
            raise AreaFileError(f"{at}：缺少 name")
        if any(a.code == code or a.name == name for a in areas):
            raise AreaFileError(f"{at}：领域 {code}（{name}）重复")
        cats = raw.get("categories", [])
        bad = [c for c in cats if c not in known]
        if not isinstance(cats, list) or bad:
            raise AreaFileError(f"{at}：categories 中有未知的主体类别 {bad}")
        words = raw.get("keywords", [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise AreaFileError(f"{at}：keywords 应为非空文字的列表")
        unknown = set(raw) - {"code", "name", "categories", "keywords"}
        if unknown:
            raise AreaFileError(f"{at}：未知的字段 {sorted(unknown)}")
        areas.append(ReportArea(code, name.strip(), tuple(cats), tuple(w.strip() for w in words)))
    if not areas:
        raise AreaFileError(f"{where}：没有定义任何领域 [[area]]")
    return SpecialReportRules(max_years, tuple(lists), tuple(areas))


# --- the period -------------------------------------------------------------------------------------------
def years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def report_period(as_of: dt.date, years: object, *, max_years: int) -> tuple[dt.date, dt.date]:
    """The period of a 专项信用报告: from the same day `years` years earlier up to and including `as_of`."""
    if isinstance(years, bool) or not isinstance(years, int) or not MIN_YEARS <= years <= max_years:
        raise ValidationError(FieldProblem(
            "years", f"查询期限应为{MIN_YEARS}至{max_years}年（整数），收到：{years}",
            f"the period must be {MIN_YEARS} to {max_years} whole years",
        ))
    return years_back(as_of, years), as_of


# --- which area a record belongs to ------------------------------------------------------------------------
def areas_of_text(text: str, rules: SpecialReportRules) -> tuple[str, ...]:
    return tuple(a.code for a in rules.areas if any(w in text for w in a.keywords))


def areas_of_entity(categories: Sequence[str], rules: SpecialReportRules) -> tuple[str, ...]:
    return tuple(a.code for a in rules.areas if set(a.categories) & set(categories))


def place(text: str, entity_categories: Sequence[str], rules: SpecialReportRules) -> tuple[str, ...]:
    """The areas of a record: by the words of its text; when none matches, the entity's own area if its categories
    name exactly one; else () — undetermined."""
    by_text = areas_of_text(text, rules)
    if by_text:
        return by_text
    by_entity = areas_of_entity(entity_categories, rules)
    return by_entity if len(by_entity) == 1 else ()


# --- the selection -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Listed:
    """A record in the special report: the areas it belongs to (() = undetermined) and its repair, if any."""

    areas: tuple[str, ...]
    repaired_on: dt.date | None

    @property
    def undetermined(self) -> bool:
        return not self.areas


@dataclass(frozen=True)
class ListedPenalty(Listed):
    fact: PenaltyFact


@dataclass(frozen=True)
class ListedDishonesty(Listed):
    fact: DishonestyFact


@dataclass(frozen=True)
class ListedMembership(Listed):
    fact: ListMembership


@dataclass(frozen=True)
class SpecialReportContent:
    start: dt.date
    end: dt.date
    years: int
    areas: tuple[ReportArea, ...]  # the chosen ones (all when none was chosen)
    all_areas: bool
    penalties: tuple[ListedPenalty, ...]
    lists: tuple[ListedMembership, ...]
    dishonesty: tuple[ListedDishonesty, ...]

    @property
    def repaired_count(self) -> int:
        return sum(1 for x in (*self.penalties, *self.lists, *self.dishonesty) if x.repaired_on is not None)

    @property
    def simple_count(self) -> int:
        return sum(1 for p in self.penalties if p.fact.simple_procedure)

    @property
    def empty(self) -> bool:
        return not (self.penalties or self.lists or self.dishonesty)

    @property
    def area_names(self) -> str:
        return "、".join(a.name for a in self.areas)

    def digest(self) -> str:
        """16 hex digits of SHA-256 over what is listed: the code binds the content, not only the counts."""
        h = hashlib.sha256()
        for p in self.penalties:
            h.update(f"P\t{p.fact.document_no}\t{p.fact.decided_on}\t{p.repaired_on or ''}\n".encode())
        for m in self.lists:
            h.update(f"L\t{m.fact.list_type}\t{m.fact.entered_on}\t{m.repaired_on or ''}\n".encode())
        for d in self.dishonesty:
            h.update(f"D\t{d.fact.category}\t{d.fact.occurred_on}\t{d.repaired_on or ''}\n".encode())
        return h.hexdigest()[:16]


def _repairs(profile: CreditProfile) -> dict[str, dt.date]:
    return {r.record_id: r.decided_on for r in profile.repairs if r.decided_on <= profile.as_of}


def _in(areas: tuple[str, ...], chosen: set[str]) -> bool:
    return not areas or bool(set(areas) & chosen)


def special_report_content(
    profile: CreditProfile, rules: SpecialReportRules, *, years: int, areas: Sequence[str] = (),
) -> SpecialReportContent:
    """The records a 专项信用报告 lists for the profile's date: penalties decided in the period (simple procedure
    included, withdrawn decisions not), serious-dishonesty list entries in force at any time in the period, and
    dishonesty records that occurred in it; each placed in its areas, repaired ones with the date."""
    start, end = report_period(profile.as_of, years, max_years=rules.max_years)
    chosen_areas = rules.resolve(areas)
    chosen = {a.code for a in chosen_areas}
    cats = profile.entity.categories
    repairs = _repairs(profile)

    penalties = []
    for p in profile.penalties:
        if p.state in (PenaltyState.WITHDRAWN, PenaltyState.NOT_YET) or p.decided_on is None:
            continue
        if not start <= p.decided_on <= end:
            continue
        text = " ".join((p.facts, p.basis, p.content, "、".join(p.categories), p.deciding_organ))
        placed = place(text, cats, rules)
        if _in(placed, chosen):
            repaired = p.repaired_on if p.state is PenaltyState.REPAIRED else repairs.get(p.record_id)
            penalties.append(ListedPenalty(placed, repaired, p))
    penalties.sort(key=lambda x: (x.fact.decided_on or dt.date.min, x.fact.document_no), reverse=True)

    lists = []
    for m in profile.lists:
        if m.list_type not in rules.serious_list_types or m.entered_on > end:
            continue
        if m.expires_on is not None and m.expires_on < start:
            continue
        placed = place(f"{m.list_name} {m.reason}", cats, rules)
        if _in(placed, chosen):
            lists.append(ListedMembership(placed, repairs.get(m.record_id) if m.record_id else None, m))
    lists.sort(key=lambda x: x.fact.entered_on, reverse=True)

    dishonesty = []
    for d in profile.dishonesty_during(start, end):
        placed = place(f"{d.category} {d.description} {d.source}", cats, rules)
        if _in(placed, chosen):
            dishonesty.append(ListedDishonesty(placed, repairs.get(d.record_id), d))
    dishonesty.sort(key=lambda x: x.fact.occurred_on, reverse=True)

    return SpecialReportContent(
        start, end, years, chosen_areas, len(chosen_areas) == len(rules.areas), tuple(penalties), tuple(lists),
        tuple(dishonesty),
    )


def area_label(codes: Sequence[str], rules: SpecialReportRules) -> str:
    names: Mapping[str, str] = {a.code: a.name for a in rules.areas}
    return "、".join(names.get(c, c) for c in codes) if codes else "领域未能确定"
