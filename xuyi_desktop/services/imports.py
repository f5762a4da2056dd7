"""Every spreadsheet import's transaction: the pipeline (exchange/pipeline.py) streams the rows into a sink the
feature supplies, inside one transaction with batched change-log and audit writes.

All-or-nothing (default): any bad row rolls everything back and the error workbook says where. Valid-only: the
good rows are committed, the bad ones go to the error workbook. `cancel()` returning True rolls back: nothing is
written. A header mapping the clerk gives is remembered per source (table sgs_header_mapping, keyed by the
format's two-letter code) once an import using it succeeds. 双公示 and the ledgers all come through here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete
from sqlalchemy.orm import Session

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange.columns import normalise_header
from xuyi_desktop.exchange.pipeline import (
    ImportResult,
    MappingNeeded,
    RowSink,
    SheetFormat,
    SheetPlan,
    digest,
    explicit_mapping,
    open_workbook,
    plan_workbook,
    report_errors,
    stream_rows,
)
from xuyi_desktop.exchange.workbooks import FileProblem
from xuyi_desktop.services import audit
from xuyi_desktop.services.bulk_gc import fewer_gc_passes
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.unit_of_work import unit_of_work
from xuyi_desktop.storage.models_sgs import SgsHeaderMapping
from xuyi_desktop.storage.queries import header_mappings


def remembered(session: Session, source: str, code: str) -> dict[str, str]:
    """header (normalised) -> field remembered for this source and format."""
    return header_mappings.remembered(session, source, code)


def remember(session: Session, source: str, code: str, mapping: Mapping[str, str]) -> None:
    for header, fld in mapping.items():
        key = normalise_header(header)
        session.execute(delete(SgsHeaderMapping).where(
            SgsHeaderMapping.source == source, SgsHeaderMapping.kind == code, SgsHeaderMapping.header == key))
        session.add(SgsHeaderMapping(source=source, kind=code, header=key, field=fld))


def plan(ctx: AppContext, path: Path, formats: Sequence[SheetFormat], *, source: str | None = None,
         mapping: Mapping[str, str] | None = None, not_found: FileProblem, workbook: Any = None) -> tuple[str, list[SheetPlan]]:
    """Which sheets hold which format, with remembered and given mappings applied (read before importing)."""
    with ctx.transaction() as session:
        return plan_workbook(path, formats, source=source, mapping=mapping,
                             remembered=lambda src, f: remembered(session, src, f.code), not_found=not_found, workbook=workbook)


class Sink(RowSink, Protocol):
    """A feature's row handler for one transaction; `close()` runs before the commit (flush what it batched)."""

    def close(self) -> None: ...


@fewer_gc_passes  # thousands of rows of short-lived dicts: see services/bulk_gc.py
def run_import(
    ctx: AppContext,
    path: Path,
    formats: Sequence[SheetFormat],
    make_sink: Callable[[Session, ImportResult], Sink],
    *,
    action: str,
    summary: Callable[[ImportResult], str],
    not_found: FileProblem,
    valid_only: bool = False,
    errors_path: Path | None = None,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    permission: Permission = Permission.ENTITY_EDIT,
    details: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Import `path` (see the module doc for the modes). `make_sink(session, result)` gives the row handler for
    this transaction; `action` and `summary(result)` make the audit entry of a successful import."""
    audit.require(ctx, permission)
    started = time.perf_counter()
    workbook = open_workbook(path)  # read once: planning and streaming share it
    try:
        return _run(ctx, path, formats, make_sink, workbook, started, action=action, summary=summary, not_found=not_found,
                    valid_only=valid_only, errors_path=errors_path, source=source, mapping=mapping, progress=progress,
                    cancel=cancel, details=details)
    finally:
        workbook.close()


def _run(ctx: AppContext, path: Path, formats: Sequence[SheetFormat], make_sink: Callable[[Session, ImportResult], Sink],
         workbook: Any, started: float, *, action: str, summary: Callable[[ImportResult], str], not_found: FileProblem,
         valid_only: bool, errors_path: Path | None, source: str | None, mapping: Mapping[str, str] | None,
         progress: Callable[[int, int], None] | None, cancel: Callable[[], bool] | None,
         details: Mapping[str, Any] | None) -> ImportResult:
    src, plans = plan(ctx, path, formats, source=source, mapping=mapping, not_found=not_found, workbook=workbook)
    for p in plans:
        if p.missing:
            raise MappingNeeded(p.sheet_name, p.format, p.missing, p.unknown, src)
    result = ImportResult(path, src, valid_only=valid_only)
    with unit_of_work(ctx, bulk=True) as uow:
        sink = make_sink(uow.session, result)
        run = stream_rows(path, plans, sink, result, valid_only=valid_only, progress=progress, cancel=cancel, workbook=workbook)
        if result.failed_rows and not valid_only:
            uow.rollback()  # all rows or none: the error workbook says which to fix
        else:
            sink.close()
            if result.imported or result.rows:
                for p in plans:
                    remember(uow.session, src, p.format.code, explicit_mapping(p.format, mapping or {}))
                uow.log(
                    action, summary(result),
                    details={"file": path.name, "sha256": digest(path), "rows": result.rows, "imported": result.imported,
                             "failed_rows": result.failed_rows, "valid_only": valid_only, "source": src,
                             "outcomes": result.outcomes, **(details or {})},
                )
    if uow.rolled_back:
        result.imported = 0
        result.outcomes = {}
    if run is not None:
        report_errors(path, run, result, errors_path)
    result.seconds = time.perf_counter() - started
    return result
