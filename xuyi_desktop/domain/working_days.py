"""Working days by China's official holiday calendar (statutory holidays and adjusted working weekends).

The calendar is data: one TOML file per year (resources/holidays/YYYY.toml, see the README there), checked
when loaded. A date in a year the calendar does not cover is an error (`CalendarYearMissing`), never a
silent weekends-only guess: a deadline computed without the year's notice could be wrong by a week.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from xuyi_desktop.domain.errors import DomainError

_ONE_DAY = dt.timedelta(days=1)


class CalendarError(DomainError):
    """A holiday file is broken: the file and the rule are named; nothing is guessed."""

    def __init__(self, source: str, message_zh: str, message_en: str = "") -> None:
        self.source = source
        self.message_zh = f"节假日安排文件 {source} 有误：{message_zh}"
        self.message_en = f"holiday file {source}: {message_en or 'invalid'}"
        super().__init__(self.message_zh)


class CalendarYearMissing(DomainError):
    """A working-day count reached a year whose holiday notice is not loaded."""

    def __init__(self, year: int, known: Iterable[int]) -> None:
        self.year = year
        years = "、".join(str(y) for y in sorted(known)) or "无"
        self.message_zh = (
            f"{year}年的节假日安排尚未载入，无法计算工作日（已载入：{years}）。"
            f"请管理员按国务院办公厅的通知添加 {year}.toml（xuyi workdays install FILE）"
        )
        self.message_en = f"the holiday calendar has no data for {year}"
        super().__init__(self.message_zh)


@dataclass(frozen=True)
class HolidayPeriod:
    name: str
    start: dt.date
    end: dt.date
    workdays: tuple[dt.date, ...] = ()

    def days(self) -> Iterable[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += _ONE_DAY


@dataclass(frozen=True)
class HolidayYear:
    year: int
    notice: str
    published: dt.date | None
    periods: tuple[HolidayPeriod, ...]
    source: str = ""


def _date(value: object, where: str, source: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(source, f"{where} 应为日期（如 2025-10-01），收到：{value!r}", f"{where}: date expected")


def parse_year(text: str, source: str = "<text>", expected_year: int | None = None) -> HolidayYear:
    """Read and check one year's file. `expected_year` is the year its file name claims."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(source, f"不是有效的 TOML：{exc}", "not valid TOML") from exc
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise CalendarError(source, "缺少 year（四位年份）", "year missing")
    if expected_year is not None and year != expected_year:
        raise CalendarError(source, f"文件名是 {expected_year} 年，内容却是 year = {year}", "file name and year differ")
    published = _date(data["published"], "published", source) if "published" in data else None
    raw_periods = data.get("holiday")
    if not isinstance(raw_periods, list) or not raw_periods:
        raise CalendarError(source, "没有 [[holiday]] 节假日", "no holiday periods")
    periods: list[HolidayPeriod] = []
    for i, raw in enumerate(raw_periods, start=1):
        name = str(raw.get("name", "")).strip()
        if not name:
            raise CalendarError(source, f"第{i}个节假日缺少 name", f"holiday {i}: name missing")
        start = _date(raw.get("from"), f"{name}.from", source)
        end = _date(raw.get("to"), f"{name}.to", source)
        if start > end:
            raise CalendarError(source, f"{name}：开始日期 {start} 晚于结束日期 {end}", f"{name}: from after to")
        if (end - start).days > 15:
            raise CalendarError(source, f"{name}：假期长达 {(end - start).days + 1} 天，请核对", f"{name}: too long")
        first_allowed = dt.date(year - 1, 12, 25)
        if start < first_allowed or end.year != year:
            raise CalendarError(source, f"{name}：{start}～{end} 不在 {year} 年内", f"{name}: outside {year}")
        workdays = tuple(_date(d, f"{name}.workdays", source) for d in raw.get("workdays", []))
        for day in workdays:
            if day.weekday() < 5:
                raise CalendarError(
                    source, f"{name}：调休上班日 {day} 不是周六或周日（周一至周五本来就上班）", f"{name}: {day} is not a weekend day"
                )
            if start <= day <= end:
                raise CalendarError(source, f"{name}：调休上班日 {day} 在假期之内", f"{name}: workday inside the holiday")
            if abs((day - start).days) > 20 and abs((day - end).days) > 20:
                raise CalendarError(source, f"{name}：调休上班日 {day} 离假期太远，请核对", f"{name}: workday far from holiday")
        periods.append(HolidayPeriod(name, start, end, workdays))
    periods.sort(key=lambda p: p.start)
    for a, b in pairwise(periods):
        if b.start <= a.end:
            raise CalendarError(source, f"{a.name} 与 {b.name} 的日期重叠", "periods overlap")
    holidays = {d for p in periods for d in p.days()}
    clash = sorted(d for p in periods for d in p.workdays if d in holidays)
    if clash:
        raise CalendarError(source, f"{clash[0]} 既是假日又是调休上班日", "a day is both holiday and workday")
    return HolidayYear(year, str(data.get("notice", "")), published, tuple(periods), source)


@dataclass
class HolidayCalendar:
    """The merged calendar of the loaded years."""

    years: dict[int, HolidayYear] = field(default_factory=dict)
    _holidays: dict[dt.date, str] = field(default_factory=dict, repr=False)
    _workdays: set[dt.date] = field(default_factory=set, repr=False)

    @classmethod
    def of(cls, years: Iterable[HolidayYear]) -> HolidayCalendar:
        cal = cls()
        for y in sorted(years, key=lambda y: y.year):
            cal.add(y)
        return cal

    def add(self, year: HolidayYear) -> None:
        """Add (or replace) one year."""
        old = self.years.get(year.year)
        if old is not None:
            for p in old.periods:
                for d in p.days():
                    self._holidays.pop(d, None)
                self._workdays.difference_update(p.workdays)
        self.years[year.year] = year
        for p in year.periods:
            for d in p.days():
                self._holidays[d] = p.name
            self._workdays.update(p.workdays)

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def _require(self, day: dt.date) -> None:
        if day.year not in self.years:
            raise CalendarYearMissing(day.year, self.years)

    def holiday_name(self, day: dt.date) -> str | None:
        return self._holidays.get(day)

    def is_working_day(self, day: dt.date) -> bool:
        self._require(day)
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        return day.weekday() < 5

    def working_day_after(self, start: dt.date, n: int) -> dt.date:
        """The Nth working day after `start` (the start day itself not counted; SPEC §11). n = 0: `start`."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, left = start, n
        while left > 0:
            day += _ONE_DAY
            if self.is_working_day(day):
                left -= 1
        return day

    def working_day_after_tentative(self, start: dt.date, n: int) -> tuple[dt.date, bool]:
        """As working_day_after, but days of a year the calendar lacks count by the weekend alone. The flag says
        whether such a day was counted: the result is then 待确认 until that year's notice is installed."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, left, tentative = start, n, False
        while left > 0:
            day += _ONE_DAY
            if day.year in self.years:
                working = self.is_working_day(day)
            else:
                working, tentative = day.weekday() < 5, True
            if working:
                left -= 1
        return day, tentative

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


def load_calendar(directories: Iterable[Path]) -> HolidayCalendar:
    """Every YYYY.toml in the directories, later directories replacing earlier ones year by year."""
    found: dict[int, HolidayYear] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if not path.stem.isdigit() or len(path.stem) != 4:
                raise CalendarError(path.name, "文件名应为四位年份，如 2027.toml", "file name must be YYYY.toml")
            found[int(path.stem)] = parse_year(path.read_text(encoding="utf-8"), str(path), int(path.stem))
    if not found:
        raise CalendarError("resources/holidays", "没有找到任何年份的节假日安排", "no holiday files found")
    return HolidayCalendar.of(found.values())


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")
