"""The upper platform's feedback on a 双公示 batch: the rows it refused, with reasons, mark those records 待重报.

The platform returns a workbook of the rows it checked (or only the refused ones): 行政相对人名称, 决定文书号,
处理结果, 失败原因 — in Chinese or as its field codes (XK_WSH / CF_WSH, XK_XDR_MC …). A refused row names its record
by 决定文书号 (and the record type when the header codes or the sheet name say it); the name must agree.
Every refused record found gets the reason and 待重报 in one transaction (logged, audited, synced); rows the
platform accepted are counted, rows naming no record of ours are listed for the clerk and change nothing.
A corrected record (a new version) starts without the refusal and goes into the next batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.columns import normalise_header
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem, open_xlsx
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import reject_in
from xuyi_desktop.storage.queries import sgs as sgs_queries

# Header spellings (compared after exchange.columns.normalise_header) → what the column holds.
_HEADERS: dict[str, tuple[str, ...]] = {
    "wsh": ("决定文书号", "行政许可决定文书号", "行政处罚决定书文号", "处罚决定书文号", "文书号", "XK_WSH", "CF_WSH", "WSH"),
    "name": ("行政相对人名称", "相对人名称", "XK_XDR_MC", "CF_XDR_MC", "XDR_MC"),
    "result": ("处理结果", "校验结果", "审核结果", "入库结果", "入库状态", "状态", "结果", "CLJG"),
    "reason": ("失败原因", "错误原因", "退回原因", "原因", "反馈意见", "错误信息", "错误描述", "问题描述", "SBYY", "CWXX"),
    "kind": ("数据类型", "数据类别", "信息类别", "类型"),
}
_SPELLINGS = {normalise_header(h): key for key, hs in _HEADERS.items() for h in hs}
# A result cell meaning the platform took the row; anything else (失败, 不通过, 退回, 错误 …) is a refusal.
_ACCEPTED = frozenset({"成功", "通过", "入库成功", "校验通过", "审核通过", "已入库", "正常", "接收成功", "上报成功"})


@dataclass(frozen=True)
class FeedbackLine:
    row: int
    name: str
    document_no: str
    reason: str
    problem: str = ""  # why it changed nothing (not found, name differs)


@dataclass
class FeedbackResult:
    file: Path
    rows: int = 0
    accepted: int = 0
    marked: list[FeedbackLine] = field(default_factory=list)
    unmatched: list[FeedbackLine] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def line(x: FeedbackLine) -> dict[str, Any]:
            return {"row": x.row, "name": x.name, "document_no": x.document_no, "reason": x.reason, "problem": x.problem}

        return {"file": str(self.file), "rows": self.rows, "accepted": self.accepted, "marked": [line(x) for x in self.marked],
                "unmatched": [line(x) for x in self.unmatched]}


def _kind_of(text: str) -> RecordKind | None:
    t = str(text or "")
    if "许可" in t or t.upper().startswith("XK"):
        return RecordKind.LICENSE
    if "处罚" in t or t.upper().startswith("CF"):
        return RecordKind.PENALTY
    return None


def _header(cells: Sequence[object]) -> tuple[dict[str, int], RecordKind | None] | None:
    found: dict[str, int] = {}
    kind: RecordKind | None = None
    for i, cell in enumerate(cells):
        key = _SPELLINGS.get(normalise_header(cell))
        if key is not None and key not in found:
            found[key] = i
            text = str(cell or "").strip().upper()
            if text[:3] in ("XK_", "CF_"):
                kind = _kind_of(text)
    return (found, kind) if "wsh" in found else None


def _cell(row: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(row) or row[index] is None:
        return ""
    return str(row[index]).strip()


def read_feedback(path: Path) -> list[tuple[int, RecordKind | None, str, str, str, str]]:
    """(row number, record type or None, name, 决定文书号, result, reason) of every data row of every sheet with
    a 决定文书号 column."""
    wb = open_xlsx(path)
    out = []
    try:
        for ws in wb.worksheets:
            sheet_kind = _kind_of(ws.title)
            rows = ws.iter_rows(values_only=True)
            head = list(islice(rows, HEADER_SCAN_ROWS))
            for i, cells in enumerate(head):
                found = _header(cells or ())
                if found is None:
                    continue
                cols, code_kind = found
                for n, cells2 in enumerate([*head[i + 1:], *rows], start=i + 2):
                    docno = _cell(cells2, cols["wsh"])
                    if not docno:
                        continue
                    kind = code_kind or sheet_kind or _kind_of(_cell(cells2, cols.get("kind")))
                    out.append((n, kind, _cell(cells2, cols.get("name")), docno, _cell(cells2, cols.get("result")),
                                _cell(cells2, cols.get("reason"))))
                break
    finally:
        wb.close()
    if not out:
        raise FileProblem(
            f"“{path.name}”中没有找到反馈数据（前{HEADER_SCAN_ROWS}行中需要有“决定文书号”或 XK_WSH / CF_WSH 列）",
            "no feedback rows with a document number column found",
        )
    return out


def import_feedback(ctx: AppContext, path: Path, *, today: dt.date | None = None) -> FeedbackResult:
    """Mark the records the platform refused 待重报 with its reason (see the module doc)."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    today = today or dt.date.today()
    lines = read_feedback(path)
    result = FeedbackResult(path, rows=len(lines))
    with ctx.transaction() as session:
        for n, kind, name, docno, outcome, reason in lines:
            if outcome and rules.fold(outcome) in _ACCEPTED:
                result.accepted += 1
                continue
            if not outcome and not reason:
                result.accepted += 1  # a row with neither a result nor a reason refused nothing
                continue
            wsh = rules.fold(docno)
            found = sgs_queries.current_by_document_no(session, {docno, wsh}, kind.value if kind is not None else None)
            if name and len(found) > 1:
                found = [r for r in found if rules.fold(r.xdr_mc) == rules.fold(name)] or found
            line = FeedbackLine(n, name, docno, reason or outcome)
            if not found:
                result.unmatched.append(FeedbackLine(n, name, docno, line.reason, "系统中没有该决定文书号的记录"))
                continue
            if len(found) > 1:
                result.unmatched.append(FeedbackLine(n, name, docno, line.reason, "行政许可和行政处罚中都有该文书号，文件未说明类型"))
                continue
            row = found[0]
            if name and rules.fold(row.xdr_mc) != rules.fold(name):
                result.unmatched.append(FeedbackLine(n, name, docno, line.reason, f"名称不符（系统中为“{row.xdr_mc}”）"))
                continue
            reject_in(session, ctx, row, reason=line.reason, on=today, source=path.name)
            result.marked.append(line)
        audit.write(
            session, ctx, "import.sgs_feedback",
            f"导入上级平台反馈（{path.name}）：{len(result.marked)} 条退回待重报，{result.accepted} 条通过，{len(result.unmatched)} 条未匹配",
            details={"file": path.name, "rows": result.rows, "marked": len(result.marked), "accepted": result.accepted,
                     "unmatched": len(result.unmatched)},
        )
    return result
