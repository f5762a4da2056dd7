"""The open sync conflicts as a reviewer reads them: which record (the entity's name, not its UUID), which field
(统一社会信用代码, not `identifier`), both values side by side, and the offices by name. Read-only; a person's ID
number and phone stay masked unless the user may see personal data in full."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from xuyi_desktop.domain.entities import FIELD_LABELS as ENTITY_FIELD_LABELS
from xuyi_desktop.domain.masking import mask_id_number, mask_phone
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.record_details import LABELS as RECORD_LABELS
from xuyi_desktop.services.sync import TABLE_LABELS, ConflictRow, list_conflicts

# Fields whose label is not the one record_details uses, or that only sync shows (per table, then any table).
_FIELD_LABELS: dict[str, dict[str, str]] = {
    "entity": {"address": "地址", "legal_representative": "法定代表人/负责人", "deleted": "删除标记"},
}
_COMMON = {"deleted": "删除标记", "deleted_at": "删除标记", "entity_id": "市场主体", "status": "状态"}
KIND_LABELS = {"field": "字段冲突", "delete_edit": "删除与修改", "duplicate_identifier": "证件号码重复"}


@dataclass(frozen=True)
class ConflictView:
    """One open conflict in the clerk's words; `row` keeps the stored conflict (its id for resolving)."""

    row: ConflictRow
    table_label: str  # 市场主体, 信用评价, …
    record_title: str  # the entity's name (for a record of an entity: its name too), never a UUID
    field_label: str  # 统一社会信用代码, 地址, …
    kind_label: str
    current: str  # the value kept by the merge
    other: str  # the value that lost (采用另一值 restores it)
    current_office: str  # "XYJ 盱眙县交通运输局"
    other_office: str

    @property
    def id(self) -> uuid.UUID:
        return self.row.id


def field_label(table: str, field: str, *, person: bool = False) -> str:
    """The field as the forms name it; an entity's identifier is its 统一社会信用代码 (a person's: 身份证号码)."""
    if table == "entity" and field == "identifier":
        return "身份证号码" if person else "统一社会信用代码"
    return (_FIELD_LABELS.get(table, {}).get(field) or (ENTITY_FIELD_LABELS.get(field) if table == "entity" else None)
            or RECORD_LABELS.get(field) or _COMMON.get(field) or field)


def conflict_views(ctx: AppContext) -> list[ConflictView]:
    """The open conflicts, oldest first, each with its record's name and its field's label."""
    from xuyi_desktop.services.offices import list_offices
    from xuyi_desktop.storage.all_models import Base
    from xuyi_desktop.storage.models import Entity

    audit.require(ctx, Permission.VIEW)
    conflicts = list_conflicts(ctx)
    if not conflicts:
        return []
    reveal = ctx.can(Permission.REVEAL_PERSONAL)
    offices = {o.code: f"{o.code} {o.name}" for o in list_offices(ctx)}
    models = {getattr(m.class_, "__tablename__", None): m.class_ for m in Base.registry.mappers}
    views: list[ConflictView] = []
    with ctx.transaction() as session:
        for c in conflicts:
            entity: Any = None
            row: Any = None
            if c.table_name == "entity":
                entity = session.get(Entity, c.record_id)
            elif c.table_name in models:
                row = session.get(models[c.table_name], c.record_id)
                entity_id = getattr(row, "entity_id", None)
                entity = session.get(Entity, entity_id) if entity_id is not None else None
            person = getattr(entity, "kind", None) == "person"
            table_label = TABLE_LABELS.get(c.table_name, c.table_name)
            if entity is not None:
                title = entity.name if c.table_name == "entity" else f"{entity.name}（{table_label}）"
            else:
                title = _row_title(row) or f"{table_label}（记录已不在本机）"
            current, other = c.winner_text, c.loser_text
            if not reveal and person and c.field in ("identifier", "phone"):
                mask = mask_id_number if c.field == "identifier" else mask_phone
                current, other = (mask(v) or v if v and not v.startswith("（") else v for v in (current, other))
            views.append(ConflictView(
                row=c, table_label=table_label, record_title=title,
                field_label=field_label(c.table_name, c.field, person=person),
                kind_label=KIND_LABELS.get(c.kind, c.kind), current=current, other=other,
                current_office=offices.get(c.winner_office, c.winner_office),
                other_office=offices.get(c.loser_office, c.loser_office)))
    return views


def _row_title(row: Any) -> str:
    """A record without an entity: its own name, title or number."""
    for attr in ("name", "title", "theme", "topic", "wsh", "serial", "document_no", "plate", "number"):
        value = getattr(row, attr, None)
        if value:
            return str(value)
    return ""
