"""The holiday calendar this installation counts working days with: the shipped years under
resources/holidays/ plus the years an administrator added in the data folder's holidays/ directory."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import lru_cache
from pathlib import Path

from xuyi_desktop.domain.working_days import HolidayCalendar, HolidayYear, load_calendar, parse_year
from xuyi_desktop.paths import data_dir, resource_path
from xuyi_desktop.services.context import AppContext


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


def install_file(ctx: AppContext, path: Path, *, replace: bool = False) -> HolidayYear:
    """Validate, then copy into the data folder's holidays/; the calendar reloads. Needs the settings right
    (every deadline of 双公示 depends on it) and is audited with the file's SHA-256. A year the calendar
    already has (shipped with the program or installed before) is replaced only with `replace`."""
    from xuyi_desktop.domain.errors import FieldProblem, ValidationError
    from xuyi_desktop.domain.permissions import Permission
    from xuyi_desktop.services import audit

    audit.require(ctx, Permission.SETTINGS)
    year = check_file(path)
    data = path.read_bytes()
    known = year.year in calendar().years
    if known and not replace:
        raise ValidationError(FieldProblem(
            "file", f"{year.year}年的节假日安排已有（随程序发布或此前安装），如确需替换请加 --replace",
            f"the calendar already has {year.year}; use --replace"))
    target = user_holiday_dir()
    target.mkdir(parents=True, exist_ok=True)
    before = target / f"{year.year}.toml"
    replaced = hashlib.sha256(before.read_bytes()).hexdigest() if before.exists() else ("shipped" if known else None)
    digest = hashlib.sha256(data).hexdigest()
    with ctx.transaction() as session:  # audited first: the entry exists exactly when the file is in place
        audit.write(session, ctx, "settings.holidays_install",
                    f"{'替换' if known else '安装'} {year.year} 年节假日安排（{path.name}，SHA-256 {digest[:16]}…）",
                    details={"year": year.year, "file": str(path), "sha256": digest, "replaced": replaced})
        tmp = before.with_name(f".{before.name}.part")
        tmp.write_bytes(data)
        os.replace(tmp, before)
    reload()
    return year
