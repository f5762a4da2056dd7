"""The SQLite index's rows are written as plain tuples, one DB-API executemany per table (issue 17: SQLAlchemy's
per-row parameter dicts were a quarter of the index write of a sync import). The rows must be those the statements
it replaced wrote: the same entity_fts_keys rows and the same tokens for each entity in the FTS table, when new
entities are indexed (bulk_insert: sync apply, demo data, rebuilds) and when indexed ones change (index: edits)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import text

from xuyi_desktop.storage.search_index import IndexRow, SqliteFtsIndex, fts_tokens

pytestmark = pytest.mark.sqlite_only("SQLite's FTS5 index")

ROWS = [
    IndexRow(1, "盱眙县顺达运输有限公司", "xuyixianshundayunshuyouxiangongsi", "xyxsdysyxgs"),
    IndexRow(2, "淮安达顺物流（ＡＢ）", "huaiandashunwuliuab", "hadswlab"),
    IndexRow(3, "王顺达", "wangshunda", "wsd"),
    IndexRow(4, "李", "li", "l"),
    IndexRow(5, "ABC Logistics 2", "", ""),
    IndexRow(6, "顺顺顺", "shunshunshun", "sss"),
]
CHANGED = [
    IndexRow(3, "王顺发", "wangshunfa", "wsf"),
    IndexRow(4, "李四", "lisi", "ls"),
    IndexRow(7, "盱眙新来", "xuyixinlai", "xyxl"),  # not indexed yet: index() adds it
]

# What SqliteFtsIndex wrote before the plain-tuple insert: SQLAlchemy text statements with a parameter dict a row.
_OLD_INSERT = text("INSERT INTO entity_fts(rowid, t) VALUES (:k, :t)")
_OLD_INSERT_KEYS = text("INSERT INTO entity_fts_keys(search_key, folded, initials, pinyin) VALUES (:k, :folded, :initials, :pinyin)")
_OLD_UPSERT_KEYS = text(
    "INSERT OR REPLACE INTO entity_fts_keys(search_key, folded, initials, pinyin) VALUES (:k, :folded, :initials, :pinyin)")


def _grams(s: str, n: int) -> list[str]:
    if len(s) <= n:
        return [s] if s else []
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def _old_fts_tokens(folded: str, initials: str, pinyin: str) -> str:
    """fts_tokens as it was before it made its n-grams by map."""
    tokens = set(folded) | set(_grams(folded, 2))
    if len(initials) >= 2:
        tokens |= {"i" + g for g in _grams(initials, 2)}
    if len(pinyin) >= 3:
        tokens |= {"p" + g for g in _grams(pinyin, 3)}
    return " ".join(tokens)


def _old_insert(conn: Any, rows: list[IndexRow], keys_sql: Any) -> None:
    values = [r.fts_values() for r in rows]
    conn.execute(keys_sql, values)
    conn.execute(_OLD_INSERT, [
        {"k": v["k"], "t": _old_fts_tokens(str(v["folded"]), str(v["initials"]), str(v["pinyin"]))} for v in values])


def _old_index(session: Any, rows: list[IndexRow]) -> None:
    SqliteFtsIndex()._take_out(session, [r.search_key for r in rows])
    _old_insert(session.connection(), rows, _OLD_UPSERT_KEYS)


def _content(conn: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The key rows, and every (token, entity) the FTS table holds; its integrity checked."""
    conn.execute(text("INSERT INTO entity_fts(entity_fts) VALUES ('integrity-check')"))
    conn.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_tokens USING fts5vocab(main, entity_fts, 'instance')"))
    keys = [tuple(r) for r in conn.execute(text("SELECT * FROM entity_fts_keys ORDER BY search_key"))]
    tokens = [tuple(r) for r in conn.execute(text("SELECT term, doc FROM temp.fts_tokens ORDER BY doc, term"))]
    return keys, tokens


def _clear(conn: Any) -> None:
    conn.execute(text("DELETE FROM entity_fts_keys"))
    conn.execute(text("INSERT INTO entity_fts(entity_fts) VALUES ('delete-all')"))


def test_new_and_changed_entities_get_the_rows_the_old_statements_wrote(ctx: Any) -> None:
    index = SqliteFtsIndex()
    with ctx.transaction() as session:
        conn = session.connection()
        index.bulk_insert(conn, ROWS)
        new_rows = _content(conn)
        index.index(session, CHANGED)
        changed_rows = _content(conn)
        _clear(conn)

        _old_insert(conn, ROWS, _OLD_INSERT_KEYS)
        assert _content(conn) == new_rows
        _old_index(session, CHANGED)
        assert _content(conn) == changed_rows

    keys, tokens = changed_rows
    assert [k[0] for k in keys] == [1, 2, 3, 4, 5, 6, 7]
    assert ("王顺发", 3) not in tokens and ("顺发", 3) in tokens and ("达", 3) not in tokens
    assert ("ils", 4) in tokens and ("xyxl" in dict((k[0], k[2]) for k in keys).values())


def test_what_the_plain_tuples_index_is_found(ctx: Any) -> None:
    index = SqliteFtsIndex()
    with ctx.transaction() as session:
        index.bulk_insert(session.connection(), ROWS)
        index.index(session, CHANGED)
        assert index.name_contains(session, "顺达", 50) == [1]
        assert index.name_contains(session, "顺", 50) == [1, 2, 3, 6]
        assert index.name_contains(session, "ab", 50) == [2, 5]
        assert index.initials_contain(session, "xy", 50) == [1, 7]
        assert index.pinyin_contains(session, "shunfa", 50) == [3]
        assert index.pinyin_contains(session, "lisi", 50) == [4]


def test_an_entity_has_the_tokens_it_had() -> None:
    rng = random.Random(17)
    alphabet = "盱眙顺达运输有限公司ab12"
    cases = [("", "", ""), ("a", "a", "a"), ("ab", "ab", "ab"), ("abc", "ab", "abc"), ("盱", "x", "xu"), ("顺顺顺", "sss", "sss")]
    for _ in range(2000):
        folded = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        initials = "".join(rng.choice("xysdab") for _ in range(rng.randint(0, 8)))
        pinyin = "".join(rng.choice("xuyishunda") for _ in range(rng.randint(0, 30)))
        cases.append((folded, initials, pinyin))
    for case in cases:
        assert sorted(fts_tokens(*case).split(" ")) == sorted(_old_fts_tokens(*case).split(" ")), case
