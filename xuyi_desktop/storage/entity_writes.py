"""The one writer of entity rows, shared by the services (register, the ledger imports' EntityWriter) and by sync
apply (issue 18: one writer per record kind). Storage-level, so that sync/ and services/ both use it without sync
importing services.

- `snapshot`: the before/after image of an entity kept in change_log and shipped by sync (also of a `NewEntity`).
- `new_entity` builds the rows of a new entity (entity, categories, licences) in one place; `insert_new` writes a
  list of them with one executemany per table (no ORM unit of work: a package after days offline or a ledger
  import creates thousands at once).
- `apply_image` brings an ORM entity (created if None) to an image: what sync apply does with a merged image and
  what a reviewer's conflict decision does.

The rules around a write (look-alike names, identifier uniqueness, the change log, the audit chain) stay with the
callers; this module only turns values into rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session

from xuyi_desktop.domain.search_keys import name_key, pinyin_keys
from xuyi_desktop.storage import counters
from xuyi_desktop.storage.change_log import insert_rows
from xuyi_desktop.storage.models import Entity, EntityCategory, Licence
from xuyi_desktop.storage.search_index import IndexRow, SearchIndex

SEARCH_KEY_COUNTER = "entity_search_key"
#: the entity's own fields in its image (besides id, version, deleted, categories, licences)
ENTITY_SCALARS = ("kind", "name", "identifier", "check_override_reason", "legal_representative", "address", "phone",
                  "region_code", "status", "notes")
ENTITY_COLUMNS = tuple(c.key for c in Entity.__table__.columns)
ENTITY_DEFAULTS: dict[str, Any] = {
    c.key: (c.default.arg if c.default is not None and not callable(c.default.arg) else None)
    for c in Entity.__table__.columns
}


def _table(model: type) -> Table:
    """The mapped class's Table, typed as one (__table__ is declared a FromClause)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def snapshot(entity: Any) -> dict[str, Any]:
    """The before/after image kept in the change log (and shipped by sync) of an Entity or a NewEntity."""
    return {
        "id": str(entity.id),
        "kind": entity.kind,
        "name": entity.name,
        "identifier": entity.identifier,
        "check_override_reason": entity.check_override_reason,
        "legal_representative": entity.legal_representative,
        "address": entity.address,
        "phone": entity.phone,
        "region_code": entity.region_code,
        "status": entity.status,
        "notes": entity.notes,
        "categories": sorted(c.category for c in entity.categories),
        "licences": [
            {
                "id": str(lic.id),
                "licence_type": lic.licence_type,
                "number": lic.number,
                "valid_from": lic.valid_from.isoformat() if lic.valid_from else None,
                "valid_to": lic.valid_to.isoformat() if lic.valid_to else None,
                "deleted": lic.deleted_at is not None,
            }
            for lic in entity.licences
        ],
        "version": entity.version,
        "deleted": entity.deleted_at is not None,
    }


class NewLicence:
    """A licence row of a new entity, written by insert_new (no ORM object)."""

    __slots__ = ("created_at", "created_office", "deleted_at", "entity_id", "id", "licence_type", "number",
                 "updated_at", "updated_office", "valid_from", "valid_to", "version")
    id: uuid.UUID
    entity_id: uuid.UUID
    licence_type: str
    number: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    created_office: str
    updated_office: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    deleted_at: dt.datetime | None

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


class NewCategory:
    __slots__ = ("category",)

    def __init__(self, category: str) -> None:
        self.category = category


class NewEntity:
    """An entity not written yet: a plain object with the attributes `snapshot` (and sync's identifier claim) read,
    inserted with Core by insert_new."""

    __slots__ = ("categories", "licences", *ENTITY_COLUMNS)
    categories: list[NewCategory]
    licences: list[NewLicence]

    if TYPE_CHECKING:  # the entity's columns, set one by one from ENTITY_COLUMNS
        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def values(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ENTITY_COLUMNS}


#: a licence of a new entity: (id, licence_type, number, valid_from, valid_to, deleted_at)
LicenceValues = tuple[uuid.UUID, str, str, "dt.date | None", "dt.date | None", "dt.datetime | None"]


def new_entity(entity_id: uuid.UUID, scalars: Mapping[str, Any], *, search_key: int, office: str, now: dt.datetime,
               deleted_at: dt.datetime | None, categories: Iterable[str], licences: Iterable[LicenceValues]) -> NewEntity:
    """The rows of a new entity (version 1, created and updated now by `office`): the scalar fields a mapping does
    not give take the column defaults; the search keys are derived from the name here, as every writer does."""
    e = NewEntity()
    e.id = entity_id
    for f in ENTITY_SCALARS:
        setattr(e, f, scalars.get(f, ENTITY_DEFAULTS[f]))
    e.name_pinyin, e.name_initials = pinyin_keys(e.name)
    e.name_key = name_key(e.name)
    e.search_key, e.created_office, e.updated_office = search_key, office, office
    e.created_at = e.updated_at = now
    e.version = 1
    e.deleted_at = deleted_at
    e.categories = [NewCategory(c) for c in categories]
    e.licences = []
    for lid, licence_type, number, valid_from, valid_to, lic_deleted in licences:
        row = NewLicence()
        row.id, row.entity_id = lid, entity_id
        row.licence_type, row.number = licence_type, number
        row.valid_from, row.valid_to = valid_from, valid_to
        row.created_office = row.updated_office = office
        row.created_at = row.updated_at = now
        row.version = 1
        row.deleted_at = lic_deleted
        e.licences.append(row)
    return e


def insert_new(conn: Connection, entities: list[NewEntity]) -> None:
    """Insert new entities, their categories and licences: one DB-API executemany of plain tuples per table
    (change_log.insert_rows), through the Connection (the caller decides what of the ORM's pending state is flushed
    first)."""
    if not entities:
        return
    get = attrgetter(*ENTITY_COLUMNS)
    insert_rows(conn, _table(Entity), ENTITY_COLUMNS, [get(e) for e in entities])
    insert_rows(conn, _table(EntityCategory), ("entity_id", "category"),
                [(e.id, c.category) for e in entities for c in e.categories])
    lic_get = attrgetter(*NewLicence.__slots__)
    insert_rows(conn, _table(Licence), NewLicence.__slots__, [lic_get(lic) for e in entities for lic in e.licences])


def index_row(entity: Any) -> IndexRow:
    """The full-text index row of an entity (ORM or new)."""
    return IndexRow(entity.search_key, entity.name, entity.name_pinyin, entity.name_initials)


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date of an image (None for none)."""
    return dt.date.fromisoformat(text) if text else None


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO time of an image or change (naive ones are UTC)."""
    if not text:
        return None
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def apply_image(session: Session, index: SearchIndex | None, entity: Entity | None, image: dict[str, Any],
                change: dict[str, Any], search_key: int | None = None) -> Entity:
    """Write an entity image onto its row (created if None), as `change` (its office, its time `at`) says. With
    index None the caller updates the full-text index (sync's batch does it once at its end) and flushes."""
    office = change["office"]
    if entity is None:
        key = search_key if search_key is not None else counters.reserve(session, SEARCH_KEY_COUNTER)
        entity = Entity(id=uuid.UUID(change["record_id"]), search_key=key,
                        created_office=office, updated_office=office, categories=[], licences=[])
        session.add(entity)
    for f in ENTITY_SCALARS:
        if f in image and getattr(entity, f) != image[f]:
            setattr(entity, f, image[f])
    if entity.name_key != name_key(entity.name) or not entity.name_pinyin:
        full, initials = pinyin_keys(entity.name)
        entity.name_pinyin, entity.name_initials, entity.name_key = full, initials, name_key(entity.name)
    entity.updated_office = office
    wanted = list(image.get("categories") or [])
    have = {c.category for c in entity.categories}
    if have != set(wanted):
        entity.categories = [c for c in entity.categories if c.category in wanted] + [
            EntityCategory(category=c) for c in wanted if c not in have
        ]
    listed = {lic["id"]: lic for lic in image.get("licences") or []}
    rows = {str(lic.id): lic for lic in entity.licences}
    at = parse_time(change.get("at"))
    for lid, lic in listed.items():
        row = rows.get(lid) or session.get(Licence, uuid.UUID(lid))
        if row is None:
            row = Licence(id=uuid.UUID(lid), licence_type=lic["licence_type"], number=lic["number"],
                          created_office=office, updated_office=office)
            entity.licences.append(row)
        row.licence_type, row.number = lic["licence_type"], lic["number"]
        row.valid_from, row.valid_to = parse_date(lic.get("valid_from")), parse_date(lic.get("valid_to"))
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
    if index is not None:
        session.flush()
        if entity.deleted_at is None:
            index.index(session, [index_row(entity)])
        else:
            index.remove(session, [entity.search_key])
    return entity


def image_new_entity(image: dict[str, Any], change: dict[str, Any], search_key: int, now: dt.datetime,
                     entity_id: uuid.UUID | None = None) -> NewEntity:
    """What apply_image makes of an image when the entity does not exist yet (same values, same defaults), as a
    NewEntity for insert_new: categories and licences once each, deleted ones dated by the change (`entity_id`:
    the change's record id, when the caller has parsed it already)."""
    at = parse_time(change.get("at"))
    licences = [(uuid.UUID(lic["id"]), lic["licence_type"], lic["number"], parse_date(lic.get("valid_from")),
                 parse_date(lic.get("valid_to")), at if lic.get("deleted") else None)
                for lic in {x["id"]: x for x in image.get("licences") or []}.values()]
    entity_id = entity_id if entity_id is not None else uuid.UUID(change["record_id"])
    return new_entity(entity_id, image, search_key=search_key, office=change["office"], now=now,
                      deleted_at=at if image.get("deleted") else None,
                      categories=dict.fromkeys(image.get("categories") or []), licences=licences)
