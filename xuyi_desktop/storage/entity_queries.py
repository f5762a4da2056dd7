"""Entity queries: lookup, near-duplicate names, ranked search, and keyset pages for the lazy table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from xuyi_desktop.domain.identifiers import normalise_identifier
from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.search_index import SearchIndex

_LIVE = Entity.deleted_at.is_(None)


def _with_categories(stmt: Select[Entity]) -> Select[Entity]:
    # Lists show categories: load them in one extra query instead of one per row.
    return stmt.options(selectinload(Entity.categories))


def live_by_identifier(session: Session, identifier: str) -> Entity | None:
    return session.execute(select(Entity).where(Entity.identifier == identifier, _LIVE)).scalar_one_or_none()


def by_id(session: Session, entity_id: uuid.UUID) -> Entity | None:
    stmt = select(Entity).where(Entity.id == entity_id).options(selectinload(Entity.categories), selectinload(Entity.licences))
    return session.execute(stmt).scalar_one_or_none()


def similar_names(session: Session, name_key: str, exclude: uuid.UUID | None = None, limit: int = 5) -> list[Entity]:
    stmt = select(Entity).where(Entity.name_key == name_key, _LIVE)
    if exclude is not None:
        stmt = stmt.where(Entity.id != exclude)
    return list(session.execute(stmt.limit(limit)).scalars())


def _prefix_range(column, prefix: str):
    # A range instead of LIKE 'x%': B-tree friendly on every database, and no LIKE escaping needed.
    return and_(column >= prefix, column < prefix + "\U0010ffff")


def ranked_search(session: Session, index: SearchIndex, query: str, limit: int = 50, *,
                  identifier_prefix: bool = True) -> list[Entity]:
    """Find live entities for what a clerk typed, best first:
    exact identifier, identifier prefix, exact name, name prefix, initials prefix,
    name fragment, initials fragment, full-pinyin fragment. Each step is one indexed query.
    identifier_prefix=False matches whole identifiers only (a masked ID number cannot be rebuilt by prefixes)."""
    raw = query.strip()
    if not raw:
        return []
    ident = normalise_identifier(raw)
    folded = fold(raw)
    letters = folded if folded.isascii() and folded.isalpha() else ""
    found: list[Entity] = []
    seen: set[uuid.UUID] = set()

    def take(stmt: Select[Entity]) -> bool:
        need = limit - len(found)
        for entity in session.execute(stmt.where(_LIVE).limit(need + len(seen))).scalars():
            if entity.id not in seen:
                seen.add(entity.id)
                found.append(entity)
                if len(found) >= limit:
                    return True
        return False

    def take_keys(keys: Sequence[int]) -> bool:
        if not keys:
            return False
        rows = session.execute(_with_categories(select(Entity).where(Entity.search_key.in_(keys), _LIVE))).scalars()
        by_key = {e.search_key: e for e in rows}
        for key in keys:
            entity = by_key.get(key)
            if entity is not None and entity.id not in seen:
                seen.add(entity.id)
                found.append(entity)
                if len(found) >= limit:
                    return True
        return False

    base = _with_categories(select(Entity))
    steps: list[object] = []
    if ident and ident.isascii() and ident.isalnum():
        steps.append(base.where(Entity.identifier == ident))
        if identifier_prefix:
            steps.append(base.where(_prefix_range(Entity.identifier, ident)).order_by(Entity.identifier))
    steps += [
        base.where(Entity.name == raw),
        base.where(_prefix_range(Entity.name, raw)).order_by(Entity.name),
    ]
    if len(letters) >= 2:
        steps.append(base.where(_prefix_range(Entity.name_initials, letters)).order_by(Entity.name_initials))
    for step in steps:
        if take(step):  # type: ignore[arg-type]
            return found
    want = limit + len(seen)
    if folded and not letters:
        if take_keys(index.name_contains(session, folded, want)):
            return found
    if letters:
        if take_keys(index.initials_contain(session, letters, want)):
            return found
        take_keys(index.pinyin_contains(session, letters, want))
    return found


class SortKey(str, Enum):
    """Columns the registry can be sorted by; each has an index that makes keyset paging cheap."""

    NAME = "name"
    IDENTIFIER = "identifier"
    UPDATED = "updated_at"

    @property
    def column(self) -> str:
        """The column behind the key: names sort by pinyin, as clerks expect (丁 before 万 is codepoint order)."""
        return {"name": "name_pinyin", "identifier": "identifier", "updated_at": "updated_at"}[self.value]


@dataclass(frozen=True)
class PageCursor:
    """Where the previous page ended: the sort value and the id that breaks ties."""

    value: object
    entity_id: uuid.UUID


def page(
    session: Session, sort: SortKey, descending: bool, after: PageCursor | None, size: int
) -> list[Entity]:
    """One page of live entities in sort order, after a cursor; never OFFSET, so page 5,000 costs what page 1 does."""
    column = getattr(Entity, sort.column)
    stmt = _with_categories(select(Entity)).where(_LIVE)
    if after is not None:
        if descending:
            stmt = stmt.where(or_(column < after.value, and_(column == after.value, Entity.id < after.entity_id)))
        else:
            stmt = stmt.where(or_(column > after.value, and_(column == after.value, Entity.id > after.entity_id)))
    order = (column.desc(), Entity.id.desc()) if descending else (column.asc(), Entity.id.asc())
    return list(session.execute(stmt.order_by(*order).limit(size)).scalars())


def count_live(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Entity).where(_LIVE)).scalar_one()
