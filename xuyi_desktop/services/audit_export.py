"""Export the (filtered) audit trail to an .xlsx workbook: Chinese headers, local times, written atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange.workbooks import save_workbook
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext

HEADERS = ("序号", "时间", "办公室", "用户", "操作", "对象", "摘要")
WIDTHS = (10, 20, 12, 14, 22, 40, 80)
PAGE = 2000
_FILTERS = ("logins", "username", "action_prefix", "since", "until", "text")


def local_naive(at: dt.datetime) -> dt.datetime:
    """The stored UTC instant on this computer's clock, without tzinfo (Excel has no time zones)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone().replace(tzinfo=None, microsecond=0)


def export_audit(ctx: AppContext, path: Path | str, **filters: Any) -> int:
    """Write every entry matching `filters` (those of audit.list_entries, without paging) newest first.

    Returns the number of rows. The file appears complete or not at all (temporary file, then os.replace).
    """
    audit.require(ctx, Permission.AUDIT_VIEW)
    unknown = set(filters) - set(_FILTERS)
    if unknown:
        raise TypeError(f"unknown filters: {sorted(unknown)}")
    target = Path(path).expanduser().resolve()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("操作日志")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count, before = 0, None
    while True:
        rows = audit.list_entries(ctx, before_seq=before, limit=PAGE, **filters)
        for row in rows:
            target_text = f"{row.record_table}:{row.record_id}" if row.record_id else row.record_table
            time_cell = WriteOnlyCell(sheet, value=local_naive(row.at))
            time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
            sheet.append([row.seq, time_cell, row.office_code, row.username, row.action, target_text, row.summary])
        count += len(rows)
        if len(rows) < PAGE:
            break
        before = rows[-1].seq
    save_workbook(workbook, target)  # the one writer: text guard, regular files only, atomic rename
    described = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in filters.items() if v not in (None, "")}
    with ctx.transaction() as session:
        audit.write(
            session, ctx, "export.audit", f"导出操作日志 {count} 条到 {target}",
            details={"path": str(target), "rows": count, "filters": described},
        )
    return count
