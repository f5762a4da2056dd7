"""Entity use cases: register, edit, delete, find, page, link persons to organisations, history."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from xuyi_desktop.domain.entities import (
    FIELD_LABELS,
    EntityDraft,
    EntityKind,
    EntityStatus,
    LicenceDraft,
    RelationType,
    check_entity_draft,
)
from xuyi_desktop.domain.errors import FieldProblem, ValidationError
from xuyi_desktop.domain.identifiers import looks_like_identifier, normalise_identifier
from xuyi_desktop.domain.masking import mask_id_number
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.domain.search_keys import name_key, pinyin_keys
from xuyi_desktop.domain.text_safety import (
    Confusables,
    escape_for_terminal,
    load_confusables,
    lookalike_detail,
    looks_alike,
    skeleton,
)
from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.entity_views import (
    EntityDetail,
    EntitySummary,
    HistoryEntry,
    detail_of,
    history_entry_of,
    masked_history_entry,
    summary_of,
)
from xuyi_desktop.services.errors import (
    ConcurrentEditError,
    DuplicateIdentifierError,
    EntityRef,
    NotFoundError,
    RecordDeletedError,
    SimilarNameWarning,
)
from xuyi_desktop.services.unit_of_work import UnitOfWork, unit_of_work
from xuyi_desktop.storage import counters, entity_queries
from xuyi_desktop.storage.change_log import history_of

# PageCursor and SortKey are part of this module's interface: the UI pages through the service.
from xuyi_desktop.storage.entity_queries import PageCursor, SortKey

# snapshot: the change-log image of an entity, made by the one entity writer (storage/entity_writes.py)
from xuyi_desktop.storage.entity_writes import NewEntity, insert_new, new_entity, snapshot
from xuyi_desktop.storage.models import Entity, EntityCategory, EntityRelation, Licence, utcnow
from xuyi_desktop.storage.search_index import IndexRow

SEARCH_KEY_COUNTER = "entity_search_key"
TABLE = "entity"


def _ref(entity: Entity) -> EntityRef:
    return EntityRef(entity.id, entity.name, entity.identifier)


class LookalikeNameError(ValidationError):
    """The name renders like a registered entity's name but is different text (Cyrillic а for a, full-width
    letters, kana ロ for 口 …): refused, unless a reviewer gives the reason (`lookalike_reason`, audited)."""

    def __init__(self, name: str, similar: list[EntityRef], detail: str) -> None:
        self.similar, self.name = similar, escape_for_terminal(name)
        first = similar[0]
        chars = f"：{detail}" if detail else ""
        # The registered name first: the form shows the start of the message under the name field.
        super().__init__(FieldProblem(
            "name",
            f"与已登记的“{first.name}”看起来相同，但用了不同的字符{chars}（已登记者证件号码 {mask_id_number(first.identifier)}）。"
            f"请核对后重新输入；确属另一主体的，须由审核人填写理由后登记",
            "the name looks like a registered entity's name but differs in its characters (a reviewer may override with a reason)",
        ))


@lru_cache(maxsize=1)
def _confusables() -> Confusables:
    return load_confusables(resource_path("security", "confusables.toml").read_text(encoding="utf-8"))


def lookalikes(session: Session, name: str, self_id: uuid.UUID | None = None) -> list[Entity]:
    """Live entities whose name looks like `name` without being it (resources/security/confusables.toml)."""
    table = _confusables()
    found = entity_queries.similar_names(session, name_key(skeleton(name, table)), exclude=self_id, limit=20)
    return [e for e in found if looks_alike(name, e.name, table)]


#: Registering a name that looks like a registered one, with a reason, is a reviewer's decision.
LOOKALIKE_OVERRIDE_RIGHT = Permission.CREDIT_REVIEW


def may_override_lookalike(ctx: AppContext) -> bool:
    """Whether this user may give the reason for a look-alike name (the form asks only those who may)."""
    return ctx.can(LOOKALIKE_OVERRIDE_RIGHT)


def _check_lookalike(session: Session, ctx: AppContext, name: str, self_id: uuid.UUID | None, reason: str | None) -> str | None:
    """Refuse a look-alike name (LookalikeNameError); with a reason, a reviewer's override: checked, returned."""
    similar = lookalikes(session, name, self_id)
    if not similar:
        return None
    if not (reason and reason.strip()):
        raise LookalikeNameError(name, [_ref(e) for e in similar], lookalike_detail(name, similar[0].name, _confusables()))
    if not may_override_lookalike(ctx):
        audit.require(ctx, LOOKALIKE_OVERRIDE_RIGHT)  # refused, and the refusal audited
    return f"与“{similar[0].name}”形似，{ctx.actor}确认为不同主体：{reason.strip()}"


def _audit_lookalike(session: Session, ctx: AppContext, entity: Entity, override: str | None) -> None:
    if override:
        audit.write(session, ctx, "entity.lookalike_override", f"名称形似已登记主体仍登记“{entity.name}”：{override}",
                    record_table=TABLE, record_id=entity.id, details={"name": entity.name, "reason": override})


def _check_unique(session: Session, identifier: str, name: str, self_id: uuid.UUID | None, allow_similar: bool) -> None:
    existing = entity_queries.live_by_identifier(session, identifier)
    if existing is not None and existing.id != self_id:
        raise DuplicateIdentifierError(_ref(existing))
    if not allow_similar:
        similar = entity_queries.similar_names(session, name_key(name), exclude=self_id)
        if similar:
            raise SimilarNameWarning([_ref(e) for e in similar])


def _apply(session: Session, entity: Entity, draft: EntityDraft, office: str, override_reason: str | None) -> None:
    """Copy a checked draft onto the row, keeping licence rows (and their ids) that still match."""
    assert draft.kind is not None
    full, initials = pinyin_keys(draft.name)
    entity.kind = draft.kind.value
    entity.name = draft.name
    entity.identifier = draft.identifier
    entity.check_override_reason = override_reason
    entity.legal_representative = draft.legal_representative
    entity.address = draft.address
    entity.phone = draft.phone
    entity.region_code = draft.region_code
    entity.status = draft.status.value
    entity.notes = draft.notes
    entity.name_pinyin, entity.name_initials, entity.name_key = full, initials, name_key(draft.name)
    entity.updated_office = office
    wanted = list(draft.categories)
    entity.categories = [c for c in entity.categories if c.category in wanted] + [
        EntityCategory(category=c) for c in wanted if c not in {x.category for x in entity.categories}
    ]
    live = {(lic.licence_type, lic.number): lic for lic in entity.licences if lic.deleted_at is None}
    kept: set[tuple[str, str]] = set()
    for lic in draft.licences:
        key = (lic.licence_type, lic.number)
        row = live.get(key)
        if row is None:
            row = Licence(licence_type=lic.licence_type, number=lic.number, created_office=office, updated_office=office)
            entity.licences.append(row)
        if row.valid_from != lic.valid_from or row.valid_to != lic.valid_to:
            row.valid_from, row.valid_to, row.updated_office = lic.valid_from, lic.valid_to, office
        kept.add(key)
    for key, row in live.items():
        if key not in kept:
            row.deleted_at, row.updated_office = utcnow(), office


def _index(ctx: AppContext, session: Session, entity: Entity) -> None:
    ctx.search_index.index(session, [IndexRow(entity.search_key, entity.name, entity.name_pinyin, entity.name_initials)])


def register_entity(
    ctx: AppContext, draft: EntityDraft, *, allow_similar: bool = False, override_reason: str | None = None,
    lookalike_reason: str | None = None,
) -> EntityDetail:
    """Register a new entity. Refuses a duplicate identifier and a look-alike name (LookalikeNameError: a reviewer
    may register it with `lookalike_reason`, audited); warns (SimilarNameWarning) on a near-duplicate name."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    try:
        with ctx.transaction() as session:
            return register_entity_in(session, ctx, draft, allow_similar=allow_similar, override_reason=override_reason,
                                      lookalike_reason=lookalike_reason)
    except IntegrityError as exc:  # another counter registered it between our check and our insert
        identifier = check_entity_draft(draft, override_reason=override_reason).draft.identifier
        with ctx.transaction() as session:
            existing = entity_queries.live_by_identifier(session, identifier)
            if existing is not None:
                raise DuplicateIdentifierError(_ref(existing)) from exc
        raise


def register_entity_in(
    session: Session, ctx: AppContext, draft: EntityDraft, *, allow_similar: bool = False, override_reason: str | None = None,
    lookalike_reason: str | None = None,
) -> EntityDetail:
    """register_entity inside the caller's transaction (all-or-nothing imports). The caller checks the right."""
    checked = check_entity_draft(draft, override_reason=override_reason)
    d = checked.draft
    reason = override_reason.strip() if checked.check_char_overridden and override_reason else None
    _check_unique(session, d.identifier, d.name, None, True)
    lookalike = _check_lookalike(session, ctx, d.name, None, lookalike_reason)
    if not lookalike:
        _check_unique(session, d.identifier, d.name, None, allow_similar)
    entity = Entity(
        search_key=counters.reserve(session, SEARCH_KEY_COUNTER),
        created_office=ctx.office_code,
        categories=[],
        licences=[],
    )
    _apply(session, entity, d, ctx.office_code, reason)
    session.add(entity)
    session.flush()
    _index(ctx, session, entity)
    UnitOfWork(session, ctx).record(entity, None, verb="insert", image=snapshot,
                                    summary=f"登记 {entity.name}" + ("（校验位人工确认）" if reason else ""))
    _audit_lookalike(session, ctx, entity, lookalike)
    return detail_of(entity, reveal=True, warnings=tuple(w.message_zh for w in checked.warnings))


def _load_for_change(session: Session, entity_id: uuid.UUID, expected_version: int | None) -> Entity:
    entity = entity_queries.by_id(session, entity_id)
    if entity is None:
        raise NotFoundError(str(entity_id))
    if entity.deleted_at is not None:
        raise RecordDeletedError(entity.name, entity.updated_office, entity.deleted_at)
    if expected_version is not None and entity.version != expected_version:
        raise ConcurrentEditError(entity.name, expected_version, entity.version)
    return entity


def update_entity(
    ctx: AppContext,
    entity_id: uuid.UUID,
    draft: EntityDraft,
    *,
    expected_version: int | None,
    allow_similar: bool = False,
    override_reason: str | None = None,
    lookalike_reason: str | None = None,
    masked_unchanged: bool = False,
) -> EntityDetail:
    """Save an edit. `expected_version` is the version the clerk opened: a newer one in the database wins
    and the clerk is told (ConcurrentEditError); nothing is overwritten silently.

    `masked_unchanged`: the form showed the ID number and phone masked (opening an entity is not a reveal); a
    draft value equal to the masked one means "unchanged" and keeps the stored value, never the asterisks."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    if masked_unchanged:
        draft = _unmask(ctx, entity_id, draft)
    checked = check_entity_draft(draft, override_reason=override_reason)
    d = checked.draft
    with unit_of_work(ctx) as uow:
        session = uow.session
        entity = _load_for_change(session, entity_id, expected_version)
        if d.kind is not None and d.kind.value != entity.kind:
            raise ValidationError(FieldProblem("kind", "不能更改主体类型（单位/个人）", "kind cannot change"))
        name_changed = d.name != entity.name
        _check_unique(session, d.identifier, d.name, entity.id, True)
        lookalike = _check_lookalike(session, ctx, d.name, entity.id, lookalike_reason) if name_changed else None
        if not lookalike:
            _check_unique(session, d.identifier, d.name, entity.id, allow_similar or not name_changed)
        before = snapshot(entity)
        reason = override_reason.strip() if checked.check_char_overridden and override_reason else None
        if reason is None and d.identifier == entity.identifier:
            reason = entity.check_override_reason
        _apply(session, entity, d, ctx.office_code, reason)
        after_preview = snapshot(entity)
        if {k: v for k, v in after_preview.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}:
            return detail_of(entity, reveal=True)  # nothing changed: no new version, no history row
        session.flush()
        _index(ctx, session, entity)
        changed = [k for k in before if k != "version" and before[k] != after_preview[k]]
        uow.record(entity, before, image=snapshot, summary="修改 " + "、".join(FIELD_LABELS.get(k, k) for k in changed))
        _audit_lookalike(session, ctx, entity, lookalike)
        return detail_of(entity, reveal=True, warnings=tuple(w.message_zh for w in checked.warnings))


def _unmask(ctx: AppContext, entity_id: uuid.UUID, draft: EntityDraft) -> EntityDraft:
    with ctx.transaction() as session:
        entity = entity_queries.by_id(session, entity_id)
        if entity is None:
            raise NotFoundError(str(entity_id))
        shown = summary_of(entity, reveal=False)
        identifier = entity.identifier if draft.identifier.strip() == shown.identifier else draft.identifier
        phone = entity.phone if draft.phone.strip() == shown.phone else draft.phone
    return replace(draft, identifier=identifier, phone=phone)


def delete_entity(ctx: AppContext, entity_id: uuid.UUID, *, expected_version: int | None, reason: str = "") -> None:
    """Soft delete: the row stays as a tombstone (it must travel to other offices) and leaves the search."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    with unit_of_work(ctx) as uow:
        entity = _load_for_change(uow.session, entity_id, expected_version)
        before = snapshot(entity)
        entity.deleted_at = utcnow()
        entity.updated_office = ctx.office_code
        uow.session.flush()
        ctx.search_index.remove(uow.session, [entity.search_key])
        uow.record(entity, before, verb="delete", image=snapshot, summary=f"删除 {entity.name}" + (f"：{reason}" if reason else ""))


# Fields `edit_entity` may change (EntityDraft names); categories a tuple, status an EntityStatus.
EDITABLE_FIELDS = frozenset({"name", "identifier", "legal_representative", "address", "phone", "region_code", "notes",
                             "categories", "status"})


def edit_entity(
    ctx: AppContext,
    key: str | uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    allow_similar: bool = False,
    override_reason: str | None = None,
) -> EntityDetail:
    """Change only the named fields of an entity (`xuyi entity edit`), everything else kept as stored; saved through
    update_entity, so the same checks, version guard and history apply. The record is read here, in full, without
    showing it: no personal data leaves the service, so no reveal is logged. `expected_version` defaults to the
    version read."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with ctx.transaction() as session:
        entity = _entity_by_key(session, key)
        if entity is None or entity.deleted_at is not None:
            raise NotFoundError(str(key))
        draft = EntityDraft(
            name=entity.name, identifier=entity.identifier, kind=EntityKind(entity.kind),
            categories=tuple(c.category for c in entity.categories), legal_representative=entity.legal_representative,
            address=entity.address, phone=entity.phone, region_code=entity.region_code, status=EntityStatus(entity.status),
            notes=entity.notes,
            licences=tuple(LicenceDraft(lic.licence_type, lic.number, lic.valid_from, lic.valid_to)
                           for lic in entity.licences if lic.deleted_at is None),
        )
        found_id, version = entity.id, entity.version
    return update_entity(ctx, found_id, replace(draft, **changes),
                         expected_version=version if expected_version is None else expected_version,
                         allow_similar=allow_similar, override_reason=override_reason)


def _require_read(ctx: AppContext, reveal: bool) -> None:
    audit.require(ctx, Permission.VIEW)
    if reveal:
        audit.require(ctx, Permission.REVEAL_PERSONAL)


def _parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _entity_by_key(session: Session, key: str | uuid.UUID) -> Entity | None:
    """By UUID, or by identifier (normalised as the clerk typed it)."""
    entity_id = key if isinstance(key, uuid.UUID) else _parse_uuid(key)
    entity = entity_queries.by_id(session, entity_id) if entity_id else None
    if entity is None and not isinstance(key, uuid.UUID):
        found = entity_queries.live_by_identifier(session, normalise_identifier(key))
        entity = entity_queries.by_id(session, found.id) if found else None
    return entity


def get_entity(ctx: AppContext, key: str | uuid.UUID, *, reveal: bool = False) -> EntityDetail:
    """By UUID or by identifier (normalised as the clerk typed it). A reveal needs the right and is audited."""
    _require_read(ctx, reveal)
    with ctx.transaction() as session:
        entity = _entity_by_key(session, key)
        if entity is None:
            raise NotFoundError(str(key))
        if reveal and (entity.kind == EntityKind.PERSON.value or entity.phone):
            audit.write(session, ctx, "personal.reveal", f"查看完整个人信息：{entity.name}", record_table=TABLE, record_id=entity.id)
        return detail_of(entity, reveal=reveal)


def find_entities(ctx: AppContext, query: str, *, limit: int = 50, reveal: bool = False) -> list[EntitySummary]:
    """What the one search box does: identifier, name fragment or pinyin, best match first.

    A search by identifier is audited (the number masked in the log). Roles without the right to see full ID
    numbers match whole identifiers only, and at most IDENTIFIER_SEARCHES_PER_HOUR of them: a masked number
    (its first 6 and last 4 shown) cannot be rebuilt by prefixes, nor quickly by trying whole numbers."""
    _require_read(ctx, reveal)
    may_see = ctx.can(Permission.REVEAL_PERSONAL)
    by_identifier = looks_like_identifier(query)
    with ctx.transaction() as session:
        if by_identifier and not may_see:
            _check_identifier_search_rate(session, ctx)
        vehicles = _fleet_hits(session, query, limit)
        found = entity_queries.ranked_search(session, ctx.search_index, query, limit, identifier_prefix=may_see)
        if by_identifier:
            shown = mask_id_number(normalise_identifier(query)) or ""
            audit.write(session, ctx, "search.identifier", f"按证件号码查询：{shown}（{len(found)}条）",
                        details={"query": shown, "found": len(found), "whole_only": not may_see})
        if reveal and (found or vehicles):
            audit.write(session, ctx, "personal.reveal", f"查询“{query}”并显示完整个人信息（{len(found)}条）", details={"query": query})
        out = [replace(summary_of(e, reveal), matched=note) for e, note in vehicles]
        seen = {s.id for s in out}
        out += [summary_of(e, reveal) for e in found if e.id not in seen]
        return out[:limit]


def _fleet_hits(session: Session, query: str, limit: int) -> list[tuple[Entity, str]]:
    """Operators whose vehicle or vessel the query names (a plate, 道路运输证号, 船舶识别号, a vessel's name), with
    what matched. One operator once, with the first of its vehicles that matched."""
    from xuyi_desktop.domain.fleet import normalise_plate
    from xuyi_desktop.storage import fleet_queries

    hits = fleet_queries.search(session, normalise_plate(query), normalise_identifier(query), limit)
    out: list[tuple[Entity, str]] = []
    seen: dict[uuid.UUID, int] = {}
    for hit in hits:
        if hit.operator_id in seen:
            continue
        entity = entity_queries.by_id(session, hit.operator_id)
        if entity is not None and entity.deleted_at is None:
            seen[hit.operator_id] = len(out)
            out.append((entity, hit.label))
    return out


IDENTIFIER_SEARCHES_PER_HOUR = 60


def _check_identifier_search_rate(session: Session, ctx: AppContext) -> None:
    from xuyi_desktop.storage.queries import audit_entries

    done = audit_entries.count_since(session, ctx.actor, "search.identifier", utcnow() - dt.timedelta(hours=1))
    if done >= IDENTIFIER_SEARCHES_PER_HOUR:
        raise ValidationError(FieldProblem(
            "query", f"一小时内按证件号码查询已达{IDENTIFIER_SEARCHES_PER_HOUR}次，请稍后再试或按名称查询",
            "too many identifier searches in an hour"))


def page_entities(
    ctx: AppContext, *, sort: SortKey = SortKey.NAME, descending: bool = False, after: PageCursor | None = None, size: int = 200
) -> tuple[list[EntitySummary], PageCursor | None]:
    """One page for the lazy registry table, and the cursor for the next (None at the end)."""
    _require_read(ctx, False)
    with ctx.transaction() as session:
        rows = entity_queries.page(session, sort, descending, after, size)
        cursor = PageCursor(getattr(rows[-1], sort.column), rows[-1].id) if len(rows) == size else None
        return [summary_of(e) for e in rows], cursor


def count_entities(ctx: AppContext) -> int:
    _require_read(ctx, False)
    with ctx.transaction() as session:
        return entity_queries.count_live(session)


def entity_history(ctx: AppContext, entity_id: uuid.UUID) -> list[HistoryEntry]:
    """Every version's before/after images; personal fields masked for roles that may not see them."""
    _require_read(ctx, False)
    with ctx.transaction() as session:
        entries = [history_entry_of(row) for row in history_of(session, TABLE, entity_id)]
    if ctx.can(Permission.REVEAL_PERSONAL):
        return entries
    return [masked_history_entry(e) for e in entries]


def link_person(
    ctx: AppContext,
    person_id: uuid.UUID,
    org_id: uuid.UUID,
    relation_type: RelationType,
    *,
    title: str = "",
    start_date: dt.date | None = None,
) -> uuid.UUID:
    """Record that a person works for (or is key personnel of) an organisation."""
    audit.require(ctx, Permission.ENTITY_EDIT)
    with unit_of_work(ctx) as uow:
        session = uow.session
        person = _load_for_change(session, person_id, None)
        org = _load_for_change(session, org_id, None)
        if person.kind != EntityKind.PERSON.value or org.kind != EntityKind.ORG.value:
            raise ValidationError(FieldProblem("relation", "只能把个人关联到单位", "link a person to an organisation"))
        relation = EntityRelation(
            person_id=person.id,
            org_id=org.id,
            relation_type=relation_type.value,
            title=title.strip(),
            start_date=start_date,
        )
        uow.add(relation, summary=f"{person.name} 关联到 {org.name}（{relation_type.label}）")
        return relation.id


@dataclass(frozen=True)
class RelationView:
    """A person–organisation link seen from one side: who is on the other side and how they are linked."""

    id: uuid.UUID
    other: EntitySummary
    relation_type: RelationType
    title: str
    start_date: dt.date | None


def entity_relations(ctx: AppContext, entity_id: uuid.UUID) -> list[RelationView]:
    """The organisations a person works for, or the persons an organisation employs (live links only)."""
    _require_read(ctx, False)
    with ctx.transaction() as session:
        result = []
        for rel in entity_queries.live_relations_of(session, entity_id):
            other = entity_queries.by_id(session, rel.org_id if rel.person_id == entity_id else rel.person_id)
            if other is not None and other.deleted_at is None:
                result.append(RelationView(rel.id, summary_of(other), RelationType(rel.relation_type), rel.title, rel.start_date))
        return result


def _same(entity: Entity, d: EntityDraft) -> bool:
    """Whether a checked draft says exactly what the row holds (fields, categories, live licences)."""
    assert d.kind is not None
    fields = (d.kind.value, d.name, d.identifier, d.legal_representative, d.address, d.phone, d.region_code, d.status.value, d.notes)
    held = (entity.kind, entity.name, entity.identifier, entity.legal_representative, entity.address, entity.phone,
            entity.region_code, entity.status, entity.notes)
    if fields != held or sorted(d.categories) != sorted(c.category for c in entity.categories):
        return False
    live = sorted((x.licence_type, x.number, x.valid_from, x.valid_to) for x in entity.licences if x.deleted_at is None)
    return live == sorted((x.licence_type, x.number, x.valid_from, x.valid_to) for x in d.licences)


class EntityWriter:
    """Registers and merges entities inside one bulk transaction (the ledger imports): matched by identifier, never
    duplicated. New entities take a bulk path: plain rows made by storage/entity_writes.new_entity (the rows sync
    apply makes of a new entity too), inserted FLUSH_EVERY at a time by entity_writes.insert_new (Core executemany,
    no ORM unit of work), search keys reserved in blocks, the full-text index written per block, and the change log
    through the caller's audit batch (services.audit.batched) with the image `snapshot` makes of the new rows. An existing entity is
    merged through the ORM: non-blank values replace, categories and licences are added (a licence with the same
    type and number gets the new validity), nothing is removed. The caller checks the right and owns the transaction."""

    FLUSH_EVERY = 1000

    def __init__(self, session: Session, ctx: AppContext) -> None:
        self.session, self.ctx = session, ctx
        self.ids: dict[str, uuid.UUID] = entity_queries.live_ids_by_identifier(session)
        self._keys: list[int] = []
        self._new: list[NewEntity] = []
        self._pending_ids: set[uuid.UUID] = set()
        self._touched = 0
        self._pending_index: list[IndexRow] = []

    def _search_key(self) -> int:
        if not self._keys:
            first = counters.reserve(self.session, SEARCH_KEY_COUNTER, self.FLUSH_EVERY)
            self._keys = list(range(first + self.FLUSH_EVERY - 1, first - 1, -1))
        return self._keys.pop()

    def entity(self, entity_id: uuid.UUID) -> Entity:
        """The row as an ORM object (written first if it is still pending)."""
        if entity_id in self._pending_ids:
            self._write_pending()
        found = self.session.get(Entity, entity_id, options=[joinedload(Entity.categories), joinedload(Entity.licences)])
        assert found is not None
        return found

    def register(self, d: EntityDraft, *, summary: str = "") -> uuid.UUID:
        """A new entity from a draft that passed check_entity_draft (its identifier not registered). A name that
        looks like a registered entity's is refused (LookalikeNameError: a bad row; a reviewer registers it by
        hand with a reason). Only names the look-alike fold changes are looked up: the common row costs no query."""
        assert d.kind is not None
        table = _confusables()
        if skeleton(d.name, table) != d.name:
            similar = lookalikes(self.session, d.name)
            if similar:
                raise LookalikeNameError(d.name, [_ref(e) for e in similar], lookalike_detail(d.name, similar[0].name, table))
        office, now = self.ctx.office_code, utcnow()
        entity_id, key = uuid.uuid4(), self._search_key()
        scalars = {"kind": d.kind.value, "name": d.name, "identifier": d.identifier, "check_override_reason": None,
                   "legal_representative": d.legal_representative, "address": d.address, "phone": d.phone,
                   "region_code": d.region_code, "status": d.status.value, "notes": d.notes}
        new = new_entity(entity_id, scalars, search_key=key, office=office, now=now, deleted_at=None,
                         categories=d.categories,
                         licences=[(uuid.uuid4(), x.licence_type, x.number, x.valid_from, x.valid_to, None) for x in d.licences])
        self._new.append(new)
        self._pending_ids.add(entity_id)
        self.ids[d.identifier] = entity_id
        self._pending_index.append(IndexRow(key, d.name, new.name_pinyin, new.name_initials))
        image = snapshot(new)
        audit.record_business_change(self.session, self.ctx, table_name=TABLE, record_id=entity_id, action="insert", record_version=1,
                                     before=None, after=image, summary=summary or f"登记 {d.name}")
        self._touched += 1
        self._maybe_flush()
        return entity_id

    def merge(self, entity: Entity, draft: EntityDraft, *, status_given: bool = True, summary: str = "") -> str:
        """Bring a registered entity up to date with what a ledger row says; "updated" or "unchanged". A row that
        leaves the status blank (`status_given` False) keeps the registered one."""
        before = snapshot(entity)
        live = [LicenceDraft(x.licence_type, x.number, x.valid_from, x.valid_to) for x in entity.licences if x.deleted_at is None]
        by_key = {(x.licence_type, x.number): i for i, x in enumerate(live)}
        for lic in draft.licences:
            key = (lic.licence_type, lic.number)
            if key in by_key:
                old = live[by_key[key]]
                live[by_key[key]] = LicenceDraft(old.licence_type, old.number, lic.valid_from or old.valid_from, lic.valid_to or old.valid_to)
            else:
                by_key[key] = len(live)
                live.append(lic)
        merged = EntityDraft(
            name=draft.name or entity.name, identifier=entity.identifier, kind=EntityKind(entity.kind),
            categories=tuple(dict.fromkeys([c.category for c in entity.categories] + list(draft.categories))),
            legal_representative=draft.legal_representative or entity.legal_representative,
            address=draft.address or entity.address, phone=draft.phone or entity.phone,
            region_code=draft.region_code or entity.region_code,
            status=draft.status if status_given else EntityStatus(entity.status),
            notes=draft.notes or entity.notes, licences=tuple(live),
        )
        checked = check_entity_draft(merged, override_reason=entity.check_override_reason)
        if _same(entity, checked.draft):
            return "unchanged"  # the common case of a re-import: no pinyin, no flush, no history row
        _apply(self.session, entity, checked.draft, self.ctx.office_code, entity.check_override_reason)
        after = snapshot(entity)
        same = {k: v for k, v in after.items() if k not in ("version", "licences")} == {
            k: v for k, v in before.items() if k not in ("version", "licences")}
        same = same and [(x["licence_type"], x["number"], x["valid_from"], x["valid_to"]) for x in after["licences"] if not x["deleted"]] == [
            (x["licence_type"], x["number"], x["valid_from"], x["valid_to"]) for x in before["licences"] if not x["deleted"]]
        if same:
            return "unchanged"
        self.session.flush()
        after = snapshot(entity)
        changed = [k for k in before if k != "version" and before[k] != after[k]]
        self._pending_index.append(IndexRow(entity.search_key, entity.name, entity.name_pinyin, entity.name_initials))
        UnitOfWork(self.session, self.ctx).record(
            entity, before, image=snapshot, summary=summary or "修改 " + "、".join(FIELD_LABELS.get(k, k) for k in changed))
        self._touched += 1
        self._maybe_flush()
        return "updated"

    def _maybe_flush(self) -> None:
        if self._touched >= self.FLUSH_EVERY:
            self.flush()

    def _write_pending(self) -> None:
        if self._new:
            self.session.flush()  # what the ORM bulk insert's autoflush did before: merged rows first
            insert_new(self.session.connection(), self._new)
        self._new = []
        self._pending_ids.clear()

    def flush(self) -> None:
        """Write what is pending, index it, and let go of the ORM rows (memory stays flat on 100,000 rows)."""
        self._write_pending()
        self.session.flush()
        if self._pending_index:
            self.ctx.search_index.index(self.session, self._pending_index)
            self._pending_index = []
        self._touched = 0
        self.session.expunge_all()
