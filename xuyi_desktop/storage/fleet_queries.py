"""Vehicle and vessel lookups for the one search box: by plate (whole, prefix, or without the province character),
by 道路运输证号, by 船舶识别号, 营业运输证号 or vessel name. Each step is one indexed query; the hits name their
operator, so a plate typed at the counter finds the operator and says which vehicle matched."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    Dialect,
    Executable,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from xuyi_desktop.storage.entity_queries import DriverStatement, result_converter
from xuyi_desktop.storage.models import Entity, EntityRelation
from xuyi_desktop.storage.models_fleet import PractitionerQualification, Vehicle, Vessel


@dataclass(frozen=True)
class FleetHit:
    operator_id: uuid.UUID
    kind: str  # vehicle / vessel
    record_id: uuid.UUID
    label: str  # what matched, as the clerk reads it: 车辆 苏H12345（黄色） / 船舶 苏盱眙货1234（CN…）


# The statement of `search` for each shape of query: which plate steps (none, exact only, exact and prefix) and which
# number steps apply. Nine shapes at most, each built once on first use and then only run with its parameters (building
# the SQLAlchemy statement per call was about half of a name search, issue 17).
_PLATE_LO: BindParameter[str] = bindparam("plate", type_=String)
_PLATE_HI: BindParameter[str] = bindparam("plate_hi", type_=String)
_NUMBER_LO: BindParameter[str] = bindparam("number", type_=String)
_NUMBER_HI: BindParameter[str] = bindparam("number_hi", type_=String)
_LIMIT: BindParameter[int] = bindparam("n", type_=Integer)
_SEARCHES: dict[tuple[int, int], tuple[tuple[str, ...], Executable]] = {}


def _prefix(column: Any, lo: Any, hi: Any) -> Any:
    return and_(column >= lo, column < hi)


def _search_statement(plate_steps: int, number_steps: int) -> tuple[tuple[str, ...], Executable]:
    """The kinds of the steps and their UNION ALL for this shape (plate_steps 0/1/2, number_steps 0/1/2: none,
    exact only, exact and prefix); the steps in the order `search` documents."""
    key = (plate_steps, number_steps)
    built = _SEARCHES.get(key)
    if built is not None:
        return built
    steps: list[tuple[str, Any]] = []
    if plate_steps:
        steps.append(("vehicle", Vehicle.plate == _PLATE_LO))
        if plate_steps > 1:
            steps.append(("vehicle", _prefix(Vehicle.plate, _PLATE_LO, _PLATE_HI)))
        steps.append(("vessel", Vessel.name == _PLATE_LO))
        if plate_steps > 1:
            steps.append(("vessel", _prefix(Vessel.name, _PLATE_LO, _PLATE_HI)))
    if number_steps:
        steps += [("vehicle", Vehicle.plate_tail == _NUMBER_LO), ("vehicle", Vehicle.transport_cert_no == _NUMBER_LO),
                  ("vessel", Vessel.ship_id == _NUMBER_LO), ("vessel", Vessel.transport_cert_no == _NUMBER_LO)]
        if number_steps > 1:
            steps += [("vehicle", _prefix(Vehicle.plate_tail, _NUMBER_LO, _NUMBER_HI)),
                      ("vessel", _prefix(Vessel.ship_id, _NUMBER_LO, _NUMBER_HI))]
    live_v, live_s = Vehicle.deleted_at.is_(None), Vessel.deleted_at.is_(None)
    parts = []
    for i, (kind, cond) in enumerate(steps):
        if kind == "vehicle":
            cols, order, live = (Vehicle.id, Vehicle.operator_id, Vehicle.plate, Vehicle.plate_colour), Vehicle.plate, live_v
        else:
            cols, order, live = (Vessel.id, Vessel.operator_id, Vessel.name, Vessel.ship_id), Vessel.name, live_s
        inner = (select(literal(i).label("step"), *(c.label(n) for c, n in zip(cols, ("rid", "oid", "a", "b"), strict=True)),
                        func.row_number().over(order_by=order).label("rn"))
                 .where(cond, live).order_by(order).limit(_LIMIT).subquery())
        parts.append(select(inner.c.step, inner.c.rid, inner.c.oid, inner.c.a, inner.c.b, inner.c.rn))
    both = union_all(*parts).subquery()
    built = (tuple(kind for kind, _ in steps), select(both).order_by(both.c.step, both.c.rn))
    _SEARCHES[key] = built
    return built


_DRIVER: dict[tuple[int, int], DriverStatement] = {}


def _driver_statement(dialect: Dialect, plate_steps: int, number_steps: int) -> DriverStatement:
    """The SQLite driver's form of the statement of this shape (see entity_queries.DriverStatement)."""
    built = _DRIVER.get((plate_steps, number_steps))
    if built is None:
        built = DriverStatement.compile(_search_statement(plate_steps, number_steps)[1], dialect,
                                        ("plate", "plate_hi", "number", "number_hi", "n"))
        _DRIVER[(plate_steps, number_steps)] = built
    return built


def search(session: Session, plate: str, number: str, limit: int = 20) -> list[FleetHit]:
    """`plate` is the query as a plate would be normalised (苏H12345), `number` as an identifier would be
    (CN2012…, 320830…); either may be empty. Exact matches first, then prefixes.

    Every step (at most ten, each an indexed lookup ordered and limited on its own) runs in ONE statement: a UNION ALL
    of the steps, each numbered and its rows ranked in its own order; the hits are taken in step order."""
    plate_steps = (2 if len(plate) >= 3 else 1) if plate and len(plate) >= 2 and not plate.isascii() else 0
    number_steps = ((2 if len(number) >= 5 else 1)
                    if number and len(number) >= 4 and number.isascii() and number.isalnum() else 0)
    if not plate_steps and not number_steps:
        return []
    kinds, stmt = _search_statement(plate_steps, number_steps)
    # Plain rows need no ORM result machinery: run on the session's connection (same transaction), after the flush
    # the ORM statement would have made (a caller may have pending vehicles).
    if session.autoflush:
        session.flush()
    params = {"plate": plate, "plate_hi": plate + "\U0010ffff", "number": number, "number_hi": number + "\U0010ffff",
              "n": limit}
    conn = session.connection()
    rows: Sequence[Any]
    if conn.dialect.name == "sqlite":
        # the driver runs the same statement (see entity_queries.DriverStatement): a third of what SQLAlchemy's
        # execution took for a search that finds no vehicle (most); the ids converted as the Uuid type would
        rows = _driver_statement(conn.dialect, plate_steps, number_steps).run(
            conn.connection.driver_connection, params).fetchall()
        as_id = result_converter(Vehicle.id, conn.dialect)
    else:
        rows, as_id = conn.execute(stmt, params).all(), None
    hits: list[FleetHit] = []
    seen: set[Any] = set()
    for step, record_id, operator_id, a, b, _rn in rows:
        if record_id in seen or len(hits) >= limit:
            continue
        seen.add(record_id)
        rid, oid = (record_id, operator_id) if as_id is None else (as_id(record_id), as_id(operator_id))
        if kinds[step] == "vehicle":
            hits.append(FleetHit(oid, "vehicle", rid, f"车辆 {a}（{b}）"))
        else:
            hits.append(FleetHit(oid, "vessel", rid, f"船舶 {a}（{b}）"))
    return hits[:limit]


# --- the fleet services' lookups (issue 18: the statements moved here from services/fleet.py and overload.py) ---

def live_vehicle(session: Session, plate: str, colour: str) -> Vehicle | None:
    """The live vehicle with this plate and plate colour (at most one)."""
    return session.execute(select(Vehicle).where(Vehicle.plate == plate, Vehicle.plate_colour == colour,
                                                 Vehicle.deleted_at.is_(None))).scalar_one_or_none()


def live_vehicles_by_plate(session: Session, plate: str, colour: str = "") -> list[Vehicle]:
    """The live vehicles with this plate (of this colour when one is given)."""
    stmt = select(Vehicle).where(Vehicle.plate == plate, Vehicle.deleted_at.is_(None))
    if colour:
        stmt = stmt.where(Vehicle.plate_colour == colour)
    return list(session.execute(stmt).scalars())


def first_live_vehicle_by_plate(session: Session, plate: str) -> Vehicle | None:
    """A live vehicle with this plate (any colour; no order asked)."""
    return session.execute(select(Vehicle).where(Vehicle.plate == plate, Vehicle.deleted_at.is_(None))).scalars().first()


def oldest_live_vehicle_by_plate(session: Session, plate: str) -> Vehicle | None:
    """The first registered live vehicle with this plate (any colour)."""
    return session.execute(select(Vehicle).where(Vehicle.plate == plate, Vehicle.deleted_at.is_(None))
                           .order_by(Vehicle.created_at)).scalars().first()


def vehicles_with_operators(session: Session, *, operator_id: uuid.UUID | None = None, plate_prefix: str | None = None,
                            limit: int | None = 500) -> list[tuple[Vehicle, Entity]]:
    """Live vehicles with their operator, by plate; plate_prefix is a normalised plate start; limit None: all."""
    stmt = select(Vehicle, Entity).join(Entity, Entity.id == Vehicle.operator_id).where(Vehicle.deleted_at.is_(None))
    if operator_id is not None:
        stmt = stmt.where(Vehicle.operator_id == operator_id)
    if plate_prefix is not None:
        stmt = stmt.where(Vehicle.plate >= plate_prefix, Vehicle.plate < plate_prefix + "\U0010ffff")
    return [(v, e) for v, e in session.execute(stmt.order_by(Vehicle.plate).limit(limit))]


def live_plates_by_id(session: Session) -> dict[str, str]:
    """Every live vehicle's plate by its id (as text)."""
    return {str(v.id): v.plate for v in session.execute(select(Vehicle).where(Vehicle.deleted_at.is_(None))).scalars()}


def live_vessel_by_ship_id(session: Session, ship_id: str) -> Vessel | None:
    return session.execute(select(Vessel).where(Vessel.ship_id == ship_id, Vessel.deleted_at.is_(None))).scalar_one_or_none()


def first_live_vessel(session: Session, ship_id: str, name: str) -> Vessel | None:
    """A live vessel whose 船舶识别号 is ship_id or whose name is name."""
    return session.execute(select(Vessel).where(Vessel.deleted_at.is_(None),
                                                (Vessel.ship_id == ship_id) | (Vessel.name == name))).scalars().first()


def vessels_with_operators(session: Session, *, operator_id: uuid.UUID | None = None,
                           limit: int | None = 500) -> list[tuple[Vessel, Entity]]:
    """Live vessels with their operator, by name; limit None: all."""
    stmt = select(Vessel, Entity).join(Entity, Entity.id == Vessel.operator_id).where(Vessel.deleted_at.is_(None))
    if operator_id is not None:
        stmt = stmt.where(Vessel.operator_id == operator_id)
    return [(v, e) for v, e in session.execute(stmt.order_by(Vessel.name).limit(limit))]


def live_qualification_by_cert_no(session: Session, cert_no: str, *, other_than: uuid.UUID | None = None) -> PractitionerQualification | None:
    """The live 从业资格证 with this number (held by someone other than other_than, when given)."""
    stmt = select(PractitionerQualification).where(PractitionerQualification.cert_no == cert_no,
                                                   PractitionerQualification.deleted_at.is_(None))
    if other_than is not None:
        stmt = stmt.where(PractitionerQualification.entity_id != other_than)
    return session.execute(stmt).scalar_one_or_none()


def live_qualification_of(session: Session, person_id: uuid.UUID) -> PractitionerQualification | None:
    """The person's live 从业资格证 (one per person)."""
    return session.execute(select(PractitionerQualification).where(
        PractitionerQualification.entity_id == person_id, PractitionerQualification.deleted_at.is_(None))).scalar_one_or_none()


def employer_names(session: Session, person_id: uuid.UUID) -> list[str]:
    """Names of the live organisations linked to the person, by name (repeats kept)."""
    return list(session.execute(
        select(Entity.name).join(EntityRelation, EntityRelation.org_id == Entity.id).where(
            EntityRelation.person_id == person_id, EntityRelation.deleted_at.is_(None), Entity.deleted_at.is_(None))
        .order_by(Entity.name)
    ).scalars())


def qualifications_with_people(session: Session, *, name_part: str = "", cert_prefix: str = "",
                               limit: int | None = 500) -> list[tuple[PractitionerQualification, Entity]]:
    """Live qualifications of live people, by pinyin name; with name_part, only a name containing it or a
    证号 starting with cert_prefix; limit None: all."""
    stmt = select(PractitionerQualification, Entity).join(Entity, Entity.id == PractitionerQualification.entity_id).where(
        PractitionerQualification.deleted_at.is_(None), Entity.deleted_at.is_(None))
    if name_part:
        stmt = stmt.where((Entity.name.contains(name_part)) | (PractitionerQualification.cert_no.startswith(cert_prefix)))
    return [(r, e) for r, e in session.execute(stmt.order_by(Entity.name_pinyin).limit(limit))]
