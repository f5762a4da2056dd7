"""The plan's pure rules: the shipped unit dictionary and task table, and the status a unit and a task get from
dates and reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from xuyi_desktop.domain.errors import ValidationError
from xuyi_desktop.domain.plan import (
    PlanFileError,
    ProgressFact,
    TaskStatus,
    UnknownUnit,
    check_progress,
    monthly_report_deadline,
    parse_indicators,
    parse_month,
    parse_plan,
    parse_units,
    task_status,
    unit_standing,
)

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
PLAN_TEXT = Path(__file__).resolve().parents[4] / "shared" / "seed" / "xuyi-credit-transport-plan.txt"
D = dt.date


@pytest.fixture(scope="module")
def units():  # type: ignore[no-untyped-def]
    return parse_units((RESOURCES / "units.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def period(units):  # type: ignore[no-untyped-def]
    return parse_plan((RESOURCES / "plan" / "periods" / "2023-2025.toml").read_text(encoding="utf-8"), units)


def test_the_annex_has_thirty_tasks_five_five_twelve_eight(period) -> None:  # type: ignore[no-untyped-def]
    assert len(period.tasks) == 30
    assert period.section_counts() == {"一": 5, "二": 5, "三": 12, "四": 8}
    assert period.task("三(4)").due == D(2024, 12, 31) and period.task("3.4").responsible == "综合计划科"
    assert period.task("三（6）").deadline == "2023-2024" and period.task("3.6").due == D(2024, 12, 31)
    assert period.task("1.1").due == D(2023, 12, 31) and not period.task("1.1").continuous
    assert period.task("4.8").continuous and period.task("4.8").due == D(2025, 12, 31)


def test_deadline_count_matches_the_annex(period) -> None:  # type: ignore[no-untyped-def]
    # 一(1)(2)(5) 2023; 三(4) 2024; 三(6) 2023-2024; the other 25 持续推进
    by_deadline = Counter(t.deadline for t in period.tasks)
    assert by_deadline == {"持续推进": 25, "2023": 3, "2024": 1, "2023-2024": 1}
    assert [t.id for t in period.tasks if t.deadline == "2023"] == ["1.1", "1.2", "1.5"]


@pytest.mark.skipif(not PLAN_TEXT.exists(), reason="the plan's text is not beside this checkout")
def test_every_task_text_is_verbatim_from_the_plan(period) -> None:  # type: ignore[no-untyped-def]
    plan = PLAN_TEXT.read_text(encoding="utf-8")
    annex = plan[plan.index("附件 2:"):]
    for t in period.tasks:
        assert t.content in annex, t.id
        assert t.responsible in annex and t.deadline in annex


def test_responsible_units_expand_through_the_dictionary(period, units) -> None:  # type: ignore[no-untyped-def]
    bureau_units = ["盱眙县交通运输综合行政执法大队", "盱眙县公路事业发展中心", "盱眙县港航事业发展中心", "盱眙县邮政业发展中心"]
    t = period.task("2.2")  # 局属各单位、有关科室
    assert t.lead == ("局属各单位",) and t.co == ("有关科室",)
    assert list(t.expected_units) == bureau_units
    assert "综合计划科" in t.optional_units and "综合计划科" not in t.expected_units
    assert period.task("3.6").expected_units == ("盱眙县交通运输综合行政执法大队",)  # 原表：县交通运输执法大队
    assert period.task("4.5").expected_units == ("局办公室", "党建办")  # 原表：办公室、党建办
    assert units.canonical("执法大队") == "盱眙县交通运输综合行政执法大队"
    assert "县公路事业发展中心" in units.names_for("公路中心")
    assert units.names_for("别的局") == ("别的局",)
    with pytest.raises(UnknownUnit) as err:
        units.canonical("不存在的科")
    assert "单位字典" in err.value.message_zh


def test_broken_files_are_refused_with_the_file_named(units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PlanFileError) as err:
        parse_units('[[unit]]\nname = "甲"\nkind = "科室"\naliases = ["乙"]\n[[unit]]\nname = "乙"\nkind = "科室"\n')
    assert "同时属于" in err.value.message_zh
    bad_plan = ('[plan]\ncode="x"\ntitle="t"\nstart=2023-01-01\nend=2025-12-31\n[[section]]\ncode="一"\nname="n"\n'
                '[[task]]\nid="1.1"\nsection="一"\nno=1\nitem=1\nitem_name="i"\ncontent="c"\ndeadline="2023"\n'
                'due=2023-12-31\nresponsible="某科"\nlead=["某科"]\n')
    with pytest.raises(PlanFileError) as err2:
        parse_plan(bad_plan, units, "x.toml")
    assert "x.toml" in err2.value.message_zh and "某科" in err2.value.message_zh


def _report(unit: str, day: dt.date, percent: int | None = None, done: bool = False) -> ProgressFact:
    return ProgressFact(unit, day, percent, "", done or percent == 100)


def test_a_dated_task_by_unit(period) -> None:  # type: ignore[no-untyped-def]
    t = period.task("1.2")  # 2023, 局属各单位
    unit = t.expected_units[0]
    assert unit_standing(t, period, unit, [], D(2023, 3, 1)).status is TaskStatus.NOT_STARTED
    reports = [_report(unit, D(2023, 5, 1), 40)]
    s = unit_standing(t, period, unit, reports, D(2023, 6, 1))
    assert s.status is TaskStatus.IN_PROGRESS and s.percent == 40 and s.next_due == D(2023, 12, 31)
    assert unit_standing(t, period, unit, reports, D(2024, 1, 1)).status is TaskStatus.OVERDUE
    done = [*reports, _report(unit, D(2023, 11, 30), 100)]
    assert unit_standing(t, period, unit, done, D(2024, 1, 1)).status is TaskStatus.DONE
    # a report dated after the day asked about does not count yet
    assert unit_standing(t, period, unit, done, D(2023, 6, 1)).status is TaskStatus.IN_PROGRESS


def test_a_continuous_task_wants_a_report_every_half_year(period) -> None:  # type: ignore[no-untyped-def]
    t = period.task("1.3")  # 持续推进, 信用工作领导小组办公室
    unit = t.expected_units[0]
    assert unit_standing(t, period, unit, [], D(2023, 6, 30)).status is TaskStatus.NOT_STARTED
    late = unit_standing(t, period, unit, [], D(2023, 7, 4))
    assert late.status is TaskStatus.OVERDUE and "183" in late.reason
    reports = [_report(unit, D(2024, 3, 1), 30)]
    s = unit_standing(t, period, unit, reports, D(2024, 6, 1))
    assert s.status is TaskStatus.IN_PROGRESS and s.next_due == D(2024, 3, 1) + dt.timedelta(days=183)
    assert unit_standing(t, period, unit, reports, D(2024, 9, 1)).status is TaskStatus.OVERDUE
    assert unit_standing(t, period, unit, [*reports, _report(unit, D(2025, 12, 20), done=True)], D(2026, 1, 5)).status is TaskStatus.DONE


def test_the_task_as_a_whole(period) -> None:  # type: ignore[no-untyped-def]
    t = period.task("1.2")
    day = D(2023, 6, 1)
    a, b, c, d = t.expected_units
    st = [unit_standing(t, period, u, [_report(a, D(2023, 5, 1), 100)], day) for u in t.expected_units]
    assert task_status(st) is TaskStatus.IN_PROGRESS
    all_done = [_report(u, D(2023, 5, 1), 100) for u in (a, b, c, d)]
    assert task_status([unit_standing(t, period, u, all_done, day) for u in t.expected_units]) is TaskStatus.DONE
    assert task_status([unit_standing(t, period, u, [], D(2024, 1, 2)) for u in t.expected_units]) is TaskStatus.OVERDUE
    # 有关科室 may report but never owes: its silence does not make a task overdue
    t2 = period.task("2.2")
    optional = unit_standing(t2, period, "综合计划科", [], D(2026, 1, 1), expected=False)
    assert optional.status is TaskStatus.NOT_STARTED


def test_progress_input_and_months() -> None:
    with pytest.raises(ValidationError):
        check_progress(101, "", "做了")
    with pytest.raises(ValidationError):
        check_progress(None, "", "  ")
    check_progress(0, "已印发", "做了")
    assert monthly_report_deadline("2025-12", 10) == D(2026, 1, 10)
    assert parse_month("2025-3") == "2025-03"
    with pytest.raises(ValidationError):
        parse_month("2025-13")


def test_the_shipped_indicator_table() -> None:
    defs, day = parse_indicators((RESOURCES / "plan" / "indicators.toml").read_text(encoding="utf-8"))
    by = {d.code: d for d in defs}
    assert day == 10 and by["record_completeness"].target == 0.99 and by["commitment_areas"].target == 2
    assert by["campaigns"].target == 2 and by["trainings"].target == 2 and by["scenarios"].target == 1
    assert by["award_candidates"].applies(2025) and not by["award_candidates"].applies(2024)
    assert by["city_valid_entry"].met(0.95, 2025) is True and by["city_valid_entry"].met(0.949, 2025) is False
    assert by["sgs_report_rate"].met(None, 2025) is None


def test_a_later_plan_period_is_a_new_file(units, period, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A 2026–2028 table beside the 2023–2025 one: the period covering the day is the one shown, no code changed."""
    from xuyi_desktop.services import plan_tasks

    later = parse_plan(
        '[plan]\ncode = "2026-2028"\ntitle = "下一期"\nstart = 2026-01-01\nend = 2028-12-31\n'
        '[[section]]\ncode = "一"\nname = "组织"\n'
        '[[task]]\nid = "1.1"\nsection = "一"\nno = 1\nitem = 1\nitem_name = "新任务"\ncontent = "内容"\ndeadline = "2026"\n'
        'due = 2026-12-31\nresponsible = "综合计划科"\nlead = ["综合计划科"]\n', units, "2026-2028.toml")
    monkeypatch.setattr(plan_tasks, "plan_periods", lambda: {period.code: period, later.code: later})
    assert plan_tasks.current_period(today=D(2024, 5, 1)).code == "2023-2025"
    assert plan_tasks.current_period(today=D(2027, 5, 1)).code == "2026-2028"
    assert plan_tasks.current_period("2023-2025", today=D(2027, 5, 1)).code == "2023-2025"
    assert plan_tasks.current_period(today=D(2029, 5, 1)).code == "2026-2028"  # the most recent one that ended
    with pytest.raises(ValidationError):
        plan_tasks.current_period("2030-2032")
