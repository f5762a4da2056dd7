"""Rating rules on the shipped scheme files: thresholds, boundaries, points, deductions, rise cap, workflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.rating_schemes import SchemeError, load_registry
from xuyi_desktop.domain.ratings import (
    RatingStatus,
    check_transition,
    check_typed_grade,
    derive_grade,
    provisional_applies,
    score_from_deductions,
)

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


@pytest.fixture(scope="module")
def reg():  # type: ignore[no-untyped-def]
    return load_registry(RESOURCES)


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "AA"), (95, "AA"), (94.99, "A"), (94.9, "A"), (85, "A"), (84.99, "B"), (75, "B"), (74.9, "C"), (60, "C"), (59.99, "D"), (0, "D")],
)
def test_highway_construction_thresholds(reg, score: float, grade: str) -> None:  # type: ignore[no-untyped-def]
    assert derive_grade(reg.for_period("highway_construction", 2026), score, None).grade == grade


@pytest.mark.parametrize(
    ("score", "points", "grade", "flagged"),
    [(90, 0, "AA", False), (89.9, 0, "A", False), (80, 5, "A", False), (60, 30, "B", False), (45, 19, "B", False),
     (45, 20, "C", False), (39, 20, "D", False), (39, 19, "C", True)],
)
def test_jiangsu_operator_score_and_points(reg, score: float, points: float, grade: str, flagged: bool) -> None:  # type: ignore[no-untyped-def]
    derived = derive_grade(reg.for_period("road_water_operator", 2026), score, points)
    assert derived.grade == grade and bool(derived.notes) == flagged


def test_driver_grades_by_points(reg) -> None:  # type: ignore[no-untyped-def]
    scheme = reg.for_period("road_driver", 2026)
    assert [derive_grade(scheme, None, p).grade for p in (0, 1, 10, 11, 19, 20, 35)] == ["AAA", "AA", "AA", "A", "A", "B", "B"]


def test_typed_grade_must_agree_with_the_score(reg) -> None:  # type: ignore[no-untyped-def]
    scheme = reg.for_period("highway_construction", 2026)
    derived = derive_grade(scheme, 94.9, None)
    with pytest.raises(ValidationError) as info:
        check_typed_grade(scheme, "AA", derived)
    assert "不一致" in info.value.message_zh
    assert check_typed_grade(scheme, "A", derived) == "A"


def test_deductions_and_direct_d(reg) -> None:  # type: ignore[no-untyped-def]
    scheme = reg.for_period("highway_construction", 2026)
    assert score_from_deductions(scheme, [("JC-10", None), ("JC-13", None)]) == (93.0, None)
    score, direct = score_from_deductions(scheme, [("JC-02", None)])
    assert derive_grade(scheme, score, None, direct_grade=direct).grade == "D"
    with pytest.raises(ValidationError):
        score_from_deductions(scheme, [("NOPE", None)])


def test_grade_rises_one_level_per_period(reg) -> None:  # type: ignore[no-untyped-def]
    scheme = reg.for_period("highway_construction", 2026)
    capped = derive_grade(scheme, 99, None, previous_grade="B")
    assert capped.grade == "A" and "逐级上升" in capped.notes[0]
    assert derive_grade(scheme, 99, None, previous_grade="A").grade == "AA"
    assert derive_grade(scheme, 50, None, previous_grade="AA").grade == "D"  # falling is never capped


def test_workflow_transitions() -> None:
    check_transition(RatingStatus.DRAFT, RatingStatus.REVIEWED)
    check_transition(RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE)
    with pytest.raises(ValidationError):
        check_transition(RatingStatus.DRAFT, RatingStatus.EFFECTIVE)
    with pytest.raises(ValidationError):
        check_transition(RatingStatus.EFFECTIVE, RatingStatus.DRAFT)


def test_provisional_rule_and_consequences(reg) -> None:  # type: ignore[no-untyped-def]
    scheme = reg.for_period("highway_construction", 2026)
    assert provisional_applies(scheme, rated_in_previous_period=False, dishonest_in_previous_period=False)
    assert not provisional_applies(scheme, rated_in_previous_period=False, dishonest_in_previous_period=True)
    assert not provisional_applies(scheme, rated_in_previous_period=True, dishonest_in_previous_period=False)
    assert any("保证金" in c.text and c.measures == ("deposit",) for c in scheme.consequences if "AA" in c.grades)


def test_scheme_files_are_validated(tmp_path: Path) -> None:
    (tmp_path / "credit_check").mkdir()
    (tmp_path / "rating_schemes").mkdir()
    (tmp_path / "credit_check" / "businesses.toml").write_text('[[business]]\ncode = "tender"\nname = "招投标"\n', encoding="utf-8")
    bad = (RESOURCES / "rating_schemes" / "highway_construction.toml").read_text(encoding="utf-8").replace('grade = "AA"\nmin_score = 95', 'grade = "AAA"\nmin_score = 95', 1)
    (tmp_path / "rating_schemes" / "x.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(SchemeError, match="x.toml"):
        load_registry(tmp_path)


def test_next_years_rules_are_a_new_file(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(RESOURCES, tmp_path / "res")
    text = (tmp_path / "res" / "rating_schemes" / "highway_construction.toml").read_text(encoding="utf-8")
    newer = text.replace("effective_from = 2020", "effective_from = 2027").replace('version = "2009-js"', 'version = "2027-js"').replace("min_score = 95", "min_score = 92", 1)
    (tmp_path / "res" / "rating_schemes" / "highway_construction_2027.toml").write_text(newer, encoding="utf-8")
    reg = load_registry(tmp_path / "res")
    assert derive_grade(reg.for_period("highway_construction", 2026), 93, None).grade == "A"
    assert derive_grade(reg.for_period("highway_construction", 2027), 93, None).grade == "AA"
