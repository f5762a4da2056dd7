"""Rating exchange use cases: import the upper-level results sheet (all or nothing), its template, the publicity list."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import CATEGORIES, EntityDraft, EntityKind
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.identifiers import IdentifierKind, check_id_card, check_uscc, infer_kind
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.rating_schemes import RatingScheme, SchemeError, SchemeRegistry
from xuyi_desktop.domain.ratings import RatingStatus, direct_grade_of
from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.exchange.columns import CellError, CellProblem, ParsedRow
from xuyi_desktop.exchange.publicity import PublicityRow, publicity_layout, write_publicity
from xuyi_desktop.exchange.rating_import import TEMPLATE_INSTRUCTIONS, rating_layout
from xuyi_desktop.exchange.workbooks import FileProblem, read_sheet, write_error_report, write_template
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import register_entity_in
from xuyi_desktop.services.ratings import RatingInput, add_rating_in
from xuyi_desktop.services.schemes import registry
from xuyi_desktop.services.unit_of_work import unit_of_work
from xuyi_desktop.storage import entity_queries
from xuyi_desktop.storage.queries import ratings as rating_queries

# Ratings that block a second one for the same entity, domain and period (a correction goes through the timeline).
_LIVE_STATUSES = (RatingStatus.DRAFT, RatingStatus.REVIEWED, RatingStatus.PUBLICITY, RatingStatus.EFFECTIVE)
_CHUNK = 500  # identifiers per IN (...) query: well below SQLite's bound-parameter limit


@dataclass(frozen=True)
class RowError:
    """One problem of one row, as the clerk sees it in the error report."""

    row: int
    column: str
    message_zh: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message_zh}


@dataclass
class ImportResult:
    """What an import did. `ok` False means nothing was written and `errors_path` holds the error report."""

    file: Path
    sheet: str
    rows: int
    imported: int = 0
    entities_created: int = 0
    failed_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rating_ids: list[uuid.UUID] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failed_rows == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "file": str(self.file), "sheet": self.sheet, "rows": self.rows, "imported": self.imported,
            "entities_created": self.entities_created, "failed_rows": self.failed_rows,
            "errors": [e.to_json() for e in self.errors], "errors_path": str(self.errors_path) if self.errors_path else None,
            "warnings": self.warnings, "ignored_columns": self.ignored_columns,
            "rating_ids": [str(i) for i in self.rating_ids], "seconds": round(self.seconds, 3),
        }


def default_errors_path(source: Path) -> Path:
    """`<stem>.errors.xlsx` beside the input."""
    return source.with_name(f"{source.stem}.errors.xlsx")


def _parse_default(reg: SchemeRegistry, domain: str | None, period: int | None) -> dict[str, Any]:
    layout = rating_layout(reg)
    defaults: dict[str, Any] = {}
    if domain:
        try:
            defaults["domain"] = layout.column("domain").parse(domain)
        except CellError as exc:
            raise ValidationError(FieldProblem("domain", exc.message_zh, "unknown domain")) from exc
    if period is not None:
        defaults["period"] = period
    return defaults


def _identifier_problems(value: str) -> list[str]:
    """Why an identifier no registered entity has is not a valid 统一社会信用代码 or 身份证号码 (empty if valid)."""
    if infer_kind(value) is IdentifierKind.ID_CARD:
        return [p.message_zh for p in check_id_card(value).problems]
    return [p.message_zh for p in check_uscc(value).problems]


def _categories_for(scheme: RatingScheme, kind: EntityKind) -> tuple[str, ...]:
    """The category a newly registered entity gets from the domain it is rated in, when that is unambiguous."""
    fitting = [c for c in scheme.applies_to if CATEGORIES[c][1] is kind]
    return tuple(fitting) if len(fitting) == 1 else ()


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _entities_by_identifier(session: Session, identifiers: set[str]) -> dict[str, tuple[uuid.UUID, str]]:
    found: dict[str, tuple[uuid.UUID, str]] = {}
    for chunk in _chunks(sorted(identifiers)):
        for ident, eid, name in entity_queries.live_ids_and_names(session, chunk):
            found[ident] = (eid, name)
    return found


def _live_ratings(session: Session, entity_ids: set[uuid.UUID]) -> dict[tuple[uuid.UUID, str, int], str]:
    found: dict[tuple[uuid.UUID, str, int], str] = {}
    for chunk in _chunks(list(entity_ids)):
        for eid, domain, period, status in rating_queries.statuses_of(session, chunk, _LIVE_STATUSES):
            found[(eid, domain, period)] = status
    return found


def _mark_duplicates(rows: list[ParsedRow]) -> None:
    """The same entity, domain and period twice in one file: every copy is an error naming the others."""
    seen: dict[tuple[str, str, int], list[ParsedRow]] = defaultdict(list)
    for row in rows:
        v = row.values
        if {"identifier", "domain", "period"} <= v.keys():
            seen[(v["identifier"], v["domain"], v["period"])].append(row)
    for group in seen.values():
        if len(group) > 1:
            for row in group:
                others = "、".join(str(o.row) for o in group if o is not row)
                row.problem("identifier", f"与第{others}行重复（同一主体、同一评价领域、同一年度）")


def import_ratings(
    ctx: AppContext,
    source: Path,
    *,
    create_missing: bool = False,
    errors_path: Path | None = None,
    default_domain: str | None = None,
    default_period: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a results sheet as draft ratings, all or nothing.

    Every row is checked with the same rules as `add_rating` (grade derived from the scheme, a typed grade must
    agree, the domain fits the entity), plus: the entity must be registered (or, with `create_missing`, is
    registered from the row's 名称 and a valid identifier), no row repeats another, and no live rating already
    exists for that entity, domain and period. If any row fails, nothing is written and an error report is saved
    (default `<stem>.errors.xlsx` beside the file). Otherwise all rows go in one transaction, audited.
    `progress(done, total)` is called every 100 rows (a 10,000-row file takes a minute or two).
    """
    audit.require(ctx, Permission.ENTITY_EDIT)
    started = time.perf_counter()
    reg = registry()
    layout = rating_layout(reg)
    defaults = _parse_default(reg, default_domain, default_period)
    data = read_sheet(source, layout, key_field="identifier", defaults=defaults)
    missing = layout.missing(data.header, defaults)
    if missing:
        names = "、".join(f"“{c.header}”" for c in missing)
        raise FileProblem(f"“{source.name}”缺少必填列：{names}（表头在第{data.header.row}行）", "required columns missing")
    if not data.rows:
        raise FileProblem(f"“{source.name}”的表头下没有数据行", "no data rows")

    rows = data.rows
    result = ImportResult(source, data.sheet_name, len(rows), ignored_columns=data.header.unknown)
    result.warnings.extend(f"第{n}行：没有证件号码，视为表注，已跳过" for n in data.note_rows)
    _mark_duplicates(rows)
    created: dict[str, uuid.UUID] = {}
    with unit_of_work(ctx, bulk=True) as uow:
        session = uow.session
        entities = _entities_by_identifier(session, {r.values["identifier"] for r in rows if "identifier" in r.values})
        existing = _live_ratings(session, {eid for eid, _ in entities.values()})
        for done, row in enumerate(rows, start=1):
            rating_id = _import_row(session, ctx, reg, row, entities, existing, created, create_missing, result)
            if rating_id is not None:
                result.rating_ids.append(rating_id)
            if progress is not None and (done % 100 == 0 or done == len(rows)):
                progress(done, len(rows))
        if any(r.problems for r in rows):
            uow.rollback()  # some row was wrong: all rows or none
        else:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            uow.log(
                "import.ratings",
                f"导入信用评价 {len(rows)} 条（{source.name}）" + (f"，新登记主体 {len(created)} 个" if created else ""),
                details={"file": source.name, "sha256": digest, "sheet": data.sheet_name, "rows": len(rows),
                         "entities_created": len(created)},
            )
    if uow.rolled_back:
        result.rating_ids.clear()
        _report(source, data, layout, rows, errors_path or default_errors_path(source), result)
    else:
        result.imported, result.entities_created = len(rows), len(created)
    result.seconds = time.perf_counter() - started
    return result


def _import_row(
    session: Session,
    ctx: AppContext,
    reg: SchemeRegistry,
    row: ParsedRow,
    entities: dict[str, tuple[uuid.UUID, str]],
    existing: dict[tuple[uuid.UUID, str, int], str],
    created: dict[str, uuid.UUID],
    create_missing: bool,
    result: ImportResult,
) -> uuid.UUID | None:
    """Check one row and, if it is clean so far, insert its rating in the import's transaction."""
    v = row.values
    ident = v.get("identifier")
    if ident is None:
        return None
    scheme = None
    if "domain" in v and "period" in v:
        try:
            scheme = reg.for_period(v["domain"], v["period"])
        except SchemeError as exc:
            row.problem("period", str(exc))
    entity_id: uuid.UUID | None = None
    if ident in entities:
        entity_id, registered_name = entities[ident]
        if v.get("name") and fold(v["name"]) != fold(registered_name):
            result.warnings.append(f"第{row.row}行：名称“{v['name']}”与系统登记的“{registered_name}”不一致（已按证件号码匹配）")
    elif ident in created:
        entity_id = created[ident]
    else:
        problems = _identifier_problems(ident)
        if problems:
            for message in problems:
                row.problem("identifier", message)
        elif not create_missing:
            row.problem("identifier", "系统中没有登记该证件号码的主体；确认需要新登记时，请选择“同时登记新主体”（--create-missing）")
        elif not v.get("name"):
            row.problem("name", "系统中没有登记该主体，新登记需要填写名称")
        elif not row.problems and scheme is not None:
            entity_id = _register(session, ctx, row, ident, scheme, created, result)
    if row.problems or entity_id is None or scheme is None:
        return None
    status = existing.get((entity_id, scheme.code, v["period"]))
    if status is not None:
        row.problem(
            "period",
            f"系统中已有该主体{v['period']}年度“{scheme.name}”的评价（{RatingStatus(status).label}），不能重复导入；如需更正请在评价时间线中更正",
        )
        return None
    data = RatingInput(
        entity=entity_id, domain=scheme.code, period=v["period"], score=v.get("score"), points=v.get("points"),
        deductions=v.get("deductions", ()), grade=v.get("grade"), evaluating_organ=v.get("evaluating_organ", ""),
        decision_date=v.get("decision_date"), document_no=v.get("document_no", ""), basis_notes=v.get("basis_notes", ""),
    )
    try:
        view = add_rating_in(session, ctx, data)
    except ValidationError as exc:
        for p in exc.problems:
            row.problem(p.field, p.message_zh)
        return None
    except DomainError as exc:
        row.problem("", exc.message_zh)
        return None
    existing[(entity_id, scheme.code, v["period"])] = RatingStatus.DRAFT.value
    result.warnings.extend(f"第{row.row}行：{w}" for w in view.warnings)
    return view.id


def _register(
    session: Session, ctx: AppContext, row: ParsedRow, ident: str, scheme: RatingScheme, created: dict[str, uuid.UUID], result: ImportResult
) -> uuid.UUID | None:
    kind = EntityKind.PERSON if infer_kind(ident) is IdentifierKind.ID_CARD else EntityKind.ORG
    draft = EntityDraft(name=row.values["name"], identifier=ident, kind=kind, categories=_categories_for(scheme, kind))
    try:
        # allow_similar: the clerk chose to register what the file lists; a similar name is reported, not refused.
        detail = register_entity_in(session, ctx, draft, allow_similar=True)
    except ValidationError as exc:
        for p in exc.problems:
            row.problem(p.field if p.field in ("identifier", "name") else "", p.message_zh)
        return None
    except DomainError as exc:
        row.problem("identifier", exc.message_zh)
        return None
    created[ident] = detail.summary.id
    result.warnings.append(f"第{row.row}行：已新登记主体 {detail.summary.name}")
    result.warnings.extend(f"第{row.row}行：{w}" for w in detail.warnings)
    return detail.summary.id


def _report(source: Path, data: Any, layout: Any, rows: list[ParsedRow], out: Path, result: ImportResult) -> None:
    by_row: dict[int, list[CellProblem]] = {r.row: r.problems for r in rows if r.problems}
    headers = data.header.headers
    for r in rows:
        for p in r.problems:
            column = headers[p.column] if p.column is not None and p.column < len(headers) else ""
            result.errors.append(RowError(r.row, column, p.message_zh))
    result.failed_rows = len(by_row)
    write_error_report(source, data, layout, by_row, out)
    result.errors_path = out


def write_rating_template(out: Path) -> Path:
    """The import template, from the same declaration the importer reads."""
    write_template(rating_layout(registry()), out, instructions=TEMPLATE_INSTRUCTIONS)
    return out


@dataclass(frozen=True)
class PublicityExport:
    path: Path
    title: str
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "title": self.title, "rows": self.rows}


def publicity_rows(session: Session, scheme: RatingScheme, period: int) -> list[PublicityRow]:
    """Ratings of the period and domain in publicity or in effect, best grade first; where an entity has both
    (a correction publicised while the old one is in effect) the newer one is listed."""
    newest: dict[uuid.UUID, tuple[dt.datetime, tuple[Any, ...]]] = {}
    order: list[uuid.UUID] = []
    for r in rating_queries.public_rows(session, scheme.code, period, scheme.grades):
        if r.entity_id not in newest:
            order.append(r.entity_id)
        if r.entity_id not in newest or r.created_at > newest[r.entity_id][0]:
            newest[r.entity_id] = (r.created_at, tuple(r))
    rows = []
    for seq, eid in enumerate(order, start=1):
        _, name, kind, ident, grade, score, points, organ, start, end, _, deductions = newest[eid][1]
        direct = direct_grade_of(scheme, json.loads(deductions or "[]"))
        rows.append(PublicityRow(seq, name, kind, ident, grade, score, points, organ, start, end, direct))
    return rows


def export_publicity(ctx: AppContext, *, period: int, domain: str, out: Path) -> PublicityExport:
    """The publicity list (公示名单) of a domain and period as .xlsx; persons' ID numbers always masked. Audited."""
    audit.require(ctx, Permission.EXPORT)
    reg = registry()
    code = _parse_default(reg, domain, None)["domain"]
    try:
        scheme = reg.for_period(code, period)
    except SchemeError as exc:
        raise ValidationError(FieldProblem("period", str(exc), "no scheme for this period")) from exc
    title = f"{period}年度{scheme.name}信用评价结果公示名单"
    written = False
    try:
        with ctx.transaction() as session:
            rows = publicity_rows(session, scheme, period)
            layout = publicity_layout(with_score=scheme.uses_score, with_points=scheme.uses_points)
            footer = "个人身份证号码已隐去中间部分。" if any(r.kind == EntityKind.PERSON.value for r in rows) else ""
            count = write_publicity(out, layout, title, rows, footer=footer)
            written = True
            audit.write(
                session, ctx, "export.publicity", f"导出公示名单：{title}，{count} 条",
                details={"period": period, "domain": scheme.code, "rows": count, "file": out.name, "format": "xlsx"},
            )
    except BaseException:
        if written:  # no audit entry, no file
            out.unlink(missing_ok=True)
        raise
    return PublicityExport(out, title, count)
