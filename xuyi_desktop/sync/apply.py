"""Applying one shipped change to the business tables, through the merge of sync/conflicts.py.

`entity` is an aggregate: its image (services/entities.snapshot) carries its categories and licences,
which are applied from it. Every other table is rebuilt from its full row image (storage/snapshots.row_image).
Received changes are also written to change_log under their origin office and seq, so a record's history
shows them; they are never re-recorded as changes of this office.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.domain.search_keys import name_key, pinyin_keys
from xuyi_desktop.storage import counters
from xuyi_desktop.storage.all_models import Base
from xuyi_desktop.storage.models import ChangeLog, Entity, EntityCategory, Licence
from xuyi_desktop.storage.models_sync import SyncConflict, SyncRecordState
from xuyi_desktop.storage.search_index import IndexRow, SearchIndex
from xuyi_desktop.storage.snapshots import row_image
from xuyi_desktop.sync import conflicts as merge_rules

ENTITY_SCALARS = ("kind", "name", "identifier", "check_override_reason", "legal_representative", "address", "phone",
                  "region_code", "status", "notes")
SEARCH_KEY_COUNTER = "entity_search_key"


def _model_for(table: str) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_  # type: ignore[no-any-return]
    return None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def entity_image(entity: Entity) -> dict[str, Any]:
    from xuyi_desktop.services.entities import snapshot

    image = snapshot(entity)
    image.pop("version", None)
    return image


def _write_entity(session: Session, index: SearchIndex, entity: Entity | None, image: dict[str, Any],
                  change: dict[str, Any]) -> Entity:
    office = change["office"]
    if entity is None:
        entity = Entity(id=uuid.UUID(change["record_id"]), search_key=counters.reserve(session, SEARCH_KEY_COUNTER),
                        created_office=office, updated_office=office, categories=[], licences=[])
        session.add(entity)
    for f in ENTITY_SCALARS:
        if f in image:
            setattr(entity, f, image[f])
    full, initials = pinyin_keys(entity.name)
    entity.name_pinyin, entity.name_initials, entity.name_key = full, initials, name_key(entity.name)
    entity.updated_office = office
    wanted = list(image.get("categories") or [])
    have = {c.category for c in entity.categories}
    entity.categories = [c for c in entity.categories if c.category in wanted] + [
        EntityCategory(category=c) for c in wanted if c not in have
    ]
    listed = {lic["id"]: lic for lic in image.get("licences") or []}
    rows = {str(lic.id): lic for lic in entity.licences}
    at = _datetime(change["at"])
    for lid, lic in listed.items():
        row = rows.get(lid) or session.get(Licence, uuid.UUID(lid))
        if row is None:
            row = Licence(id=uuid.UUID(lid), licence_type=lic["licence_type"], number=lic["number"],
                          created_office=office, updated_office=office)
            entity.licences.append(row)
        row.licence_type, row.number = lic["licence_type"], lic["number"]
        row.valid_from, row.valid_to = _date(lic.get("valid_from")), _date(lic.get("valid_to"))
        if lic.get("deleted") and row.deleted_at is None:
            row.deleted_at = at
        elif not lic.get("deleted") and row.deleted_at is not None:
            row.deleted_at = None
    for lid, row in rows.items():
        if lid not in listed and row.deleted_at is None:
            row.deleted_at = at
    if image.get("deleted") and entity.deleted_at is None:
        entity.deleted_at = at
    elif not image.get("deleted") and entity.deleted_at is not None:
        entity.deleted_at = None
    session.flush()
    if entity.deleted_at is None:
        index.index(session, [IndexRow(entity.search_key, entity.name, entity.name_pinyin, entity.name_initials)])
    else:
        index.remove(session, [entity.search_key])
    return entity


def _write_row(session: Session, model: type[Any], row: Any, image: dict[str, Any], change: dict[str, Any]) -> None:
    table = model.__table__
    if row is None:
        row = model(id=uuid.UUID(change["record_id"]), created_office=change["office"])
        session.add(row)
    for column in table.columns:
        name = column.key
        if name in merge_rules.BOOKKEEPING or name not in image:
            continue
        value = image[name]
        if value is not None:
            try:
                python_type = column.type.python_type
            except NotImplementedError:
                python_type = None
            if python_type is uuid.UUID:
                value = uuid.UUID(value)
            elif python_type is dt.datetime:
                value = _datetime(value)
            elif python_type is dt.date:
                value = _date(value)
        setattr(row, name, value)
    row.updated_office = change["office"]
    session.flush()


def log_change(session: Session, change: dict[str, Any]) -> None:
    """The received change in change_log, under its origin office and sequence number."""
    session.add(ChangeLog(
        id=uuid.UUID(change["id"]), office_code=change["office"], seq=int(change["seq"]), at=_datetime(change["at"]),
        actor=change.get("actor", ""), table_name=change["table"], record_id=uuid.UUID(change["record_id"]),
        action=change["action"], record_version=int(change.get("version") or 0), summary=change.get("summary", ""),
        before_json=None if change.get("before") is None else json.dumps(change["before"], ensure_ascii=False, sort_keys=True),
        after_json=None if change.get("after") is None else json.dumps(change["after"], ensure_ascii=False, sort_keys=True),
    ))


def record_state(session: Session, table: str, record_id: uuid.UUID) -> SyncRecordState:
    state = session.get(SyncRecordState, (table, record_id))
    if state is None:
        state = SyncRecordState(table_name=table, record_id=record_id, max_stamp=0, fields_json="{}")
        session.add(state)
    return state


def current_image(session: Session, table: str, record_id: uuid.UUID) -> tuple[Any, dict[str, Any] | None]:
    if table == "entity":
        entity = session.get(Entity, record_id)
        return entity, (entity_image(entity) if entity is not None else None)
    model = _model_for(table)
    if model is None:
        return None, None
    row = session.get(model, record_id)
    return row, (row_image(row) if row is not None else None)


def apply_change(session: Session, index: SearchIndex, change: dict[str, Any], change_ids: dict[Any, str]) -> int:
    """Merge one received change into the database; returns the number of conflicts logged."""
    table, record_id = change["table"], uuid.UUID(change["record_id"])
    if table != "entity" and _model_for(table) is None:
        raise KeyError(table)
    state_row = record_state(session, table, record_id)
    state = merge_rules.load_state(state_row.fields_json)
    row, current = current_image(session, table, record_id)
    image, found, changed = merge_rules.merge(current, state, change, change_ids)
    if changed:
        if table == "entity":
            _write_entity(session, index, row, image, change)
        else:
            model = _model_for(table)
            assert model is not None
            _write_row(session, model, row, image, change)
    state_row.fields_json = merge_rules.dump_state(state)
    state_row.max_stamp = max(state_row.max_stamp or 0, int(change["stamp"]))
    for c in found:
        session.add(SyncConflict(
            table_name=table, record_id=record_id, field=c.field, kind=c.kind,
            winner_json=json.dumps(c.winner, ensure_ascii=False), loser_json=json.dumps(c.loser, ensure_ascii=False),
            winner_office=c.winner_office, loser_office=c.loser_office, winner_change=c.winner_change,
            loser_change=c.loser_change,
        ))
    log_change(session, change)
    return len(found)


def stamp_local(session: Session, change: dict[str, Any], at_us: int) -> int:
    """Give a local change its merge stamp (above every stamp the record has here) and record it as the
    holder of the fields it changed. Returns the stamp."""
    record_id = uuid.UUID(change["record_id"])
    state_row = record_state(session, change["table"], record_id)
    stamp = max(at_us, (state_row.max_stamp or 0) + 1)
    change["stamp"] = stamp
    state = merge_rules.load_state(state_row.fields_json)
    key = merge_rules.change_key(change)
    before = change.get("before") or {}
    for f in merge_rules.modified_fields(change):
        state[f] = merge_rules.FieldState(key, before.get(f) if before else None)
    state_row.fields_json = merge_rules.dump_state(state)
    state_row.max_stamp = stamp
    return stamp


__all__ = ["apply_change", "current_image", "log_change", "select", "stamp_local"]
