"""The publicity list (公示名单) of one domain and period as .xlsx: declared columns, masked ID numbers, print-ready.

It is a public list: a person's ID number is always masked here (SPEC §2); organisations' 统一社会信用代码
are public and shown in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.ratings import score_text
from xuyi_desktop.exchange.columns import Column, Layout
from xuyi_desktop.exchange.workbooks import HEADER_FILL, column_values, save_workbook

SHEET_NAME = "公示名单"


@dataclass(frozen=True)
class PublicityRow:
    """One line of the list, as the service reads it from the database (identifier unmasked)."""

    seq: int
    name: str
    kind: str
    identifier: str
    grade: str
    score: float | None
    points: float | None
    evaluating_organ: str
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    direct_grade: str | None = None  # set directly by a serious act: the list says so instead of a score


def public_identifier(row: PublicityRow) -> str:
    return (mask_id_number(row.identifier) or "") if row.kind == "person" else row.identifier


def publicity_period(row: PublicityRow) -> str:
    if row.publicity_start and row.publicity_end:
        return f"{row.publicity_start:%Y-%m-%d}至{row.publicity_end:%Y-%m-%d}"
    return ""


def publicity_layout(*, with_score: bool = True, with_points: bool = False) -> Layout:
    """Score and points columns as the domain uses them (a driver list shows 记分, not 得分)."""
    cols = [
        Column("seq", "序号", width=6),
        Column("name", "名称", width=36),
        Column("identifier", "统一社会信用代码/身份证号码", width=24, format=public_identifier),
        Column("grade", "等级", width=8),
    ]
    if with_score:
        # a number stays a number in the sheet; a grade set directly says so instead
        cols.append(Column("score", "得分", width=12, format=lambda row: score_text(None, row.direct_grade) if row.direct_grade else row.score))
    if with_points:
        cols.append(Column("points", "记分", width=8))
    cols += [
        Column("evaluating_organ", "评价机关", width=26),
        Column("publicity", "公示期", width=24, format=publicity_period),
    ]
    return Layout(SHEET_NAME, tuple(cols))


def write_publicity(path: Path, layout: Layout, title: str, rows: Iterable[Any], *, footer: str = "") -> int:
    """Title row, header row (frozen, repeated on every printed page), the rows; A4 landscape, fit to width.
    Streams (write_only): memory stays flat however long the list. Returns the number of rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_NAME)
    width = len(layout.columns)
    for i, col in enumerate(layout.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    last = get_column_letter(width)
    ws.merged_cells.add(f"A1:{last}1")
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = True  # grid lines print as the table rules: no per-cell borders to stream
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    title_cell = WriteOnlyCell(ws, value=title)
    title_cell.font = Font(bold=True, size=16)
    title_cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append([title_cell])
    header = []
    for col in layout.columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        ws.append(column_values(layout, row))
        count += 1
    ws.append([])
    ws.append([f"共 {count} 条。{footer}".strip()])
    save_workbook(wb, path)
    return count
