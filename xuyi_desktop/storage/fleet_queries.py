"""Vehicle and vessel lookups for the one search box: by plate (whole, prefix, or without the province character),
by 道路运输证号, by 船舶识别号, 营业运输证号 or vessel name. Each step is one indexed query; the hits name their
operator, so a plate typed at the counter finds the operator and says which vehicle matched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal, select, union_all
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


def search(session: Session, plate: str, number: str, limit: int = 20) -> list[FleetHit]:
    """`plate` is the query as a plate would be normalised (苏H12345), `number` as an identifier would be
    (CN2012…, 320830…); either may be empty. Exact matches first, then prefixes.

    Every step (at most ten, each an indexed lookup ordered and limited on its own) runs in ONE statement: a UNION ALL
    of the steps, each numbered and its rows ranked in its own order; the hits are taken in step order."""
    live_v, live_s = Vehicle.deleted_at.is_(None), Vessel.deleted_at.is_(None)
    steps: list[tuple[str, Any]] = []
    if plate and len(plate) >= 2 and not plate.isascii():
        steps.append(("vehicle", Vehicle.plate == plate))
        if len(plate) >= 3:
            steps.append(("vehicle", _prefix(Vehicle.plate, plate)))
        steps.append(("vessel", Vessel.name == plate))
        if len(plate) >= 3:
            steps.append(("vessel", _prefix(Vessel.name, plate)))
    if number and len(number) >= 4 and number.isascii() and number.isalnum():
        steps += [("vehicle", Vehicle.plate_tail == number), ("vehicle", Vehicle.transport_cert_no == number),
                  ("vessel", Vessel.ship_id == number), ("vessel", Vessel.transport_cert_no == number)]
        if len(number) >= 5:
            steps += [("vehicle", _prefix(Vehicle.plate_tail, number)), ("vessel", _prefix(Vessel.ship_id, number))]
    if not steps:
        return []
    parts = []
    for i, (kind, cond) in enumerate(steps):
        if kind == "vehicle":
            cols, order, live = (Vehicle.id, Vehicle.operator_id, Vehicle.plate, Vehicle.plate_colour), Vehicle.plate, live_v
        else:
            cols, order, live = (Vessel.id, Vessel.operator_id, Vessel.name, Vessel.ship_id), Vessel.name, live_s
        inner = (select(literal(i).label("step"), *(c.label(n) for c, n in zip(cols, ("rid", "oid", "a", "b"), strict=True)),
                        func.row_number().over(order_by=order).label("rn"))
                 .where(cond, live).order_by(order).limit(limit).subquery())
        parts.append(select(inner.c.step, inner.c.rid, inner.c.oid, inner.c.a, inner.c.b, inner.c.rn))
    both = union_all(*parts).subquery()
    hits: list[FleetHit] = []
    seen: set[uuid.UUID] = set()
    for step, rid, oid, a, b, _rn in session.execute(select(both).order_by(both.c.step, both.c.rn)):
        if rid in seen or len(hits) >= limit:
            continue
        seen.add(rid)
        if steps[step][0] == "vehicle":
            hits.append(FleetHit(oid, "vehicle", rid, f"车辆 {a}（{b}）"))
        else:
            hits.append(FleetHit(oid, "vessel", rid, f"船舶 {a}（{b}）"))
    return hits[:limit]
