"""The application context: one database, its session factory, this office and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from xuyi_desktop.storage.database import make_engine, resolve_db_url, sqlite_path
from xuyi_desktop.storage.migrate import upgrade_database
from xuyi_desktop.storage.search_index import SearchIndex, search_index_for


@dataclass
class AppContext:
    """Everything a use case needs; created once per process by open_context()."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    office_code: str
    office_name: str
    office_provisional: bool
    search_index: SearchIndex
    actor: str = "system"
    safety_copy: Path | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends normally, rolls back on any exception."""
        with self.sessions.begin() as session:
            yield session

    @property
    def location(self) -> str:
        """What the status bar shows: the file path, or the URL without its password."""
        path = sqlite_path(self.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def open_context(db: str | None = None, actor: str = "system") -> AppContext:
    """Open (creating or upgrading) the database and make sure this installation has an office identity."""
    from xuyi_desktop.services.offices import ensure_local_office

    url = resolve_db_url(db)
    engine = make_engine(url)
    safety_copy = upgrade_database(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        office = ensure_local_office(session)
        code, name, provisional = office.code, office.name, office.provisional
    with engine.connect() as conn:
        index = search_index_for(conn)
    return AppContext(engine, sessions, url, code, name, provisional, index, actor, safety_copy)
