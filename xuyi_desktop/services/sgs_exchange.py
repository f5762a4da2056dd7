"""双公示 exchange: template, ledger import (all or nothing, or the valid rows only), reporting batch export.

The import streams the file (openpyxl read_only) and writes in one transaction: a row is checked with the same
rules as `sgs.add_record` and inserted with its change-log image; bad rows are collected with the cell to
highlight. All-or-nothing (default): any bad row rolls everything back and an error workbook is written.
Valid-only: the good rows are committed, the bad ones go to the error workbook. `cancel()` returning True
stops the import and rolls back: nothing is written. Header mappings a clerk confirms are remembered per source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.columns import CellProblem, HeaderMap, Layout, normalise_header
from xuyi_desktop.exchange.sgs_layout import SHEET_NAMES, TEMPLATE_INSTRUCTIONS, always_required, sgs_layout
from xuyi_desktop.exchange.sgs_workbook import SheetInfo, write_batch, write_error_report, write_template
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem, open_xlsx
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import current_records_stmt, insert_record, mark_reported_in, prepare, record_values
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_sgs import SgsHeaderMapping, SgsRecord

PROGRESS_EVERY = 500
_EXPUNGE_EVERY = 1000


class ImportCancelled(DomainError):
    message_zh = "导入已取消，未写入任何数据"
    message_en = "import cancelled; nothing was written"


class MappingNeeded(FileProblem):
    """A sheet lacks required columns under any known name: the clerk maps headers (dialog or --map)."""

    def __init__(self, sheet: str, kind: RecordKind, missing: list[str], unknown: list[str], source: str) -> None:
        self.sheet, self.kind, self.missing, self.unknown, self.source = sheet, kind, missing, unknown, source
        names = "、".join(f"“{rules.label(kind, f)}”" for f in missing)
        others = "、".join(f"“{h}”" for h in unknown[:12]) or "无"
        super().__init__(
            f"工作表“{sheet}”（{kind.label}）缺少必填列：{names}。文件中未识别的列：{others}。"
            f"请在导入对话框中指定对应关系，或使用 --map 表头=字段",
            "required columns missing: map the headers",
        )


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message_zh: str

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message_zh}


@dataclass
class ImportResult:
    file: Path
    source: str
    rows: int = 0
    imported: int = 0
    failed_rows: int = 0
    valid_only: bool = False
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> record kind label
    errors: list[RowError] = field(default_factory=list)
    errors_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed_rows == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "file": str(self.file), "source": self.source, "rows": self.rows, "imported": self.imported,
            "failed_rows": self.failed_rows, "valid_only": self.valid_only, "sheets": self.sheets,
            "errors": [e.to_json() for e in self.errors[:1000]], "errors_total": len(self.errors),
            "errors_path": str(self.errors_path) if self.errors_path else None, "warnings": self.warnings[:200],
            "ignored_columns": self.ignored_columns, "seconds": round(self.seconds, 3),
        }


def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.errors.xlsx")


def write_sgs_template(out: Path) -> Path:
    write_template([sgs_layout(k) for k in RecordKind], out, instructions=TEMPLATE_INSTRUCTIONS)
    return out


# --- header mapping -------------------------------------------------------------------------------------

def field_for(kind: RecordKind, name: str) -> str | None:
    """Our field for a name the clerk gives (field name, national code, or Chinese label)."""
    wanted = normalise_header(name)
    for f in rules.fields_for(kind):
        if wanted in {normalise_header(n) for n in (f.name, *f.codes, f.label, rules.label(kind, f.name)) if n}:
            return f.name
    return None


def remembered(session: Session, source: str, kind: RecordKind) -> dict[str, str]:
    """header (normalised) -> field remembered for this source."""
    rows = session.execute(
        select(SgsHeaderMapping.header, SgsHeaderMapping.field).where(SgsHeaderMapping.source == source, SgsHeaderMapping.kind == kind.value)
    )
    return {h: f for h, f in rows}


def _remember(session: Session, source: str, kind: RecordKind, mapping: Mapping[str, str]) -> None:
    for header, fld in mapping.items():
        key = normalise_header(header)
        session.execute(delete(SgsHeaderMapping).where(
            SgsHeaderMapping.source == source, SgsHeaderMapping.kind == kind.value, SgsHeaderMapping.header == key))
        session.add(SgsHeaderMapping(source=source, kind=kind.value, header=key, field=fld))


def _layout_with(kind: RecordKind, mapping: Mapping[str, str]) -> Layout:
    extra: dict[str, tuple[str, ...]] = {}
    for header, fld in mapping.items():
        extra[fld] = extra.get(fld, ()) + (header,)
    return sgs_layout(kind, extra)


@dataclass(frozen=True)
class SheetPlan:
    """How one sheet will be read: its record type, where the header is, what is missing and not recognised."""

    sheet_name: str
    kind: RecordKind
    header: HeaderMap
    layout: Layout
    missing: list[str]
    unknown: list[str]
    total_rows: int | None


def source_key(headers: list[list[str]]) -> str:
    """A source named by what its files look like, when the clerk gives no name: the set of header texts."""
    text = "|".join(sorted(normalise_header(h) for hs in headers for h in hs if h))
    return "表头:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _open(path: Path) -> Any:
    if not path.is_file():
        raise FileProblem(f"找不到文件：{path}", f"file not found: {path}")
    if path.suffix.lower() in (".xls", ".et"):
        raise FileProblem("不能直接导入旧版 .xls/.et 文件：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入", "save the file as .xlsx first")
    return open_xlsx(path)  # bounded: size, ratio, no DTD (issue 21)


def _choose(ws: Any, head: list[tuple[Any, ...]], mappings: Mapping[RecordKind, Mapping[str, str]]) -> SheetPlan | None:
    """The record type whose columns this sheet's header names best (type-specific columns first)."""
    best: tuple[tuple[int, int, int], SheetPlan] | None = None
    for kind in RecordKind:
        layout = _layout_with(kind, mappings.get(kind, {}))
        header = layout.find_header(head)
        if header is None or ("wsh" not in header.by_field and len(header.by_field) < 4):
            continue
        specific = sum(1 for f in header.by_field if rules.FIELD_BY_NAME[f].only is kind)
        hint = 1 if SHEET_NAMES[kind][-2:] in ws.title else 0
        score = (specific, hint, len(header.by_field))
        if best is None or score > best[0]:
            missing = [f for f in always_required(kind) if f not in header.by_field]
            best = (score, SheetPlan(ws.title, kind, header, layout, missing, header.unknown, ws.max_row))
    return None if best is None else best[1]


def plan_file(
    ctx: AppContext, path: Path, *, source: str | None = None, mapping: Mapping[str, str] | None = None
) -> tuple[str, list[SheetPlan]]:
    """Which sheets hold which record type and what is missing, before anything is imported (the GUI's
    mapping dialog shows this). Mappings: remembered ones for the source, then `mapping` (header -> field)."""
    wb = _open(path)
    try:
        heads = {ws.title: list(islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)) for ws in wb.worksheets}
        src = source or source_key([[str(c) for c in row if c is not None] for head in heads.values() for row in head[:HEADER_SCAN_ROWS]])
        with ctx.transaction() as session:
            maps = {k: {**remembered(session, src, k), **_explicit(k, mapping or {})} for k in RecordKind}
        plans = []
        for ws in wb.worksheets:
            plan = _choose(ws, heads[ws.title], maps)
            if plan is not None:
                plans.append(plan)
    finally:
        wb.close()
    if not plans:
        raise FileProblem(
            f"“{path.name}”中没有找到行政许可或行政处罚表（前{HEADER_SCAN_ROWS}行中需要有“决定文书号”等列）",
            "no licensing or penalty table found",
        )
    return src, plans


def _explicit(kind: RecordKind, mapping: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for header, name in mapping.items():
        fld = field_for(kind, name)
        if fld is not None:
            out[normalise_header(header)] = fld
    return out


# --- import ---------------------------------------------------------------------------------------------

def import_sgs(
    ctx: AppContext,
    path: Path,
    *,
    valid_only: bool = False,
    errors_path: Path | None = None,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import a ledger (sheets 行政许可 and/or 行政处罚). See the module doc for the modes."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    started = time.perf_counter()
    today = today or dt.date.today()
    src, plans = plan_file(ctx, path, source=source, mapping=mapping)
    for plan in plans:
        if plan.missing:
            raise MappingNeeded(plan.sheet_name, plan.kind, plan.missing, plan.unknown, src)
    result = ImportResult(path, src, valid_only=valid_only, sheets={p.sheet_name: p.kind.label for p in plans})
    total = sum(p.total_rows or 0 for p in plans)
    problems: dict[str, dict[int, list[CellProblem]]] = {}
    infos: list[SheetInfo] = []
    wb = _open(path)
    try:
        with ctx.transaction() as session, audit.batched(session, ctx):
            entities = dict(session.execute(select(Entity.identifier, Entity.id).where(Entity.deleted_at.is_(None))).all())
            existing = {
                (k, w): n for k, w, n in session.execute(
                    select(SgsRecord.kind, SgsRecord.wsh, SgsRecord.xdr_mc).where(SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None))
                )
            }
            seen: dict[tuple[str, str], tuple[str, int]] = {}
            done = 0
            for plan in plans:
                ws = wb[plan.sheet_name]
                width = [max((len(r) for r in islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)), default=0)]
                sheet_problems = problems.setdefault(plan.sheet_name, {})
                result.ignored_columns.extend(f"{plan.sheet_name}：{h}" for h in plan.unknown)
                for row_no, cells in _data_rows(ws, plan.header.row, width):
                    done += 1
                    if cancel is not None and done % 50 == 0 and cancel():
                        raise ImportCancelled()
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress(done, max(total, done))
                    parsed = plan.layout.read_row(cells, plan.header, row_no, key_field="wsh")
                    if parsed is None or parsed.note:
                        continue
                    result.rows += 1
                    bad = list(parsed.problems)
                    values, fps, _ = prepare(plan.kind, parsed.values, today=today)
                    unreadable = {p.field for p in bad}
                    bad += [CellProblem(p.field, p.message_zh, plan.header.column_of(p.field)) for p in fps if p.field not in unreadable]
                    docno = values.get("wsh")
                    if docno:
                        key = (plan.kind.value, docno)
                        if key in existing:
                            bad.append(CellProblem("wsh", f"{rules.label(plan.kind, 'wsh')}：{docno} 已登记（{existing[key]}），更正请在系统中“更正”", plan.header.column_of("wsh")))
                        elif key in seen:
                            other_sheet, other_row = seen[key]
                            bad.append(CellProblem("wsh", f"{rules.label(plan.kind, 'wsh')}：与{other_sheet}第{other_row}行重复", plan.header.column_of("wsh")))
                        else:
                            seen[key] = (plan.sheet_name, row_no)
                    if bad:
                        sheet_problems[row_no] = bad
                        continue
                    if not valid_only and any(problems.values()):
                        continue  # nothing will be written: only check the remaining rows
                    ident = values.get("xdr_zjhm") if values.get("xdr_lb") == rules.RELATIVE_PERSON else values.get("xdr_shxym")
                    insert_record(
                        session, ctx, plan.kind, values, [], entity_id=entities.get(ident) if ident else None,
                        audit_summary=f"导入{plan.kind.label}：{docno} {values.get('xdr_mc', '')}",
                    )
                    existing[(plan.kind.value, docno)] = values.get("xdr_mc", "")
                    result.imported += 1
                    if result.imported % _EXPUNGE_EVERY == 0:
                        session.flush()
                        session.expunge_all()  # keeps memory flat on 100,000 rows; everything is flushed
                infos.append(SheetInfo(plan.sheet_name, plan.layout, plan.header, width[0]))
            if cancel is not None and cancel():
                raise ImportCancelled()
            result.failed_rows = sum(len(v) for v in problems.values())
            if result.failed_rows and not valid_only:
                raise _Rollback()
            if result.imported:
                for plan in plans:
                    _remember(session, src, plan.kind, _explicit(plan.kind, mapping or {}))
                audit.write(
                    session, ctx, "import.sgs",
                    f"导入双公示台账 {result.imported} 条（{path.name}）" + (f"，{result.failed_rows} 行有误未导入" if result.failed_rows else ""),
                    details={"file": path.name, "sha256": _digest(path), "rows": result.rows, "imported": result.imported,
                             "failed_rows": result.failed_rows, "valid_only": valid_only, "source": src},
                )
            if progress is not None:
                progress(max(total, done), max(total, done))
    except _Rollback:
        result.imported = 0
    finally:
        wb.close()
    if result.failed_rows:
        for info in infos:
            headers = info.header.headers
            for row_no, probs in sorted(problems.get(info.sheet_name, {}).items()):
                for p in probs:
                    column = headers[p.column] if p.column is not None and p.column < len(headers) else ""
                    result.errors.append(RowError(info.sheet_name, row_no, column, p.message_zh))
        out = errors_path or default_errors_path(path)
        write_error_report(path, infos, problems, out)
        result.errors_path = out
    result.seconds = time.perf_counter() - started
    return result


class _Rollback(Exception):
    pass


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _data_rows(ws: Any, header_row: int, width: list[int]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    rows = ws.iter_rows(min_row=header_row + 1, values_only=True)
    for row_no, cells in enumerate(rows, start=header_row + 1):
        n = len(cells)
        while n and cells[n - 1] is None:
            n -= 1
        width[0] = max(width[0], n)
        yield row_no, cells


# --- export ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportResult:
    path: Path
    batch_no: str
    licenses: int
    penalties: int
    public: bool

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "batch_no": self.batch_no, "licenses": self.licenses, "penalties": self.penalties,
                "public": self.public}


def export_sgs(
    ctx: AppContext,
    *,
    date_from: dt.date,
    date_to: dt.date,
    out: Path,
    batch_no: str | None = None,
    public: bool = False,
    today: dt.date | None = None,
) -> ExportResult:
    """Reporting batch (default): decisions of the period not yet reported (or corrected/withdrawn since), in
    the upper platform's column order, one sheet per type; they are marked 已报送 with the batch number.
    `public`: what may be shown to the public — no withdrawn, repaired or expired penalties, no minor ones,
    personal ID numbers masked; nothing is marked."""
    audit.require(ctx, Permission.EXPORT)
    today = today or dt.date.today()
    batch = "" if public else (batch_no or f"SGS-{ctx.office_code}-{dt.datetime.now():%Y%m%d%H%M%S}")
    written = False
    try:
        with ctx.transaction() as session:
            rows = list(session.execute(current_records_stmt(date_from=date_from, date_to=date_to).order_by(SgsRecord.jdrq, SgsRecord.wsh)).scalars())
            if public:
                rows = [r for r in rows if _public(r, today)]
            else:
                rows = [r for r in rows if r.reported_on is None or r.resubmit_needed]
            parts: list[tuple[Layout, list[dict[str, Any]]]] = []
            for kind in RecordKind:
                records = []
                for r in rows:
                    if r.kind != kind.value:
                        continue
                    values = record_values(r)
                    if r.withdrawn_on is not None:
                        note = f"已于{r.withdrawn_on:%Y/%m/%d}撤销：{r.withdrawn_reason}"
                        values["bz"] = f"{values['bz']}；{note}" if values.get("bz") else note
                    records.append(rules.mask_for_public(values) if public else values)
                parts.append((sgs_layout(kind), records))
            counts = write_batch(out, parts)
            written = True
            if not public:
                mark_reported_in(session, ctx, rows, on=today, batch_no=batch)
            audit.write(
                session, ctx, "export.sgs",
                f"导出双公示{'公开版' if public else '报送批次 ' + batch}：许可 {counts[0]} 条，处罚 {counts[1]} 条",
                details={"from": date_from.isoformat(), "to": date_to.isoformat(), "batch": batch, "file": out.name,
                         "licenses": counts[0], "penalties": counts[1], "public": public},
            )
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    return ExportResult(out, batch, counts[0], counts[1], public)


def _public(r: SgsRecord, today: dt.date) -> bool:
    """What the public sees: a licence unless withdrawn; a penalty only while the credit profile has it in
    publicity (not repaired, expired, withdrawn, 轻微 unpublished or 待定), never a simple-procedure one."""
    from xuyi_desktop.domain.profile import PenaltyState
    from xuyi_desktop.services.profile import penalty_fact

    if r.kind == RecordKind.PENALTY.value:
        return not r.simple_procedure and penalty_fact(r, today).state is PenaltyState.IN_PUBLICITY
    return r.withdrawn_on is None and r.repaired_on is None

