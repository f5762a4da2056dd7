"""The holiday calendar this installation counts working days with: the shipped years under
resources/holidays/ plus the years an administrator added in the data folder's holidays/ directory."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import lru_cache
from pathlib import Path

from xuyi_desktop.domain.working_days import HolidayCalendar, HolidayYear, load_calendar, parse_year
from xuyi_desktop.paths import data_dir, resource_path


def user_holiday_dir() -> Path:
    return data_dir() / "holidays"


@lru_cache(maxsize=4)
def _calendar(user_dir: str) -> HolidayCalendar:
    return load_calendar([resource_path("holidays"), Path(user_dir)])


def calendar() -> HolidayCalendar:
    """Loaded and checked once per process and data folder (a broken file raises CalendarError naming it); keyed
    by the folder so that another data folder (a test's, a second database's) never sees this one's years."""
    return _calendar(str(user_holiday_dir()))


def reload() -> HolidayCalendar:
    _calendar.cache_clear()
    return calendar()


def working_day_after(day: dt.date, n: int) -> dt.date:
    """The Nth working day after `day` (the day itself not counted), by the holiday calendar."""
    return calendar().working_day_after(day, n)


def missing_calendar_notice(today: dt.date | None = None) -> str | None:
    """From 1 November, when next year's holiday file is not installed: what to tell administrators (deadlines
    reaching into that year are counted by weekends alone and marked 待确认 until it is)."""
    today = today or dt.date.today()
    nxt = today.year + 1
    if today.month < 11 or nxt in calendar().years:
        return None
    return (f"{nxt}年的法定节假日安排尚未安装：进入{nxt}年的双公示报送截止日和公示期暂按周末计算（待确认）。"
            f"国务院办公厅通知发布后，请用“xuyi workdays install {nxt}.toml”安装")


def check_file(path: Path) -> HolidayYear:
    """Validate a year file without installing it; its name must be YYYY.toml."""
    expected = int(path.stem) if path.stem.isdigit() and len(path.stem) == 4 else None
    if expected is None:
        from xuyi_desktop.domain.working_days import CalendarError

        raise CalendarError(path.name, "文件名应为四位年份，如 2027.toml", "file name must be YYYY.toml")
    return parse_year(path.read_text(encoding="utf-8"), str(path), expected)


def install_file(path: Path) -> HolidayYear:
    """Validate, then copy into the data folder's holidays/ (replacing that year); the calendar reloads."""
    year = check_file(path)
    target = user_holiday_dir()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target / f"{year.year}.toml")
    reload()
    return year
