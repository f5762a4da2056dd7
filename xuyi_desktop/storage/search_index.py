"""The full-text seam: an SQLite FTS5 index of character n-grams, or a portable LIKE fallback.

Why n-grams and not FTS5's trigram tokenizer: Chinese names are searched by two characters (盱眙, 顺达),
and the trigram tokenizer silently matches nothing under three. We store our own tokens instead:
single characters (for one-character queries), character bigrams of the name (any query of 2+ characters
is the phrase of its bigrams), bigrams of the pinyin initials and trigrams of the full pinyin, all under
FTS5's plain unicode61 tokenizer. PostgreSQL gets its own backend (pg_trgm) behind the same interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from xuyi_desktop.domain.search_keys import fold
from xuyi_desktop.storage.models import Entity

FTS_TABLE = "entity_fts"
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "uni, bi, ini, py, tokenize = 'unicode61 remove_diacritics 0')"
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
        folded = fold(self.name)
        return {
            "k": self.search_key,
            "uni": " ".join(folded),
            "bi": " ".join(_grams(folded, 2)),
            "ini": " ".join(_grams(self.initials, 2)),
            "py": " ".join(_grams(self.pinyin, 3)),
        }


class SearchIndex(Protocol):
    """What the entity search needs from a full-text backend."""

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None: ...

    def remove(self, session: Session, search_keys: Iterable[int]) -> None: ...

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]: ...

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]: ...

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]: ...


def _phrase(column: str, tokens: list[str]) -> str:
    # Tokens are folded letters and digits only, so they need no escaping inside the quotes.
    return f'{column} : "{" ".join(tokens)}"'


class SqliteFtsIndex:
    """FTS5 n-gram index keyed by entity.search_key (rowid of the FTS table)."""

    _INSERT = text(f"INSERT INTO {FTS_TABLE}(rowid, uni, bi, ini, py) VALUES (:k, :uni, :bi, :ini, :py)")
    _DELETE = text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :k")

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        if not rows:
            return
        session.execute(self._DELETE, [{"k": r.search_key} for r in rows])
        session.execute(self._INSERT, [r.fts_values() for r in rows])

    def bulk_insert(self, conn: Connection, rows: Sequence[IndexRow]) -> None:
        """For freshly generated rows known not to be indexed yet (demo data, rebuilds)."""
        conn.execute(self._INSERT, [r.fts_values() for r in rows])

    def remove(self, session: Session, search_keys: Iterable[int]) -> None:
        keys = [{"k": k} for k in search_keys]
        if keys:
            session.execute(self._DELETE, keys)

    def _match(self, session: Session, expr: str, limit: int) -> list[int]:
        sql = text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q LIMIT :n")
        return list(session.execute(sql, {"q": expr, "n": limit}).scalars())

    def name_contains(self, session: Session, folded: str, limit: int) -> list[int]:
        if len(folded) == 1:
            return self._match(session, _phrase("uni", [folded]), limit)
        return self._match(session, _phrase("bi", _grams(folded, 2)), limit)

    def initials_contain(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._match(session, _phrase("ini", _grams(letters, 2)), limit) if len(letters) >= 2 else []

    def pinyin_contains(self, session: Session, letters: str, limit: int) -> list[int]:
        return self._match(session, _phrase("py", _grams(letters, 3)), limit) if len(letters) >= 3 else []


class LikeFallbackIndex:
    """No index at all: LIKE over the entity table. Correct everywhere, slow on large tables."""

    def index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        return None

    def remove(self, session: Session, search_keys: Iterable[int]) -> None:
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


def search_index_for(conn: Connection) -> SearchIndex:
    """The best backend this database offers."""
    return SqliteFtsIndex() if has_fts_table(conn) else LikeFallbackIndex()


__all__ = ["FTS_CREATE", "IndexRow", "LikeFallbackIndex", "SearchIndex", "SqliteFtsIndex", "has_fts_table", "search_index_for"]
