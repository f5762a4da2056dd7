"""The one spreadsheet import pipeline: find each sheet's format and header, map headers (remembered per source,
or given by the clerk), stream the rows (openpyxl read_only), hand each parsed row to the caller's sink, report
progress, honour cancel, collect the bad cells and write the error workbook (every imported sheet copied, bad
cells red, a 原因 column, an 错误汇总 sheet).

It knows nothing of the database: the service (services/imports.py) opens the transaction, gives the sink that
checks and writes a row, and decides all-or-nothing or valid-only. 双公示 (行政许可/行政处罚) and the ledgers (主体,
从业人员, 车辆, 船舶, 治超抄报) are formats of this pipeline: a `SheetFormat` each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.exchange.columns import CellProblem, HeaderMap, Layout, ParsedRow, normalise_header
from xuyi_desktop.exchange.workbooks import (
    HEADER_SCAN_ROWS,
    FileProblem,
    SheetInfo,
    formula_problems,
    open_xlsx,
    sheet_formulas,
    write_sheets_error_report,
)

PROGRESS_EVERY = 500
CANCEL_EVERY = 50


@dataclass(frozen=True)
class SheetFormat:
    """One kind of sheet the pipeline can read. `code` (two letters) also keys the remembered header mappings."""

    code: str
    label: str
    build_layout: Callable[[Mapping[str, tuple[str, ...]]], Layout]  # extra aliases per field → the layout
    required: tuple[str, ...]  # columns a sheet of this format must have
    key_field: str  # a row without it that reads like a note (注：…) is skipped
    specific: frozenset[str] = frozenset()  # columns only this format has (to tell formats of one file apart)
    sheet_hint: str = ""  # a sheet title containing this hints at the format
    min_fields: int = 4  # a sheet without the key column needs this many of ours to count

    def layout(self, mapping: Mapping[str, str] | None = None) -> Layout:
        """The layout with a clerk's mapping (header → field) added as aliases."""
        extra: dict[str, tuple[str, ...]] = {}
        for header, fld in (mapping or {}).items():
            extra[fld] = extra.get(fld, ()) + (header,)
        return self.build_layout(extra)

    def field_for(self, name: str) -> str | None:
        """Our field for a name the clerk gives: the field's code, its header or any alias."""
        wanted = normalise_header(name)
        for col in self.layout().columns:
            if wanted == normalise_header(col.field) or wanted in col.names():
                return col.field
        return None

    def field_label(self, fld: str) -> str:
        return self.layout().column(fld).header


class ImportCancelled(DomainError):
    message_zh = "导入已取消，未写入任何数据"
    message_en = "import cancelled; nothing was written"


class MappingNeeded(FileProblem):
    """A sheet lacks required columns under any known name: the clerk maps headers (dialog or --map)."""

    def __init__(self, sheet: str, fmt: SheetFormat, missing: list[str], unknown: list[str], source: str) -> None:
        self.sheet, self.kind, self.missing, self.unknown, self.source = sheet, fmt.code, missing, unknown, source
        self.labels = {f: fmt.field_label(f) for f in missing}
        names = "、".join(f"“{self.labels[f]}”" for f in missing)
        others = "、".join(f"“{h}”" for h in unknown[:12]) or "无"
        super().__init__(
            f"工作表“{sheet}”（{fmt.label}）缺少必填列：{names}。文件中未识别的列：{others}。"
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
    """What an import did. `imported` counts rows written (new or changed); `outcomes` says which: created,
    updated, unchanged (a re-import of the same file creates nothing and updates nothing)."""

    file: Path
    source: str
    rows: int = 0
    imported: int = 0
    failed_rows: int = 0
    valid_only: bool = False
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> format label
    errors: list[RowError] = field(default_factory=list)
    errors_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed_rows == 0

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "file": str(self.file), "source": self.source, "rows": self.rows, "imported": self.imported,
            "failed_rows": self.failed_rows, "valid_only": self.valid_only, "sheets": self.sheets,
            "outcomes": self.outcomes,
            "errors": [e.to_json() for e in self.errors[:1000]], "errors_total": len(self.errors),
            "errors_path": str(self.errors_path) if self.errors_path else None, "warnings": self.warnings[:200],
            "ignored_columns": self.ignored_columns, "seconds": round(self.seconds, 3),
        }


def default_errors_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.errors.xlsx")


def open_workbook(path: Path) -> Any:
    if not path.is_file():
        raise FileProblem(f"找不到文件：{path}", f"file not found: {path}")
    if path.suffix.lower() in (".xls", ".et"):
        raise FileProblem("不能直接导入旧版 .xls/.et 文件：请在 Excel 或 WPS 中“另存为” .xlsx 后再导入", "save the file as .xlsx first")
    return open_xlsx(path)  # bounded: size, ratio, no DTD (the one reader of every import)


def source_key(headers: list[list[str]]) -> str:
    """A source named by what its files look like, when the clerk gives no name: the set of header texts."""
    text = "|".join(sorted(normalise_header(h) for hs in headers for h in hs if h))
    return "表头:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def explicit_mapping(fmt: SheetFormat, mapping: Mapping[str, str]) -> dict[str, str]:
    """The clerk's mapping (file header → our field by any name) as normalised header → field, for this format."""
    out: dict[str, str] = {}
    for header, name in mapping.items():
        fld = fmt.field_for(name)
        if fld is not None:
            out[normalise_header(header)] = fld
    return out


@dataclass(frozen=True)
class SheetPlan:
    """How one sheet will be read: its format, where the header is, what is missing and not recognised."""

    sheet_name: str
    format: SheetFormat
    header: HeaderMap
    layout: Layout
    missing: list[str]
    unknown: list[str]
    total_rows: int | None


def _choose(title: str, head: list[tuple[Any, ...]], formats: Sequence[SheetFormat],
            mappings: Mapping[str, Mapping[str, str]]) -> SheetPlan | None:
    """The format whose columns this sheet's header names best (format-specific columns first)."""
    best: tuple[tuple[int, int, int], SheetPlan] | None = None
    for fmt in formats:
        layout = fmt.layout(mappings.get(fmt.code, {}))
        header = layout.find_header(head)
        if header is None or (fmt.key_field not in header.by_field and len(header.by_field) < fmt.min_fields):
            continue
        specific = sum(1 for f in header.by_field if f in fmt.specific)
        hint = 1 if fmt.sheet_hint and fmt.sheet_hint in title else 0
        score = (specific, hint, len(header.by_field))
        if best is None or score > best[0]:
            missing = [f for f in fmt.required if f not in header.by_field]
            best = (score, SheetPlan(title, fmt, header, layout, missing, header.unknown, None))
    return None if best is None else best[1]


MappingLookup = Callable[[str, SheetFormat], Mapping[str, str]]


def plan_workbook(path: Path, formats: Sequence[SheetFormat], *, source: str | None, mapping: Mapping[str, str] | None,
                  remembered: MappingLookup, not_found: FileProblem, workbook: Any = None) -> tuple[str, list[SheetPlan]]:
    """Which sheets hold which format and what is missing, before anything is imported (the GUI's mapping step
    shows this). Mappings: `remembered(source, format)` (normalised header → field), then the clerk's `mapping`.
    `workbook`: one already open (read_only) to reuse; it is left open."""
    wb = workbook or open_workbook(path)
    try:
        heads = {ws.title: list(islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)) for ws in wb.worksheets}
        src = source or source_key([[str(c) for c in row if c is not None] for head in heads.values() for row in head])
        maps = {f.code: {**remembered(src, f), **explicit_mapping(f, mapping or {})} for f in formats}
        plans = []
        for ws in wb.worksheets:
            plan = _choose(ws.title, heads[ws.title], formats, maps)
            if plan is not None:
                plans.append(SheetPlan(plan.sheet_name, plan.format, plan.header, plan.layout, plan.missing, plan.unknown, ws.max_row))
    finally:
        if workbook is None:
            wb.close()
    if not plans:
        raise not_found
    order = {f.code: i for i, f in enumerate(formats)}
    plans.sort(key=lambda p: order[p.format.code])  # stable: sheets of one format keep their order
    return src, plans


class RowSink(Protocol):
    """Checks one parsed row (and writes it when `write`): returns the problems that make it a bad row (none: good).
    `write` is False once an all-or-nothing import has a bad row: the rest are only checked."""

    def __call__(self, plan: SheetPlan, row: ParsedRow, write: bool, /) -> Sequence[CellProblem]: ...


def _data_rows(ws: Any, header_row: int, width: list[int]) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for row_no, cells in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        n = len(cells)
        while n and cells[n - 1] is None:
            n -= 1
        width[0] = max(width[0], n)
        yield row_no, cells


@dataclass
class Run:
    """What streaming the rows left behind: the bad cells per sheet and row, and where each sheet's table was."""

    problems: dict[str, dict[int, list[CellProblem]]] = field(default_factory=dict)
    infos: list[SheetInfo] = field(default_factory=list)
    done: int = 0

    @property
    def failed_rows(self) -> int:
        return sum(len(v) for v in self.problems.values())


def stream_rows(path: Path, plans: Sequence[SheetPlan], sink: RowSink, result: ImportResult, *, valid_only: bool,
                progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None,
                workbook: Any = None) -> Run:
    """Every data row of every planned sheet through `sink`, in order; raises ImportCancelled when `cancel()` says so
    (the caller's transaction then rolls back). `workbook`: the one plan_workbook read (left open)."""
    total = sum(p.total_rows or 0 for p in plans)
    run = Run()
    result.sheets.update({p.sheet_name: p.format.label for p in plans})
    wb = workbook or open_workbook(path)
    try:
        for plan in plans:
            ws = wb[plan.sheet_name]
            width = [max((len(r) for r in islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)), default=0)]
            sheet_problems = run.problems.setdefault(plan.sheet_name, {})
            result.ignored_columns.extend(f"{plan.sheet_name}：{h}" for h in plan.unknown)
            formulas = sheet_formulas(wb, plan.sheet_name)
            read_row = plan.layout.reader(plan.header, key_field=plan.format.key_field)  # set up once per sheet
            for row_no, cells in _data_rows(ws, plan.header.row, width):
                run.done += 1
                if cancel is not None and run.done % CANCEL_EVERY == 0 and cancel():
                    raise ImportCancelled()
                if progress is not None and run.done % PROGRESS_EVERY == 0:
                    progress(run.done, max(total, run.done))
                parsed = read_row(cells, row_no)
                if parsed is None or parsed.note:
                    continue
                result.rows += 1
                write = valid_only or not run.failed_rows
                stale = formula_problems(formulas, row_no, plan.header)  # a cached value is not taken (issue 21)
                bad = stale + list(sink(plan, parsed, write and not stale))
                if bad:
                    sheet_problems[row_no] = bad
            run.infos.append(SheetInfo(plan.sheet_name, plan.layout, plan.header, width[0]))
        if cancel is not None and cancel():
            raise ImportCancelled()
        if progress is not None:
            progress(max(total, run.done), max(total, run.done))
    finally:
        if workbook is None:
            wb.close()
    result.failed_rows = run.failed_rows
    return run


def report_errors(path: Path, run: Run, result: ImportResult, errors_path: Path | None) -> None:
    """List every problem on the result and write the error workbook (only when there are bad rows)."""
    if not run.failed_rows:
        return
    for info in run.infos:
        headers = info.header.headers
        for row_no, probs in sorted(run.problems.get(info.sheet_name, {}).items()):
            for p in probs:
                column = headers[p.column] if p.column is not None and p.column < len(headers) else ""
                result.errors.append(RowError(info.sheet_name, row_no, column, p.message_zh))
    out = errors_path or default_errors_path(path)
    write_sheets_error_report(path, run.infos, run.problems, out)
    result.errors_path = out


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
