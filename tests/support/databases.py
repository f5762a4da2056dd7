"""Where a test's database lives: a file in its temporary folder (SQLite run) or a database of its own on the
test PostgreSQL server (PostgreSQL run, XUYI_TEST_POSTGRESQL = the administrator URL that scripts/postgres
prints). Each PostgreSQL database is cloned from a template migrated once per run, and dropped afterwards."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ADMIN_URL = os.environ.get("XUYI_TEST_POSTGRESQL", "").strip()
BACKEND = "postgresql" if ADMIN_URL else "sqlite"
MIGRATED_TEMPLATE = f"xuyi_tpl_{os.getpid()}"
_numbers = itertools.count(1)


def on_postgresql() -> bool:
    return BACKEND == "postgresql"


def database_url(name: str) -> str:
    """The SQLAlchemy URL of database `name` on the test server."""
    from sqlalchemy.engine import make_url

    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def admin() -> Iterator["object"]:
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


class DatabaseFactory:
    """`new(name)` gives what `--db` takes: a file path on SQLite, a URL on PostgreSQL."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self, name: str = "xuyi", *, empty: bool = False, template: str | None = None) -> str:
        """A database nobody has used yet. `empty`: not even migrated (PostgreSQL; a new SQLite file always is);
        `template`: a copy of that database (PostgreSQL) instead of the migrated template."""
        if not on_postgresql():
            return str(self.folder / f"{name}.db")
        slug = re.sub(r"[^a-z0-9_]", "_", name.lower())[:30]
        db_name = f"t{os.getpid()}_{next(_numbers)}_{slug}"
        self.created.append(db_name)
        return create(db_name, template or ("template0" if empty else MIGRATED_TEMPLATE))

    def drop_all(self) -> None:
        for name in self.created:
            drop(name)
        self.created.clear()


NewDatabase = Callable[..., str]
