"""Vehicles, vessels and practitioners' qualifications: register, update, list, show. Each linked to its operator
(an organisation in the registry); each write goes through audit.insert_recorded / update_recorded (change log,
audit line, row image for sync). The ledger import calls the `*_in` functions inside its own transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy.orm import Session

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind
from xuyi_desktop.domain.errors import DomainError, FieldProblem, ValidationError
from xuyi_desktop.domain.fleet import (
    VEHICLE_STATUSES,
    PlateRules,
    QualificationDraft,
    VehicleDraft,
    VesselDraft,
    check_qualification,
    check_vehicle,
    check_vessel,
    driver_cycle,
    normalise_plate,
    parse_plate_rules,
)
from xuyi_desktop.domain.identifiers import normalise_identifier
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services._shared import read_rules, update_changed
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage import fleet_queries
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_fleet import PractitionerQualification, Vehicle, Vessel


@lru_cache(maxsize=1)
def plate_rules() -> PlateRules:
    return read_rules(parse_plate_rules, "fleet", "plates.toml")


class DuplicateRecordError(DomainError):
    """The plate (with its colour), 船舶识别号 or 从业资格证号 is already registered: the clerk is told to whom."""

    def __init__(self, what: str, owner: str) -> None:
        self.message_zh = f"{what}已登记（{owner}），请勿重复登记"
        self.message_en = "already registered"
        super().__init__(self.message_zh)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


class _OperatedView:
    """What a vehicle's and a vessel's view share: the status label and the JSON form (ids and dates as text)."""

    status: str

    @property
    def status_label(self) -> str:
        return VEHICLE_STATUSES.get(self.status, self.status)

    def to_json(self) -> dict[str, Any]:
        data = asdict(cast(Any, self))
        data.update(id=str(data["id"]), operator_id=str(data["operator_id"]), cert_valid_from=_iso(data["cert_valid_from"]),
                    cert_valid_to=_iso(data["cert_valid_to"]), status_label=self.status_label)
        return data


@dataclass(frozen=True)
class VehicleView(_OperatedView):
    id: uuid.UUID
    operator_id: uuid.UUID
    operator_name: str
    operator_identifier: str
    plate: str
    plate_colour: str
    transport_cert_no: str
    vehicle_type: str
    tonnage: float | None
    seats: int | None
    cert_valid_from: dt.date | None
    cert_valid_to: dt.date | None
    status: str
    notes: str
    version: int

    @property
    def capacity(self) -> str:
        parts = ([f"{self.tonnage:g}吨"] if self.tonnage is not None else []) + ([f"{self.seats}座"] if self.seats is not None else [])
        return "、".join(parts)


@dataclass(frozen=True)
class VesselView(_OperatedView):
    id: uuid.UUID
    operator_id: uuid.UUID
    operator_name: str
    operator_identifier: str
    name: str
    ship_id: str
    transport_cert_no: str
    vessel_type: str
    gross_tonnage: float | None
    deadweight: float | None
    cert_valid_from: dt.date | None
    cert_valid_to: dt.date | None
    status: str
    notes: str
    version: int


@dataclass(frozen=True)
class QualificationView:
    id: uuid.UUID
    entity_id: uuid.UUID
    name: str
    identifier: str  # masked unless revealed
    cert_no: str  # masked too when it is the ID number itself (it usually is)
    qualification_class: str
    first_issued_on: dt.date | None
    valid_to: dt.date | None
    cycle_start: dt.date | None  # the driver rating cycle containing today
    cycle_end: dt.date | None
    employers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(id=str(self.id), entity_id=str(self.entity_id), first_issued_on=_iso(self.first_issued_on),
                    valid_to=_iso(self.valid_to), cycle_start=_iso(self.cycle_start), cycle_end=_iso(self.cycle_end),
                    employers=list(self.employers))
        return data


def vehicle_view(v: Vehicle, operator: Entity) -> VehicleView:
    return VehicleView(v.id, v.operator_id, operator.name, operator.identifier, v.plate, v.plate_colour, v.transport_cert_no,
                       v.vehicle_type, v.tonnage, v.seats, v.cert_valid_from, v.cert_valid_to, v.status, v.notes, v.version)


def vessel_view(v: Vessel, operator: Entity) -> VesselView:
    return VesselView(v.id, v.operator_id, operator.name, operator.identifier, v.name, v.ship_id, v.transport_cert_no,
                      v.vessel_type, v.gross_tonnage, v.deadweight, v.cert_valid_from, v.cert_valid_to, v.status, v.notes, v.version)


def qualification_view(q: PractitionerQualification, person: Entity, *, reveal: bool, today: dt.date | None = None,
                       employers: tuple[str, ...] = ()) -> QualificationView:
    today = today or dt.date.today()
    cycle = driver_cycle(q.first_issued_on, today) if q.first_issued_on else (None, None)
    ident = person.identifier if reveal else (mask_id_number(person.identifier) or "")
    cert = q.cert_no if reveal or q.cert_no != person.identifier else ident
    return QualificationView(q.id, person.id, person.name, ident, cert, q.qualification_class, q.first_issued_on, q.valid_to,
                             cycle[0], cycle[1], employers)


# --- operators --------------------------------------------------------------------------------------------

def operator_of(session: Session, key: str | uuid.UUID, *, warnings: list[str] | None = None, wanted: str = "road_operator") -> Entity:
    """The operator a vehicle or vessel belongs to: an organisation, by UUID or USCC. Not being registered in the
    expected category is a warning, not a refusal (ledgers are often incomplete)."""
    from xuyi_desktop.services.ratings import resolve_entity

    entity = resolve_entity(session, key)
    if entity.kind != EntityKind.ORG.value:
        raise ValidationError(FieldProblem("operator", f"“{entity.name}”是个人，车辆和船舶应登记在经营单位名下", "operator must be an organisation"))
    if warnings is not None and wanted not in {c.category for c in entity.categories}:
        warnings.append(f"“{entity.name}”未登记为“{CATEGORIES[wanted][0]}”类别")
    return entity


# --- vehicles ---------------------------------------------------------------------------------------------

def _live_vehicle(session: Session, plate: str, colour: str) -> Vehicle | None:
    return fleet_queries.live_vehicle(session, plate, colour)


def _vehicle_values(d: VehicleDraft, operator: Entity) -> dict[str, Any]:
    return {"operator_id": operator.id, "plate": d.plate, "plate_colour": d.plate_colour, "plate_tail": d.plate[1:],
            "transport_cert_no": d.transport_cert_no, "vehicle_type": d.vehicle_type, "tonnage": d.tonnage, "seats": d.seats,
            "cert_valid_from": d.cert_valid_from, "cert_valid_to": d.cert_valid_to, "status": d.status, "notes": d.notes}


def save_vehicle_in(session: Session, ctx: AppContext, draft: VehicleDraft, *, operator: Entity | None = None,
                    update_existing: bool = False) -> tuple[Vehicle, str]:
    """Register a vehicle, or (update_existing) bring the registered one with the same plate and colour up to date.
    Returns the row and what happened: inserted / updated / unchanged. The caller checks the right."""
    d = check_vehicle(draft, plate_rules())
    operator = operator or operator_of(session, d.operator)
    existing = _live_vehicle(session, d.plate, d.plate_colour)
    values = _vehicle_values(d, operator)
    if existing is None:
        row = audit.insert_recorded(session, ctx, Vehicle(**values), summary=f"登记车辆 {d.plate}（{d.plate_colour}）：{operator.name}")
        return row, "inserted"
    if not update_existing:
        owner = session.get(Entity, existing.operator_id)
        raise DuplicateRecordError(f"车辆 {d.plate}（{d.plate_colour}）", owner.name if owner else "")
    return update_changed(session, ctx, existing, values, lambda changed: f"更新车辆 {d.plate}：{'、'.join(changed)}")


def add_vehicle(ctx: AppContext, draft: VehicleDraft) -> VehicleView:
    audit.require(ctx, Permission.ENTITY_EDIT)
    with ctx.transaction() as session:
        operator = operator_of(session, draft.operator)
        row, _ = save_vehicle_in(session, ctx, draft, operator=operator)
        return vehicle_view(row, operator)


def _vehicle_by_key(session: Session, key: str | uuid.UUID) -> Vehicle:
    row = None
    try:
        row = session.get(Vehicle, key if isinstance(key, uuid.UUID) else uuid.UUID(str(key).strip()))
    except ValueError:
        plate = normalise_plate(str(key))
        row = fleet_queries.oldest_live_vehicle_by_plate(session, plate)
    if row is None or row.deleted_at is not None:
        raise NotFoundError(f"车辆 {key}")
    return row


def get_vehicle(ctx: AppContext, key: str | uuid.UUID) -> VehicleView:
    """By id or plate."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        v = _vehicle_by_key(session, key)
        operator = session.get(Entity, v.operator_id)
        assert operator is not None
        return vehicle_view(v, operator)


def list_vehicles(ctx: AppContext, *, operator: str | uuid.UUID | None = None, plate_prefix: str = "", limit: int = 500) -> list[VehicleView]:
    audit.require(ctx, Permission.VIEW)
    from xuyi_desktop.services.ratings import resolve_entity

    with ctx.transaction() as session:
        operator_id = resolve_entity(session, operator).id if operator is not None else None
        prefix = normalise_plate(plate_prefix) if plate_prefix.strip() else None
        rows = fleet_queries.vehicles_with_operators(session, operator_id=operator_id, plate_prefix=prefix, limit=limit)
        return [vehicle_view(v, e) for v, e in rows]


# --- vessels ----------------------------------------------------------------------------------------------

def _vessel_values(d: VesselDraft, operator: Entity) -> dict[str, Any]:
    return {"operator_id": operator.id, "name": d.name, "ship_id": d.ship_id, "transport_cert_no": d.transport_cert_no,
            "vessel_type": d.vessel_type, "gross_tonnage": d.gross_tonnage, "deadweight": d.deadweight,
            "cert_valid_from": d.cert_valid_from, "cert_valid_to": d.cert_valid_to, "status": d.status, "notes": d.notes}


def save_vessel_in(session: Session, ctx: AppContext, draft: VesselDraft, *, operator: Entity | None = None,
                   update_existing: bool = False) -> tuple[Vessel, str]:
    d = check_vessel(draft, plate_rules())
    operator = operator or operator_of(session, d.operator, wanted="water_operator")
    existing = fleet_queries.live_vessel_by_ship_id(session, d.ship_id)
    values = _vessel_values(d, operator)
    if existing is None:
        row = audit.insert_recorded(session, ctx, Vessel(**values), summary=f"登记船舶 {d.name}（{d.ship_id}）：{operator.name}")
        return row, "inserted"
    if not update_existing:
        owner = session.get(Entity, existing.operator_id)
        raise DuplicateRecordError(f"船舶识别号 {d.ship_id}", f"{existing.name}，{owner.name if owner else ''}")
    return update_changed(session, ctx, existing, values, lambda changed: f"更新船舶 {d.name}：{'、'.join(changed)}")


def add_vessel(ctx: AppContext, draft: VesselDraft) -> VesselView:
    audit.require(ctx, Permission.ENTITY_EDIT)
    with ctx.transaction() as session:
        operator = operator_of(session, draft.operator, wanted="water_operator")
        row, _ = save_vessel_in(session, ctx, draft, operator=operator)
        return vessel_view(row, operator)


def get_vessel(ctx: AppContext, key: str | uuid.UUID) -> VesselView:
    """By id, 船舶识别号 or exact name."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        row = None
        try:
            row = session.get(Vessel, key if isinstance(key, uuid.UUID) else uuid.UUID(str(key).strip()))
        except ValueError:
            text = str(key).strip()
            row = fleet_queries.first_live_vessel(session, normalise_identifier(text), text)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(f"船舶 {key}")
        operator = session.get(Entity, row.operator_id)
        assert operator is not None
        return vessel_view(row, operator)


def list_vessels(ctx: AppContext, *, operator: str | uuid.UUID | None = None, limit: int = 500) -> list[VesselView]:
    audit.require(ctx, Permission.VIEW)
    from xuyi_desktop.services.ratings import resolve_entity

    with ctx.transaction() as session:
        operator_id = resolve_entity(session, operator).id if operator is not None else None
        return [vessel_view(v, e) for v, e in fleet_queries.vessels_with_operators(session, operator_id=operator_id, limit=limit)]


# --- practitioners ----------------------------------------------------------------------------------------

def save_qualification_in(session: Session, ctx: AppContext, person: Entity, draft: QualificationDraft) -> tuple[PractitionerQualification, str]:
    """Set a practitioner's 从业资格证 (one live per person; the same number on another person is refused)."""
    if person.kind != EntityKind.PERSON.value:
        raise ValidationError(FieldProblem("entity", f"“{person.name}”是单位，从业资格证应登记在个人名下", "qualification belongs to a person"))
    d = check_qualification(draft)
    taken = fleet_queries.live_qualification_by_cert_no(session, d.cert_no, other_than=person.id)
    if taken is not None:
        other = session.get(Entity, taken.entity_id)
        raise DuplicateRecordError(f"从业资格证号 {d.cert_no}", other.name if other else "")
    row = fleet_queries.live_qualification_of(session, person.id)
    values = {"cert_no": d.cert_no, "qualification_class": d.qualification_class, "first_issued_on": d.first_issued_on,
              "valid_to": d.valid_to}
    if row is None:
        row = audit.insert_recorded(session, ctx, PractitionerQualification(entity_id=person.id, **values),
                                    summary=f"登记从业资格证：{person.name}")
        return row, "inserted"
    return update_changed(session, ctx, row, values, lambda _changed: f"更新从业资格证：{person.name}")


def set_qualification(ctx: AppContext, person: str | uuid.UUID, draft: QualificationDraft) -> QualificationView:
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.ENTITY_EDIT)
    with ctx.transaction() as session:
        e = resolve_entity(session, person)
        row, _ = save_qualification_in(session, ctx, e, draft)
        return qualification_view(row, e, reveal=False)


def employers_of(session: Session, person_id: uuid.UUID) -> tuple[str, ...]:
    """Names of the live organisations a person is linked to (xuyi entity link)."""
    return tuple(dict.fromkeys(fleet_queries.employer_names(session, person_id)))


def get_qualification(ctx: AppContext, person: str | uuid.UUID, *, reveal: bool = False, today: dt.date | None = None) -> QualificationView | None:
    """A practitioner's qualification with the current driver rating cycle; None when none is registered."""
    from xuyi_desktop.services.ratings import resolve_entity

    audit.require(ctx, Permission.VIEW)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)
    with ctx.transaction() as session:
        e = resolve_entity(session, person)
        row = fleet_queries.live_qualification_of(session, e.id)
        if row is None:
            return None
        if reveal:
            audit.write(session, ctx, "personal.reveal", f"查看完整从业资格信息：{e.name}", record_table="entity", record_id=e.id)
        return qualification_view(row, e, reveal=reveal, today=today, employers=employers_of(session, e.id))


@dataclass(frozen=True)
class Fleet:
    """What an operator runs: its vehicles and vessels (the entity form lists them)."""

    vehicles: tuple[VehicleView, ...]
    vessels: tuple[VesselView, ...]


def fleet_of(ctx: AppContext, operator_id: uuid.UUID) -> Fleet:
    return Fleet(tuple(list_vehicles(ctx, operator=operator_id)), tuple(list_vessels(ctx, operator=operator_id)))


def list_qualifications(ctx: AppContext, *, query: str = "", limit: int = 500, today: dt.date | None = None) -> list[QualificationView]:
    """Practitioners with a 从业资格证 (masked), by name; `query` filters by a name fragment or the 从业资格证号 start."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        q = query.strip()
        rows = fleet_queries.qualifications_with_people(session, name_part=q, cert_prefix=normalise_identifier(q) if q else "",
                                                        limit=limit)
        return [qualification_view(r, e, reveal=False, today=today, employers=employers_of(session, e.id)) for r, e in rows]
