"""The holiday calendar: shipped data for 2023–2026, checks at load, the Nth working day, a missing year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xuyi_desktop.domain.working_days import CalendarError, CalendarYearMissing, load_calendar, parse_year
from xuyi_desktop.paths import resource_path

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return load_calendar([resource_path("holidays")])


def test_shipped_years_load_and_2027_is_not_guessed(cal) -> None:
    assert sorted(cal.years) == [2023, 2024, 2025, 2026]
    with pytest.raises(CalendarYearMissing) as err:
        cal.working_day_after(D(2026, 12, 28), 7)  # runs into January 2027
    assert "2027年的节假日安排尚未载入" in err.value.message_zh


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Friday 26 Sep 2025 before 国庆+中秋 (1–8 Oct), with Sun 28 Sep and Sat 11 Oct worked (SPEC §11).
        (D(2025, 9, 26), 7, D(2025, 10, 13)),
        # Friday 13 Feb 2026 before 春节 (15–23 Feb), with Sat 14 Feb and Sat 28 Feb worked.
        (D(2026, 2, 13), 7, D(2026, 3, 2)),
        # Thursday 30 Apr 2026 before 劳动节 (1–5 May), Sat 9 May worked.
        (D(2026, 4, 30), 7, D(2026, 5, 13)),
        # 2024: Friday 9 Feb before 春节 (10–17 Feb), Sun 18 Feb worked.
        (D(2024, 2, 9), 1, D(2024, 2, 18)),
        # An ordinary week: the decision day is not counted.
        (D(2025, 3, 3), 7, D(2025, 3, 12)),
        (D(2025, 3, 3), 0, D(2025, 3, 3)),
    ],
)
def test_working_day_after(cal, start: dt.date, n: int, expected: dt.date) -> None:
    assert cal.working_day_after(start, n) == expected


def test_spec_2025_and_2026_days(cal) -> None:
    rest_2025 = [D(2025, 1, 1), D(2025, 1, 28), D(2025, 2, 4), D(2025, 4, 4), D(2025, 5, 5), D(2025, 6, 2), D(2025, 10, 8)]
    work_2025 = [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)]
    rest_2026 = [D(2026, 1, 2), D(2026, 2, 23), D(2026, 4, 6), D(2026, 5, 5), D(2026, 6, 19), D(2026, 9, 25), D(2026, 10, 7)]
    work_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
    assert not any(cal.is_working_day(d) for d in rest_2025 + rest_2026)
    assert all(cal.is_working_day(d) for d in work_2025 + work_2026)


GOOD = """
year = 2027
[[holiday]]
name = "元旦"
from = 2027-01-01
to = 2027-01-03
workdays = []
"""


def test_validation_names_file_and_rule() -> None:
    assert parse_year(GOOD, "2027.toml", 2027).year == 2027
    with pytest.raises(CalendarError, match="文件名是 2028 年"):
        parse_year(GOOD, "2028.toml", 2028)
    with pytest.raises(CalendarError, match="不是周六或周日"):
        parse_year(GOOD.replace("workdays = []", "workdays = [2027-01-05]"), "2027.toml")
    with pytest.raises(CalendarError, match="晚于结束日期"):
        parse_year(GOOD.replace("to = 2027-01-03", "to = 2026-12-31"), "2027.toml")
    overlap = GOOD + '[[holiday]]\nname = "x"\nfrom = 2027-01-03\nto = 2027-01-04\n'
    with pytest.raises(CalendarError, match="重叠"):
        parse_year(overlap, "2027.toml")
    with pytest.raises(CalendarError, match="TOML"):
        parse_year("year = ", "2027.toml")


def test_an_administrator_adds_a_year(tmp_path: Path, ctx) -> None:  # type: ignore[no-untyped-def]
    from xuyi_desktop.services import sgs_calendar

    (tmp_path / "2027.toml").write_text(GOOD, encoding="utf-8")
    sgs_calendar.install_file(ctx, tmp_path / "2027.toml")
    try:
        assert 2027 in sgs_calendar.calendar().years
        # 31 Dec 2026 (Thu) + 1: 1–3 Jan 2027 are holidays in this file → Monday 4 Jan.
        assert sgs_calendar.working_day_after(D(2026, 12, 31), 1) == D(2027, 1, 4)
    finally:
        sgs_calendar.reload()


def test_bad_file_in_the_data_folder_stops_loading(tmp_path: Path) -> None:
    (tmp_path / "2025.toml").write_text(GOOD.replace("2027", "2025").replace("workdays = []", "workdays = [2025-01-02]"), encoding="utf-8")
    with pytest.raises(CalendarError, match="2025.toml"):
        load_calendar([resource_path("holidays"), tmp_path])
