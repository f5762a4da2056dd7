"""Workbooks with one sheet per 双公示 record type: template, multi-sheet error report, reporting batch export.

Streams both ways (openpyxl read_only / write_only), so 100,000-row ledgers stay in tens of MiB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xuyi_desktop.exchange.columns import CellProblem, HeaderMap, Layout
from xuyi_desktop.exchange.workbooks import (
    ERROR_FILL,
    ERROR_FONT,
    HEADER_FILL,
    REASON_HEADER,
    _styled,
    header_column,
    open_xlsx,
    save_workbook,
)


@dataclass(frozen=True)
class SheetInfo:
    """Where one sheet's table is: its header map and the widest row seen (the 原因 column goes right of it)."""

    sheet_name: str
    layout: Layout
    header: HeaderMap
    width: int


def write_template(layouts: Sequence[Layout], path: Path, *, instructions: Sequence[str] = ()) -> None:
    """One sheet per layout (headers with notes, red when always required, drop-downs, text ID columns),
    a hidden 选项 sheet and a 填写说明 sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = [wb.create_sheet(layout.name) for layout in layouts]
    options = wb.create_sheet("选项")
    guide = wb.create_sheet("填写说明")
    option_col = 0
    for ws, layout in zip(sheets, layouts):
        for i, col in enumerate(layout.columns, start=1):
            note = [col.note] if col.note else []
            if col.aliases:
                note.append("也可写作：" + "、".join(col.aliases[:6]))
            option_col = header_column(
                ws, options, i, col, note, option_col=option_col, option_label=f"{layout.name}.{col.header}",
                strict_choices=col.field != "cflb", prompt=False,  # 处罚类别 may name a kind not in the list
            )
        ws.freeze_panes = "A2"
        ws.row_dimensions[1].height = 30
    options.sheet_state = "hidden"
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 30
    guide.column_dimensions["C"].width = 60
    line = 1
    for text in instructions:
        guide.cell(row=line, column=1, value=text)
        line += 1
    for layout in layouts:
        line += 1
        guide.cell(row=line, column=1, value=layout.name).font = Font(bold=True)
        for col in layout.columns:
            line += 1
            guide.cell(row=line, column=1, value=col.header)
            guide.cell(row=line, column=2, value="、".join(col.aliases[:4]))
            guide.cell(row=line, column=3, value=col.note).alignment = Alignment(wrap_text=True)
    save_workbook(wb, path)


def write_error_report(
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
            widths = {i: info.layout.column(f).width for f, cols in info.header.by_field.items() for i in cols}
            for i in range(reason_at):
                ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(i, 12)
            ws.column_dimensions[get_column_letter(reason_at + 1)].width = 60
            ws.freeze_panes = f"A{info.header.row + 1}"
            for row_no, cells in enumerate(ws_in.iter_rows(values_only=True), start=1):
                bad = sheet_problems.get(row_no, ())
                bad_cols = {p.column for p in bad if p.column is not None}
                out: list[object] = []
                for i, value in enumerate(cells[:reason_at]):
                    if i in bad_cols:
                        out.append(_styled(ws, value, fill=ERROR_FILL, font=ERROR_FONT))
                    elif row_no == info.header.row:
                        out.append(_styled(ws, value, font=Font(bold=True)))
                    else:
                        out.append(value)
                out.extend([None] * (reason_at - len(out)))
                if row_no == info.header.row:
                    out.append(_styled(ws, REASON_HEADER, font=Font(bold=True, color="FF9C0006")))
                elif bad:
                    out.append(_styled(ws, "；".join(dict.fromkeys(p.message_zh for p in bad)), fill=ERROR_FILL, font=ERROR_FONT))
                ws.append(out)
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


def write_batch(path: Path, parts: Iterable[tuple[Layout, Iterable[Mapping[str, Any]]]], *, title_row: str | None = None) -> list[int]:
    """The reporting batch: one sheet per layout in its column order, values formatted by the columns.
    Returns the rows written per sheet."""
    wb = Workbook(write_only=True)
    counts: list[int] = []
    for layout, records in parts:
        ws = wb.create_sheet(layout.name)
        for i, col in enumerate(layout.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        if title_row:
            ws.append([title_row])
        ws.append([_styled(ws, c.header, font=Font(bold=True), fill=HEADER_FILL) for c in layout.columns])
        n = 0
        for values in records:
            ws.append([c.format(values) if c.format else values.get(c.field, "") for c in layout.columns])
            n += 1
        counts.append(n)
    save_workbook(wb, path)
    return counts
