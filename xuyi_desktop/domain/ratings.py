"""Rating rules: grade from score and points, deductions, the rise limit, workflow, 暂定A级, consequences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.rating_schemes import RatingScheme


class RatingStatus(str, Enum):
    """草稿 → 已审核 → 公示中 → 生效 → 撤销/被取代."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
    PUBLICITY = "publicity"
    EFFECTIVE = "effective"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    RatingStatus.DRAFT: "草稿",
    RatingStatus.REVIEWED: "已审核",
    RatingStatus.PUBLICITY: "公示中",
    RatingStatus.EFFECTIVE: "生效",
    RatingStatus.REVOKED: "撤销",
    RatingStatus.SUPERSEDED: "被取代",
}

# Superseded is never chosen by hand: it follows when a correction takes effect.
TRANSITIONS: dict[RatingStatus, frozenset[RatingStatus]] = {
    RatingStatus.DRAFT: frozenset({RatingStatus.REVIEWED, RatingStatus.REVOKED}),
    RatingStatus.REVIEWED: frozenset({RatingStatus.PUBLICITY, RatingStatus.DRAFT, RatingStatus.REVOKED}),
    RatingStatus.PUBLICITY: frozenset({RatingStatus.EFFECTIVE, RatingStatus.DRAFT, RatingStatus.REVOKED}),
    RatingStatus.EFFECTIVE: frozenset({RatingStatus.REVOKED}),
    RatingStatus.REVOKED: frozenset(),
    RatingStatus.SUPERSEDED: frozenset(),
}


def check_transition(current: RatingStatus, target: RatingStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = "、".join(s.label for s in TRANSITIONS[current]) or "无"
        raise ValidationError(
            FieldProblem(
                "status",
                f"不能从“{current.label}”改为“{target.label}”（可改为：{allowed}）",
                f"illegal transition {current.value} -> {target.value}",
            )
        )


#: A rating that is no longer live (撤销, or replaced by a newer version) is not corrected: correct the live one.
NOT_CORRECTABLE = frozenset({RatingStatus.REVOKED, RatingStatus.SUPERSEDED})


def may_correct(status: RatingStatus) -> bool:
    """Whether a rating in this status can be corrected (a new version made of it)."""
    return status not in NOT_CORRECTABLE


def check_correctable(status: RatingStatus) -> None:
    """Refuse a correction of a revoked or superseded rating (the one rule the page and the CLI both obey)."""
    if not may_correct(status):
        raise ValidationError(
            FieldProblem(
                "supersedes",
                f"该评价已{status.label}，不能更正；请更正现行有效的版本",
                f"a {status.value} rating cannot be corrected",
            )
        )


@dataclass(frozen=True)
class DerivedGrade:
    """The grade the scheme gives, with why (a flag for rules the sources leave open, a cap note)."""

    grade: str
    score: float | None
    points: float | None
    notes: tuple[str, ...] = ()
    direct: bool = False  # set directly by a serious act (直接定为D级), not by the score


def score_from_deductions(scheme: RatingScheme, items: Iterable[tuple[str, float | None]]) -> tuple[float, str | None]:
    """Total score = max score − Σ deductions (item points unless given); and a direct grade if an item sets one."""
    if scheme.max_score is None:
        raise ValidationError(FieldProblem("deductions", "该领域不按分数评定，不能扣分", "scheme has no score"))
    total, direct = scheme.max_score, None
    for code, points in items:
        item = scheme.deduction(code)
        if item is None:
            raise ValidationError(FieldProblem("deductions", f"扣分项代码 {code} 不在“{scheme.name}”的代码表中", f"unknown deduction {code}"))
        total -= item.points if points is None else points
        if item.direct_grade and (direct is None or scheme.rank(item.direct_grade) > scheme.rank(direct)):
            direct = item.direct_grade
    return max(total, 0.0), direct


def derive_grade(
    scheme: RatingScheme,
    score: float | None,
    points: float | None,
    *,
    direct_grade: str | None = None,
    previous_grade: str | None = None,
) -> DerivedGrade:
    """Apply the rules in order; a direct grade (serious acts) wins; a rise is capped at max_rise_per_period."""
    problems = []
    if scheme.uses_score:
        if score is None:
            problems.append(FieldProblem("score", f"“{scheme.name}”按分数评定，必须填写分数", "score required"))
        elif not 0 <= score <= (scheme.max_score or 0):
            problems.append(FieldProblem("score", f"分数应在0至{scheme.max_score:g}之间", "score out of range"))
    if scheme.uses_points and points is None:
        problems.append(FieldProblem("points", f"“{scheme.name}”按记分评定，必须填写不良行为记分", "points required"))
    if problems:
        raise ValidationError(problems)
    if direct_grade:
        return DerivedGrade(direct_grade, score, points, (f"存在直接定为{direct_grade}级的行为",), direct=True)
    rule = next((r for r in scheme.rules if r.matches(score, points)), None)
    if rule is None:
        raise ValidationError(FieldProblem("score", "规则文件没有覆盖这个分数/记分，请管理员补充规则", "no rule matches"))
    grade, notes = rule.grade, [rule.flag] if rule.flag else []
    if previous_grade and scheme.max_rise_per_period and previous_grade in scheme.grades:
        best_allowed = max(scheme.rank(previous_grade) - scheme.max_rise_per_period, 0)
        if scheme.rank(grade) < best_allowed:
            capped = scheme.grades[best_allowed]
            notes.append(f"逐级上升：按分数为{grade}级，上期为{previous_grade}级，本期最高{capped}级")
            grade = capped
    return DerivedGrade(grade, score, points, tuple(notes))


def direct_grade_of(scheme: RatingScheme, deductions: Iterable[Mapping[str, object]]) -> str | None:
    """The grade a serious act set directly (直接定为D级), from a rating's recorded deductions; None when the score
    decided. Lists then say 直接定为D级 instead of a score that the deductions left at 100."""
    worst = None
    for d in deductions:
        item = scheme.deduction(str(d.get("code", "")))
        if item is not None and item.direct_grade and (worst is None or scheme.rank(item.direct_grade) > scheme.rank(worst)):
            worst = item.direct_grade
    return worst


def score_text(score: float | None, direct: str | None) -> str:
    """How a list shows the result: the score, or 直接定为X级."""
    if direct:
        return f"直接定为{direct}级"
    return "—" if score is None else f"{score:g}"


def check_typed_grade(scheme: RatingScheme, typed: str, derived: DerivedGrade | None) -> str:
    """A grade may be typed only where no score decides it; where one does, it must agree."""
    if typed not in scheme.grades:
        raise ValidationError(FieldProblem("grade", f"等级 {typed} 不在“{scheme.name}”的等级（{'/'.join(scheme.grades)}）中", "unknown grade"))
    if derived is not None and derived.grade != typed:
        raise ValidationError(
            FieldProblem("grade", f"填写的等级{typed}与分数对应的等级{derived.grade}不一致", f"grade {typed} contradicts score ({derived.grade})")
        )
    return typed


def provisional_applies(scheme: RatingScheme, *, rated_in_previous_period: bool, dishonest_in_previous_period: bool) -> bool:
    """暂定A级 in its narrowest form: the scheme gives it, not evaluated and no dishonesty in the previous period.
    The whole rule (entity status, penalties in publicity) is provisional_decision()."""
    return bool(scheme.provisional_grade) and not rated_in_previous_period and not dishonest_in_previous_period


@dataclass(frozen=True)
class ProvisionalDecision:
    granted: bool
    reason: str


def provisional_decision(
    scheme: RatingScheme,
    *,
    previous_year: int,
    entity_status: str,
    entity_status_label: str,
    blocking_statuses: Iterable[str],
    rated_in_previous_period: bool,
    dishonesty_in_previous_period: Iterable[str],
    blocking_penalties: Iterable[str],
) -> ProvisionalDecision:
    """暂定A级 (SPEC §4): only where the scheme provides it (construction units and key personnel); never for an
    entity that is 注销 or 吊销, rated in the previous period, with a dishonesty record in it, or with a penalty
    of a blocking class in publicity since its start. The reason says which, for the clerk."""
    grade = scheme.provisional_grade
    if not grade:
        return ProvisionalDecision(False, "无有效评价结果（本领域规则不设暂定等级）")
    if entity_status in set(blocking_statuses):
        return ProvisionalDecision(False, f"主体状态为{entity_status_label}，不适用暂定{grade}级")
    if rated_in_previous_period:
        return ProvisionalDecision(False, f"{previous_year}年度已参评，当前无有效评价结果")
    dishonesty = list(dishonesty_in_previous_period)
    if dishonesty:
        return ProvisionalDecision(False, f"{previous_year}年度有失信记录（{'、'.join(dishonesty[:2])}），不适用暂定{grade}级")
    penalties = list(blocking_penalties)
    if penalties:
        return ProvisionalDecision(False, f"有失信行政处罚信息在公示期内（{'、'.join(penalties[:2])}），不适用暂定{grade}级")
    return ProvisionalDecision(True, f"{previous_year}年度未参评且无失信记录，暂定{grade}级，享受{grade}级同等待遇")
