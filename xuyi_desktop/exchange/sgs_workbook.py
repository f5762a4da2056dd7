"""Workbooks with one sheet per 双公示 record type: template and reporting batch export (the multi-sheet error report
is the import pipeline's, exchange/workbooks.write_sheets_error_report).

Streams both ways (openpyxl read_only / write_only), so 100,000-row ledgers stay in tens of MiB.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xuyi_desktop.exchange.columns import Layout
from xuyi_desktop.exchange.workbooks import HEADER_FILL, SheetInfo, _styled, guide_intro, header_column, save_workbook
from xuyi_desktop.exchange.workbooks import write_sheets_error_report as write_error_report

__all__ = ["SheetInfo", "write_batch", "write_error_report", "write_template"]


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
    line = guide_intro(guide, (30, 30, 60), instructions)
    for layout in layouts:
        line += 1
        guide.cell(row=line, column=1, value=layout.name).font = Font(bold=True)
        for col in layout.columns:
            line += 1
            guide.cell(row=line, column=1, value=col.header)
            guide.cell(row=line, column=2, value="、".join(col.aliases[:4]))
            guide.cell(row=line, column=3, value=col.note).alignment = Alignment(wrap_text=True)
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
