"""Where a test's database lives: a file in its temporary folder (SQLite run) or a database of its own on the
test PostgreSQL server (PostgreSQL run, XUYI_TEST_POSTGRESQL = the administrator URL that scripts/postgres
prints). Both start from a template migrated once per run: the SQLite file is a copy of a migrated template
file, the PostgreSQL database a clone of a migrated template database (dropped afterwards). `empty=True` gives
a database no migration has touched (a path to no file yet, on SQLite).

The template holds the schema only: the office identity is made by open_context at the first start of each
copy (services.offices.ensure_local_office), so every test still gets an office of its own."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

ADMIN_URL = os.environ.get("XUYI_TEST_POSTGRESQL", "").strip()
BACKEND = "postgresql" if ADMIN_URL else "sqlite"
MIGRATED_TEMPLATE = f"xuyi_tpl_{os.getpid()}"
_numbers = itertools.count(1)
_sqlite_template: Path | None = None
_sqlite_template_folder: Path | None = None  # where the template is made on first use (set by the session fixture)


def on_postgresql() -> bool:
    return BACKEND == "postgresql"


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the test server."""
    from sqlalchemy.engine import make_url

    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def admin() -> Iterator[object]:
    """An autocommit psycopg connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(ADMIN_URL)
    conn = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database or "postgres",
                           autocommit=True)
    try:
        yield conn
    finally:
        conn.close()


def drop(name: str) -> None:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]


def create(name: str, template: str = "template0") -> str:
    with admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')  # type: ignore[attr-defined]
    return database_url(name)


def make_migrated_template() -> None:
    """Once per run: an empty database brought to head by the application's own migrations."""
    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import upgrade_database

    engine = make_engine(create(MIGRATED_TEMPLATE))
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()


def make_sqlite_template(folder: Path | None = None) -> Path:
    """Once per run: an SQLite file brought to head by the application's own migrations, closed and checkpointed
    so that the main file alone is the whole database (copying it is then a plain file copy)."""
    from xuyi_desktop.storage.database import make_engine
    from xuyi_desktop.storage.migrate import upgrade_database

    global _sqlite_template
    folder = folder or _sqlite_template_folder or Path(tempfile.mkdtemp(prefix="xuyi-template-"))
    path = folder / "migrated-template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    # The last connection to close normally checkpoints the WAL and removes -wal/-shm; make sure of it.
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    _check_alone(path)
    _sqlite_template = path
    return path


def _check_alone(path: Path) -> None:
    """A -wal beside the main file may hold committed pages the main file lacks: copying the main file alone
    would then give a database without them (and -shm says someone has it open)."""
    leftovers = [p.name for p in path.parent.iterdir() if p.name != path.name and p.name.startswith(path.name)]
    if leftovers:
        raise RuntimeError(f"migrated template has {leftovers} beside it: something opened it; a copy would not be whole")


def use_template_folder(folder: Path) -> None:
    """Where this run's SQLite template is made on first use (a run of unit tests never makes it)."""
    global _sqlite_template_folder
    _sqlite_template_folder = folder


def sqlite_template() -> Path:
    """The migrated template file of this run, made on first use."""
    if _sqlite_template is None or not _sqlite_template.exists():
        return make_sqlite_template()
    _check_alone(_sqlite_template)
    return _sqlite_template


class DatabaseFactory:
    """`new(name)` gives what `--db` takes: a file path on SQLite, a URL on PostgreSQL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self, name: str = "xuyi", *, empty: bool = False, template: str | None = None) -> str:
        """A database nobody has used yet: a copy of the migrated template. `empty`: not even migrated (on SQLite
        a path where no file exists yet); `template`: a copy of that database (a database name on the server, a
        file path on SQLite) instead of the migrated template."""
        if not on_postgresql():
            path = self.folder / f"{name}.db"
            if path.exists():
                raise FileExistsError(f"{path} already exists: give each new database its own name")
            if not empty:
                self.folder.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(template or sqlite_template(), path)
            return str(path)
        slug = re.sub(r"[^a-z0-9_]", "_", name.lower())[:30]
        db_name = f"t{os.getpid()}_{next(_numbers)}_{slug}"
        self.created.append(db_name)
        return create(db_name, template or ("template0" if empty else MIGRATED_TEMPLATE))

    def drop_all(self) -> None:
        for name in self.created:
            drop(name)
        self.created.clear()


NewDatabase = Callable[..., str]


def migrate_to(engine: Engine, revision: str, *, down: bool = False) -> None:
    """Bring a database to `revision` through Alembic, as an older (down=True: a newer) version of the program
    left it: the migration tests' starting point and their way back."""
    from alembic import command

    from xuyi_desktop.storage.migrate import alembic_config

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def old_sqlite(path: Path, revision: str, office: str) -> Engine:
    """A SQLite file as the version at `revision` left it, with its provisional office `office` (the rows the
    migration tests then write are stamped with it)."""
    from sqlalchemy import text

    from xuyi_desktop.storage.database import make_engine

    engine = make_engine(f"sqlite:///{path}")
    migrate_to(engine, revision)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO office (id, code, name, role, is_local, provisional, created_at) VALUES "
            "('0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f', :code, '旧办公室', 'field', 1, 1, '2026-11-02 03:04:05.000000')"),
            {"code": office})
    return engine
