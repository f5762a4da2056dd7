"""Rating schemes as data: loading and validating the TOML files under resources/rating_schemes/.

A new year's rules are a new file with the same `code` and a later `effective_from`; nothing in code
changes. Files are validated at start so a typo is reported with the file and the field, not at the counter.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xuyi_desktop.domain.errors import DomainError

SCORE_BASES = ("score", "points", "score_and_points")
CONSEQUENCE_KINDS = ("incentive", "restriction", "info")


class SchemeError(DomainError, ValueError):
    """A scheme or business file breaks a rule, or no scheme fits a rating: the message names the file and the
    field, or the domain and the period (Chinese). A DomainError, so the CLI prints one `错误：…` line."""

    def __init__(self, message_zh: str, message_en: str = "rating scheme rule") -> None:
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(message_zh)


@dataclass(frozen=True)
class GradeRule:
    """First rule (in file order) whose bounds all hold gives the grade. min_/max_ bounds are inclusive,
    below_ bounds exclusive ("fewer than 20 points": below_points = 20), so 19.5 or 19.995 points still
    fall in a band: write bands with below_ upper bounds rather than 19.99."""

    grade: str
    min_score: float | None = None
    max_score: float | None = None
    min_points: float | None = None
    max_points: float | None = None
    below_score: float | None = None
    below_points: float | None = None
    flag: str = ""

    def matches(self, score: float | None, points: float | None) -> bool:
        checks = (
            (self.min_score, score, lambda b, v: v >= b),
            (self.max_score, score, lambda b, v: v <= b),
            (self.below_score, score, lambda b, v: v < b),
            (self.min_points, points, lambda b, v: v >= b),
            (self.max_points, points, lambda b, v: v <= b),
            (self.below_points, points, lambda b, v: v < b),
        )
        for bound, value, ok in checks:
            if bound is None:
                continue
            if value is None or not ok(bound, value):
                return False
        return True


@dataclass(frozen=True)
class DeductionItem:
    code: str
    name: str
    points: float
    direct_grade: str | None = None


@dataclass(frozen=True)
class Consequence:
    """A grade's consequence for one business. `measures` name what it concerns (容缺受理, 保证金 …) so that a
    restriction can override an incentive of the same measure; `provisional` limits it to a provisional grade
    (True) or an evaluated one (False)."""

    business: str
    grades: tuple[str, ...]
    kind: str
    text: str
    measures: tuple[str, ...] = ()
    provisional: bool | None = None


@dataclass(frozen=True)
class Business:
    code: str
    name: str


@dataclass(frozen=True)
class RatingScheme:
    """One evaluation domain's rules for the periods from `effective_from` on."""

    code: str
    name: str
    version: str
    effective_from: int
    applies_to: tuple[str, ...]
    grades: tuple[str, ...]
    score_basis: str
    max_score: float | None
    uses_deductions: bool
    validity_months: int
    rules: tuple[GradeRule, ...]
    deductions: tuple[DeductionItem, ...] = ()
    consequences: tuple[Consequence, ...] = ()
    provisional_grade: str | None = None
    max_rise_per_period: int | None = None
    publicity_working_days: int = 10
    active: bool = True
    source_file: str = ""
    replaces: str | None = None  # the code of the scheme this one took over from (for earlier periods)

    @property
    def uses_score(self) -> bool:
        return self.score_basis in ("score", "score_and_points")

    @property
    def uses_points(self) -> bool:
        return self.score_basis in ("points", "score_and_points")

    def rank(self, grade: str) -> int:
        """0 for the best grade; larger is worse."""
        return self.grades.index(grade)

    def deduction(self, code: str) -> DeductionItem | None:
        return next((d for d in self.deductions if d.code == code), None)


@dataclass
class SchemeRegistry:
    """Every scheme version and business type the installation knows."""

    schemes: list[RatingScheme] = field(default_factory=list)
    businesses: list[Business] = field(default_factory=list)

    def codes(self) -> list[str]:
        seen: list[str] = []
        for s in sorted(self.schemes, key=lambda s: s.code):
            if s.code not in seen:
                seen.append(s.code)
        return seen

    def latest(self, code: str) -> RatingScheme:
        return max((s for s in self.schemes if s.code == code), key=lambda s: s.effective_from, default=None) or _unknown(code)

    def for_period(self, code: str, period: int) -> RatingScheme:
        """The version in force for a period: the latest effective_from not after it. Before a scheme's first
        version, the scheme it replaced (declared with `replaces`) is the one in force, so a 2023 operator rating
        is entered under the legacy scheme; a replaced scheme is refused for periods after its successor began."""
        versions = [s for s in self.schemes if s.code == code]
        if not versions:
            _unknown(code)
        candidates = [s for s in versions if s.effective_from <= period]
        if not candidates:
            first = min(versions, key=lambda s: s.effective_from)
            if first.replaces:
                return self.for_period(first.replaces, period)
            raise SchemeError(
                f"评价领域“{first.name}”在{period}年度没有适用的规则（最早自{first.effective_from}年度）",
                f"no scheme of {code} for period {period}",
            )
        scheme = max(candidates, key=lambda s: s.effective_from)
        successor = self.successor_of(code)
        if successor is not None and period >= successor.effective_from:
            raise SchemeError(
                f"“{scheme.name}”自{successor.effective_from}年度起已被“{successor.name}”取代，{period}年度请按“{successor.name}”评价",
                f"{code} was replaced by {successor.code} from {successor.effective_from}",
            )
        return scheme

    def successor_of(self, code: str) -> RatingScheme | None:
        """The first version of the scheme that declared it replaces `code`, if any."""
        heirs = [s for s in self.schemes if s.replaces == code]
        return min(heirs, key=lambda s: s.effective_from) if heirs else None

    def measures(self) -> set[str]:
        """Every measure the schemes' consequences name (checked against consequences.toml at start)."""
        return {m for s in self.schemes for c in s.consequences for m in c.measures}

    def for_categories(self, categories: Iterable[str]) -> list[RatingScheme]:
        """The active domains an entity with these categories is evaluated in (latest versions)."""
        cats = set(categories)
        return [self.latest(code) for code in self.codes() if self.latest(code).active and cats & set(self.latest(code).applies_to)]

    def business(self, code: str) -> Business:
        for b in self.businesses:
            if b.code == code:
                return b
        raise SchemeError(f"未知的业务类型：{code}（可选：{'、'.join(b.code for b in self.businesses)}）")


def _unknown(code: str) -> RatingScheme:
    raise SchemeError(f"未知的评价领域：{code}")


def _num(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(f"{where}：应为数字，实际为 {value!r}")
    return float(value)


def _parse_scheme(data: dict, where: str, business_codes: set[str]) -> RatingScheme:
    def need(key: str) -> object:
        if key not in data:
            raise SchemeError(f"{where}：缺少字段 {key}")
        return data[key]

    grades: tuple[str, ...] = tuple(need("grades"))  # type: ignore[arg-type]
    if not grades or len(set(grades)) != len(grades):
        raise SchemeError(f"{where}：grades 不能为空且不能重复")
    basis = str(need("score_basis"))
    if basis not in SCORE_BASES:
        raise SchemeError(f"{where}：score_basis 应为 {'/'.join(SCORE_BASES)} 之一")
    rules = []
    for i, r in enumerate(data.get("rule", []), start=1):
        rw = f"{where} 第{i}条 rule"
        if r.get("grade") not in grades:
            raise SchemeError(f"{rw}：等级 {r.get('grade')!r} 不在 grades 中")
        rules.append(
            GradeRule(
                grade=r["grade"],
                min_score=_num(r.get("min_score"), rw),
                max_score=_num(r.get("max_score"), rw),
                min_points=_num(r.get("min_points"), rw),
                max_points=_num(r.get("max_points"), rw),
                below_score=_num(r.get("below_score"), rw),
                below_points=_num(r.get("below_points"), rw),
                flag=str(r.get("flag", "")),
            )
        )
    if not rules:
        raise SchemeError(f"{where}：至少需要一条 rule")
    deductions = []
    for i, d in enumerate(data.get("deduction", []), start=1):
        dw = f"{where} 第{i}条 deduction"
        if not d.get("code") or not d.get("name"):
            raise SchemeError(f"{dw}：code 和 name 必须填写")
        direct = d.get("direct_grade")
        if direct is not None and direct not in grades:
            raise SchemeError(f"{dw}：direct_grade {direct!r} 不在 grades 中")
        deductions.append(DeductionItem(str(d["code"]), str(d["name"]), _num(d.get("points", 0), dw) or 0.0, direct))
    if len({d.code for d in deductions}) != len(deductions):
        raise SchemeError(f"{where}：扣分项代码重复")
    consequences = []
    for i, c in enumerate(data.get("consequence", []), start=1):
        cw = f"{where} 第{i}条 consequence"
        if c.get("business") not in business_codes:
            raise SchemeError(f"{cw}：业务类型 {c.get('business')!r} 未在 businesses.toml 中定义")
        bad = [g for g in c.get("grades", []) if g not in grades]
        if bad or not c.get("grades"):
            raise SchemeError(f"{cw}：grades 为空或含未知等级 {bad}")
        if c.get("kind") not in CONSEQUENCE_KINDS:
            raise SchemeError(f"{cw}：kind 应为 {'/'.join(CONSEQUENCE_KINDS)} 之一")
        if not c.get("text"):
            raise SchemeError(f"{cw}：text 不能为空")
        measures = tuple(c.get("measures", ()))
        if c["kind"] != "info" and not measures:
            raise SchemeError(f"{cw}：激励和约束须写明 measures（所涉措施，见 credit_check/consequences.toml 的 [measures]）")
        provisional_only = c.get("provisional")
        if provisional_only is not None and not isinstance(provisional_only, bool):
            raise SchemeError(f"{cw}：provisional 应为 true 或 false")
        consequences.append(Consequence(c["business"], tuple(c["grades"]), c["kind"], c["text"], measures, provisional_only))
    provisional = data.get("provisional_grade")
    if provisional is not None and provisional not in grades:
        raise SchemeError(f"{where}：provisional_grade {provisional!r} 不在 grades 中")
    max_score = _num(data.get("max_score"), where)
    if basis != "points" and max_score is None:
        raise SchemeError(f"{where}：按分数评定的领域需要 max_score")
    if data.get("uses_deductions") and not deductions:
        raise SchemeError(f"{where}：uses_deductions = true 时需要扣分项 deduction")
    return RatingScheme(
        code=str(need("code")),
        name=str(need("name")),
        version=str(need("version")),
        effective_from=int(need("effective_from")),  # type: ignore[call-overload]
        applies_to=tuple(data.get("applies_to", ())),
        grades=grades,
        score_basis=basis,
        max_score=max_score,
        uses_deductions=bool(data.get("uses_deductions", False)),
        validity_months=int(data.get("validity_months", 12)),
        rules=tuple(rules),
        deductions=tuple(deductions),
        consequences=tuple(consequences),
        provisional_grade=provisional,
        max_rise_per_period=data.get("max_rise_per_period"),
        publicity_working_days=int(data.get("publicity_working_days", 10)),
        active=bool(data.get("active", True)),
        source_file=where,
        replaces=str(data["replaces"]) if data.get("replaces") else None,
    )


def load_registry(folder: Path) -> SchemeRegistry:
    """Read resources/credit_check/businesses.toml and every resources/rating_schemes/*.toml; raise on any error."""
    businesses_file = folder / "credit_check" / "businesses.toml"
    try:
        raw = tomllib.loads(businesses_file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SchemeError(f"{businesses_file.name}：无法读取（{exc}）") from exc
    businesses = [Business(str(b["code"]), str(b["name"])) for b in raw.get("business", [])]
    codes = {b.code for b in businesses}
    schemes: list[RatingScheme] = []
    for path in sorted((folder / "rating_schemes").glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SchemeError(f"{path.name}：TOML 格式错误（{exc}）") from exc
        schemes.append(_parse_scheme(data, path.name, codes))
    keys = [(s.code, s.effective_from) for s in schemes]
    if len(set(keys)) != len(keys):
        raise SchemeError("同一评价领域有两个文件使用相同的 effective_from")
    codes_known = {s.code for s in schemes}
    for s in schemes:
        if s.replaces and s.replaces not in codes_known:
            raise SchemeError(f"{s.source_file}：replaces {s.replaces!r} 不是已有的评价领域")
    if not schemes:
        raise SchemeError(f"{folder / 'rating_schemes'}：没有任何评价规则文件")
    return SchemeRegistry(schemes, businesses)
