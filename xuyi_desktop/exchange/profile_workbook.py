"""Workbooks in a profile's format: the platform's one header row and its rows (streamed), or the zero report.

Every cell is written as text ("@"): identifiers keep their leading zeros and dates stay in the profile's
format (2025/03/15), which is what the platforms' importers read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xuyi_desktop.exchange.profiles import SOURCES, ExportProfile
from xuyi_desktop.exchange.workbooks import HEADER_FILL, save_workbook

TEXT = "@"


def _width(header: str, label: str) -> float:
    return max(12.0, min(40.0, len(label) * 1.8 + 2), len(header) + 2.0)


def _header_cells(ws: object, profile: ExportProfile) -> list[WriteOnlyCell]:
    cells = []
    for c in profile.columns:
        cell = WriteOnlyCell(ws, value=c.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.number_format = TEXT
        if profile.header_notes and c.label and c.label != c.header:
            cell.comment = Comment(c.label, "xuyi")
        cells.append(cell)
    return cells


def write_profile_rows(path: Path, profile: ExportProfile, rows: Iterable[Sequence[str]]) -> int:
    """The platform's template with `rows` (already formatted by profile.row); returns how many were written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(profile.sheet)
    for i, c in enumerate(profile.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(c.header, c.label)
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, profile))
    n = 0
    for values in rows:
        row = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.number_format = TEXT
            row.append(cell)
        ws.append(row)
        n += 1
    save_workbook(wb, path)
    return n


def write_zero_report(path: Path, profile: ExportProfile, *, unit: str, period: str, made_on: str) -> None:
    """零报送 for a period without any record of the profile's kind, in the form the profile names:
    `statement` — a sheet saying so, with the reporting unit and the period; `empty_template` — the platform's
    header row and no rows."""
    z = profile.zero_report
    if z.form == "empty_template":
        write_profile_rows(path, profile, [])
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(z.sheet)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 56
    title = WriteOnlyCell(ws, value=z.title)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    lines = (
        ("报送单位", unit), ("报送平台", profile.destination), ("数据类别", SOURCES[profile.source]),
        ("所属期", period), ("报送情况", z.text), ("填报日期", made_on),
    )
    for label, value in lines:
        head = WriteOnlyCell(ws, value=label)
        head.font = Font(bold=True)
        body = WriteOnlyCell(ws, value=value)
        body.alignment = Alignment(wrap_text=True)
        body.number_format = TEXT
        ws.append([head, body])
    save_workbook(wb, path)
