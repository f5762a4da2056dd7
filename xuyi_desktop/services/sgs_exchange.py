"""双公示 exchange: template, ledger import (all or nothing, or the valid rows only), reporting batch export.

The import is two formats (行政许可, 行政处罚) of the one import pipeline (exchange/pipeline.py, services/imports.py):
a row is checked with the same rules as `sgs.add_record` and inserted with its change-log image; bad rows are
collected with the cell to highlight. All-or-nothing (default) or valid-only; cancel writes nothing; header mappings
a clerk confirms are remembered per source.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.domain import sgs as rules
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
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
from xuyi_desktop.exchange.profile_workbook import write_profile_rows, write_zero_report
from xuyi_desktop.exchange.profiles import (
    SGS_LICENSE,
    SGS_PENALTY,
    SOURCES,
    ExportProfile,
    ProfileError,
    list_profiles,
    load_profile,
)
from xuyi_desktop.exchange.sgs_layout import SHEET_NAMES, TEMPLATE_INSTRUCTIONS, always_required, sgs_layout
from xuyi_desktop.exchange.sgs_workbook import write_batch, write_template
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem
from xuyi_desktop.services import audit, imports
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.sgs import (
    BulkInserter,
    SgsError,
    current_records_stmt,
    mark_reported_in,
    prepare,
    record_values,
)
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_sgs import SgsRecord

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
        self.inserter = BulkInserter(session, ctx)  # Core INSERTs, images from the values (issue 17)

    def __call__(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> list[CellProblem]:
        kind = RecordKind(plan.format.code)
        bad = list(parsed.problems)
        values, fps, _ = prepare(kind, parsed.values, today=self.today, typed=True)  # read_row typed them
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
        self.inserter.add(
            kind, values, entity_id=self.entities.get(ident) if ident else None,
            audit_summary=f"导入{kind.label}：{docno} {values.get('xdr_mc', '')}",
        )
        self.existing[(kind.value, docno)] = values.get("xdr_mc", "")
        self.result.imported += 1
        self.result.count("created")
        return []

    def close(self) -> None:
        """Before the commit: the rows still buffered go in (no ORM objects are held, memory stays flat)."""
        self.inserter.flush()


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
    """Import a ledger (sheets 行政许可 and/or 行政处罚) through the import pipeline. See the module doc for the modes.
    Like every import of the pipeline, it runs with fewer collector passes (services/bulk_gc.py)."""
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
    profile: str = ""
    zero_report: bool = False
    held_back: tuple[str, ...] = ()  # 待重报 records not corrected since the platform refused them (document numbers)
    incomplete: tuple[str, ...] = ()  # rows lacking a column the platform requires: not sent, not marked

    @property
    def rows(self) -> int:
        return self.licenses + self.penalties

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "batch_no": self.batch_no, "licenses": self.licenses, "penalties": self.penalties,
                "public": self.public, "profile": self.profile, "zero_report": self.zero_report,
                "held_back": list(self.held_back), "incomplete": list(self.incomplete)}


class NothingToReport(SgsError):
    pass


def sgs_profile_fields() -> dict[str, frozenset[str]]:
    """The fields a 双公示 profile may name, per source (what `record_values` gives)."""
    return {
        SGS_LICENSE: frozenset(f.name for f in rules.fields_for(RecordKind.LICENSE)),
        SGS_PENALTY: frozenset(f.name for f in rules.fields_for(RecordKind.PENALTY)),
    }


def sgs_profile(name: str | ExportProfile) -> ExportProfile:
    """A 双公示 export profile by name or path, its columns checked against the record type's fields."""
    profile = name if isinstance(name, ExportProfile) else load_profile(name, fields=sgs_profile_fields())
    if profile.source not in (SGS_LICENSE, SGS_PENALTY):
        raise ProfileError(f"导出格式 {profile.name} 不是双公示格式（{SOURCES[profile.source]}）", f"{profile.name} is not a 双公示 profile")
    return profile


def sgs_profiles() -> list[ExportProfile]:
    """The 双公示 profiles shipped (the GUI's choice)."""
    return [p for p in list_profiles(fields=None) if p.source in (SGS_LICENSE, SGS_PENALTY)]


def period_text(date_from: dt.date, date_to: dt.date) -> str:
    """2025年11月 for a whole month, else the two dates."""
    last = (date_from.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if date_from.day == 1 and date_to == last:
        return f"{date_from.year}年{date_from.month}月"
    return f"{date_from:%Y/%m/%d}—{date_to:%Y/%m/%d}"


def _pending_batch(row: SgsRecord) -> bool:
    """Goes into a reporting batch: never reported, or changed since (corrected, withdrawn) — but not a record
    the platform refused that has not been corrected since (it would be refused again)."""
    if row.rejected_reason:
        return False
    return row.reported_on is None or row.resubmit_needed


def export_sgs(
    ctx: AppContext,
    *,
    date_from: dt.date,
    date_to: dt.date,
    out: Path,
    batch_no: str | None = None,
    public: bool = False,
    today: dt.date | None = None,
    profile: str | ExportProfile | None = None,
    unit: str | None = None,
) -> ExportResult:
    """Reporting batch (default): decisions of the period not yet reported (or corrected/withdrawn since), in
    the upper platform's column order, one sheet per type; they are marked 已报送 with the batch number.
    `public`: what may be shown to the public — no withdrawn, repaired or expired penalties, no minor ones,
    personal ID numbers masked; nothing is marked.
    `profile` (resources/exchange/profiles): the platform's own template for one record type — exactly its
    columns and header codes, its values and date format. A period without any decision of that type writes
    the profile's zero report (零报送) for `unit` (default: the user's unit); a period whose decisions were all
    reported already is refused (nothing to send). Records the platform refused and not corrected since stay
    待重报 and out of the batch; rows lacking a column the platform requires are left out, unmarked."""
    audit.require(ctx, Permission.EXPORT)
    if date_to < date_from:
        raise ValidationError(FieldProblem("date_to", "导出期间：结束日期不能早于开始日期", "period ends before it starts"))
    today = today or dt.date.today()
    prof = sgs_profile(profile) if profile is not None else None
    kinds = list(RecordKind) if prof is None else [RecordKind.LICENSE if prof.source == SGS_LICENSE else RecordKind.PENALTY]
    batch = "" if public else (batch_no or f"SGS-{ctx.office_code}-{dt.datetime.now():%Y%m%d%H%M%S}")
    written = False
    zero = False
    held: list[str] = []
    incomplete: list[str] = []
    counts = {k: 0 for k in RecordKind}
    try:
        with ctx.transaction() as session:
            period_rows = [r for r in session.execute(
                current_records_stmt(date_from=date_from, date_to=date_to).order_by(SgsRecord.jdrq, SgsRecord.wsh)
            ).scalars() if RecordKind(r.kind) in kinds]
            if public:
                rows = [r for r in period_rows if _public(r, today)]
            else:
                rows = [r for r in period_rows if _pending_batch(r)]
                held = [r.wsh for r in period_rows if r.rejected_reason]
            values_of: dict[uuid.UUID, dict[str, Any]] = {}
            for r in rows:
                values = record_values(r)
                if r.withdrawn_on is not None:
                    note = f"已于{r.withdrawn_on:%Y/%m/%d}撤销：{r.withdrawn_reason}"
                    values["bz"] = f"{values['bz']}；{note}" if values.get("bz") else note
                values_of[r.id] = rules.mask_for_public(values) if public else values
            if prof is not None and not public:
                required = [c.field for c in prof.columns if c.required and c.field]
                complete = [r for r in rows if all(values_of[r.id].get(f) not in (None, "", []) for f in required)]
                incomplete = [r.wsh or r.xdr_mc for r in rows if r not in complete]
                rows = complete
            if prof is not None and not public and not period_rows:
                zero = True
                who = unit or (ctx.user.unit if ctx.user and ctx.user.unit else ctx.office_name)
                write_zero_report(out, prof, unit=who, period=period_text(date_from, date_to), made_on=f"{today:%Y/%m/%d}")
                written = True
                batch = ""
            elif prof is not None:
                if not rows and not public:
                    waiting = f"，{len(held)} 条平台退回待重报的记录尚未更正" if held else ""
                    lacking = f"，{len(incomplete)} 条缺少平台必填项" if incomplete else ""
                    raise NothingToReport(
                        f"{period_text(date_from, date_to)}没有需要报送的{kinds[0].label}记录（本期 {len(period_rows)} 条均已报送{waiting}{lacking}），未生成文件",
                        "nothing to report in the period",
                    )
                counts[kinds[0]] = write_profile_rows(out, prof, (prof.row(values_of[r.id]) for r in rows))
                written = True
            else:
                parts: list[tuple[Layout, list[dict[str, Any]]]] = []
                for kind in RecordKind:
                    parts.append((sgs_layout(kind), [values_of[r.id] for r in rows if r.kind == kind.value]))
                n = write_batch(out, parts)
                counts = {RecordKind.LICENSE: n[0], RecordKind.PENALTY: n[1]}
                written = True
            if not public and not zero:
                mark_reported_in(session, ctx, rows, on=today, batch_no=batch)
            what = "零报送" if zero else ("公开版" if public else "报送批次 " + batch)
            audit.write(
                session, ctx, "export.sgs",
                f"导出双公示{what}{'（' + prof.title + '）' if prof else ''}：许可 {counts[RecordKind.LICENSE]} 条，处罚 {counts[RecordKind.PENALTY]} 条",
                details={"from": date_from.isoformat(), "to": date_to.isoformat(), "batch": batch, "file": out.name,
                         "licenses": counts[RecordKind.LICENSE], "penalties": counts[RecordKind.PENALTY], "public": public,
                         "profile": prof.name if prof else "", "zero_report": zero, "held_back": len(held),
                         "incomplete": len(incomplete)},
            )
    except BaseException:
        if written:
            out.unlink(missing_ok=True)
        raise
    return ExportResult(out, batch, counts[RecordKind.LICENSE], counts[RecordKind.PENALTY], public, prof.name if prof else "",
                        zero, tuple(held), tuple(incomplete))


def _public(r: SgsRecord, today: dt.date) -> bool:
    """What the public sees: a licence unless withdrawn; a penalty only while the credit profile has it in
    publicity (not repaired, expired, withdrawn, 轻微 unpublished or 待定), never a simple-procedure one."""
    from xuyi_desktop.domain.profile import PenaltyState
    from xuyi_desktop.services.profile import penalty_fact

    if r.kind == RecordKind.PENALTY.value:
        return not r.simple_procedure and penalty_fact(r, today).state is PenaltyState.IN_PUBLICITY
    return r.withdrawn_on is None and r.repaired_on is None

