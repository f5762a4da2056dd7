"""The full-text seam: an SQLite FTS5 index of character n-grams, or a portable LIKE fallback.

Why n-grams and not FTS5's trigram tokenizer: Chinese names are searched by two characters (盱眙, 顺达),
and the trigram tokenizer silently matches nothing under three. We store our own tokens instead:
single characters (for one-character queries), character bigrams of the name (any query of 2+ characters
is found by its bigrams), bigrams of the pinyin initials and trigrams of the full pinyin, all under
FTS5's plain unicode61 tokenizer.

Since 0022 the SQLite index is small (about 65 bytes an entity instead of 490): one contentless column with
detail=none, so FTS5 keeps only which rows hold a token, not the token text nor its positions. The kinds of
token stay apart by their length (a character 1, a name bigram 2, "i" + an initials bigram 3, "p" + a pinyin
trigram 4). Without positions a fragment's n-grams are matched in any order, so each candidate is confirmed
on its folded name, initials or pinyin in entity_fts_keys (a plain rowid table, about 85 bytes an entity),
which also gives the exact tokens to take out when an entity changes (a contentless table cannot find them
itself). The hits are the rows holding the fragment, in search-key order: the same as the old phrase query.

PostgreSQL gets the same tokens in a `text[]` column under a GIN index (table entity_grams), with the
folded name, initials and pinyin beside them to confirm each candidate. Why not pg_trgm: it extracts no
trigram from a two-character pattern, so `LIKE '%盱眙%'` reads the whole index, and under the C locale it
drops CJK characters from its trigrams altogether; exact tokens have neither problem and give the same
answers as the SQLite index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import add
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.orm import Session

from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.storage.models import Entity

FTS_TABLE = "entity_fts"
FTS_KEYS_TABLE = "entity_fts_keys"
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "t, content = '', detail = none, tokenize = 'unicode61 remove_diacritics 0')"
)
FTS_KEYS_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {FTS_KEYS_TABLE} ("
    "search_key INTEGER PRIMARY KEY, folded TEXT NOT NULL, initials TEXT NOT NULL, pinyin TEXT NOT NULL)"
)


GRAMS_TABLE = "entity_grams"
GRAMS_CREATE = (
    (
        f"CREATE TABLE IF NOT EXISTS {GRAMS_TABLE} ("
        "search_key bigint PRIMARY KEY, folded text NOT NULL, initials text NOT NULL, pinyin text NOT NULL, "
        "grams text[] NOT NULL)"
    ),
    f"CREATE INDEX IF NOT EXISTS ix_{GRAMS_TABLE}_grams ON {GRAMS_TABLE} USING gin (grams)",
)


def _grams(s: str, n: int) -> list[str]:
    if len(s) <= n:
        return [s] if s else []
    return [s[i : i + n] for i in range(len(s) - n + 1)]


@dataclass(frozen=True)
class IndexRow:
    """What the index needs of one entity."""

    search_key: int
    name: str
    pinyin: str
    initials: str

    def fts_values(self) -> dict[str, object]:
        """The row of entity_fts_keys; its tokens are fts_tokens of these values."""
        return {"k": self.search_key, "folded": fold(self.name), "initials": self.initials, "pinyin": self.pinyin}

    def gram_values(self) -> dict[str, object]:
        """The same tokens as fts_values, as one array with the column as a prefix (u: b: i: p:)."""
        folded = fold(self.name)
        grams = sorted(
            {f"u:{c}" for c in folded}
            | {f"b:{g}" for g in _grams(folded, 2)}
            | {f"i:{g}" for g in _grams(self.initials, 2)}
            | {f"p:{g}" for g in _grams(self.pinyin, 3)}
        )
        return {"k": self.search_key, "folded": folded, "initials": self.initials, "pinyin": self.pinyin, "grams": grams}


class SearchIndex(Protocol):
    """What the entity search needs from a full-text backend."""

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None: ...

    def remove(self, session: Session, search_keys: Iterable[int]) -> None: ...

    def bulk_insert(self, conn: Connection, rows: Sequence[IndexRow]) -> None: ...

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]: ...

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]: ...

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]: ...


def fts_tokens(folded: str, initials: str, pinyin: str) -> str:
    """The tokens of one entity in the single FTS5 column, each kind told by its length: characters (1), name
    bigrams (2), "i" + initials bigrams (3), "p" + pinyin trigrams (4). Initials under 2 and pinyin under 3
    letters give none: no query of the initials or pinyin step is that short.

    The n-grams of _grams without its calls and intermediate sets (the index write of a sync import spent half
    its Python time here): a name of one character has no bigram but itself, which is already its character."""
    tokens = set(folded)
    tokens.update(map(add, folded, folded[1:]))
    if len(initials) >= 2:
        tokens.update(["i" + initials[i : i + 2] for i in range(len(initials) - 1)])
    if len(pinyin) >= 3:
        tokens.update(["p" + pinyin[i : i + 3] for i in range(len(pinyin) - 2)])
    return " ".join(tokens)  # any order: detail=none keeps no positions


def _match_sql(column: str) -> str:
    """The rowids (search keys) of the FTS rows holding every token of :q whose `column` of entity_fts_keys holds
    :needle, the first :n in rowid order. CROSS JOIN keeps the FTS table outside: hits come in its rowid order and
    LIMIT stops the scan early. The search also runs it inside its own statement (entity_queries.ranked_search)."""
    return (f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} CROSS JOIN {FTS_KEYS_TABLE} k ON k.search_key = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH :q AND instr(k.{column}, :needle) > 0 LIMIT :n")


def _all_of(tokens: list[str]) -> str:
    # Tokens are folded letters and digits only, so they need no escaping inside the quotes.
    return " AND ".join(f'"{t}"' for t in dict.fromkeys(tokens))


class SqliteFtsIndex:
    """FTS5 n-gram index keyed by entity.search_key (rowid of the FTS table), its candidates confirmed on the
    folded values in entity_fts_keys (see the module docstring)."""

    # Plain-tuple statements of _insert (the driver's qmark style: this index exists on SQLite only).
    _INSERT = f"INSERT INTO {FTS_TABLE}(rowid, t) VALUES (?, ?)"
    _INSERT_KEYS = f"INSERT INTO {FTS_KEYS_TABLE}(search_key, folded, initials, pinyin) VALUES (?, ?, ?, ?)"
    _UPSERT_KEYS = f"INSERT OR REPLACE INTO {FTS_KEYS_TABLE}(search_key, folded, initials, pinyin) VALUES (?, ?, ?, ?)"
    _TAKE_OUT = text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, t) VALUES ('delete', :k, :t)")
    _DELETE_KEYS = text(f"DELETE FROM {FTS_KEYS_TABLE} WHERE search_key = :k")
    _HELD = text(f"SELECT search_key, folded, initials, pinyin FROM {FTS_KEYS_TABLE} WHERE search_key IN :ks").bindparams(
        bindparam("ks", expanding=True))

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        if not rows:
            return
        self._take_out(session, [r.search_key for r in rows])
        self._insert(session.connection(), rows, self._UPSERT_KEYS)

    def bulk_insert(self, conn: Connection, rows: Sequence[IndexRow]) -> None:
        """For rows known not to be indexed (demo data, rebuilds)."""
        self._insert(conn, rows, self._INSERT_KEYS)

    def _insert(self, conn: Connection, rows: Sequence[IndexRow], keys_sql: str) -> None:
        """The rows of both tables as plain tuples, one DB-API executemany each (as storage.change_log.insert_rows):
        SQLAlchemy's per-row parameter dicts were about a quarter of the index write of a sync import. The values
        are those of IndexRow.fts_values and their fts_tokens; integers and text need no bind processing."""
        if not rows:
            return
        keys = [(r.search_key, fold(r.name), r.initials, r.pinyin) for r in rows]
        conn.exec_driver_sql(keys_sql, keys)
        conn.exec_driver_sql(self._INSERT, [(k, fts_tokens(str(f), str(i), str(p))) for k, f, i, p in keys])

    def remove(self, session: Session, search_keys: Iterable[int]) -> None:
        held = self._take_out(session, search_keys)
        if held:
            session.execute(self._DELETE_KEYS, [{"k": k} for k in held])

    def _take_out(self, session: Session, search_keys: Iterable[int]) -> list[int]:
        """Take these entities' tokens out of the FTS table; returns the keys that were indexed. A contentless
        table forgets a row only when given the very tokens it was indexed with: those of entity_fts_keys."""
        keys = list(dict.fromkeys(search_keys))
        held: list[Any] = []
        for i in range(0, len(keys), 500):
            held += session.execute(self._HELD, {"ks": keys[i : i + 500]}).all()
        if held:
            session.execute(self._TAKE_OUT, [{"k": k, "t": fts_tokens(f, i, p)} for k, f, i, p in held])
        return [k for k, _f, _i, _p in held]

    @staticmethod
    def match_sql(column: str) -> str:
        """See _match_sql: the candidates of one step, for a statement of the caller's."""
        return _match_sql(column)

    _MATCH = {column: text(_match_sql(column)) for column in ("folded", "initials", "pinyin")}

    @staticmethod
    def match_params(column: str, needle: str) -> dict[str, str] | None:
        """The :q and :needle of match_sql for what a step looks for (`column` folded: a folded name fragment,
        initials or pinyin: letters), None when the step finds nothing for so short a text."""
        if column == "folded":
            tokens = [needle] if len(needle) == 1 else _grams(needle, 2)
        elif column == "initials":
            tokens = ["i" + g for g in _grams(needle, 2)] if len(needle) >= 2 else []
        else:
            tokens = ["p" + g for g in _grams(needle, 3)] if len(needle) >= 3 else []
        return {"q": _all_of(tokens), "needle": needle} if tokens else None

    def _match(self, session: Session, column: str, needle: str, limit: int) -> list[int]:
        params = self.match_params(column, needle)
        if params is None:
            return []
        return list(session.execute(self._MATCH[column], {**params, "n": limit}).scalars())

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]:
        return self._match(session, "folded", folded, limit)

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._match(session, "initials", letters, limit)

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._match(session, "pinyin", letters, limit)

    def rebuild(self, conn: Connection, batch: int = 5000) -> int:
        """Fill both tables from the live entities (the migration that made the index small, and repairs)."""
        conn.execute(text(f"DELETE FROM {FTS_KEYS_TABLE}"))
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
        done = _fill(conn, self.bulk_insert, batch)
        conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"))
        return done


def _fill(conn: Connection, insert: Callable[[Connection, Sequence[IndexRow]], None], batch: int) -> int:
    """Index the live entities in search-key order, a batch at a time."""
    done, last = 0, None
    while True:
        stmt = select(Entity.search_key, Entity.name, Entity.name_pinyin, Entity.name_initials).where(
            Entity.deleted_at.is_(None)
        )
        if last is not None:
            stmt = stmt.where(Entity.search_key > last)
        chunk = conn.execute(stmt.order_by(Entity.search_key).limit(batch)).all()
        if not chunk:
            return done
        insert(conn, [IndexRow(k, n, p or "", i or "") for k, n, p, i in chunk])
        done, last = done + len(chunk), chunk[-1][0]


class PgGramIndex:
    """PostgreSQL: the n-gram tokens in a GIN-indexed text[] column; each hit is confirmed on the folded text,
    so a name holding the bigrams of the query in another order is not a hit (as with an FTS5 phrase)."""

    _UPSERT = text(
        f"INSERT INTO {GRAMS_TABLE} (search_key, folded, initials, pinyin, grams) "
        "VALUES (:k, :folded, :initials, :pinyin, CAST(:grams AS text[])) "
        "ON CONFLICT (search_key) DO UPDATE SET folded = excluded.folded, initials = excluded.initials, "
        "pinyin = excluded.pinyin, grams = excluded.grams"
    )
    _DELETE = text(f"DELETE FROM {GRAMS_TABLE} WHERE search_key = :k")

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        if rows:
            session.execute(self._UPSERT, [r.gram_values() for r in rows])

    def bulk_insert(self, conn: Connection, rows: Sequence[IndexRow]) -> None:
        if rows:
            conn.execute(self._UPSERT, [r.gram_values() for r in rows])

    def remove(self, session: Session, search_keys: Iterable[int]) -> None:
        keys = [{"k": k} for k in search_keys]
        if keys:
            session.execute(self._DELETE, keys)

    # A GIN scan builds the bitmap of every match before LIMIT applies: a common fragment (有限公司 is in half
    # the names) costs 40-75 ms at 1,000,000 entities. Such a fragment has enough hits among the first rows,
    # so a short ordered scan of those answers first; a rare one finds too few there and the index answers
    # from a small bitmap. PROBE_ROWS bounds what a rare fragment pays for nothing (about 1 ms).
    PROBE_ROWS = 2_000

    def _match(self, session: Session, tokens: list[str], column: str, needle: str, limit: int) -> list[int]:
        probe = text(
            f"SELECT search_key FROM (SELECT search_key, {column} FROM {GRAMS_TABLE} ORDER BY search_key LIMIT :rows) s "
            f"WHERE strpos(s.{column}, :needle) > 0 LIMIT :n"
        )
        keys = list(session.execute(probe, {"rows": self.PROBE_ROWS, "needle": needle, "n": limit}).scalars())
        if len(keys) >= limit:
            return keys
        sql = text(
            f"SELECT search_key FROM {GRAMS_TABLE} WHERE grams @> CAST(:t AS text[]) "
            f"AND strpos({column}, :needle) > 0 LIMIT :n"
        )
        return list(session.execute(sql, {"t": tokens, "needle": needle, "n": limit}).scalars())

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]:
        if len(folded) == 1:
            return self._match(session, [f"u:{folded}"], "folded", folded, limit)
        return self._match(session, [f"b:{g}" for g in _grams(folded, 2)], "folded", folded, limit)

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]:
        if len(letters) < 2:
            return []
        return self._match(session, [f"i:{g}" for g in _grams(letters, 2)], "initials", letters, limit)

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]:
        if len(letters) < 3:
            return []
        return self._match(session, [f"p:{g}" for g in _grams(letters, 3)], "pinyin", letters, limit)

    def rebuild(self, conn: Connection, batch: int = 5000) -> int:
        """Fill the table from the live entities (the migration that creates it, and repairs)."""
        conn.execute(text(f"TRUNCATE {GRAMS_TABLE}"))
        return _fill(conn, self.bulk_insert, batch)


class LikeFallbackIndex:
    """No index at all: LIKE over the entity table. Correct everywhere, slow on large tables."""

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        return None

    def remove(self, session: Session, search_keys: Iterable[int]) -> None:
        return None

    def bulk_insert(self, conn: Connection, rows: Sequence[IndexRow]) -> None:
        return None

    def _like(self, session: Session, column: object, needle: str, limit: int) -> list[int]:
        stmt = select(Entity.search_key).where(Entity.deleted_at.is_(None), column.like(f"%{needle}%")).limit(limit)  # type: ignore[attr-defined]
        return list(session.execute(stmt).scalars())

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]:
        return self._like(session, Entity.name, folded, limit)

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._like(session, Entity.name_initials, letters, limit) if len(letters) >= 2 else []

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._like(session, Entity.name_pinyin, letters, limit) if len(letters) >= 3 else []


def has_fts_table(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": FTS_TABLE}).first()
    return found is not None


def has_grams_table(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(text("SELECT to_regclass(:n)"), {"n": GRAMS_TABLE}).scalar() is not None


def search_index_for(conn: Connection) -> SearchIndex:
    """The best backend this database offers."""
    if has_fts_table(conn):
        return SqliteFtsIndex()
    if has_grams_table(conn):
        return PgGramIndex()
    return LikeFallbackIndex()


__all__ = [
    "FTS_CREATE", "FTS_KEYS_CREATE", "GRAMS_CREATE", "IndexRow", "LikeFallbackIndex", "PgGramIndex", "SearchIndex", "SqliteFtsIndex",
    "fts_tokens", "has_fts_table", "has_grams_table", "search_index_for",
]
