"""Vehicle and vessel lookups for the one search box: by plate (whole, prefix, or without the province character),
by 道路运输证号, by 船舶识别号, 营业运输证号 or vessel name. Each step is one indexed query; the hits name their
operator, so a plate typed at the counter finds the operator and says which vehicle matched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_fleet import Vehicle, Vessel


@dataclass(frozen=True)
class FleetHit:
    operator_id: uuid.UUID
    kind: str  # vehicle / vessel
    record_id: uuid.UUID
    label: str  # what matched, as the clerk reads it: 车辆 苏H12345（黄色） / 船舶 苏盱眙货1234（CN…）


def _prefix(column, prefix: str):
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def _vehicle_label(v: Vehicle) -> str:
    return f"车辆 {v.plate}（{v.plate_colour}）"


def _vessel_label(v: Vessel) -> str:
    return f"船舶 {v.name}（{v.ship_id}）"


def search(session: Session, plate: str, number: str, limit: int = 20) -> list[FleetHit]:
    """`plate` is the query as a plate would be normalised (苏H12345), `number` as an identifier would be
    (CN2012…, 320830…); either may be empty. Exact matches first, then prefixes."""
    hits: list[FleetHit] = []
    seen: set[uuid.UUID] = set()
    live_v, live_s = Vehicle.deleted_at.is_(None), Vessel.deleted_at.is_(None)

    def take_vehicles(cond) -> None:
        if len(hits) >= limit:
            return
        for v in session.execute(select(Vehicle).where(cond, live_v).order_by(Vehicle.plate).limit(limit)).scalars():
            if v.id not in seen:
                seen.add(v.id)
                hits.append(FleetHit(v.operator_id, "vehicle", v.id, _vehicle_label(v)))

    def take_vessels(cond) -> None:
        if len(hits) >= limit:
            return
        for v in session.execute(select(Vessel).where(cond, live_s).order_by(Vessel.name).limit(limit)).scalars():
            if v.id not in seen:
                seen.add(v.id)
                hits.append(FleetHit(v.operator_id, "vessel", v.id, _vessel_label(v)))

    if plate and len(plate) >= 2 and not plate.isascii():
        take_vehicles(Vehicle.plate == plate)
        if len(plate) >= 3:
            take_vehicles(_prefix(Vehicle.plate, plate))
        take_vessels(Vessel.name == plate)
        if len(plate) >= 3:
            take_vessels(_prefix(Vessel.name, plate))
    if number and len(number) >= 4 and number.isascii() and number.isalnum():
        take_vehicles(Vehicle.plate_tail == number)
        take_vehicles(Vehicle.transport_cert_no == number)
        take_vessels(Vessel.ship_id == number)
        take_vessels(Vessel.transport_cert_no == number)
        if len(number) >= 5:
            take_vehicles(_prefix(Vehicle.plate_tail, number))
            take_vessels(_prefix(Vessel.ship_id, number))
    return hits[:limit]
