"""双公示 exchange: template, ledger import (all or nothing, or the valid rows only), reporting batch export.

The import is two formats (行政许可, 行政处罚) of the one import pipeline (exchange/pipeline.py, services/imports.py):
a row is checked with the same rules as `sgs.add_record` and inserted with its change-log image; bad rows are
collected with the cell to highlight. All-or-nothing (default) or valid-only; cancel writes nothing; header mappings
a clerk confirms are remembered per source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.sgs import RecordKind
from xuyi_desktop.exchange.columns import CellProblem, Layout, ParsedRow
from xuyi_desktop.exchange.pipeline import (
    ImportCancelled,
    ImportResult,
    MappingNeeded,
    RowError,
    SheetFormat,
    SheetPlan,
)
from xuyi_desktop.exchange.sgs_layout import SHEET_NAMES, TEMPLATE_INSTRUCTIONS, always_required, sgs_layout
from xuyi_desktop.exchange.sgs_workbook import write_batch, write_template
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem
from xuyi_desktop.services import audit, imports
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import current_records_stmt, insert_record, mark_reported_in, prepare, record_values
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_sgs import SgsRecord

_EXPUNGE_EVERY = 1000

__all__ = ["ImportCancelled", "ImportResult", "MappingNeeded", "RowError", "export_sgs", "import_sgs", "plan_file",
           "sgs_formats", "write_sgs_template"]


def sgs_format(kind: RecordKind) -> SheetFormat:
    """The 行政许可 or 行政处罚 sheet as a format of the import pipeline."""
    return SheetFormat(
        code=kind.value, label=kind.label, build_layout=lambda extra: sgs_layout(kind, extra), required=tuple(always_required(kind)),
        key_field="wsh", specific=frozenset(f.name for f in rules.fields_for(kind) if f.only is kind),
        sheet_hint=SHEET_NAMES[kind][-2:], min_fields=4,
    )


def sgs_formats() -> list[SheetFormat]:
    return [sgs_format(k) for k in RecordKind]


def write_sgs_template(out: Path) -> Path:
    write_template([sgs_layout(k) for k in RecordKind], out, instructions=TEMPLATE_INSTRUCTIONS)
    return out


def field_for(kind: RecordKind, name: str) -> str | None:
    """Our field for a name the clerk gives (field name, national code, or Chinese label)."""
    return sgs_format(kind).field_for(name)


_NOT_FOUND = FileProblem(
    f"文件中没有找到行政许可或行政处罚表（前{HEADER_SCAN_ROWS}行中需要有“决定文书号”等列）", "no licensing or penalty table found",
)


def plan_file(ctx: AppContext, path: Path, *, source: str | None = None, mapping: Mapping[str, str] | None = None) -> tuple[str, list[SheetPlan]]:
    """Which sheets hold which record type and what is missing, before anything is imported."""
    return imports.plan(ctx, path, sgs_formats(), source=source, mapping=mapping, not_found=_NOT_FOUND)


class _SgsSink:
    """Checks each row with the rules of `sgs.add_record` and inserts it with its change-log image."""

    def __init__(self, session: Session, ctx: AppContext, result: ImportResult, today: dt.date) -> None:
        self.session, self.ctx, self.result, self.today = session, ctx, result, today
        self.entities = dict(session.execute(select(Entity.identifier, Entity.id).where(Entity.deleted_at.is_(None))).all())
        self.existing: dict[tuple[str, Any], str] = {
            (k, w): n for k, w, n in session.execute(
                select(SgsRecord.kind, SgsRecord.wsh, SgsRecord.xdr_mc).where(SgsRecord.superseded.is_(False), SgsRecord.deleted_at.is_(None))
            )
        }
        self.seen: dict[tuple[str, str], tuple[str, int]] = {}

    def __call__(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> list[CellProblem]:
        kind = RecordKind(plan.format.code)
        bad = list(parsed.problems)
        values, fps, _ = prepare(kind, parsed.values, today=self.today)
        unreadable = {p.field for p in bad}
        bad += [CellProblem(p.field, p.message_zh, plan.header.column_of(p.field)) for p in fps if p.field not in unreadable]
        docno = values.get("wsh")
        if docno:
            key = (kind.value, docno)
            if key in self.existing:
                bad.append(CellProblem("wsh", f"{rules.label(kind, 'wsh')}：{docno} 已登记（{self.existing[key]}），更正请在系统中“更正”", plan.header.column_of("wsh")))
            elif key in self.seen:
                other_sheet, other_row = self.seen[key]
                bad.append(CellProblem("wsh", f"{rules.label(kind, 'wsh')}：与{other_sheet}第{other_row}行重复", plan.header.column_of("wsh")))
            else:
                self.seen[key] = (plan.sheet_name, parsed.row)
        if bad or not write:
            return bad
        ident = values.get("xdr_zjhm") if values.get("xdr_lb") == rules.RELATIVE_PERSON else values.get("xdr_shxym")
        insert_record(
            self.session, self.ctx, kind, values, [], entity_id=self.entities.get(ident) if ident else None,
            audit_summary=f"导入{kind.label}：{docno} {values.get('xdr_mc', '')}",
        )
        self.existing[(kind.value, docno)] = values.get("xdr_mc", "")
        self.result.imported += 1
        self.result.count("created")
        if self.result.imported % _EXPUNGE_EVERY == 0:
            self.session.flush()
            self.session.expunge_all()  # keeps memory flat on 100,000 rows; everything is flushed
        return []

    def close(self) -> None:
        return None


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
    """Import a ledger (sheets 行政许可 and/or 行政处罚) through the import pipeline. See the module doc for the modes."""
    day = today or dt.date.today()

    def summary(r: ImportResult) -> str:
        return f"导入双公示台账 {r.imported} 条（{path.name}）" + (f"，{r.failed_rows} 行有误未导入" if r.failed_rows else "")

    return imports.run_import(
        ctx, path, sgs_formats(), lambda session, result: _SgsSink(session, ctx, result, day), action="import.sgs",
        summary=summary, not_found=_NOT_FOUND, valid_only=valid_only, errors_path=errors_path, source=source,
        mapping=mapping, progress=progress, cancel=cancel,
    )


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

