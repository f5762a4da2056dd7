"""The schema comes only from Alembic: an empty database upgrades to head, and head matches the models, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from xuyi_desktop.storage.all_models import Base
from xuyi_desktop.storage.database import make_engine
from xuyi_desktop.storage.migrate import current_revision, head_revision, include_name, upgrade_database


@pytest.mark.sqlite_only("SQLite's pragmas and its FTS5 table")
def test_empty_database_upgrades_to_head_with_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) is None
    assert upgrade_database(engine) is None  # nothing to copy on a brand-new file
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert {"entity", "office", "licence", "entity_relation", "change_log", "entity_fts"} <= tables
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


@pytest.mark.postgresql_only("the server's search table and its GIN index")
def test_empty_server_database_upgrades_to_head_with_its_search_index(new_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(new_db("fresh", empty=True))
    assert current_revision(engine) is None
    assert upgrade_database(engine) is None  # no file to copy: the server is backed up with pg_dump
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert {"entity", "office", "licence", "entity_relation", "change_log", "entity_grams"} <= tables
        index = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = 'entity_grams' AND indexdef LIKE '%gin%'")).scalar()
        assert index is not None and "(grams)" in index
    engine.dispose()


def test_models_and_migrations_agree(new_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(_url(new_db("agree", empty=True)))
    upgrade_database(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata)
    engine.dispose()
    assert diff == [], f"models changed without a migration: {diff}"


def _url(db: str) -> str:
    return db if "://" in db else f"sqlite:///{db}"


def test_second_start_is_a_no_op(new_db) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(_url(new_db("twice", empty=True)))
    upgrade_database(engine)
    assert upgrade_database(engine) is None
    engine.dispose()


@pytest.mark.sqlite_only("rows written as version 0.1 wrote them into its SQLite file; the server variant follows")
def test_database_of_the_first_release_upgrades_without_loss(tmp_path: Path) -> None:
    """A file made at revision 0001 (the first schema) with real rows opens in this version: a safety copy
    is taken, every row survives, and the new features work on it."""
    from alembic import command

    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services import entities
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import alembic_config

    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:  # rows as version 0.1 wrote them (hex UUIDs, naive UTC timestamps)
        conn.execute(text(
            "INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
            "VALUES ('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', 'TMP-OLD001', '旧办公室', 'field', 1, 1, '2026-01-02 03:04:05.000000')"
        ))
        conn.execute(text(
            "INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status, notes,"
            " name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office, updated_office, version)"
            " VALUES ('1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', 'org', '盱眙老字号运输有限公司', '91320830PYQLFT169T', '', '', '', '320830',"
            " 'active', '', 'xuyilaozihaoyunshuyouxiangongsi', 'xylzhysyxgs', '盱眙老字号运输', 1,"
            " '2026-01-02 03:04:05.000000', '2026-01-02 03:04:05.000000', 'TMP-OLD001', 'TMP-OLD001', 1)"
        ))
        conn.execute(text("INSERT INTO entity_fts(rowid, uni, bi, ini, py) VALUES (1, '盱 眙', '盱眙 眙老 老字 字号', 'xy yl', 'xuy uyi')"))
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 1)"))
    engine.dispose()

    ctx = open_context(str(db))
    assert ctx.safety_copy is not None and ctx.safety_copy.exists()
    assert ctx.office_code == "TMP-OLD001"
    assert current_revision(ctx.engine) == head_revision()
    old = entities.get_entity(ctx, "91320830PYQLFT169T")
    assert old.summary.name == "盱眙老字号运输有限公司" and old.created_office == "TMP-OLD001"
    assert old.created_at.year == 2026 and old.created_at.tzinfo is not None
    assert [h.name for h in entities.find_entities(ctx, "老字号")] == ["盱眙老字号运输有限公司"]
    created = entities.register_entity(ctx, EntityDraft(name="新登记公司", identifier="923208306JU6UCCY4U"))
    assert created.summary.id != old.summary.id
    ctx.close()


@pytest.mark.postgresql_only("the server variant of the test above")
def test_server_database_of_the_first_schema_upgrades_without_loss_and_is_searchable(new_db) -> None:  # type: ignore[no-untyped-def]
    """A shared database at revision 0001 with rows in it opens in this version: every row survives, and the
    search table that came later (0009) is filled from the entities already there."""
    from alembic import command

    from xuyi_desktop.domain.entities import EntityDraft
    from xuyi_desktop.services import entities
    from xuyi_desktop.services.context import open_context
    from xuyi_desktop.storage.migrate import alembic_config

    url = new_db("old", empty=True)
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO office (id, code, name, role, is_local, provisional, created_at) "
                 "VALUES (:id, 'TMP-OLD001', '旧办公室', 'field', true, true, :at)"),
            {"id": uuid.uuid4(), "at": at},
        )
        conn.execute(
            text("INSERT INTO entity (id, kind, name, identifier, legal_representative, address, phone, region_code, status,"
                 " notes, name_pinyin, name_initials, name_key, search_key, created_at, updated_at, created_office,"
                 " updated_office, version) VALUES (:id, 'org', '盱眙老字号运输有限公司', '91320830PYQLFT169T', '', '', '',"
                 " '320830', 'active', '', 'xuyilaozihaoyunshuyouxiangongsi', 'xylzhysyxgs', '盱眙老字号运输', 1, :at, :at,"
                 " 'TMP-OLD001', 'TMP-OLD001', 1)"),
            {"id": uuid.uuid4(), "at": at},
        )
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('entity_search_key', 1)"))
    engine.dispose()

    ctx = open_context(url)
    try:
        assert ctx.safety_copy is None and ctx.office_code == "TMP-OLD001"
        assert current_revision(ctx.engine) == head_revision()
        old = entities.get_entity(ctx, "91320830PYQLFT169T")
        assert old.created_at == at and old.created_office == "TMP-OLD001"
        for query in ("老字号", "盱眙", "lzh", "laozihao"):
            assert [h.name for h in entities.find_entities(ctx, query)] == ["盱眙老字号运输有限公司"], query
        created = entities.register_entity(ctx, EntityDraft(name="新登记公司", identifier="923208306JU6UCCY4U"))
        assert created.summary.id != old.summary.id
    finally:
        ctx.close()
