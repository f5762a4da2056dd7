"""Reading and writing .xlsx files from a `Layout`: find the sheet and header, template, error report, safe saving.

Large files are streamed (openpyxl read_only / write_only): 100,000 rows stay in tens of MiB.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.exchange.columns import CellProblem, Column, HeaderMap, Layout, ParsedRow

HEADER_SCAN_ROWS = 10
# Bounds on a workbook before it is opened (a 4 MB zip bomb used 5.4 GB of memory): the sizes in a zip's
# directory are the sender's claim, but Python's zipfile stops inflating a member at its claimed size (and
# then fails its CRC), so checking the claims bounds what is actually read.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_MEMBER_RATIO = 200  # uncompressed / compressed, for members over RATIO_FROM bytes
RATIO_FROM = 4 * 1024 * 1024
MAX_MEMBERS = 5000
# Excel's own “浅红填充色深红色文本”: clearly red on screen and on a grey printer, the text stays readable.
ERROR_FILL = PatternFill("solid", fgColor="FFFFC7CE")
ERROR_FONT = Font(color="FF9C0006")
HEADER_FILL = PatternFill("solid", fgColor="FFD9D9D9")
REASON_HEADER = "原因"
LAST_ROW = 1_048_576


class FileProblem(DomainError):
    """The file as a whole cannot be used (not .xlsx, no recognisable header, a required column missing)."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(message_zh)


@dataclass(frozen=True)
class SheetData:
    """What was read: the sheet used, where its header is, the parsed rows, the widest row seen, and the rows
    skipped as notes under the table (注：…)."""

    sheet_name: str
    header: HeaderMap
    rows: list[ParsedRow]
    width: int
    note_rows: list[int]


def _trimmed_len(cells: Sequence[object]) -> int:
    n = len(cells)
    while n and cells[n - 1] is None:
        n -= 1
    return n


@dataclass
class _Width:
    """The widest row seen while the rows stream past (the error report puts 原因 right of it)."""

    value: int

    def measure(self, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
        for r in rows:
            self.value = max(self.value, _trimmed_len(r))
            yield r


def check_xlsx(path: Path) -> None:
    """Refuse, before openpyxl sees it, a workbook that would inflate beyond the bounds above or that carries
    a DTD (entity expansion: "billion laughs"). Raises FileProblem naming the reason in Chinese."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileProblem(f"“{name}”过大（{size // 1024 // 1024} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），请分成几个文件导入",
                              "workbook file too large")
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise FileProblem(f"“{name}”内部文件过多，不是正常的 .xlsx 文件，已拒绝", "too many members in the workbook")
            total = 0
            for info in members:
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > RATIO_FROM and ratio > MAX_MEMBER_RATIO):
                    raise FileProblem(f"“{name}”解压后异常庞大（压缩炸弹），已拒绝，未导入任何数据",
                                      f"workbook inflates beyond the limits ({info.filename}: {info.file_size} bytes, ratio {ratio:.0f})")
            for info in members:
                if info.filename.endswith((".xml", ".rels", ".vml")) and _has_dtd(zf, info):
                    raise FileProblem(f"“{name}”含有 DTD 或实体声明（{info.filename}），正常的表格文件不会有，已拒绝",
                                      f"workbook contains a DTD or entity declaration ({info.filename})")
    except zipfile.BadZipFile as exc:
        raise FileProblem(f"无法读取“{name}”：不是有效的 .xlsx 文件", f"not a readable .xlsx file ({exc})") from exc
    except PermissionError as exc:
        raise FileProblem(f"无法打开“{name}”：没有读取权限", "permission denied") from exc
    except OSError as exc:
        raise FileProblem(f"无法读取“{name}”：{exc.strerror or exc}", f"cannot read the workbook: {exc}") from exc


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A DOCTYPE (or ENTITY) can only come before the root element: the first 4 KiB tell."""
    try:
        with zf.open(info) as fh:
            head = fh.read(4096)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # reported by the reader as a damaged file
    return b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper()


# --- formulas and external links (issue 21, finding 17) ----------------------------------------------------
# A workbook is read for its values (data_only): a formula cell gives the value Excel cached when the file was
# last saved, which may be stale, and a link to another workbook brings in values nobody here has seen. So a
# workbook with external links is refused as a whole, and a formula in a column an import reads is a bad cell
# (“第N行第M列是公式，请粘贴为数值后再导入”). Found by scanning the sheets' XML: a quick byte search first (most
# workbooks have no formula at all), the cells only where one was seen.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SCAN_CHUNK = 1 << 20


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → its part in the zip (from xl/workbook.xml and its relationships)."""
    from defusedxml.ElementTree import fromstring

    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ValueError, SyntaxError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    parts = {}
    for el in book.iter():
        if _local(el.tag) == "sheet":
            target = targets.get(el.get(f"{{{_REL_NS}}}id"), "")
            if target:
                parts[el.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def _has_formula(zf: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with zf.open(part) as fh:
        for block in iter(lambda: fh.read(SCAN_CHUNK), b""):
            if _FORMULA_TAG.search(tail + block):
                return True
            tail = block[-64:]
    return False


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _formula_refs(zf: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    """(row, column), 1-based, of every cell of the sheet part that holds a formula."""
    from defusedxml.ElementTree import iterparse

    found: set[tuple[int, int]] = set()
    row_no, col_no = 0, 0
    with zf.open(part) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            name = _local(el.tag)
            if event == "start":
                if name == "row":
                    row_no, col_no = int(el.get("r") or row_no + 1), 0
                elif name == "c":
                    m = _CELL_REF.match(el.get("r") or "")
                    col_no = _column_number(m.group(1)) if m else col_no + 1
                    if m:
                        row_no = int(m.group(2))
                continue
            if name == "c":
                if any(_local(child.tag) == "f" for child in el):
                    found.add((row_no, col_no))
                el.clear()
            elif name == "row":
                el.clear()
    return found


def formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Sheet title → the (row, column) of its formula cells; refuses (FileProblem) a workbook linking other workbooks."""
    found: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if any(n.lower().startswith("xl/externallinks/") for n in names):
                raise FileProblem(
                    f"“{path.name}”引用了其他工作簿（外部链接），其中的数值可能已过时：请复制后“粘贴为数值”、删除外部链接，再导入",
                    "the workbook links other workbooks (external links): paste as values first",
                )
            for title, part in _sheet_parts(zf).items():
                if part in names and _has_formula(zf, part):
                    found[title] = _formula_refs(zf, part)
    except (zipfile.BadZipFile, ValueError, SyntaxError, OSError) as exc:
        raise FileProblem(f"无法读取“{path.name}”：不是有效的 .xlsx 文件", f"not a readable .xlsx file ({type(exc).__name__})") from exc
    return found


def formula_message(row: int, column: int) -> str:
    return f"第{row}行第{column}列（{get_column_letter(column)}列）是公式，请粘贴为数值后再导入"


def formula_problems(formulas: set[tuple[int, int]], row: int, header: HeaderMap) -> list[CellProblem]:
    """The bad cells of one data row: formulas in columns the import reads (a 序号 =ROW()-1 elsewhere is harmless)."""
    if not formulas:
        return []
    return [CellProblem(fld, formula_message(row, i + 1), i)
            for fld, indexes in header.by_field.items() for i in indexes if (row, i + 1) in formulas]


def sheet_formulas(wb: object, title: str) -> set[tuple[int, int]]:
    """The formula cells open_xlsx found on one sheet (none for a workbook opened otherwise)."""
    return getattr(wb, "xuyi_formulas", {}).get(title, set())


def open_xlsx(path: Path):
    """load_workbook(read_only, data_only) after check_xlsx, every failure as one FileProblem. A workbook with
    external links is refused; the formula cells of each sheet are on the workbook as `xuyi_formulas`."""
    check_xlsx(path)
    formulas = formula_cells(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        wb.xuyi_formulas = formulas
        return wb
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError) as exc:
        # defusedxml's refusals (DTDForbidden, EntitiesForbidden) are ValueErrors; a broken XML part a SyntaxError.
        raise FileProblem(f"无法读取“{path.name}”：不是有效的 .xlsx 文件", f"not a readable .xlsx file ({type(exc).__name__})") from exc
    except PermissionError as exc:
        raise FileProblem(f"无法打开“{path.name}”：没有读取权限", "permission denied") from exc


def read_sheet(path: Path, layout: Layout, *, key_field: str, defaults: Mapping[str, object] | None = None) -> SheetData:
    """Read the first sheet whose header (within the first rows) names `key_field`, parsing every row below it."""
    if not path.is_file():
        raise FileProblem(f"找不到文件：{path}", f"file not found: {path}")
    if path.suffix.lower() in (".xls", ".et"):
        raise FileProblem("不能直接导入旧版 .xls/.et 文件：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入", "save the file as .xlsx first")
    wb = open_xlsx(path)
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            head = list(islice(rows, HEADER_SCAN_ROWS))
            header = layout.find_header(head)
            if header is None or key_field not in header.by_field:
                continue
            width = _Width(max((_trimmed_len(r) for r in head), default=0))
            parsed = list(layout.rows(width.measure(chain(head[header.row:], rows)), header, defaults, key_field))
            formulas = sheet_formulas(wb, ws.title)
            for r in parsed:
                r.problems.extend(formula_problems(formulas, r.row, header))
            notes = [r.row for r in parsed if r.note]
            return SheetData(ws.title, header, [r for r in parsed if not r.note], width.value, notes)
    finally:
        wb.close()
    key = layout.column(key_field)
    raise FileProblem(
        f"“{path.name}”的前{HEADER_SCAN_ROWS}行中没有找到表头（需要“{key.header}”列，也可写作：{'、'.join(key.aliases[:5])}）",
        "no header row with the identifier column found",
    )


# --- the one place every cell value passes ----------------------------------------------------------------
# Every workbook this program writes (exports, templates, error reports, the audit log) is made of openpyxl
# cells, and every value set on a cell goes through Cell._bind_value: normal and write-only sheets alike, ours
# and any added later. There, and only there, text that a spreadsheet would run as a formula (= + - @) is kept
# as text and marked with the quote prefix Excel itself uses for a typed leading apostrophe, and characters a
# worksheet cannot hold (ESC, NUL …) are written as visible escapes instead of aborting the export. Reading
# (openpyxl's readers set cells directly) is not affected.

def _install_cell_guard() -> None:
    from openpyxl.cell.cell import Cell

    from xuyi_desktop.domain.text_safety import escape_for_terminal, needs_text_marker

    original = Cell._bind_value
    if getattr(original, "_xuyi_guard", False):
        return

    def _bind_value(self: Cell, value: object) -> None:
        if isinstance(value, str):
            value = escape_for_terminal(value)  # one regex search; escapes only when something is there
        original(self, value)
        if isinstance(value, str) and needs_text_marker(value):
            self.data_type = "s"
            self.quotePrefix = True

    _bind_value._xuyi_guard = True  # type: ignore[attr-defined]
    Cell._bind_value = _bind_value


_install_cell_guard()


def save_workbook(wb: Workbook, path: Path) -> None:
    """Write beside the target, then rename: a half-written file never carries the real name. Only onto a
    regular file or a new name (never a device, a pipe or a folder)."""
    from xuyi_desktop.output_files import check_target

    check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        wb.save(part)
        os.replace(part, path)
    except PermissionError as exc:
        part.unlink(missing_ok=True)
        raise FileProblem(f"无法写入“{path}”：文件可能正在 Excel/WPS 中打开，请关闭后重试", f"cannot write {path}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise


# --- template ------------------------------------------------------------------------------------------

def header_column(
    ws: Worksheet, options: Worksheet, i: int, col: Column, note: Sequence[str], *, option_col: int, option_label: str,
    strict_choices: bool = True, prompt: bool = True,
) -> int:
    """Column i of a template: the header cell (red when always required) with its note, the column's width and
    number format, and its drop-down fed from the hidden 选项 sheet. Returns the last 选项 column used."""
    letter = get_column_letter(i)
    cell = ws.cell(row=1, column=i, value=col.header)
    cell.font = Font(bold=True, color="FFC00000" if col.required else None)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if note:
        comment = Comment("\n".join(note), "盱眙县信用交通")
        comment.width, comment.height = 260, 120
        cell.comment = comment
    ws.column_dimensions[letter].width = col.width
    if col.number_format:
        # A column style, not pre-made cells: what the clerk types gets it, and the sheet stays empty.
        ws.column_dimensions[letter].number_format = col.number_format
    if col.choices:
        values = list(col.choices())
        option_col += 1
        oletter = get_column_letter(option_col)
        options.cell(row=1, column=option_col, value=option_label)
        for r, value in enumerate(values, start=2):
            options.cell(row=r, column=option_col, value=value)
        hint = {"showInputMessage": True, "promptTitle": col.header, "prompt": col.note[:250] or f"请选择{col.header}"}
        dv = DataValidation(
            type="list", formula1=f"'选项'!${oletter}$2:${oletter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=strict_choices, errorTitle=col.header, error=f"请从下拉列表中选择{col.header}",
            **(hint if prompt else {}),
        )
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
    return option_col


def write_template(layout: Layout, path: Path, *, instructions: Sequence[str] = ()) -> None:
    """An empty sheet with the layout's headers, a note on each header, drop-downs and text-formatted ID columns,
    plus a 填写说明 sheet. The importer reads what this writes (one declaration for both)."""
    wb = Workbook()
    ws = wb.active
    ws.title = layout.name
    options = wb.create_sheet("选项")
    guide = wb.create_sheet("填写说明")
    option_col = 0
    for i, col in enumerate(layout.columns, start=1):
        note = [("必填。" if col.required else "选填。") + col.note]
        if col.aliases:
            note.append("也可写作：" + "、".join(col.aliases[:6]))
        option_col = header_column(ws, options, i, col, note, option_col=option_col, option_label=col.header)
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30
    options.sheet_state = "hidden"

    line = guide_intro(guide, (26, 8, 60, 50), instructions) + 1
    for c, title in enumerate(("列名", "必填", "说明", "也可使用的列名"), start=1):
        guide.cell(row=line, column=c, value=title).font = Font(bold=True)
    for col in layout.columns:
        line += 1
        guide.cell(row=line, column=1, value=col.header)
        guide.cell(row=line, column=2, value="是" if col.required else "")
        values = f"（可选：{'、'.join(col.choices())}）" if col.choices else ""
        guide.cell(row=line, column=3, value=col.note + values).alignment = Alignment(wrap_text=True)
        guide.cell(row=line, column=4, value="、".join(col.aliases)).alignment = Alignment(wrap_text=True)
    save_workbook(wb, path)


def guide_intro(guide: Worksheet, widths: Sequence[float], instructions: Sequence[str]) -> int:
    """A 填写说明 sheet's column widths (A, B, …) and its opening lines, one a row from row 1; returns the row
    after them, where the caller's column list starts (every template writes this part alike)."""
    for i, width in enumerate(widths, start=1):
        guide.column_dimensions[get_column_letter(i)].width = width
    for line, text in enumerate(instructions, start=1):
        guide.cell(row=line, column=1, value=text)
    return len(instructions) + 1


# --- error report --------------------------------------------------------------------------------------

def _styled(
    ws: object, value: object, *, fill: PatternFill | None = None, font: Font | None = None, fmt: str | None = None
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    if fmt:
        cell.number_format = fmt
    return cell


def _number_format(cell: object) -> str | None:
    fmt = getattr(cell, "number_format", "General")
    return fmt if fmt and fmt != "General" else None


def _report_columns(ws: Any, reason_at: int, layout: Layout, header: HeaderMap) -> None:
    """An error report sheet's widths (the layout's, 12 for columns it does not know), a wide 原因 column
    at `reason_at`, and the rows down to the header frozen."""
    widths = {i: layout.column(f).width for f, cols in header.by_field.items() for i in cols}
    for i in range(reason_at):
        ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(i, 12)
    ws.column_dimensions[get_column_letter(reason_at + 1)].width = 60
    ws.freeze_panes = f"A{header.row + 1}"


def _report_row(
    ws: object, cells: Sequence[tuple[object, str | None]], reason_at: int, is_header: bool, bad: Sequence[CellProblem]
) -> list[object]:
    """One source row (value, number format) copied for an error report, both reports alike: bad cells red,
    the header bold, other formats kept, padded to the 原因 column, then the reasons."""
    bad_cols = {p.column for p in bad if p.column is not None}
    out: list[object] = []
    for i, (value, fmt) in enumerate(cells[:reason_at]):
        if i in bad_cols:
            out.append(_styled(ws, value, fill=ERROR_FILL, font=ERROR_FONT, fmt=fmt))
        elif is_header:
            out.append(_styled(ws, value, font=Font(bold=True)))
        elif fmt:
            out.append(_styled(ws, value, fmt=fmt))
        else:
            out.append(value)
    out.extend([None] * (reason_at - len(out)))
    if is_header:
        out.append(_styled(ws, REASON_HEADER, font=Font(bold=True, color="FF9C0006")))
    elif bad:
        # The reason cell is red too: rows whose problem has no single cell (a duplicate row) still stand out.
        out.append(_styled(ws, "；".join(dict.fromkeys(p.message_zh for p in bad)), fill=ERROR_FILL, font=ERROR_FONT))
    return out


def write_error_report(
    source: Path, data: SheetData, layout: Layout, problems: Mapping[int, Sequence[CellProblem]], path: Path
) -> None:
    """A copy of the imported sheet (every row, so it can be corrected and imported again) with each bad cell
    filled red and a 原因 column saying why; a second sheet lists every problem. Streams both ways."""
    src = open_xlsx(source)
    try:
        ws_in = src[data.sheet_name]
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(data.sheet_name)
        reason_at = data.width  # 0-based index of the 原因 column: right of everything in the sheet
        _report_columns(ws, reason_at, layout, data.header)
        for row_no, cells in enumerate(ws_in.iter_rows(), start=1):
            kept = [(getattr(cell, "value", None), _number_format(cell)) for cell in cells[:reason_at]]
            ws.append(_report_row(ws, kept, reason_at, row_no == data.header.row, problems.get(row_no, ())))

        summary = wb.create_sheet("错误汇总")
        summary.column_dimensions["A"].width = 8
        summary.column_dimensions["B"].width = 24
        summary.column_dimensions["C"].width = 80
        summary.append([_styled(summary, t, font=Font(bold=True)) for t in ("行号", "列", "原因")])
        headers = data.header.headers
        for row_no in sorted(problems):
            for p in problems[row_no]:
                where = headers[p.column] if p.column is not None and p.column < len(headers) else ""
                summary.append([row_no, where, p.message_zh])
    finally:
        src.close()
    save_workbook(wb, path)


@dataclass(frozen=True)
class SheetInfo:
    """Where one sheet's table is: its header map and the widest row seen (the 原因 column goes right of it)."""

    sheet_name: str
    layout: Layout
    header: HeaderMap
    width: int



def write_sheets_error_report(
    source: Path, sheets: Sequence[SheetInfo], problems: Mapping[str, Mapping[int, Sequence[CellProblem]]], path: Path
) -> None:
    """A copy of every imported sheet (so it can be corrected and imported again), bad cells red, a 原因 column,
    plus 错误汇总 listing every problem with its sheet, row and column."""
    src = open_xlsx(source)
    try:
        wb = Workbook(write_only=True)
        for info in sheets:
            ws_in = src[info.sheet_name]
            ws = wb.create_sheet(info.sheet_name)
            sheet_problems = problems.get(info.sheet_name, {})
            reason_at = info.width
            _report_columns(ws, reason_at, info.layout, info.header)
            for row_no, cells in enumerate(ws_in.iter_rows(values_only=True), start=1):
                kept = [(value, None) for value in cells[:reason_at]]
                ws.append(_report_row(ws, kept, reason_at, row_no == info.header.row, sheet_problems.get(row_no, ())))
        summary = wb.create_sheet("错误汇总")
        for letter, width in (("A", 12), ("B", 8), ("C", 24), ("D", 80)):
            summary.column_dimensions[letter].width = width
        summary.append([_styled(summary, t, font=Font(bold=True)) for t in ("工作表", "行号", "列", "原因")])
        for info in sheets:
            headers = info.header.headers
            for row_no in sorted(problems.get(info.sheet_name, {})):
                for p in problems[info.sheet_name][row_no]:
                    where = headers[p.column] if p.column is not None and p.column < len(headers) else ""
                    summary.append([info.sheet_name, row_no, where, p.message_zh])
    finally:
        src.close()
    save_workbook(wb, path)


# --- plain export --------------------------------------------------------------------------------------

def column_values(layout: Layout, record: object) -> list[object]:
    """A record's cells in layout order: each column's `format(record)`, else the attribute of the same name."""
    return [c.format(record) if c.format else getattr(record, c.field) for c in layout.columns]
