"""运政/港航 ledgers in and out: entities (with a licence), practitioners (从业资格证, employer), vehicles and vessels.

Imports are formats of the one import pipeline (services/imports.py): the same header mapping remembered per source,
all-or-nothing by default or `valid_only`, progress and cancel, and the error workbook with the bad cells red.
Every row is matched by its identifier (统一社会信用代码/身份证号码, 车牌号+颜色, 船舶识别号) and never duplicated:
a registered record is updated when the row says something new and left alone otherwise, so importing the same
file twice creates nothing and changes nothing (the result counts created / updated / unchanged per kind).
One workbook may hold all four sheets; they are read entities first, so a vehicle may name an operator registered
by the same file. Exports use the same columns (a revealed export imports back); persons' ID numbers and phone
numbers are masked unless revealed (which needs the right and is audited).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import (
    CATEGORIES,
    EntityDraft,
    EntityKind,
    EntityStatus,
    LicenceDraft,
    RelationType,
    check_entity_draft,
)
from xuyi_desktop.domain.errors import DomainError, ValidationError
from xuyi_desktop.domain.fleet import (
    VEHICLE_STATUSES,
    QualificationDraft,
    VehicleDraft,
    VesselDraft,
    check_qualification,
    check_vehicle,
    check_vessel,
)
from xuyi_desktop.domain.masking import mask_id_number, mask_phone
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.exchange import ledger_layouts as L
from xuyi_desktop.exchange.columns import CellProblem, Layout, ParsedRow
from xuyi_desktop.exchange.pipeline import ImportResult, SheetFormat, SheetPlan
from xuyi_desktop.exchange.sgs_workbook import write_batch
from xuyi_desktop.exchange.sgs_workbook import write_template as write_sheets_template
from xuyi_desktop.exchange.workbooks import HEADER_SCAN_ROWS, FileProblem, write_template
from xuyi_desktop.printing.output import atomic_output
from xuyi_desktop.services import audit, fleet, imports
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entities import EntityWriter
from xuyi_desktop.storage import entity_queries, fleet_queries
from xuyi_desktop.storage.models import Entity, EntityRelation, Licence

KINDS = ("entities", "practitioners", "vehicles", "vessels")
KIND_LABELS = {"entities": "主体", "practitioners": "从业人员", "vehicles": "车辆", "vessels": "船舶"}
OUTCOME_LABELS = {"created": "新增", "updated": "更新", "unchanged": "未变（跳过）"}

FORMATS: dict[str, SheetFormat] = {
    "entities": SheetFormat("EN", L.ENTITY_SHEET, L.entity_layout, ("name", "identifier"), "identifier",
                            frozenset({"categories", "legal_representative", "licence_type", "licence_number", "address", "kind"}),
                            sheet_hint="主体"),
    "practitioners": SheetFormat("PR", L.PRACTITIONER_SHEET, L.practitioner_layout, ("name", "identifier", "cert_no"), "cert_no",
                                 frozenset({"cert_no", "qualification_class", "first_issued_on", "employer", "employer_name"}),
                                 sheet_hint="从业"),
    "vehicles": SheetFormat("VH", L.VEHICLE_SHEET, L.vehicle_layout, ("plate", "plate_colour", "operator"), "plate",
                            frozenset({"plate", "plate_colour", "tonnage", "seats", "vehicle_type", "operator"}), sheet_hint="车辆"),
    "vessels": SheetFormat("VS", L.VESSEL_SHEET, L.vessel_layout, ("name", "ship_id", "operator"), "ship_id",
                           frozenset({"ship_id", "gross_tonnage", "deadweight", "vessel_type", "operator"}), sheet_hint="船舶"),
}
_BY_CODE = {f.code: kind for kind, f in FORMATS.items()}
# Domain field names that a column of another name holds.
_FIELD_COLUMN = {"valid_to": "cert_valid_to", "valid_from": "cert_valid_from", "licences": "licence_number", "kind": "identifier"}


def _formats(kinds: Sequence[str]) -> list[SheetFormat]:
    unknown = [k for k in kinds if k not in FORMATS]
    if unknown:
        raise ValueError(f"unknown ledger kinds {unknown}")
    return [FORMATS[k] for k in KINDS if k in kinds]


def _not_found(kinds: Sequence[str]) -> FileProblem:
    names = "、".join(f"“{FORMATS[k].label}”" for k in KINDS if k in kinds)
    return FileProblem(f"文件中没有找到{names}（前{HEADER_SCAN_ROWS}行中需要有表头，列名见导入模板）", "no ledger sheet found")


def _cell(plan: SheetPlan, fld: str, message: str) -> CellProblem:
    column = _FIELD_COLUMN.get(fld, fld)
    return CellProblem(column, message, plan.header.column_of(column))


def _problems(plan: SheetPlan, exc: DomainError, key: str) -> list[CellProblem]:
    if isinstance(exc, ValidationError):
        return [_cell(plan, p.field, p.message_zh) for p in exc.problems]
    return [_cell(plan, key, exc.message_zh)]


class _LedgerSink:
    """One transaction's rows of any of the four sheets (entities first: vehicles and drivers may name them)."""

    def __init__(self, session: Session, ctx: AppContext, result: ImportResult) -> None:
        self.session, self.ctx, self.result = session, ctx, result
        self.writer = EntityWriter(session, ctx)
        self.links = entity_queries.live_link_pairs(session)
        self.seen: dict[tuple[str, str], int] = {}  # (kind, key) -> first row, within this file
        # Identifiers a good row would have registered after an all-or-nothing import stopped writing: vehicles and
        # drivers naming them are checked as if they were (no cascade of false "not registered" errors).
        self.planned: set[str] = set()

    def __call__(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> list[CellProblem]:
        kind = _BY_CODE[plan.format.code]
        if parsed.problems:
            return list(parsed.problems)
        handler = getattr(self, f"_{kind}")
        try:
            outcome = handler(plan, parsed, write)
        except DomainError as exc:
            return _problems(plan, exc, plan.format.key_field)
        if isinstance(outcome, list):
            return outcome
        if write and outcome:
            self.result.count(f"{kind}.{outcome}")
            if outcome != "unchanged":
                self.result.imported += 1
        return []

    def close(self) -> None:
        self.writer.flush()

    def _duplicate(self, plan: SheetPlan, parsed: ParsedRow, kind: str, key: str, fld: str) -> list[CellProblem]:
        first = self.seen.setdefault((kind, key), parsed.row)
        if first != parsed.row:
            return [_cell(plan, fld, f"与本表第{first}行重复（{key}）")]
        return []

    # --- rows -------------------------------------------------------------------------------------------

    def _phone(self, v: Mapping[str, Any]) -> str:
        """A phone number masked by an export (138****5678) reads as not given: the registered one stays."""
        phone = str(v.get("phone", ""))
        if "*" in phone:
            if not self.result.warnings or not self.result.warnings[-1].startswith("联系电话已脱敏"):
                self.result.warnings.append("联系电话已脱敏（含*）的行保留系统中已登记的号码")
            return ""
        return phone

    def _entity_draft(self, v: Mapping[str, Any], *, categories: tuple[str, ...] = (), kind: EntityKind | None = None) -> EntityDraft:
        licences: tuple[LicenceDraft, ...] = ()
        if v.get("licence_number") or v.get("licence_type"):
            licences = (LicenceDraft(v.get("licence_type", ""), v.get("licence_number", ""), v.get("licence_from"), v.get("licence_to")),)
        return EntityDraft(
            name=v["name"], identifier=v["identifier"], kind=kind or (EntityKind(v["kind"]) if v.get("kind") else None),
            categories=tuple(v.get("categories", ())) + categories, legal_representative=v.get("legal_representative", ""),
            address=v.get("address", ""), phone=self._phone(v), region_code=v.get("region_code", ""),
            status=EntityStatus(v["status"]) if v.get("status") else EntityStatus.ACTIVE, notes=v.get("notes", ""), licences=licences,
        )

    def _upsert_entity(self, draft: EntityDraft, write: bool, *, status_given: bool) -> tuple[uuid.UUID | None, str]:
        checked = check_entity_draft(draft)  # a bad USCC or ID number is refused here, naming the cell
        d = checked.draft
        existing = self.writer.ids.get(d.identifier)
        if existing is not None:
            if not write:
                return existing, ""
            entity = self.writer.entity(existing)
            return existing, self.writer.merge(entity, d, status_given=status_given, summary=f"导入台账更新 {entity.name}")
        if not write:
            self.planned.add(d.identifier)
            return None, ""
        return self.writer.register(d, summary=f"导入台账登记 {d.name}"), "created"

    def _entities(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> str | list[CellProblem]:
        v = parsed.values
        _, outcome = self._upsert_entity(self._entity_draft(v), write, status_given="status" in v)
        return outcome

    def _practitioners(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> str | list[CellProblem]:
        v = parsed.values
        bad = self._duplicate(plan, parsed, "practitioners", v["identifier"], "identifier")
        employer = None
        if v.get("employer"):
            employer = self.writer.ids.get(v["employer"])
            if employer is None and v["employer"] not in self.planned:
                bad.append(_cell(plan, "employer", f"所属企业 {v['employer']} 未登记：请先导入主体台账（可在同一文件中）"))
        draft = QualificationDraft(v["cert_no"], v.get("qualification_class", ""), v.get("first_issued_on"), v.get("valid_to"))
        person_draft = EntityDraft(name=v["name"], identifier=v["identifier"], kind=EntityKind.PERSON, categories=("road_practitioner",),
                                   phone=self._phone(v))
        for check in (lambda: check_qualification(draft), lambda: check_entity_draft(person_draft)):
            try:
                check()
            except ValidationError as exc:
                bad += [_cell(plan, p.field, p.message_zh) for p in exc.problems]
        if bad:
            return bad
        person_id, outcome = self._upsert_entity(person_draft, write, status_given=False)
        if not write:
            return ""
        assert person_id is not None
        person = self.writer.entity(person_id)
        _, q_outcome = fleet.save_qualification_in(self.session, self.ctx, person, draft)
        linked = False
        if employer is not None and (person_id, employer) not in self.links:
            title = "驾驶员" if "驾驶" in draft.qualification_class or not draft.qualification_class else draft.qualification_class[:100]
            org = self.writer.entity(employer)
            audit.insert_recorded(self.session, self.ctx, EntityRelation(
                person_id=person_id, org_id=employer, relation_type=RelationType.EMPLOYEE.value, title=title,
            ), summary=f"{person.name} 关联到 {org.name}（{RelationType.EMPLOYEE.label}，台账导入）")
            self.links.add((person_id, employer))
            linked = True
        if outcome == "created":
            return "created"
        return "updated" if outcome == "updated" or q_outcome != "unchanged" or linked else "unchanged"

    def _operator(self, plan: SheetPlan, v: Mapping[str, Any], bad: list[CellProblem]) -> Entity | None:
        operator_id = self.writer.ids.get(v["operator"])
        if operator_id is None and v["operator"] in self.planned:
            return None  # registered by this file had it been written: checked, not written
        if operator_id is None:
            bad.append(_cell(plan, "operator", f"经营单位 {v['operator']} 未登记：请先导入主体台账（可在同一文件中）"))
            return None
        op = self.writer.entity(operator_id)  # written first if this file registered it a moment ago
        if op.kind != EntityKind.ORG.value:
            bad.append(_cell(plan, "operator", f"“{op.name}”是个人，车辆和船舶应登记在经营单位名下"))
        return op

    def _vehicles(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> str | list[CellProblem]:
        v = parsed.values
        draft = VehicleDraft(v["operator"], v["plate"], v["plate_colour"], v.get("transport_cert_no", ""), v.get("vehicle_type", ""),
                             v.get("tonnage"), v.get("seats"), v.get("cert_valid_from"), v.get("cert_valid_to"),
                             v.get("status") or "active", v.get("notes", ""))
        try:
            checked = check_vehicle(draft, fleet.plate_rules())
        except ValidationError as exc:
            return [_cell(plan, p.field, p.message_zh) for p in exc.problems]
        bad = self._duplicate(plan, parsed, "vehicles", f"{checked.plate}（{checked.plate_colour}）", "plate")
        op = self._operator(plan, v, bad)
        if bad or not write:
            return bad or ""
        _, outcome = fleet.save_vehicle_in(self.session, self.ctx, checked, operator=op, update_existing=True)
        return {"inserted": "created"}.get(outcome, outcome)

    def _vessels(self, plan: SheetPlan, parsed: ParsedRow, write: bool) -> str | list[CellProblem]:
        v = parsed.values
        draft = VesselDraft(v["operator"], v["name"], v["ship_id"], v.get("transport_cert_no", ""), v.get("gross_tonnage"),
                            v.get("deadweight"), v.get("vessel_type", ""), v.get("cert_valid_from"), v.get("cert_valid_to"),
                            v.get("status") or "active", v.get("notes", ""))
        try:
            checked = check_vessel(draft, fleet.plate_rules())
        except ValidationError as exc:
            return [_cell(plan, p.field, p.message_zh) for p in exc.problems]
        bad = self._duplicate(plan, parsed, "vessels", checked.ship_id, "ship_id")
        op = self._operator(plan, v, bad)
        if bad or not write:
            return bad or ""
        _, outcome = fleet.save_vessel_in(self.session, self.ctx, checked, operator=op, update_existing=True)
        return {"inserted": "created"}.get(outcome, outcome)


def outcome_text(result: ImportResult) -> str:
    """新增主体 12，更新 3，未变 40；新增车辆 …"""
    parts = []
    for kind in KINDS:
        counts = [(o, result.outcomes.get(f"{kind}.{o}", 0)) for o in OUTCOME_LABELS]
        if any(n for _, n in counts):
            parts.append(f"{KIND_LABELS[kind]}：" + "，".join(f"{OUTCOME_LABELS[o]} {n}" for o, n in counts if n))
    return "；".join(parts) or "无数据行"


def import_ledger(
    ctx: AppContext,
    path: Path,
    kinds: Sequence[str] = KINDS,
    *,
    valid_only: bool = False,
    errors_path: Path | None = None,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import the sheets of `kinds` (entities, practitioners, vehicles, vessels) found in `path`."""
    if isinstance(kinds, str):
        kinds = (kinds,)

    def summary(r: ImportResult) -> str:
        return f"导入台账（{path.name}）：{outcome_text(r)}" + (f"，{r.failed_rows} 行有误未导入" if r.failed_rows else "")

    return imports.run_import(
        ctx, path, _formats(kinds), lambda session, result: _LedgerSink(session, ctx, result), action="import.ledger",
        summary=summary, not_found=_not_found(kinds), valid_only=valid_only, errors_path=errors_path, source=source,
        mapping=mapping, progress=progress, cancel=cancel, details={"kinds": list(kinds)},
    )


def ledger_format(kind: str) -> SheetFormat:
    return FORMATS[kind]


def write_ledger_template(out: Path, kinds: Sequence[str] = KINDS) -> Path:
    """The import template: one sheet per kind (headers with notes, drop-downs, text ID columns) and 填写说明."""
    if isinstance(kinds, str):
        kinds = (kinds,)
    layouts = [FORMATS[k].layout() for k in KINDS if k in kinds]
    notes = [line for k in KINDS if k in kinds for line in L.TEMPLATE_INSTRUCTIONS[FORMATS[k].label]]
    if len(layouts) == 1:
        write_template(layouts[0], out, instructions=notes)
    else:
        write_sheets_template(layouts, out, instructions=notes)
    return out


# --- export -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportResult:
    path: Path
    counts: dict[str, int]
    revealed: bool

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "counts": self.counts, "revealed": self.revealed}


PAGE = 2000


def _entity_rows(session: Session, reveal: bool) -> Iterator[dict[str, Any]]:
    last = None
    while True:
        chunk = entity_queries.live_page_by_search_key(session, last, PAGE)
        if not chunk:
            return
        for e in chunk:
            person = e.kind == EntityKind.PERSON.value
            base = {
                "name": e.name, "identifier": e.identifier if reveal or not person else mask_id_number(e.identifier),
                "kind": EntityKind(e.kind).label, "categories": [CATEGORIES[c.category][0] for c in e.categories if c.category in CATEGORIES],
                "legal_representative": e.legal_representative, "address": e.address,
                "phone": e.phone if reveal else mask_phone(e.phone), "region_code": e.region_code,
                "status": EntityStatus(e.status).label, "notes": e.notes,
            }
            lics: list[Any] = [x for x in e.licences if x.deleted_at is None] or [None]
            for lic in lics:
                yield base | ({"licence_type": lic.licence_type, "licence_number": lic.number, "licence_from": lic.valid_from,
                               "licence_to": lic.valid_to} if isinstance(lic, Licence) else {})
        last = chunk[-1].search_key
        session.expunge_all()


def _practitioner_rows(session: Session, reveal: bool) -> Iterator[dict[str, Any]]:
    rows = fleet_queries.qualifications_with_people(session, limit=None)
    employers: dict[uuid.UUID, tuple[str, str]] = {}
    for person_id, ident, name in entity_queries.live_employer_links(session):
        employers.setdefault(person_id, (ident, name))
    for q, e in rows:
        emp = employers.get(e.id, ("", ""))
        masked_cert = q.cert_no if reveal else (mask_id_number(q.cert_no) if len(q.cert_no) >= 15 else q.cert_no)
        yield {"name": e.name, "identifier": e.identifier if reveal else mask_id_number(e.identifier), "cert_no": masked_cert,
               "qualification_class": q.qualification_class, "first_issued_on": q.first_issued_on, "valid_to": q.valid_to,
               "phone": e.phone if reveal else mask_phone(e.phone), "employer": emp[0], "employer_name": emp[1]}


def _vehicle_rows(session: Session) -> Iterator[dict[str, Any]]:
    for v, e in fleet_queries.vehicles_with_operators(session, limit=None):
        yield {"plate": v.plate, "plate_colour": v.plate_colour, "operator": e.identifier, "operator_name": e.name,
               "transport_cert_no": v.transport_cert_no, "vehicle_type": v.vehicle_type, "tonnage": v.tonnage, "seats": v.seats,
               "cert_valid_from": v.cert_valid_from, "cert_valid_to": v.cert_valid_to, "status": VEHICLE_STATUSES.get(v.status, v.status),
               "notes": v.notes}


def _vessel_rows(session: Session) -> Iterator[dict[str, Any]]:
    for v, e in fleet_queries.vessels_with_operators(session, limit=None):
        yield {"name": v.name, "ship_id": v.ship_id, "operator": e.identifier, "operator_name": e.name,
               "transport_cert_no": v.transport_cert_no, "vessel_type": v.vessel_type, "gross_tonnage": v.gross_tonnage,
               "deadweight": v.deadweight, "cert_valid_from": v.cert_valid_from, "cert_valid_to": v.cert_valid_to,
               "status": VEHICLE_STATUSES.get(v.status, v.status), "notes": v.notes}


def export_ledger(ctx: AppContext, out: Path, kinds: Sequence[str] = KINDS, *, reveal: bool = False) -> ExportResult:
    """The registry (or the chosen kinds) as .xlsx in the import layouts, one sheet per kind. Persons' ID numbers,
    从业资格证号 and phone numbers are masked unless `reveal` (right REVEAL_PERSONAL, audited)."""
    audit.require(ctx, Permission.EXPORT)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    if isinstance(kinds, str):
        kinds = (kinds,)
    _formats(kinds)
    out = Path(out)
    with atomic_output(out) as tmp, ctx.transaction() as session:
        parts: list[tuple[Layout, Iterator[dict[str, Any]]]] = []
        for kind in KINDS:
            if kind not in kinds:
                continue
            layout = FORMATS[kind].layout()
            rows = {"entities": lambda: _entity_rows(session, reveal), "practitioners": lambda: _practitioner_rows(session, reveal),
                    "vehicles": lambda: _vehicle_rows(session), "vessels": lambda: _vessel_rows(session)}[kind]()
            parts.append((layout, rows))
        written = write_batch(tmp, parts)
        counts = {k: n for k, n in zip([k for k in KINDS if k in kinds], written)}
        audit.write(
            session, ctx, "export.ledger",
            f"导出台账：{'，'.join(f'{KIND_LABELS[k]} {n} 行' for k, n in counts.items())}" + ("（含完整个人信息）" if reveal else ""),
            details={"file": out.name, "counts": counts, "revealed": reveal},
        )
    return ExportResult(out, counts, reveal)
