"""Credit points (信用积分, the plan's 诚信港区 pilot): the rule list, balances and tiers, as pure functions.

The rules are data (resources/points/points.toml): initial points, additions and deductions each with a code and
a reason, the tiers and the differentiated service per tier. A ledger is a list of entries; a correction is a new
entry that reverses another (never an edit), so the balance is always the plain sum, clamped to floor/ceiling.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError

SUBJECTS = ("driver", "enterprise")
SUBJECT_LABELS = {"driver": "驾驶员", "enterprise": "企业"}
ENTRY_KINDS = {"initial": "开户", "add": "加分", "deduct": "扣分", "correction": "冲正"}


class PointsFileError(DomainError):
    def __init__(self, message_zh: str) -> None:
        self.message_zh, self.message_en = message_zh, "resources/points/points.toml is invalid"
        super().__init__(message_zh)


@dataclass(frozen=True)
class PointRule:
    code: str
    name: str
    points: float  # + addition, − deduction
    subject: str  # driver / enterprise / both
    evidence: bool = False
    max_points: float | None = None  # the clerk may enter any value between points and max_points

    def applies_to(self, subject: str) -> bool:
        return self.subject in ("both", subject)

    def value(self, given: float | None) -> float:
        """The points of one entry under this rule: the rule's own, or a value the clerk gives inside its range."""
        if given is None:
            return self.points
        low, high = sorted((self.points, self.max_points if self.max_points is not None else self.points))
        if not low <= given <= high or (given > 0) != (self.points > 0):
            shown = f"{self.points:g}" if self.max_points is None else f"{low:g}至{high:g}"
            raise ValidationError(FieldProblem("points", f"规则{self.code}（{self.name}）的分值应为{shown}分", "points outside the rule's range"))
        return given


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    min_points: float
    services: tuple[str, ...]


@dataclass(frozen=True)
class PointRules:
    name: str
    version: str
    initial: float
    floor: float
    ceiling: float
    subjects: Mapping[str, tuple[str, ...]]  # driver/enterprise -> entity categories
    rules: tuple[PointRule, ...]
    tiers: tuple[Tier, ...]  # best first

    def rule(self, code: str) -> PointRule:
        for r in self.rules:
            if r.code == code.strip().upper():
                return r
        shown = "、".join(f"{r.code} {r.name}" for r in self.rules)
        raise ValidationError(FieldProblem("rule", f"未知的积分规则：{code}（可用：{shown}）", "unknown points rule"))

    def subject_of(self, categories: Iterable[str]) -> str | None:
        cats = set(categories)
        for subject in SUBJECTS:
            if cats & set(self.subjects.get(subject, ())):
                return subject
        return None

    def tier_of(self, balance: float) -> Tier:
        for t in self.tiers:
            if balance >= t.min_points:
                return t
        return self.tiers[-1]

    def clamp(self, total: float) -> float:
        return min(max(total, self.floor), self.ceiling)


def parse_point_rules(text: str, where: str = "points.toml") -> PointRules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PointsFileError(f"{where}：TOML 格式错误（{exc}）") from exc
    try:
        rules = []
        for i, r in enumerate(data.get("rule", []), start=1):
            subject = str(r.get("subject", "both"))
            if subject not in (*SUBJECTS, "both") or not r.get("code") or not r.get("name") or not r.get("points"):
                raise PointsFileError(f"{where} 第{i}条 rule：code、name、points（非零）必须填写，subject 为 driver/enterprise/both")
            mx = r.get("max_points")
            if mx is not None and (float(mx) > 0) != (float(r["points"]) > 0):
                raise PointsFileError(f"{where} 第{i}条 rule：max_points 与 points 须同为加分或同为扣分")
            rules.append(PointRule(str(r["code"]).upper(), str(r["name"]), float(r["points"]), subject, bool(r.get("evidence", False)),
                                   float(mx) if mx is not None else None))
        tiers = tuple(sorted(
            (Tier(str(t["code"]), str(t["name"]), float(t["min_points"]), tuple(str(s) for s in t.get("services", ())))
             for t in data.get("tier", [])), key=lambda t: -t.min_points))
        parsed = PointRules(
            str(data["name"]), str(data.get("version", "")), float(data["initial"]), float(data.get("floor", 0)),
            float(data.get("ceiling", 10_000)), {k: tuple(v) for k, v in data.get("subjects", {}).items()}, tuple(rules), tiers,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PointsFileError(f"{where}：缺少或写错了 {exc}") from exc
    if len({r.code for r in rules}) != len(rules) or not tiers or not rules:
        raise PointsFileError(f"{where}：规则代码不能重复，至少一条 rule 和一个 tier")
    if tiers[-1].min_points > parsed.floor:
        raise PointsFileError(f"{where}：最低一档的 min_points 不能高于 floor，否则低分账户无档可归")
    if set(parsed.subjects) - set(SUBJECTS):
        raise PointsFileError(f"{where}：[subjects] 只能有 driver 和 enterprise")
    return parsed


@dataclass(frozen=True)
class Standing:
    """A ledger's balance on a date, its tier and what the tier means at the counter."""

    balance: float
    raw_total: float  # before floor/ceiling
    tier: Tier
    entries: int


def standing(rules: PointRules, points: Iterable[float]) -> Standing:
    values = list(points)
    total = sum(values)
    balance = rules.clamp(total)
    return Standing(balance, total, rules.tier_of(balance), len(values))
