"""Consequences of a credit profile for a business, as data, with precedence (SPEC §5; the plan's 三(三)2).

Two sources of rules: the grade consequences of each rating scheme (resources/rating_schemes/*.toml) and the
profile rules of resources/credit_check/consequences.toml (penalties in publicity, 违诺 within N years, entity
status, list membership …). Each rule names the measures it concerns (容缺受理, 保证金, 优先推荐 …). Precedence:
a restriction overrides every incentive that shares one of its measures ("*": every incentive), so the clerk
never sees an incentive beside the restriction that cancels it; the overridden incentive is kept, with the
restriction that overrode it, for the sheet to say why.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xuyi_desktop.domain.profile import PENDING_CLASS, CreditProfile, PenaltyFact
from xuyi_desktop.domain.rating_schemes import Consequence, SchemeRegistry
from xuyi_desktop.domain.working_days import add_months

KINDS = ("incentive", "restriction", "info")
ALL = "*"
ENTITY_STATUSES = ("active", "cancelled", "revoked")
LIST_TYPES = ("red", "black", "watch", "overload")
CONDITION_KEYS = frozenset({
    "grades", "domains", "provisional", "penalty_classes", "violation_within_years", "dishonesty", "entity_status",
    "lists", "overdue_commitments", "pending_penalty_class", "no_penalty_in_publicity", "no_dishonesty_years",
})


class RuleFileError(ValueError):
    """consequences.toml breaks a rule; the message names the rule and the key (Chinese)."""


@dataclass(frozen=True)
class ProfileRule:
    """One rule: for these businesses, when every condition holds, this incentive/restriction/info line."""

    code: str
    businesses: tuple[str, ...]
    kind: str
    measures: tuple[str, ...]
    text: str
    when: Mapping[str, Any]

    def applies_to(self, business: str) -> bool:
        return ALL in self.businesses or business in self.businesses


@dataclass(frozen=True)
class ProvisionalPolicy:
    """What blocks 暂定A级 besides a rating in the previous period (SPEC §4)."""

    blocking_penalty_classes: tuple[str, ...] = ("一般", "严重", PENDING_CLASS)
    blocking_statuses: tuple[str, ...] = ("cancelled", "revoked")


@dataclass(frozen=True)
class CommitmentPolicy:
    """Which commitment types run the check first, and which measure's restriction refuses them."""

    checked_types: tuple[str, ...] = ("approval_substitute", "missing_materials", "certification_notice")
    measure: str = "commitment"
    area_business: Mapping[str, str] = field(default_factory=dict)  # commitment area → business type checked

    def business_for_area(self, area: str) -> str:
        return self.area_business.get(area, "licensing")


@dataclass(frozen=True)
class RuleBook:
    measures: Mapping[str, str]
    rules: tuple[ProfileRule, ...]
    provisional: ProvisionalPolicy
    commitments: CommitmentPolicy


@dataclass(frozen=True)
class Line:
    """One line the clerk reads: what applies, why (the facts that triggered it) and the rule it came from."""

    kind: str
    text: str
    measures: tuple[str, ...]
    source: str
    rule: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "measures": list(self.measures), "source": self.source, "rule": self.rule}


@dataclass(frozen=True)
class Suppressed:
    line: Line
    by: Line

    def to_json(self) -> dict[str, Any]:
        return {**self.line.to_json(), "overridden_by": self.by.text, "overridden_by_source": self.by.source,
                "reason": f"因“{self.by.source}”，{self.by.text}"}


@dataclass(frozen=True)
class Decision:
    """The lines that apply to the business, the incentives a restriction overrode, and the verdict."""

    business: str
    lines: tuple[Line, ...]
    suppressed: tuple[Suppressed, ...]

    @property
    def incentives(self) -> tuple[Line, ...]:
        return tuple(x for x in self.lines if x.kind == "incentive")

    @property
    def restrictions(self) -> tuple[Line, ...]:
        return tuple(x for x in self.lines if x.kind == "restriction")

    @property
    def verdict(self) -> str:
        """restriction (存在约束) / incentive (可享受激励) / none (无激励)."""
        if self.restrictions:
            return "restriction"
        return "incentive" if self.incentives else "none"

    @property
    def verdict_label(self) -> str:
        return {"restriction": "存在约束", "incentive": "可享受激励", "none": "无激励措施"}[self.verdict]

    def restriction_on(self, measure: str) -> Line | None:
        """The first restriction that concerns `measure` (or every measure)."""
        return next((x for x in self.restrictions if ALL in x.measures or measure in x.measures), None)

    def to_json(self) -> dict[str, Any]:
        return {"business": self.business, "verdict": self.verdict, "verdict_label": self.verdict_label,
                "lines": [x.to_json() for x in self.lines], "suppressed": [s.to_json() for s in self.suppressed]}


# --- evaluation -----------------------------------------------------------------------------------------

def _penalty_source(p: PenaltyFact) -> str:
    until = f"，公示至{p.publicity_end:%Y-%m-%d}" if p.publicity_end else ""
    return f"行政处罚{p.document_no or ''}（{p.publicity_class}{until}）"


def matches(when: Mapping[str, Any], profile: CreditProfile, domain_names: Mapping[str, str] | None = None) -> list[str] | None:
    """The facts that make every condition hold (as source texts), or None when one does not. The one condition
    language of the consequence rules and the list criteria (resources/lists/lists.toml)."""
    domain_names = domain_names or {r.domain: r.domain_name for r in profile.ratings}
    sources: list[str] = []
    if "grades" in when:
        grades, domains, provisional = set(when["grades"]), when.get("domains"), when.get("provisional")
        hits = [
            r for r in profile.ratings
            if r.grade in grades and (not domains or r.domain in domains) and (provisional is None or r.provisional == provisional)
        ]
        if not hits:
            return None
        sources += [
            f"{domain_names.get(r.domain, r.domain)}{'暂定' if r.provisional else ''}{r.grade}级"
            + (f"（{r.period}年度）" if r.period else "") for r in hits
        ]
    elif when.get("provisional") is not None:
        hits = [r for r in profile.ratings if r.provisional == when["provisional"] and r.grade]
        if not hits:
            return None
        sources += [f"{domain_names.get(r.domain, r.domain)}暂定{r.grade}级" for r in hits]
    if "penalty_classes" in when:
        hits_p = [p for p in profile.penalties_in_publicity if p.publicity_class in when["penalty_classes"]]
        if not hits_p:
            return None
        sources += [_penalty_source(p) for p in hits_p]
    if when.get("pending_penalty_class"):
        pending = [p for p in profile.penalties if p.publicity_class == PENDING_CLASS and p.state.value == "pending_class"]
        if not pending:
            return None
        sources += [f"行政处罚{p.document_no}（公示类别待定）" for p in pending]
    if "violation_within_years" in when:
        since = add_months(profile.as_of, -12 * int(when["violation_within_years"]))
        hits_v = profile.violations_since(since)
        if not hits_v:
            return None
        sources += [f"违诺（{d.occurred_on:%Y-%m-%d}，{d.source or d.category}）" for d in hits_v]
    if "dishonesty" in when:
        which = when["dishonesty"]
        hits_d = [d for d in profile.active_dishonesty if which == "any" or not d.is_violation]
        if not hits_d:
            return None
        sources += [f"失信记录（{d.occurred_on:%Y-%m-%d}，{d.category}）" for d in hits_d]
    if "entity_status" in when:
        if profile.entity.status not in when["entity_status"]:
            return None
        sources.append(f"主体状态：{profile.entity.status_label}")
    if "lists" in when:
        hits_l = [m for m in profile.active_lists() if m.list_type in when["lists"]]
        if not hits_l:
            return None
        sources += [f"{m.list_name}（{m.entered_on:%Y-%m-%d}列入）" for m in hits_l]
    if when.get("no_penalty_in_publicity"):
        if profile.penalties_in_publicity:
            return None
        sources.append("无行政处罚在公示期内")
    if "no_dishonesty_years" in when:
        since = add_months(profile.as_of, -12 * int(when["no_dishonesty_years"]))
        if profile.dishonesty_during(since, profile.as_of):
            return None
        sources.append(f"{when['no_dishonesty_years']}年内无失信记录")
    if when.get("overdue_commitments"):
        overdue = [c for c in profile.commitments if c.overdue]
        if not overdue:
            return None
        sources += [f"信用承诺{c.serial}逾期未履行" for c in overdue]
    return sources


def scheme_rules(registry: SchemeRegistry, profile: CreditProfile) -> list[ProfileRule]:
    """The grade consequences of the schemes the profile's grades come from, as rules of the same kind."""
    out: list[ProfileRule] = []
    for r in profile.ratings:
        if not r.grade:
            continue
        scheme = registry.latest(r.domain)
        for i, c in enumerate(scheme.consequences, start=1):
            out.append(_from_scheme(scheme.code, i, c))
    return out


def _from_scheme(domain: str, index: int, c: Consequence) -> ProfileRule:
    when: dict[str, Any] = {"grades": list(c.grades), "domains": [domain]}
    if c.provisional is not None:
        when["provisional"] = c.provisional
    return ProfileRule(f"{domain}#{index}", (c.business,), c.kind, c.measures, c.text, when)


def decide(book: RuleBook, registry: SchemeRegistry, profile: CreditProfile, business: str) -> Decision:
    """Every rule for the business that the profile triggers, then precedence: restrictions override incentives
    that share a measure. Lines keep rule order (scheme lines first); the same text twice is shown once."""
    names = {r.domain: r.domain_name for r in profile.ratings}
    hits: list[Line] = []
    seen: set[tuple[str, str]] = set()
    for rule in [*scheme_rules(registry, profile), *book.rules]:
        if not rule.applies_to(business):
            continue
        sources = matches(rule.when, profile, names)
        if sources is None:
            continue
        key = (rule.kind, rule.text)
        if key in seen:
            continue
        seen.add(key)
        hits.append(Line(rule.kind, rule.text, rule.measures, "；".join(dict.fromkeys(sources)) or "一般规定", rule.code))
    return apply_precedence(business, hits)


def apply_precedence(business: str, hits: Iterable[Line]) -> Decision:
    """The one precedence rule: a restriction overrides every incentive that shares one of its measures ("*": all
    of them); the overridden incentives are kept with the restriction that overrode it. Restrictions first, then
    incentives, then information (stable within each kind). decide() ends here; so does a consortium's decision
    (its own grade lines plus its members' restrictions)."""
    hits = list(hits)
    restrictions = [x for x in hits if x.kind == "restriction"]
    kept: list[Line] = []
    suppressed: list[Suppressed] = []
    for line in hits:
        if line.kind == "incentive":
            by = next((r for r in restrictions if ALL in r.measures or set(r.measures) & set(line.measures)), None)
            if by is not None:
                suppressed.append(Suppressed(line, by))
                continue
        kept.append(line)
    order = {"restriction": 0, "incentive": 1, "info": 2}
    kept.sort(key=lambda x: order[x.kind])
    return Decision(business, tuple(kept), tuple(suppressed))


# --- the rule file --------------------------------------------------------------------------------------

def parse_rule_book(text: str, *, where: str, business_codes: Iterable[str], measures_in_schemes: Iterable[str] = ()) -> RuleBook:
    """Read and check resources/credit_check/consequences.toml; every mistake names the rule and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(f"{where}：TOML 格式错误（{exc}）") from exc
    measures = {str(k): str(v) for k, v in data.get("measures", {}).items()}
    known_business = set(business_codes)
    rules: list[ProfileRule] = []
    for i, raw in enumerate(data.get("rule", []), start=1):
        rw = f"{where} 第{i}条 rule（{raw.get('code', '')}）"
        code = str(raw.get("code", "")).strip()
        if not code:
            raise RuleFileError(f"{rw}：code 必须填写")
        businesses = tuple(raw.get("business", []))
        if not businesses or any(b != ALL and b not in known_business for b in businesses):
            raise RuleFileError(f"{rw}：business 为空或含未定义的业务类型（businesses.toml）")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise RuleFileError(f"{rw}：kind 应为 {'/'.join(KINDS)} 之一")
        rule_measures = tuple(raw.get("measures", []))
        unknown = [m for m in rule_measures if m != ALL and m not in measures]
        if unknown or (kind != "info" and not rule_measures):
            raise RuleFileError(f"{rw}：measures 为空或含未在 [measures] 中定义的措施 {unknown}")
        if not str(raw.get("text", "")).strip():
            raise RuleFileError(f"{rw}：text 不能为空")
        when = dict(raw.get("when", {}))
        bad = sorted(set(when) - CONDITION_KEYS)
        if bad or not when:
            raise RuleFileError(f"{rw}：when 为空或含未知条件 {bad}（可用：{'、'.join(sorted(CONDITION_KEYS))}）")
        if "entity_status" in when and set(when["entity_status"]) - set(ENTITY_STATUSES):
            raise RuleFileError(f"{rw}：entity_status 只能是 {'/'.join(ENTITY_STATUSES)}")
        if "lists" in when and set(when["lists"]) - set(LIST_TYPES):
            raise RuleFileError(f"{rw}：lists 只能是 {'/'.join(LIST_TYPES)}")
        if "dishonesty" in when and when["dishonesty"] not in ("any", "other"):
            raise RuleFileError(f"{rw}：dishonesty 应为 any 或 other")
        rules.append(ProfileRule(code, businesses, kind, rule_measures, str(raw["text"]).strip(), when))
    if len({r.code for r in rules}) != len(rules):
        raise RuleFileError(f"{where}：rule 的 code 重复")
    undefined = sorted(set(measures_in_schemes) - set(measures) - {ALL})
    if undefined:
        raise RuleFileError(f"{where}：评价规则文件使用了未在 [measures] 中定义的措施 {undefined}")
    prov = data.get("provisional", {})
    provisional = ProvisionalPolicy(
        tuple(prov.get("blocking_penalty_classes", ProvisionalPolicy.blocking_penalty_classes)),
        tuple(prov.get("blocking_statuses", ProvisionalPolicy.blocking_statuses)),
    )
    com = data.get("commitment_acceptance", {})
    commitments = CommitmentPolicy(
        tuple(com.get("checked_types", CommitmentPolicy.checked_types)),
        str(com.get("measure", "commitment")),
        {str(k): str(v) for k, v in com.get("area_business", {}).items()},
    )
    if commitments.measure not in measures:
        raise RuleFileError(f"{where}：commitment_acceptance.measure {commitments.measure!r} 未在 [measures] 中定义")
    bad_areas = [b for b in commitments.area_business.values() if b not in known_business]
    if bad_areas:
        raise RuleFileError(f"{where}：commitment_acceptance.area_business 含未定义的业务类型 {bad_areas}")
    return RuleBook(measures, tuple(rules), provisional, commitments)


def previous_period_bounds(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The previous evaluation period (the calendar year before) — what 暂定A级 looks back over."""
    return dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year - 1, 12, 31)
