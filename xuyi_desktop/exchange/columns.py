"""Column declarations (the RuoYi @Excel idea): one `Column` per spreadsheet column, one `Layout` per format.

A layout says, once, as data, what each column is called (and what else clerks call it), which field it
fills, how its text is read (with a Chinese message when it cannot be), whether it is required and which
values its drop-down offers. The template, the importer, the error report and the exporter all read it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xuyi_desktop.domain.identifiers import normalise_identifier


class CellError(ValueError):
    """A cell's content cannot be read; `message_zh` is what the clerk reads in the 原因 column."""

    def __init__(self, message_zh: str, message_en: str = "") -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


Parser = Callable[[Any], Any]
Formatter = Callable[[Any], Any]


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nfkc(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


# --- parsers: raw cell value (never blank) -> Python value, or CellError ------------------------------

def text(max_length: int | None = None) -> Parser:
    """Plain text, inner runs of white space collapsed. A whole number typed into a numeric cell reads as '12'."""

    def parse(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        result = " ".join(str(value).split())
        if max_length is not None and len(result) > max_length:
            raise CellError(f"不能超过{max_length}个字符（实际{len(result)}个）", f"longer than {max_length}")
        return result

    return parse


plain_text = text()

# Excel keeps 15 significant digits: an 18-digit ID number stored as a number has lost its tail.
_EXACT_DIGITS = 15


def identifier(value: Any) -> str:
    """统一社会信用代码 or 身份证号码, normalised (full-width, spaces, dashes, case); checked later by kind."""
    if isinstance(value, bool):
        raise CellError("证件号码应为文本", "identifier is not text")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer() or len(str(int(value))) > _EXACT_DIGITS:
            raise CellError(
                "证件号码被保存成了数字，后几位可能已丢失：请把该列设为“文本”格式后重新录入",
                "identifier stored as a number (digits lost)",
            )
        value = str(int(value))
    result = normalise_identifier(str(value))
    if not result:
        raise CellError("证件号码为空", "identifier is empty")
    return result


_YEAR = re.compile(r"^(\d{4})(?:年度?|年)?$")


def year(value: Any) -> int:
    """2024, 2024.0, '2024', '2024年', '2024年度'."""
    if isinstance(value, bool):
        raise CellError("年度应为四位数字，如 2024", "year expected")
    if isinstance(value, int | float) and float(value).is_integer():
        value = str(int(value))
    if isinstance(value, dt.date):
        raise CellError("年度应为四位数字（如 2024），不是日期", "year expected, got a date")
    match = _YEAR.match(_nfkc(value).replace(" ", ""))
    if not match:
        raise CellError(f"年度应为四位数字，如 2024（收到：{value}）", "year expected")
    return int(match.group(1))


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def number(unit: str = "") -> Parser:
    """A number; a trailing unit such as 分 is allowed ('94.5分'), full-width digits too."""

    def parse(value: Any) -> float:
        if isinstance(value, bool):
            raise CellError("应为数字", "number expected")
        if isinstance(value, int | float):
            return float(value)
        raw = _nfkc(value).replace(" ", "").replace(",", "")
        if unit and raw.endswith(unit):
            raw = raw[: -len(unit)]
        if not _NUMBER.match(raw):
            raise CellError(f"应为数字（收到：{value}）", "number expected")
        return float(raw)

    return parse


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date(value: Any) -> dt.date:
    """A date cell, or text 2024-03-15 / 2024/3/15 / 2024.3.15 / 2024年3月15日 / 20240315, or an Excel day number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell formatted as 常规 arrives as its day number.
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    raw = _nfkc(value).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise CellError(f"日期格式不正确（收到：{value}），请写成 2024-03-15", "date expected (YYYY-MM-DD)")


def choice(options: Callable[[], dict[str, str]], what: str) -> Parser:
    """One of a fixed set, by any accepted spelling: `options()` maps folded spellings to the stored value."""

    def parse(value: Any) -> str:
        key = fold_choice(value)
        table = options()
        if key in table:
            return table[key]
        shown = "、".join(dict.fromkeys(table.values()))
        raise CellError(f"未知的{what}：{value}（可填：{shown}）", f"unknown {what}")

    return parse


def fold_choice(value: object) -> str:
    """How choice spellings are compared: NFKC, no white space, upper case."""
    return "".join(_nfkc(value).split()).upper()


# --- columns and layouts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One spreadsheet column of one exchange format."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    parse: Parser = plain_text
    required: bool = False
    # Drop-down values for the template (a function, so values that live in resources/ stay current).
    choices: Callable[[], Sequence[str]] | None = None
    note: str = ""
    width: float = 14.0
    number_format: str | None = None
    # Export direction: the value written for a record's field (default: as it is).
    format: Formatter | None = None

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.header, *self.aliases)}


_HEADER_NOISE = re.compile(r"[\s*※★:：]+")
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")


def normalise_header(value: object) -> str:
    """How headers are compared: NFKC (full-width → half-width, （）→ ()), no spaces or required-marks, lower case."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", str(value or ""))).lower()


@dataclass(frozen=True)
class HeaderMap:
    """Where a layout's columns were found in a sheet: sheet row of the header, and 0-based column indexes."""

    row: int
    by_field: dict[str, list[int]]
    headers: list[str]
    unknown: list[str]

    def column_of(self, field_name: str) -> int | None:
        cols = self.by_field.get(field_name)
        return cols[0] if cols else None


@dataclass(frozen=True)
class CellProblem:
    """Why one row cannot be taken; `column` is the 0-based column to highlight, or None for the row as a whole."""

    field: str
    message_zh: str
    column: int | None = None


@dataclass
class ParsedRow:
    """One data row as read: sheet row number, field values, where each came from, and problems found so far."""

    row: int
    values: dict[str, Any]
    source: dict[str, int]
    problems: list[CellProblem] = field(default_factory=list)
    note: bool = False

    def problem(self, field_name: str, message_zh: str) -> None:
        self.problems.append(CellProblem(field_name, message_zh, self.source.get(field_name)))


def _show(value: object) -> str:
    shown = " ".join(str(value).split())
    return shown if len(shown) <= 30 else shown[:30] + "…"


def _is_note_line(cells: Sequence[object]) -> bool:
    """A footnote or sign-off line under a table: one cell of text, or only “label：value” cells."""
    filled = [c for c in cells if not is_blank(c)]
    if len(filled) <= 1:
        return all(isinstance(c, str) for c in filled)
    return all(isinstance(c, str) and ("：" in c or ":" in c) for c in filled)


@dataclass(frozen=True)
class Layout:
    """An exchange format: a sheet name and its columns, in template/export order."""

    name: str
    columns: tuple[Column, ...]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)

    def match_headers(self, cells: Sequence[object], row: int) -> HeaderMap:
        """Map one row of header cells; exact names first, then with a trailing note removed ('得分(分)')."""
        lookup: dict[str, str] = {}
        for col in self.columns:
            for name in col.names():
                lookup.setdefault(name, col.field)
        by_field: dict[str, list[int]] = {}
        unknown: list[str] = []
        headers: list[str] = []
        for i, cell in enumerate(cells):
            headers.append("" if cell is None else str(cell).strip())
            if is_blank(cell):
                continue
            key = normalise_header(cell)
            found = lookup.get(key) or lookup.get(_TRAILING_NOTE.sub("", key))
            if found:
                by_field.setdefault(found, []).append(i)
            else:
                unknown.append(str(cell).strip())
        return HeaderMap(row, by_field, headers, unknown)

    def find_header(self, rows: Sequence[Sequence[object]], first_row: int = 1) -> HeaderMap | None:
        """The header among the first rows (title lines often come first): the row naming most of our columns."""
        best: HeaderMap | None = None
        for offset, cells in enumerate(rows):
            candidate = self.match_headers(cells, first_row + offset)
            if len(candidate.by_field) >= 2 and (best is None or len(candidate.by_field) > len(best.by_field)):
                best = candidate
        return best

    def missing(self, header: HeaderMap, optional: Iterable[str] = ()) -> list[Column]:
        """Required columns the sheet lacks (fields in `optional` have a default elsewhere)."""
        skip = set(optional)
        return [c for c in self.columns if c.required and c.field not in header.by_field and c.field not in skip]

    def read_row(
        self,
        cells: Sequence[object],
        header: HeaderMap,
        row: int,
        defaults: Mapping[str, Any] | None = None,
        key_field: str | None = None,
    ) -> ParsedRow | None:
        """Parse one data row; None for a row with nothing in any of our columns (blank lines, footnotes elsewhere).
        `defaults` fill fields the sheet leaves empty (e.g. a domain given once for the whole file). A row without
        `key_field` that reads like a note (注：…, 填表人：…) comes back with `note` set and is not parsed.
        (The work is RowReader's; the reader of the last header is kept, so a caller reading row by row pays
        for setting it up once.)"""
        reader: RowReader | None = self.__dict__.get("_last_reader")
        if reader is None or not reader.reads(header, defaults, key_field):
            reader = self.reader(header, defaults, key_field)
            object.__setattr__(self, "_last_reader", reader)  # a cache, not a field: eq and repr ignore it
        return reader(cells, row)

    def reader(self, header: HeaderMap, defaults: Mapping[str, Any] | None = None,
               key_field: str | None = None) -> RowReader:
        """read_row for every row under `header`, with what it needs per row worked out once."""
        return RowReader(self, header, defaults, key_field)

    def _same_value(self, fld: str, a: object, b: object) -> bool:
        """Two cells for one field say the same: equal once read (a number and its text, full-width digits)."""
        if fold_choice(a) == fold_choice(b):
            return True
        parse = self.column(fld).parse
        try:
            return bool(parse(a) == parse(b))
        except CellError:
            return False

    def rows(
        self,
        cells: Iterable[Sequence[object]],
        header: HeaderMap,
        defaults: Mapping[str, Any] | None = None,
        key_field: str | None = None,
    ) -> Iterator[ParsedRow]:
        """Parse the rows below the header (`cells` starts right after it)."""
        read = self.reader(header, defaults, key_field)
        for offset, row_cells in enumerate(cells, start=header.row + 1):
            parsed = read(row_cells, offset)
            if parsed is not None:
                yield parsed


class RowReader:
    """Layout.read_row for one header: per field, the sheet columns it is read from (one column, the usual case,
    is taken without the loop that settles two columns for one field), and per column of the layout its parser,
    header and whether it is required — looked up once per sheet instead of once per cell (issue 17). The rows it
    gives are read_row's: same values, sources, problems and their order."""

    def __init__(self, layout: Layout, header: HeaderMap, defaults: Mapping[str, Any] | None, key_field: str | None) -> None:
        self.layout, self.header, self.defaults, self.key_field = layout, header, defaults, key_field
        # by_field order: the order of `source` and of the clash problems
        self._fields = tuple((fld, indexes[0] if len(indexes) == 1 else None, tuple(indexes))
                             for fld, indexes in header.by_field.items())
        self._columns = tuple((c.field, c.parse, c.header, c.required) for c in layout.columns)

    def reads(self, header: HeaderMap, defaults: Mapping[str, Any] | None, key_field: str | None) -> bool:
        """Made for this header, defaults and key field (the same objects)."""
        return header is self.header and defaults is self.defaults and key_field == self.key_field

    def __call__(self, cells: Sequence[object], row: int) -> ParsedRow | None:
        values: dict[str, Any] = {}
        source: dict[str, int] = {}
        raw: dict[str, Any] = {}
        clashes: list[CellProblem] = []
        width = len(cells)
        for fld, only, indexes in self._fields:
            if only is not None:
                cell = cells[only] if only < width else None
                if not (cell is None or (isinstance(cell, str) and not cell.strip())):  # not is_blank
                    raw[fld] = cell
                source[fld] = only
                continue
            # Two columns for one field (统一社会信用代码 and 身份证号码 side by side): the first filled one counts;
            # a second one filled with something else is a contradiction the clerk must settle (issue 21).
            header = self.header
            for i in indexes:
                cell = cells[i] if i < width else None
                if is_blank(cell):
                    continue
                if fld not in raw:
                    raw[fld], source[fld] = cell, i
                elif not self.layout._same_value(fld, raw[fld], cell):
                    first, second = header.headers[source[fld]], header.headers[i] if i < len(header.headers) else ""
                    clashes.append(CellProblem(fld, (
                        f"“{first}”列（{_show(raw[fld])}）与“{second}”列（{_show(cell)}）都对应“{self.layout.column(fld).header}”，"
                        f"但内容不一致：请删去一列或改为一致"), i))
            if fld not in source:
                source[fld] = indexes[0]
        if not raw:
            return None
        parsed = ParsedRow(row, values, source, clashes)
        if self.key_field is not None and self.key_field not in raw and _is_note_line(cells):
            parsed.note = True
            return parsed
        defaults = self.defaults
        for fld, parse, header_text, required in self._columns:
            if fld in raw:
                try:
                    values[fld] = parse(raw[fld])
                except CellError as exc:
                    parsed.problem(fld, f"{header_text}：{exc.message_zh}")
            elif defaults and fld in defaults:
                values[fld] = defaults[fld]
            elif required:
                parsed.problem(fld, f"{header_text}不能为空")
        return parsed
