"""The small SQLite search index of 0022 (contentless FTS5, detail=none, candidates confirmed on entity_fts_keys):
a database of the previous schema is rebuilt into it without loss, and it follows renames and deletions without
leaving a token behind (FTS5's integrity-check would find a wrong 'delete')."""

from __future__ import annotations

from pathlib import Path

import pytest
from databases import migrate_to, old_sqlite
from sqlalchemy import text

from xuyi_desktop.storage.database import make_engine

pytestmark = pytest.mark.sqlite_only("SQLite's FTS5 index")

_OLD_ENTITY = (
    "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
    " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version,"
    " deleted_at) VALUES (:id, 'org', :name, :ident, '', '', '', '320830', 'active', '', :py, :ini, :name, :k,"
    " '2026-11-02 03:04:05.000000', '2026-11-02 03:04:05.000000', 'TMP-OLD022', 'TMP-OLD022', 1, :deleted)"
)


def _integrity(conn) -> None:  # type: ignore[no-untyped-def]
    conn.execute(text("INSERT INTO entity_fts(entity_fts) VALUES ('integrity-check')"))


def test_a_database_of_0021_gets_the_small_index_and_finds_what_it_found(tmp_path: Path) -> None:
    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services import entities
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import current_revision, head_revision

    db = tmp_path / "old.db"
    engine = old_sqlite(db, "0021", "TMP-OLD022")
    with engine.begin() as conn:
        rows = [
            ("1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a", "盱眙顺达运输有限公司", "91320830PYQLFT169T", "xuyishundayunshuyouxiangongsi", "xysdysyxgs", 1, None),
            ("2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b", "淮安达顺物流（ＡＢ）", "91320830MA1X2Y3Z4Q", "huaiandashunwuliuab", "hadswlab", 2, None),
            ("3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c", "已注销顺达车队", "91320830MA9X8Y7Z6W", "yizhuxiaoshundachedui", "yzxsdcd", 3,
             "2026-11-03 03:04:05.000000"),
        ]
        for eid, name, ident, py, ini, key, deleted in rows:
            conn.execute(text(_OLD_ENTITY), {"id": eid, "name": name, "ident": ident, "py": py, "ini": ini, "k": key,
                                             "deleted": deleted})
            if deleted is None:  # as 0.x indexed them: live entities only
                conn.execute(text("INSERT INTO entity_fts(rowid, uni, bi, ini, py) VALUES (:k, '', :n, '', '')"),
                             {"k": key, "n": name})
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 3)"))
    engine.dispose()

    ctx = open_context(str(db))
    try:
        assert current_revision(ctx.engine) == head_revision()
        with ctx.engine.connect() as conn:
            assert conn.execute(text("SELECT search_key FROM entity_fts_keys ORDER BY 1")).scalars().all() == [1, 2]
            _integrity(conn)

        def names(q: str) -> list[str]:
            return [h.name for h in entities.find_entities(ctx, q)]

        assert names("顺达") == ["盱眙顺达运输有限公司"]  # the deleted one stays out
        assert names("顺") == ["盱眙顺达运输有限公司", "淮安达顺物流（ＡＢ）"]
        assert names("达顺") == ["淮安达顺物流（ＡＢ）"]  # both hold 达 and 顺: order decides
        assert names("流ab") == ["淮安达顺物流（ＡＢ）"]  # folded: full-width letters, no brackets
        assert names("sdys") == ["盱眙顺达运输有限公司"]  # initials fragment
        assert names("dashun") == ["淮安达顺物流（ＡＢ）"]  # full-pinyin fragment
        assert names("shunda") == ["盱眙顺达运输有限公司"]

        first = entities.get_entity(ctx, "91320830PYQLFT169T")
        entities.update_entity(ctx, first.summary.id, EntityDraft(name="盱眙通达货运有限公司", identifier="91320830PYQLFT169T"),
                               expected_version=first.summary.version)
        assert names("顺达") == []
        assert names("通达") == ["盱眙通达货运有限公司"]
        assert names("tongda") == ["盱眙通达货运有限公司"]
        second = entities.get_entity(ctx, "91320830MA1X2Y3Z4Q")
        entities.delete_entity(ctx, second.summary.id, expected_version=second.summary.version, reason="测试")
        assert names("达顺") == [] and names("dashun") == []
        created = entities.register_entity(ctx, EntityDraft(name="新登记顺达公司", identifier="923208306JU6UCCY4U"))
        assert names("顺达") == ["新登记顺达公司"] and created.summary.name == "新登记顺达公司"
        with ctx.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM entity_fts_keys")).scalar() == 2
            assert conn.execute(text("SELECT count(*) FROM entity_fts")).scalar() == 2
            _integrity(conn)
    finally:
        ctx.close()

    engine = make_engine(f"sqlite:///{db}")
    migrate_to(engine, "0021", down=True)  # and back: 0021's phrase index, rebuilt from the live entities
    with engine.connect() as conn:
        hits = conn.execute(text("SELECT rowid FROM entity_fts WHERE entity_fts MATCH 'bi : \"通达 达货\"'")).scalars().all()
        assert hits == [1]
        _integrity(conn)
    engine.dispose()
