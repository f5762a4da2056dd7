"""Tender day (信用+招投标, the plan's annex 2 三(4)(7)): when a third-party credit report counts, and what a
consortium (联合体) is graded and bound by. Pure rules over plain data; the rules that may change are read from
resources/tender/tender.toml."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from xuyi_desktop.domain.consequences import Decision, Line, apply_precedence
from xuyi_desktop.domain.profile import CreditProfile, EntityFacts, RatingFact


class TenderRuleError(ValueError):
    """tender.toml breaks a rule; the message names the key (Chinese)."""


# --- the rule file --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportRules:
    businesses: tuple[str, ...] = ("tender",)
    expiring_days: int = 30
    shown: int = 10


@dataclass(frozen=True)
class ConsortiumRules:
    grade: str = "lowest"
    member_without_grade: str = "no_grade"  # or "ignore"
    member_restrictions: bool = True
    member_info: bool = True
    member_incentives: bool = False
    min_members: int = 2


@dataclass(frozen=True)
class TenderRules:
    reports: ReportRules
    consortium: ConsortiumRules


def parse_tender_rules(text: str, *, where: str, business_codes: Iterable[str]) -> TenderRules:
    """Read and check resources/tender/tender.toml; every mistake names the section and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TenderRuleError(f"{where}：TOML 格式错误（{exc}）") from exc
    known = set(business_codes)
    raw_r = data.get("third_party_report", {})
    businesses = tuple(str(b) for b in raw_r.get("businesses", ReportRules.businesses))
    unknown = [b for b in businesses if b not in known]
    if unknown:
        raise TenderRuleError(f"{where} [third_party_report] businesses：未定义的业务类型 {unknown}（businesses.toml）")
    reports = ReportRules(businesses, _int(raw_r, "expiring_days", ReportRules.expiring_days, where, "third_party_report", 0),
                          _int(raw_r, "shown", ReportRules.shown, where, "third_party_report", 1))
    raw_c = data.get("consortium", {})
    grade = str(raw_c.get("grade", "lowest"))
    if grade != "lowest":
        raise TenderRuleError(f"{where} [consortium] grade：只支持 \"lowest\"（取成员中最低的等级）")
    without = str(raw_c.get("member_without_grade", "no_grade"))
    if without not in ("no_grade", "ignore"):
        raise TenderRuleError(f"{where} [consortium] member_without_grade：应为 \"no_grade\" 或 \"ignore\"")
    flags = {}
    for key in ("member_restrictions", "member_info", "member_incentives"):
        value = raw_c.get(key, getattr(ConsortiumRules, key))
        if not isinstance(value, bool):
            raise TenderRuleError(f"{where} [consortium] {key}：应为 true 或 false")
        flags[key] = value
    consortium = ConsortiumRules(grade, without, min_members=_int(raw_c, "min_members", 2, where, "consortium", 2), **flags)
    return TenderRules(reports, consortium)


def _int(raw: Mapping[str, object], key: str, default: int, where: str, section: str, least: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise TenderRuleError(f"{where} [{section}] {key}：应为不小于{least}的整数")
    return value


# --- third-party credit reports -------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportStanding:
    """Whether a report counts on a date, and what the clerk reads. `valid` only for a registered agency's
    report within its validity; every other report says why not."""

    valid: bool
    state: str  # valid / expiring / expired / not_yet / unregistered
    label: str


def report_standing(*, registered: bool, issued_on: dt.date, valid_until: dt.date, today: dt.date,
                    expiring_days: int = 30) -> ReportStanding:
    problems: list[tuple[str, str]] = []
    if not registered:
        problems.append(("unregistered", "出具机构未备案，不予认可"))
    if valid_until < today:
        problems.append(("expired", f"已过期（有效期至{valid_until:%Y-%m-%d}）"))
    elif issued_on > today:
        problems.append(("not_yet", f"出具日期{issued_on:%Y-%m-%d}晚于核查日"))
    if problems:
        return ReportStanding(False, problems[0][0], "；".join(label for _, label in problems))
    left = (valid_until - today).days
    if left <= expiring_days:
        return ReportStanding(True, "expiring", f"有效（{left}天后到期）" if left else "有效（今天到期）")
    return ReportStanding(True, "valid", "有效")


# --- consortium -----------------------------------------------------------------------------------------

class GradeLike(Protocol):
    """A member's standing in one domain (the check's DomainGrade, or the profile's RatingFact)."""

    @property
    def domain(self) -> str: ...
    @property
    def domain_name(self) -> str: ...
    @property
    def grade(self) -> str | None: ...
    @property
    def provisional(self) -> bool: ...


@dataclass(frozen=True)
class MemberGrade:
    name: str
    grade: str | None
    provisional: bool


@dataclass(frozen=True)
class ConsortiumGrade:
    """The consortium's grade in one domain: the lowest member's (None: some member has no valid grade there)."""

    domain: str
    domain_name: str
    grade: str | None
    provisional: bool
    members: tuple[MemberGrade, ...]
    from_members: tuple[str, ...]  # whose grade it is (or who has none)
    note: str

    def to_json(self) -> dict[str, object]:
        return {
            "domain": self.domain, "domain_name": self.domain_name, "grade": self.grade, "provisional": self.provisional,
            "from_members": list(self.from_members), "note": self.note,
            "members": [{"name": m.name, "grade": m.grade, "provisional": m.provisional} for m in self.members],
        }


def lowest_grades(members: Sequence[tuple[str, Sequence[GradeLike]]], grade_order: Mapping[str, Sequence[str]],
                  rules: ConsortiumRules) -> list[ConsortiumGrade]:
    """Per domain any member is rated in (or could be), the lowest member grade. A grade a scheme does not list
    ranks last. At a tie the consortium is provisional only if every member at that grade is provisional
    (an effective A gets less in a tender than a provisional A, so the stricter reading wins)."""
    domains: dict[str, str] = {}
    for _, grades in members:
        for r in grades:
            domains.setdefault(r.domain, r.domain_name)
    out: list[ConsortiumGrade] = []
    for code, name in domains.items():
        order = list(grade_order.get(code, ()))
        seen = [(n, r) for n, grades in members for r in grades if r.domain == code]
        shown = tuple(MemberGrade(n, r.grade, r.provisional) for n, r in seen)
        ungraded = [n for n, r in seen if not r.grade]
        graded = [(n, r) for n, r in seen if r.grade]
        if ungraded and rules.member_without_grade == "no_grade":
            out.append(ConsortiumGrade(code, name, None, False, shown, tuple(ungraded),
                                       f"成员{'、'.join(ungraded)}在该领域无有效等级，联合体按无有效等级处理"))
            continue
        if not graded:
            out.append(ConsortiumGrade(code, name, None, False, shown, (), "各成员在该领域均无有效等级"))
            continue

        rank = {g: i for i, g in enumerate(order)}  # a grade not in the order ranks below every listed one
        worst = max(rank.get(r.grade or "", len(order)) for _, r in graded)
        lowest = [(n, r) for n, r in graded if rank.get(r.grade or "", len(order)) == worst]
        grade = lowest[0][1].grade
        provisional = all(r.provisional for _, r in lowest)
        whose = tuple(n for n, _ in lowest)
        label = f"{'暂定' if provisional else ''}{grade}级"
        note = f"取成员中最低的等级：{'、'.join(whose)}（{label}）"
        if ungraded:
            note += f"；{'、'.join(ungraded)}无有效等级，未计入"
        out.append(ConsortiumGrade(code, name, grade, provisional, shown, whose, note))
    return out


def consortium_profile(name: str, as_of: dt.date, grades: Sequence[ConsortiumGrade]) -> CreditProfile:
    """A profile holding only the consortium's grades: what decide() reads to give the grade's consequences."""
    facts = EntityFacts("", name, "consortium", "联合体", "", "active", "存续", (), (), "", "", "")
    ratings = tuple(
        RatingFact(g.domain, g.domain_name, g.grade, "provisional" if g.provisional else ("effective" if g.grade else "none"),
                   g.provisional, g.note)
        for g in grades
    )
    return CreditProfile(facts, as_of, ratings, (), (), (), ())


def combine(business: str, own: Decision, members: Sequence[tuple[str, Decision]], rules: ConsortiumRules) -> Decision:
    """The consortium's decision: the lines its own (lowest) grades give, plus what the rules carry over from each
    member (restrictions, information, incentives), then the one precedence rule again: a member's restriction
    overrides the consortium's incentives that share a measure. A line several members share is shown once,
    naming each of them."""
    raw: list[Line] = [replace(x, source=f"联合体等级：{x.source}") for x in (*own.lines, *(s.line for s in own.suppressed))]
    carried = {"restriction": rules.member_restrictions, "info": rules.member_info, "incentive": rules.member_incentives}
    for name, decision in members:
        lines = [*decision.lines, *(s.line for s in decision.suppressed)] if rules.member_incentives else list(decision.lines)
        raw += [replace(x, source=f"成员“{name}”：{x.source}") for x in lines if carried.get(x.kind)]
    merged: dict[tuple[str, str], Line] = {}
    for x in raw:
        key = (x.kind, x.text)
        if key in merged:
            if x.source not in merged[key].source:
                merged[key] = replace(merged[key], source=f"{merged[key].source}；{x.source}")
        else:
            merged[key] = x
    return apply_precedence(business, merged.values())


# --- the lines a tender list, its export and its printed summary share ---------------------------------------


class _Graded(Protocol):
    """A credit check result (or a consortium member's): its standing in each evaluation domain."""

    @property
    def grades(self) -> Sequence[GradeLike]: ...


def report_summary(reports: list[dict[str, Any]] | None) -> str:
    """One line for lists and summaries: the valid reports, or why there is none."""
    if reports is None:
        return ""
    valid = [r for r in reports if r["valid"]]
    if valid:
        return "；".join(f"{r['agency_name']} {r['report_no']}{'（' + r['grade'] + '）' if r['grade'] else ''}，有效期至{r['valid_until']}"
                        for r in valid)
    if reports:
        return "无有效报告（" + "；".join(f"{r['report_no']}：{r['state_label']}" for r in reports[:3]) + "）"
    return "未登记第三方信用报告"


def grades_text(result: _Graded) -> str:
    """The grades as one cell: 'AA级', or per domain '公路水运工程建设从业单位AA级；…' when there are several."""
    parts = []
    for g in result.grades:
        grade = (f"暂定{g.grade}级" if g.provisional else f"{g.grade}级") if g.grade else "无有效等级"
        parts.append(f"{g.domain_name}{grade}" if len(result.grades) > 1 else grade)
    return "；".join(parts) or "无适用评价领域"


def masked(identifier: str) -> str:
    """An identifier as a list row gave it, a personal ID number masked (SPEC §2)."""
    from xuyi_desktop.domain.identifiers import IdentifierKind, infer_kind
    from xuyi_desktop.domain.masking import mask_id_number

    if identifier and "*" not in identifier and infer_kind(identifier) is IdentifierKind.ID_CARD:
        return mask_id_number(identifier) or ""
    return identifier
