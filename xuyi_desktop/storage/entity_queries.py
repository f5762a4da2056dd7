"""Entity queries: lookup, near-duplicate names, ranked search, and keyset pages for the lazy table."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Executable, Select, String, and_, bindparam, func, literal_column, or_, select, text
from sqlalchemy import column as sql_column
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from xuyi_desktop.domain.identifiers import normalise_identifier
from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.storage.models import Entity, EntityCategory, EntityRelation
from xuyi_desktop.storage.search_index import SearchIndex, SqliteFtsIndex

_LIVE = Entity.deleted_at.is_(None)


def _with_categories(stmt: Select[Entity]) -> Select[Entity]:
    # Lists show categories: load them in one extra query instead of one per row.
    return stmt.options(selectinload(Entity.categories))


def live_by_identifier(session: Session, identifier: str) -> Entity | None:
    return session.execute(select(Entity).where(Entity.identifier == identifier, _LIVE)).scalar_one_or_none()


def by_id(session: Session, entity_id: uuid.UUID) -> Entity | None:
    stmt = select(Entity).where(Entity.id == entity_id).options(selectinload(Entity.categories), selectinload(Entity.licences))
    return session.execute(stmt).scalar_one_or_none()


# ix_entity_name_key holds only the rows whose key is not their name (migration 0024); a row whose key is its name
# is found by ix_entity_name. The two branches together are every row with the key, each once.
_SAME_KEY = or_(and_(Entity.name_key == bindparam("key"), Entity.name_key != Entity.name),
                and_(Entity.name == bindparam("key"), Entity.name_key == Entity.name))


def similar_names(session: Session, name_key: str, exclude: uuid.UUID | None = None, limit: int = 5) -> list[Entity]:
    """Live entities whose name_key is this one (at most `limit`). On SQLite in rowid order, the order the full index
    on name_key gave before 0024 (the limit keeps the same ones); PostgreSQL promised no order and promises none."""
    stmt = select(Entity).where(_SAME_KEY, _LIVE)
    if exclude is not None:
        stmt = stmt.where(Entity.id != exclude)
    if session.get_bind().dialect.name == "sqlite":
        stmt = stmt.order_by(literal_column("entity.rowid"))
    return list(session.execute(stmt.limit(limit), {"key": name_key}).scalars())


@dataclass(frozen=True, slots=True)
class FoundCategory:
    category: str


@dataclass(slots=True)
class FoundEntity:
    """A search hit as a plain row: what a list shows of an entity (services.entity_views.summary_of reads it like
    an Entity), without an ORM object or a second query per step. Its category codes are kept as plain text
    (summary_of takes them as they are); `categories` gives them as an Entity's would be read."""

    id: uuid.UUID
    kind: str
    name: str
    identifier: str
    status: str
    region_code: str
    legal_representative: str
    phone: str
    updated_at: dt.datetime
    version: int
    search_key: int
    category_codes: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[FoundCategory, ...]:
        return tuple(FoundCategory(c) for c in self.category_codes)


@lru_cache(maxsize=1024)
def _category_codes(joined: str) -> tuple[str, ...]:
    """The codes of one row's group_concat, in SQLite's ORDER BY category (see _CATEGORY_SEP). Few distinct sets
    of categories exist: each is split and sorted once."""
    return tuple(sorted(joined.split(_CATEGORY_SEP)))


_FOUND_COLUMNS = (Entity.id, Entity.kind, Entity.name, Entity.identifier, Entity.status, Entity.region_code,
                  Entity.legal_representative, Entity.phone, Entity.updated_at, Entity.version, Entity.search_key)

# On SQLite a hit's categories come with its row (a correlated subquery), joined by this character: no category code
# holds it. group_concat keeps no order: ranked_search sorts them as SQLite's ORDER BY category would (BINARY: UTF-8
# bytes, the order of code points, which is Python's). On PostgreSQL that subquery (string_agg) cost more than it
# saved (bench/search.py, alternating: 1-2 ms a search more), so there the categories of all hits come in one last
# query, in the server's ORDER BY category, as before.
_CATEGORY_SEP = "\x1f"
_CATEGORIES_OF_ROW = (select(func.group_concat(EntityCategory.category, _CATEGORY_SEP))
                      .where(EntityCategory.entity_id == Entity.id).scalar_subquery())
_CATEGORIES = (select(EntityCategory.entity_id, EntityCategory.category)
               .where(EntityCategory.entity_id.in_(bindparam("ids", expanding=True))).order_by(EntityCategory.category))


@dataclass(frozen=True)
class _Statements:
    """The statements of ranked_search for one dialect, built once: constructing a Select costs more than SQLite
    takes to answer it (cProfile of find_entities: about a third of a name search was SQLAlchemy building the same
    statements again). Each runs with its parameters. Every one gives the rows of _FOUND_COLUMNS, on SQLite followed
    by the categories."""

    identifier_prefix: Executable
    name_prefix: Executable
    initials_prefix: Executable
    identifier_exact: Executable
    by_keys: Executable
    # SQLite's FTS5 index: a step's candidates and their rows in one statement, by the column it confirms on
    fts: dict[str, Executable]
    inline_categories: bool
    # SQLite: the same statements (but by_keys) compiled once for the driver, by the name of the field above or
    # the FTS column (see DriverStatement); empty elsewhere
    driver: dict[str, DriverStatement]


@dataclass(frozen=True)
class DriverStatement:
    """One statement of ranked_search as SQLite's driver runs it: its SQL as SQLAlchemy compiles it (so the same
    statement, plan and order as before) and where each of its parameters goes, given or fixed by the statement
    itself (the categories' separator, OFFSET 0). Why: SQLAlchemy's execution and result machinery took longer
    than SQLite takes to answer a search step (about 40 us a statement and 5 us a row of a 0.3 ms step, issue 17);
    the driver gives plain tuples, and only the rows a search keeps are converted (_row_converter)."""

    sql: str
    # per position: (True, name of a given parameter) or (False, the statement's own value)
    slots: tuple[tuple[bool, Any], ...]

    @classmethod
    def compile(cls, stmt: Executable, dialect: Any, given: tuple[str, ...]) -> DriverStatement:
        compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
        if compiled.positiontup is None:
            raise ValueError("a positional parameter style is needed")
        fixed = compiled.construct_params(dict.fromkeys(given))
        return cls(compiled.string, tuple((name in given, name if name in given else fixed[name])
                                          for name in compiled.positiontup))

    def run(self, driver: Any, params: dict[str, Any]) -> Any:
        """The rows (a driver cursor) for these parameters, on the driver's connection."""
        return driver.execute(self.sql, tuple(params[v] if given else v for given, v in self.slots))


_STATEMENTS: dict[str, _Statements] = {}


def _statements(engine_dialect: Dialect) -> _Statements:
    dialect = engine_dialect.name
    built = _STATEMENTS.get(dialect)
    if built is not None:
        return built
    inline = dialect == "sqlite"
    columns = (*_FOUND_COLUMNS, _CATEGORIES_OF_ROW) if inline else _FOUND_COLUMNS

    def step(column: InstrumentedAttribute[str], *then: Any) -> Executable:
        """The rows whose column starts with :lo (below :hi), in the column's order (then `then`'s): a prefix
        step of the ranking."""
        return (select(*columns).where(column >= bindparam("lo"), column < bindparam("hi"), _LIVE)
                .order_by(column, *then).limit(bindparam("n")))

    fts: dict[str, Executable] = {}
    if dialect == "sqlite":
        names = ", ".join(f"entity.{c.key}" for c in _FOUND_COLUMNS)
        for key_column in ("folded", "initials", "pinyin"):
            # the candidates first (CROSS JOIN: SQLite keeps the FTS query outside, in its rowid order), each
            # joined to its live row; the same columns as the other steps, typed alike. No ORDER BY f.rowid: its
            # sorter cost SQLite more than sorting the few rows by search key costs Python (take does it).
            fts[key_column] = text(
                f"SELECT {names}, (SELECT group_concat(c.category, char(31)) FROM entity_category c "
                f"WHERE c.entity_id = entity.id) AS categories FROM ({SqliteFtsIndex.match_sql(key_column)}) AS f "
                "CROSS JOIN entity ON entity.search_key = f.rowid WHERE entity.deleted_at IS NULL"
            ).columns(*_FOUND_COLUMNS, sql_column("categories", String))
    prefixes = {
        "identifier_prefix": step(Entity.identifier),
        # Equal names in id order: ix_entity_name held (name, id) until 0024 and gave that order; now it says so.
        "name_prefix": step(Entity.name, Entity.id),
        "initials_prefix": step(Entity.name_initials),
        "identifier_exact": select(*columns).where(Entity.identifier == bindparam("lo"), _LIVE).limit(bindparam("n")),
    }
    driver: dict[str, DriverStatement] = {}
    if dialect == "sqlite":
        driver = {name: DriverStatement.compile(stmt, engine_dialect, ("lo", "hi", "n")) for name, stmt in prefixes.items()}
        driver |= {name: DriverStatement.compile(stmt, engine_dialect, ("q", "needle", "n")) for name, stmt in fts.items()}
        # a fragment step's candidates alone (see ranked_search's fragment), the index's own query
        driver |= {f"{name}_keys": DriverStatement.compile(text(SqliteFtsIndex.match_sql(name)), engine_dialect,
                                                           ("q", "needle", "n")) for name in fts}
    built = _Statements(
        **prefixes,
        by_keys=select(*columns).where(Entity.search_key.in_(bindparam("keys", expanding=True)), _LIVE),
        fts=fts,
        inline_categories=inline,
        driver=driver,
    )
    _STATEMENTS[dialect] = built
    return built


def ranked_search(session: Session, index: SearchIndex, query: str, limit: int = 50, *,
                  identifier_prefix: bool = True) -> list[FoundEntity]:
    """Find live entities for what a clerk typed, best first:
    exact identifier, identifier prefix, exact name, name prefix, initials prefix,
    name fragment, initials fragment, full-pinyin fragment.
    identifier_prefix=False matches whole identifiers only (a masked ID number cannot be rebuilt by prefixes).

    An exact match is the first row of its prefix range (the range starts at the query), so exact and prefix are one
    ordered statement each; hits come back as plain rows with their categories. On SQLite's FTS5 index a fragment
    step is one statement too: its candidates (in search-key order, as the index gives them) joined to their rows."""
    raw = query.strip()
    if not raw:
        return []
    ident = normalise_identifier(raw)
    folded = fold(raw)
    letters = folded if folded.isascii() and folded.isalpha() else ""
    found: list[FoundEntity] = []
    seen: set[Any] = set()
    # Plain rows need no ORM result machinery: run on the session's connection (same transaction), after the
    # flush the first ORM statement would have made (a caller may have pending entities, as tender matching can).
    if session.autoflush:
        session.flush()
    conn = session.connection()
    stmts = _statements(conn.dialect)
    on_fts = isinstance(index, SqliteFtsIndex)
    # On SQLite's FTS5 index every step has its driver statement: the driver runs them all (the same connection and
    # transaction), and a row becomes a FoundEntity only when it is taken.
    driver = conn.connection.driver_connection if on_fts and stmts.driver else None
    convert = _row_converter(conn.dialect) if driver is not None else None

    seen_keys: set[int] = set()

    def add(row: Any) -> bool:
        """Take a row not taken yet (seen by its id as the rows give it); True when the list is full."""
        if row[0] not in seen:
            seen.add(row[0])
            seen_keys.add(row[10])
            if convert is not None:
                hit = convert(row)
            else:
                hit = FoundEntity(*row[:11])
                if stmts.inline_categories and row[11]:
                    hit.category_codes = _category_codes(row[11])
            found.append(hit)
            if len(found) >= limit:
                return True
        return False

    def done() -> list[FoundEntity]:
        if found and not stmts.inline_categories:
            cats: dict[uuid.UUID, list[str]] = {}
            for eid, category in conn.execute(_CATEGORIES, {"ids": [e.id for e in found]}):
                cats.setdefault(eid, []).append(category)
            for e in found:
                e.category_codes = tuple(cats.get(e.id, ()))
        return found

    def take(name: str, params: dict[str, Any]) -> bool:
        rows: list[Any]
        if driver is not None:
            rows = stmts.driver[name].run(driver, params).fetchall()  # all read: the statement is done with
        else:
            rows = list(conn.execute(stmts.fts[name] if name in stmts.fts else getattr(stmts, name), params))
        if name in stmts.fts:
            rows.sort(key=_SEARCH_KEY)  # a fragment's hits in search-key order, as the index gives its candidates
        return any(add(row) for row in rows)

    def take_keys(keys: Sequence[int]) -> bool:
        if not keys:
            return False
        by_key = {row[10]: row for row in conn.execute(stmts.by_keys, {"keys": list(keys)})}
        return any(add(by_key[key]) for key in keys if key in by_key)

    def fragment(key_column: str, needle: str, contains: Any, want: int) -> bool:
        """A fragment step (the first `want` candidates): on FTS5 one statement, elsewhere the index's keys and then
        their rows."""
        if on_fts:
            params = SqliteFtsIndex.match_params(key_column, needle)
            if params is None:
                return False
            if driver is not None and found:
                return take_candidates(key_column, {**params, "n": want})
            return take(key_column, {**params, "n": want})
        return take_keys(contains(session, needle, want))

    def take_candidates(key_column: str, params: dict[str, Any]) -> bool:
        """A fragment step after earlier steps took rows (SQLite's driver): the same candidates, but only the rows
        the list still needs are read. Most of an initials query's candidates are often the rows its prefix step
        took (a name whose initials start with the letters holds them), and reading each candidate's whole row and
        categories only to skip it was most of the step (issue 17). The candidates not taken yet, in search-key
        order; their live rows a list's remainder at a time, so that a candidate no longer live is followed by the
        next, as when every candidate's row was read.

        The first `limit` candidates hold at least the limit - taken the list needs; only when their rows do not
        fill it (a candidate no longer live) are the rest of the step's `n` read, the window it always had."""
        assert driver is not None
        statement, read = stmts.driver[f"{key_column}_keys"], 0
        for n in (limit, params["n"]):
            candidates = statement.run(driver, {**params, "n": n}).fetchall()
            keys = [k for (k,) in candidates[read:] if k not in seen_keys]
            while keys:
                batch, keys = keys[: limit - len(found)], keys[limit - len(found):]
                rows = {row[10]: row for row in driver.execute(_rows_by_keys_sql(len(batch)), batch).fetchall()}
                if any(add(rows[k]) for k in batch if k in rows):
                    return True
            if len(candidates) < n:
                return False  # no more candidates
            read = len(candidates)
        return False

    def prefix(name: str, start: str) -> bool:
        return take(name, {"lo": start, "hi": start + "\U0010ffff", "n": limit - len(found) + len(seen)})

    steps: list[tuple[str, str]] = []
    if ident and ident.isascii() and ident.isalnum():
        steps.append(("identifier_prefix" if identifier_prefix else "identifier_exact", ident))
    steps.append(("name_prefix", raw))
    if len(letters) >= 2:
        steps.append(("initials_prefix", letters))
    for name, start in steps:
        if prefix(name, start):
            return done()
    want = limit + len(seen)
    if folded and not letters:
        if fragment("folded", folded, index.name_contains, want):
            return done()
    if letters:
        if fragment("initials", letters, index.initials_contain, want):
            return done()
        fragment("pinyin", letters, index.pinyin_contains, want)
    return done()


def result_converter(column: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """What SQLAlchemy does to a value of this column read by this dialect (a UUID from SQLite's text, a UTC
    datetime), for rows the driver gives as they are stored."""
    process = column.type.dialect_impl(dialect).result_processor(dialect, None)
    return process if process is not None else _as_stored


def _as_stored(value: Any) -> Any:
    return value


@lru_cache(maxsize=128)
def _rows_by_keys_sql(count: int) -> str:
    """SQLite: the live rows (the columns of every step, categories last) of `count` search keys, in no order."""
    names = ", ".join(f"entity.{c.key}" for c in _FOUND_COLUMNS)
    return (f"SELECT {names}, (SELECT group_concat(c.category, char(31)) FROM entity_category c "
            f"WHERE c.entity_id = entity.id) AS categories FROM entity "
            f"WHERE entity.search_key IN ({', '.join('?' * count)}) AND entity.deleted_at IS NULL")


_CONVERTERS: dict[str, Callable[[Sequence[Any]], FoundEntity]] = {}
_SEARCH_KEY = itemgetter(10)  # of a row of _FOUND_COLUMNS


def _row_converter(dialect: Dialect) -> Callable[[Sequence[Any]], FoundEntity]:
    """A driver row of _FOUND_COLUMNS and the categories made into a FoundEntity with the values SQLAlchemy would
    have given: the id and updated_at through their own types' result processing for this dialect."""
    made = _CONVERTERS.get(dialect.name)
    if made is not None:
        return made
    as_id, as_time = result_converter(Entity.id, dialect), result_converter(Entity.updated_at, dialect)

    def convert(row: Sequence[Any]) -> FoundEntity:
        cats = row[11]
        return FoundEntity(as_id(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7], as_time(row[8]),
                           row[9], row[10], _category_codes(cats) if cats else ())

    _CONVERTERS[dialect.name] = convert
    return convert


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
        # The bound on the column alone (implied by the OR) lets the database start at the cursor in the column's
        # index instead of reading it from the first entry.
        if descending:
            stmt = stmt.where(column <= after.value,
                              or_(column < after.value, and_(column == after.value, Entity.id < after.entity_id)))
        else:
            stmt = stmt.where(column >= after.value,
                              or_(column > after.value, and_(column == after.value, Entity.id > after.entity_id)))
    order = (column.desc(), Entity.id.desc()) if descending else (column.asc(), Entity.id.asc())
    return list(session.execute(stmt.order_by(*order).limit(size)).scalars())


def count_live(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Entity).where(_LIVE)).scalar_one()


def live_ids_and_names(session: Session, identifiers: Sequence[str]) -> list[tuple[str, uuid.UUID, str]]:
    """(identifier, id, name) of the live entities registered under these identifiers."""
    stmt = select(Entity.identifier, Entity.id, Entity.name).where(Entity.identifier.in_(identifiers), _LIVE)
    return [(ident, eid, name) for ident, eid, name in session.execute(stmt)]


def live_ids_by_identifier(session: Session) -> dict[str, uuid.UUID]:
    """Every live entity's id by its identifier (a bulk importer's lookup table)."""
    return dict(session.execute(select(Entity.identifier, Entity.id).where(_LIVE)).all())


def live_relations_of(session: Session, entity_id: uuid.UUID) -> list[EntityRelation]:
    """The live person–organisation links on either side of the entity."""
    stmt = select(EntityRelation).where(
        or_(EntityRelation.person_id == entity_id, EntityRelation.org_id == entity_id), EntityRelation.deleted_at.is_(None)
    )
    return list(session.execute(stmt).scalars())


def live_entities_named(session: Session, name: str, limit: int = 2) -> list[Entity]:
    """Live entities with exactly this name (limit 2 tells "one" from "several")."""
    return list(session.execute(select(Entity).where(Entity.name == name, _LIVE).limit(limit)).scalars())


def live_person_by_identifier(session: Session, identifier: str, person_kind: str) -> Entity | None:
    """The live entity of kind person_kind registered under this identifier."""
    return session.execute(select(Entity).where(Entity.identifier == identifier, _LIVE,
                                                Entity.kind == person_kind)).scalar_one_or_none()


def categories_and_created_before(session: Session, stop: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(category, entity created at) of every category of the live entities created before stop."""
    return [(cat, created) for cat, created in session.execute(
        select(EntityCategory.category, Entity.created_at).join(Entity, Entity.id == EntityCategory.entity_id)
        .where(_LIVE, Entity.created_at < stop)).all()]


def uncategorised_ids_before(session: Session, stop: dt.datetime) -> list[uuid.UUID]:
    """The live entities created before stop that have no category."""
    return [eid for (eid,) in session.execute(select(Entity.id).where(
        _LIVE, Entity.created_at < stop, ~Entity.id.in_(select(EntityCategory.entity_id)))).all()]


def ids_and_created_before(session: Session, stop: dt.datetime) -> list[tuple[uuid.UUID, dt.datetime]]:
    """(id, created at) of the live entities created before stop."""
    return [(eid, created) for eid, created in session.execute(
        select(Entity.id, Entity.created_at).where(_LIVE, Entity.created_at < stop)).all()]


def live_page_by_search_key(session: Session, after: int | None, size: int) -> list[Entity]:
    """The next `size` live entities (categories and licences loaded) in search-key order after `after` (None:
    from the start): an export's page."""
    stmt = select(Entity).where(_LIVE).options(selectinload(Entity.categories), selectinload(Entity.licences))
    if after is not None:
        stmt = stmt.where(Entity.search_key > after)
    return list(session.execute(stmt.order_by(Entity.search_key).limit(size)).scalars())


def live_link_pairs(session: Session) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(person id, organisation id) of every live person–organisation link."""
    return {(p, o) for p, o in session.execute(
        select(EntityRelation.person_id, EntityRelation.org_id).where(EntityRelation.deleted_at.is_(None)))}


def live_employer_links(session: Session) -> list[tuple[uuid.UUID, str, str]]:
    """(person id, organisation identifier, organisation name) of the live links to live organisations, oldest
    link first."""
    return [(p, ident, name) for p, ident, name in session.execute(
        select(EntityRelation.person_id, Entity.identifier, Entity.name).join(Entity, Entity.id == EntityRelation.org_id)
        .where(EntityRelation.deleted_at.is_(None), _LIVE).order_by(EntityRelation.created_at))]


def live_id_by_identifier(session: Session, identifier: str) -> uuid.UUID | None:
    """The id of a live entity registered under this identifier (the first one the database returns)."""
    return session.execute(select(Entity.id).where(Entity.identifier == identifier, _LIVE)).scalar()


def with_categories_among(session: Session, entity_ids: Sequence[Any]) -> set[Any]:
    """Those of the entities that have a category."""
    return set(session.execute(select(EntityCategory.entity_id).where(EntityCategory.entity_id.in_(entity_ids))).scalars())
