"""The schema comes only from Alembic: an empty file upgrades to head, and head matches the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from xuyi_desktop.storage.database import make_engine
from xuyi_desktop.storage.migrate import current_revision, head_revision, include_name, upgrade_database
from xuyi_desktop.storage.models import Base


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


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'agree.db'}")
    upgrade_database(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata)
    engine.dispose()
    assert diff == [], f"models changed without a migration: {diff}"


def test_second_start_is_a_no_op(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    engine = make_engine(url)
    upgrade_database(engine)
    assert upgrade_database(engine) is None
    engine.dispose()
