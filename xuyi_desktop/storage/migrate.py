"""Bring a database to the current schema, after taking a copy of it when an upgrade is pending."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from xuyi_desktop.storage.database import make_private, sqlite_path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
KEEP_BACKUPS = 5
# Tables the models do not describe on purpose: the FTS5 virtual table and its shadow tables (SQLite),
# the n-gram table (PostgreSQL).
UNMODELLED_PREFIXES = ("entity_fts", "entity_grams")
# Counters sharing one PostgreSQL database may all start at once after an update: one migrates, the others
# wait on this advisory lock and then find nothing left to do.
PG_MIGRATION_LOCK = 0x58_5559_4D49  # "XUYMI"


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """Autogenerate filter: leave the full-text index alone (it is created by hand in the migrations)."""
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_PREFIXES))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The revision this program brings databases to. Work on several features at once may leave more than
    one head until a merge revision joins them; they are then written joined by '+'."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads
    return "+".join(sorted(heads))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return "+".join(sorted(heads)) if heads else None


def backup_sqlite_file(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database with its online backup API (never a plain file copy under WAL)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    make_private(dest)  # a copy of the database is as private as the database
    source, target = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:  # close explicitly: on Windows an open handle keeps the file from being moved or deleted
        target.close()
        source.close()
    return dest


def _prune(folder: Path, stem: str) -> None:
    old = sorted(folder.glob(f"{stem}.pre-*.db"))
    for path in old[:-KEEP_BACKUPS]:
        path.unlink(missing_ok=True)


def upgrade_database(engine: Engine) -> Path | None:
    """Upgrade to head. Returns the path of the safety copy taken before an upgrade, if one was taken."""
    current = current_revision(engine)
    head = head_revision()
    backup: Path | None = None
    db_file = sqlite_path(str(engine.url))
    if current is not None and current != head and db_file is not None and db_file.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = db_file.parent / "backups"
        backup = backup_sqlite_file(db_file, folder / f"{db_file.stem}.pre-{stamp}-{current}.db")
        _prune(folder, db_file.stem)
    if current != head:
        cfg = alembic_config()
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
    return backup
