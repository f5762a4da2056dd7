"""Migration 0024 (issue 17): ix_entity_name, ix_entity_name_pinyin and ix_entity_updated_at lose their id column,
ix_entity_name_key holds only the names that are not their own key. A database of 0023 with entities, categories and licences keeps every row
through the upgrade and back; equal names still come in id order (not in rowid order, which the index alone would
give) in the search's name step and in the registry's pages; the near-duplicate check finds the same entities in the
same order; the search index finds what it found."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from databases import migrate_to, old_sqlite
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from xuyi_desktop.storage.database import make_engine

pytestmark = pytest.mark.sqlite_only("SQLite's rowid order and its FTS5 index")

_STAMP = "'2026-11-02 03:04:05.000000', '2026-11-02 03:04:05.000000', 'TMP-OLD024', 'TMP-OLD024', 1"
_ENTITY = (
    "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
    " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version,"
    f" deleted_at) VALUES (:id, 'org', :name, :ident, '', '', '', '320830', 'active', '', :py, :ini, :nk, :k, {_STAMP},"
    " :deleted)"
)
_LICENCE = (
    "INSERT INTO licence (id, entity_id, licence_type, number, valid_from, valid_to, created_at, updated_at,"
    f" created_office, updated_office, version, deleted_at) VALUES (:id, :eid, '道路运输经营许可证', :no, '2026-01-01', NULL, {_STAMP}, NULL)"
)
# Inserted in this order (rowid 1, 2, 3 …): the three 顺达运输 have ids in the reverse order of their rowids, and
# 顺达运输公司 (whose key is 顺达运输 too, but not its name) the smallest id and the last rowid.
_ROWS = [
    ("9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f", "顺达运输", "顺达运输", "91320830MA0000001A", "shundayunshu", "sdys", 1, None),
    ("5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e", "顺达运输", "顺达运输", "91320830MA0000002B", "shundayunshu", "sdys", 2, None),
    ("1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a", "顺达运输", "顺达运输", "91320830MA0000003C", "shundayunshu", "sdys", 3, None),
    ("2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b", "盱眙顺达物流（ＡＢ）", "盱眙顺达物流ab", "91320830MA0000004D", "xuyishundawuliuab",
     "xysdwlab", 4, None),
    ("3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c", "已注销顺达车队", "已注销顺达车队", "91320830MA0000005E", "yizhuxiaoshundachedui",
     "yzxsdcd", 5, "2026-11-03 03:04:05.000000"),
    ("0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a", "顺达运输公司", "顺达运输", "91320830MA0000006F", "shundayunshugongsi", "sdysgs", 6,
     None),
    ("4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d", "已注销顺达运输公司", "顺达运输", "91320830MA0000007G", "yizhuxiaoshundayunshugongsi",
     "yzxsdysgs", 7, "2026-11-03 03:04:05.000000"),
]


def _rows(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))]
            for t in ("entity", "entity_category", "licence", "entity_fts_keys")}


def _index_sql(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(text(  # type: ignore[arg-type]
        "SELECT name, sql FROM sqlite_master WHERE name IN ('ix_entity_name', 'ix_entity_name_pinyin', 'ix_entity_name_key',"
        " 'ix_entity_updated_at')"
    )).all())


def _similar(engine: Any, key: str, exclude: str | None = None, limit: int = 5) -> list[str]:
    """What the near-duplicate check finds (entity_queries.similar_names)."""
    from xuyi_desktop.storage.entity_queries import similar_names

    with Session(engine) as session:
        return [e.id.hex for e in similar_names(session, key, uuid.UUID(exclude) if exclude else None, limit)]


def _sound(conn: Connection) -> None:
    assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    conn.execute(text("INSERT INTO entity_fts(entity_fts) VALUES ('integrity-check')"))


def test_a_database_of_0023_keeps_its_rows_and_answers_with_the_leaner_indexes_and_back(tmp_path: Path) -> None:
    from xuyi_desktop.services import entities
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.entity_queries import SortKey
    from xuyi_desktop.storage.migrate import current_revision, head_revision
    from xuyi_desktop.storage.search_index import SqliteFtsIndex

    db = tmp_path / "old.db"
    engine = old_sqlite(db, "0023", "TMP-OLD024")
    with engine.begin() as conn:
        old_sql = _index_sql(conn)
        for eid, name, nk, ident, py, ini, key, deleted in _ROWS:
            conn.execute(text(_ENTITY), {"id": eid, "name": name, "nk": nk, "ident": ident, "py": py, "ini": ini, "k": key,
                                         "deleted": deleted})
        for eid, category in [(_ROWS[0][0], "道路运输"), (_ROWS[0][0], "水路运输"), (_ROWS[3][0], "道路运输")]:
            conn.execute(text("INSERT INTO entity_category (entity_id, category) VALUES (:e, :c)"), {"e": eid, "c": category})
        for i, (eid, no) in enumerate([(_ROWS[0][0], "苏交运管许可淮字320830001"), (_ROWS[4][0], "苏交运管许可淮字320830002")]):
            conn.execute(text(_LICENCE), {"id": f"{i:032x}", "eid": eid, "no": no})
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 7)"))
        SqliteFtsIndex().rebuild(conn)
        before = _rows(conn)
    assert old_sql["ix_entity_name"].endswith("(name, id)") and old_sql["ix_entity_name_key"].endswith("(name_key)")
    # what the full index on name_key gave: every live row with the key, in rowid order
    similar_before = [_similar(engine, "顺达运输"), _similar(engine, "顺达运输", _ROWS[1][0]), _similar(engine, "顺达运输", limit=2),
                      _similar(engine, "盱眙顺达物流ab"), _similar(engine, "已注销顺达车队")]
    assert similar_before[0] == [_ROWS[i][0] for i in (0, 1, 2, 5)] and similar_before[-1] == []
    engine.dispose()

    ctx = open_context(str(db))  # the program upgrades it
    try:
        assert current_revision(ctx.engine) == head_revision()
        with ctx.engine.connect() as conn:
            assert _rows(conn) == before
            sql = _index_sql(conn)
            assert sql["ix_entity_name"] == "CREATE INDEX ix_entity_name ON entity (name)"
            assert sql["ix_entity_name_pinyin"] == "CREATE INDEX ix_entity_name_pinyin ON entity (name_pinyin)"
            assert sql["ix_entity_updated_at"] == "CREATE INDEX ix_entity_updated_at ON entity (updated_at)"
            assert sql["ix_entity_name_key"] == "CREATE INDEX ix_entity_name_key ON entity (name_key) WHERE name_key <> name"
            # only the names that are not their own key: 盱眙顺达物流（ＡＢ） and the two 顺达运输公司
            held = conn.execute(text("SELECT count(*) FROM entity INDEXED BY ix_entity_name_key WHERE name_key <> name")).scalar()
            assert held == 3
            # the index alone would give the three equal names in rowid order (9f…, 5e…, 1a…)
            by_index = conn.execute(text("SELECT id FROM entity INDEXED BY ix_entity_name WHERE name = '顺达运输'")).scalars().all()
            assert by_index == [r[0] for r in _ROWS[:3]]
            _sound(conn)
        assert [_similar(ctx.engine, "顺达运输"), _similar(ctx.engine, "顺达运输", _ROWS[1][0]),
                _similar(ctx.engine, "顺达运输", limit=2), _similar(ctx.engine, "盱眙顺达物流ab"),
                _similar(ctx.engine, "已注销顺达车队")] == similar_before
        in_id_order = ["91320830MA0000003C", "91320830MA0000002B", "91320830MA0000001A"]
        # the name step: equal names in id order, then the fragment step; the deleted entities are not found
        found = [s.identifier for s in entities.find_entities(ctx, "顺达运输")]
        assert found == [*in_id_order, "91320830MA0000006F"]
        assert [s.identifier for s in entities.find_entities(ctx, "顺达")] == [*in_id_order, "91320830MA0000006F",
                                                                             "91320830MA0000004D"]
        assert [s.identifier for s in entities.find_entities(ctx, "ab")] == ["91320830MA0000004D"]
        assert [s.identifier for s in entities.find_entities(ctx, "sdwl")] == ["91320830MA0000004D"]
        assert [s.categories for s in entities.find_entities(ctx, "顺达运输")][2] == ("水路运输", "道路运输")
        # the registry's pages by name (pinyin): equal pinyin in id order, across a page boundary, both ways
        page, cursor = entities.page_entities(ctx, size=2)
        rest, end = entities.page_entities(ctx, after=cursor, size=5)
        assert [s.identifier for s in page + rest] == [*in_id_order, "91320830MA0000006F", "91320830MA0000004D"]
        assert end is None
        page, cursor = entities.page_entities(ctx, descending=True, size=2)
        rest, _ = entities.page_entities(ctx, descending=True, after=cursor, size=5)
        assert [s.identifier for s in page + rest] == ["91320830MA0000004D", "91320830MA0000006F", *reversed(in_id_order)]
        # by update time: every row here has the same one, so the pages are in id order, both ways
        by_id = ["91320830MA0000006F", "91320830MA0000003C", "91320830MA0000004D", "91320830MA0000002B", "91320830MA0000001A"]
        page, cursor = entities.page_entities(ctx, sort=SortKey.UPDATED, size=2)
        rest, end = entities.page_entities(ctx, sort=SortKey.UPDATED, after=cursor, size=5)
        assert [s.identifier for s in page + rest] == by_id and end is None
        page, cursor = entities.page_entities(ctx, sort=SortKey.UPDATED, descending=True, size=3)
        rest, _ = entities.page_entities(ctx, sort=SortKey.UPDATED, descending=True, after=cursor, size=5)
        assert [s.identifier for s in page + rest] == list(reversed(by_id))
    finally:
        ctx.close()

    engine = make_engine(f"sqlite:///{db}")
    migrate_to(engine, "0023", down=True)  # and back: the indexes with their id
    with engine.connect() as conn:
        assert _rows(conn) == before
        assert _index_sql(conn) == old_sql
        assert _similar(engine, "顺达运输") == similar_before[0]
        _sound(conn)
    engine.dispose()
