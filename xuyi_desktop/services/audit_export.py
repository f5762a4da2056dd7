"""The audit trail in the clerk's words, and its export to an .xlsx workbook (Chinese headers, local times,
written atomically).

Action names come from resources/audit/actions.toml (an exact code, else "记录类型.动作" composed of the record
name and the verb); the object of an entry is named (the entity's name, a 双公示 record's 决定文书号, a commitment's
number …) instead of `table:uuid`. The 操作日志 page and the export use the same two functions.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange.workbooks import save_workbook
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.audit import AuditRow
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.queries import audit_records as record_queries

HEADERS = ("序号", "时间", "办公室", "用户", "操作", "对象", "摘要", "操作代码")
WIDTHS = (10, 20, 12, 14, 22, 40, 80, 24)
PAGE = 2000
_FILTERS = ("logins", "username", "action_prefix", "since", "until", "text")


@dataclass(frozen=True)
class Wording:
    actions: dict[str, str]
    records: dict[str, str]
    verbs: dict[str, str]


@lru_cache(maxsize=1)
def wording() -> Wording:
    data = tomllib.loads(resource_path("audit", "actions.toml").read_text(encoding="utf-8"))
    return Wording(dict(data.get("actions", {})), dict(data.get("records", {})), dict(data.get("verbs", {})))


def action_label(code: str) -> str:
    """信用核查 for credit.check; 修改信用承诺 for commitment.update; an unknown code as stored."""
    w = wording()
    if code in w.actions:
        return w.actions[code]
    table, _, verb = code.rpartition(".")
    if table in w.records and verb in w.verbs:
        return w.verbs[verb] + w.records[table]
    return code


def record_label(table: str) -> str:
    return wording().records.get(table, table)


def _entity_names(session: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return record_queries.entity_names(session, ids)


def _own_name(row: Any) -> str:
    """The words a clerk knows a record by: its name, number or document number."""
    for attr in ("name", "serial", "wsh", "number", "plate", "title"):
        value = getattr(row, attr, None)
        if value:
            text = str(value)
            party = getattr(row, "xdr_mc", None)
            if attr == "wsh" and party:
                text += f"（{party}）"
            return text
    return ""


def record_names(ctx: AppContext, rows: Iterable[AuditRow]) -> dict[tuple[str, str], str]:
    """(record_table, record_id) → what the 对象 column shows: "市场主体：盱眙县顺达交通运输有限公司",
    "信用承诺：XY-CN-2026-000012（盱眙县…）". One query per record type on the page; a record not found (deleted,
    or from another office and not yet received) keeps its type and a short id."""
    from xuyi_desktop.storage.models import Base

    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.record_table and row.record_id:
            wanted.setdefault(row.record_table, set()).add(row.record_id)
    if not wanted:
        return {}
    classes = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
    out: dict[tuple[str, str], str] = {}
    with ctx.transaction() as session:
        for table, raw_ids in wanted.items():
            label = record_label(table)
            cls = classes.get(table)
            found: dict[str, str] = {}
            if table == "app_user":
                found = {i: i for i in raw_ids}  # users are named by their login name
            elif cls is not None and hasattr(cls, "id"):
                ids = set()
                for text in raw_ids:
                    try:
                        ids.add(uuid.UUID(text))
                    except ValueError:
                        continue
                if ids:
                    objs = record_queries.by_ids(session, cls, ids)
                    owners = _entity_names(session, {o.entity_id for o in objs if getattr(o, "entity_id", None)})
                    for o in objs:
                        own = _own_name(o)
                        owner = owners.get(getattr(o, "entity_id", None) or uuid.UUID(int=0), "")
                        if table == "entity":
                            text = own
                        elif own and owner:
                            text = f"{own}（{owner}）"
                        else:
                            text = own or owner
                        if text:
                            found[str(o.id)] = text
            for text in raw_ids:
                name = found.get(text) or found.get(text.lower())
                out[(table, text)] = f"{label}：{name}" if name else f"{label} {text[:8]}"
    return out


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
        names = record_names(ctx, rows)
        for row in rows:
            target_text = names.get((row.record_table, row.record_id), "") if row.record_id else record_label(row.record_table)
            time_cell = WriteOnlyCell(sheet, value=local_naive(row.at))
            time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
            sheet.append([row.seq, time_cell, row.office_code, row.username, action_label(row.action), target_text,
                          row.summary, row.action])
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
