"""Migration 0023 (issue 17): on SQLite entity_category becomes a WITHOUT ROWID table. A database of 0022 with
entities, categories and licences keeps every row through the upgrade and back, and the ORM reads and writes the
new table as before."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from databases import migrate_to, old_sqlite
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

pytestmark = pytest.mark.sqlite_only("SQLite's rowid tables")

_STAMP = "'2026-11-02 03:04:05.000000', '2026-11-02 03:04:05.000000', 'TMP-OLD023', 'TMP-OLD023', 1"
_ENTITY = (
    "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
    " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version,"
    f" deleted_at) VALUES (:id, 'org', :name, :ident, '', '', '', '320830', 'active', '', '', '', :name, :k, {_STAMP},"
    " :deleted)"
)
_LICENCE = (
    "INSERT INTO licence (id, entity_id, licence_type, number, valid_from, valid_to, created_at, updated_at,"
    f" created_office, updated_office, version, deleted_at) VALUES (:id, :eid, '道路运输经营许可证', :no, '2026-01-01', NULL, {_STAMP}, NULL)"
)
_A, _B, _C = "1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a", "2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b", "3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c"


def _rows(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))]
            for t in ("entity", "entity_category", "licence")}


def _schema(conn: Connection) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in conn.execute(text(  # type: ignore[misc]
        "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'entity_category' ORDER BY name"))]


def _sound(conn: Connection) -> None:
    assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    assert conn.execute(text("PRAGMA foreign_key_check")).all() == []


def test_a_database_of_0022_keeps_its_rows_in_a_table_without_rowid_and_back(tmp_path: Path) -> None:
    from xuyi_desktop.storage.migrate import current_revision, head_revision
    from xuyi_desktop.storage.models import Entity, EntityCategory

    db = tmp_path / "old.db"
    engine = old_sqlite(db, "0022", "TMP-OLD023")
    with engine.begin() as conn:
        old_schema = _schema(conn)
        for eid, name, ident, key, deleted in [
            (_A, "盱眙顺达运输有限公司", "91320830PYQLFT169T", 1, None),
            (_B, "淮安达顺物流", "91320830MA1X2Y3Z4Q", 2, None),
            (_C, "已注销顺达车队", "91320830MA9X8Y7Z6W", 3, "2026-11-03 03:04:05.000000"),
        ]:
            conn.execute(text(_ENTITY), {"id": eid, "name": name, "ident": ident, "k": key, "deleted": deleted})
        for eid, category in [(_A, "道路运输"), (_A, "水路运输"), (_B, "道路运输"), (_C, "工程建设")]:
            conn.execute(text("INSERT INTO entity_category (entity_id, category) VALUES (:e, :c)"), {"e": eid, "c": category})
        for i, (eid, no) in enumerate([(_A, "苏交运管许可淮字320830001"), (_A, "苏交运管许可淮字320830002"),
                                       (_C, "苏交运管许可淮字320830003")]):
            conn.execute(text(_LICENCE), {"id": f"{i:032x}", "eid": eid, "no": no})
        before = _rows(conn)
    assert any(name == "sqlite_autoindex_entity_category_1" for name, _ in old_schema)

    migrate_to(engine, "head")
    with engine.connect() as conn:
        assert current_revision(engine) == head_revision()
        assert _rows(conn) == before
        schema = dict(_schema(conn))
        assert "WITHOUT ROWID" in (schema["entity_category"] or "")
        assert set(schema) == {"entity_category", "ix_entity_category_category"}
        plan = " ".join(r[-1] for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT entity_id FROM entity_category WHERE category = '道路运输'")))
        assert "ix_entity_category_category" in plan
        _sound(conn)

    with Session(engine) as session:  # the ORM reads, adds and cascades as before
        a = session.get(Entity, uuid.UUID(_A))
        assert a is not None and [c.category for c in a.categories] == ["水路运输", "道路运输"]
        a.categories.append(EntityCategory(category="工程建设"))
        session.commit()
    with engine.begin() as conn:
        assert conn.execute(text("SELECT category FROM entity_category WHERE entity_id = :e ORDER BY 1"),
                            {"e": _A}).scalars().all() == ["工程建设", "水路运输", "道路运输"]
        conn.execute(text("DELETE FROM entity_category WHERE entity_id = :e AND category = '工程建设'"), {"e": _A})
        assert _rows(conn) == before

    migrate_to(engine, "0022", down=True)  # and back: the rowid table of 0022 with the same rows
    with engine.connect() as conn:
        assert _rows(conn) == before
        schema = dict(_schema(conn))
        assert set(schema) == {name for name, _ in old_schema}  # the autoindex again, and the category index
        assert "WITHOUT ROWID" not in (schema["entity_category"] or "")
        _sound(conn)
    engine.dispose()
