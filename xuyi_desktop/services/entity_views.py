"""What the services hand out about entities: plain data, personal fields masked unless revealed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from xuyi_desktop.domain.entities import CATEGORIES, EntityKind, EntityStatus
from xuyi_desktop.domain.masking import mask_id_number, mask_phone
from xuyi_desktop.storage.entity_queries import FoundEntity
from xuyi_desktop.storage.models import ChangeLog, Entity


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """One line of a list: the registry table, search hits, `xuyi entity find`. Slots: a search builds 50 of
    them (issue 17)."""

    id: uuid.UUID
    kind: str
    name: str
    identifier: str
    status: str
    region_code: str
    legal_representative: str
    phone: str
    categories: tuple[str, ...]
    updated_at: dt.datetime
    version: int
    masked: bool
    # Why a search hit is listed when it is not the entity's own name or number: the vehicle or vessel that matched
    # ("车辆 苏H12345（黄色）"); empty otherwise.
    matched: str = ""

    @property
    def kind_label(self) -> str:
        return EntityKind(self.kind).label

    @property
    def status_label(self) -> str:
        return EntityStatus(self.status).label

    @property
    def category_labels(self) -> list[str]:
        return [CATEGORIES[c][0] for c in self.categories if c in CATEGORIES]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = str(self.id)
        data["updated_at"] = self.updated_at.isoformat()
        data["categories"] = list(self.categories)
        return data


@dataclass(frozen=True)
class LicenceView:
    id: uuid.UUID
    licence_type: str
    number: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class EntityDetail:
    """Everything the entity form shows."""

    summary: EntitySummary
    address: str
    notes: str
    check_override_reason: str | None
    licences: tuple[LicenceView, ...]
    created_at: dt.datetime
    created_office: str
    updated_office: str
    deleted: bool
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = self.summary.to_json()
        data.update(
            address=self.address,
            notes=self.notes,
            check_override_reason=self.check_override_reason,
            licences=[
                {
                    "id": str(lic.id),
                    "licence_type": lic.licence_type,
                    "number": lic.number,
                    "valid_from": lic.valid_from.isoformat() if lic.valid_from else None,
                    "valid_to": lic.valid_to.isoformat() if lic.valid_to else None,
                }
                for lic in self.licences
            ],
            created_at=self.created_at.isoformat(),
            created_office=self.created_office,
            updated_office=self.updated_office,
            deleted=self.deleted,
            warnings=list(self.warnings),
        )
        return data


@dataclass(frozen=True)
class HistoryEntry:
    """One change to an entity: who, when, which office, before and after."""

    at: dt.datetime
    actor: str
    office_code: str
    action: str
    version: int
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


_PERSON = EntityKind.PERSON.value


def summary_of(entity: Entity | FoundEntity, reveal: bool = False) -> EntitySummary:
    """Masks a person's ID number and every phone number unless `reveal` (the caller checks the right to).

    Built positionally, each attribute read once, and a search hit's category codes taken as they are: a search
    builds 50 of these and the keyword form cost as much as the row fetch (issue 17)."""
    identifier, phone = entity.identifier, entity.phone
    if not reveal:
        if entity.kind == _PERSON:
            identifier = mask_id_number(identifier) or ""
        phone = mask_phone(phone) or ""
    codes = (entity.category_codes if type(entity) is FoundEntity
             else tuple(c.category for c in entity.categories))
    return EntitySummary(entity.id, entity.kind, entity.name, identifier, entity.status, entity.region_code,
                         entity.legal_representative, phone, codes, entity.updated_at, entity.version, not reveal)


def detail_of(entity: Entity, reveal: bool = False, warnings: tuple[str, ...] = ()) -> EntityDetail:
    return EntityDetail(
        summary=summary_of(entity, reveal),
        address=entity.address,
        notes=entity.notes,
        check_override_reason=entity.check_override_reason,
        licences=tuple(
            LicenceView(lic.id, lic.licence_type, lic.number, lic.valid_from, lic.valid_to)
            for lic in entity.licences
            if lic.deleted_at is None
        ),
        created_at=entity.created_at,
        created_office=entity.created_office,
        updated_office=entity.updated_office,
        deleted=entity.deleted_at is not None,
        warnings=warnings,
    )


def history_entry_of(row: ChangeLog) -> HistoryEntry:
    return HistoryEntry(
        at=row.at,
        actor=row.actor,
        office_code=row.office_code,
        action=row.action,
        version=row.record_version,
        summary=row.summary,
        before=json.loads(row.before_json) if row.before_json else None,
        after=json.loads(row.after_json) if row.after_json else None,
    )


def masked_image(image: dict[str, Any] | None) -> dict[str, Any] | None:
    """A row image from the change log with a person's ID number and the phone number masked."""
    if not image:
        return image
    out = dict(image)
    if out.get("kind") == "person" and out.get("identifier"):
        out["identifier"] = mask_id_number(str(out["identifier"]))
    if out.get("phone"):
        out["phone"] = mask_phone(str(out["phone"]))
    return out


def masked_history_entry(entry: HistoryEntry) -> HistoryEntry:
    return dataclasses.replace(entry, before=masked_image(entry.before), after=masked_image(entry.after))
