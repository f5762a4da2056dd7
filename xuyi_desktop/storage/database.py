"""Opening the database: which URL, which engine settings (WAL, foreign keys, busy timeout)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xuyi_desktop.paths import data_dir

DEFAULT_DB_NAME = "xuyi.db"
BUSY_TIMEOUT_MS = 10_000


def resolve_db_url(db: str | None = None) -> str:
    """`--db PATH|URL`, else XUYI_DB, else the SQLite file in the per-user data folder."""
    chosen = db or os.environ.get("XUYI_DB") or str(data_dir() / DEFAULT_DB_NAME)
    if "://" in chosen:
        return chosen
    return "sqlite:///" + str(Path(chosen).expanduser().resolve())


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_private(path: Path) -> None:
    """Owner-only (0600) on POSIX, for the database and every copy of it (backups, safety copies): created
    empty with that mode if absent (SQLite gives its -wal and -shm files the database file's mode), tightened
    if it was readable by others. Windows keeps the per-user data folder's own permissions."""
    if os.name != "posix":
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        try:
            if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
                os.chmod(path, 0o600)
        except OSError:  # not ours to change (a shared file on a server share): leave it
            pass


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # FULL: a committed credit record must survive a power cut, not only a crash of the program.
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


def _restore_busy_timeout(dbapi_conn, record) -> None:
    if record is not None and record.info.pop("xuyi.short_busy", False):
        dbapi_conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def short_lock_wait(session: Session, ms: int) -> None:
    """Let this transaction wait at most `ms` for a lock (a login must not hang behind a long import); the
    usual wait comes back when the connection returns to the pool (SQLite) or the transaction ends (PostgreSQL)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        fairy = conn.connection
        fairy.driver_connection.execute(f"PRAGMA busy_timeout={int(ms)}")  # type: ignore[union-attr]
        fairy.info["xuyi.short_busy"] = True
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(ms)}ms'")


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite files get their folder created and the pragmas set on every connection."""
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkin", _restore_busy_timeout)
        return engine
    return create_engine(url, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
