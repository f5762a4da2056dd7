"""The application context: one database, its session factory, this office and the acting user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from xuyi_desktop.domain.permissions import Permission, Role, role_allows
from xuyi_desktop.services.errors import ConcurrentEditError
from xuyi_desktop.storage.database import make_engine, resolve_db_url, sqlite_path
from xuyi_desktop.storage.migrate import upgrade_database
from xuyi_desktop.storage.queries import users as user_queries
from xuyi_desktop.storage.search_index import SearchIndex, search_index_for

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class CurrentUser:
    """Who is logged in; set by services.users.login()."""

    username: str
    role: Role
    unit: str
    display_name: str


@dataclass
class AppContext:
    """Everything a use case needs; created once per process by open_context().

    Until the first user exists the database is in set-up mode and acts as the audited identity
    "system" with every right; after that, nothing but logging in is allowed without a user.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    office_code: str
    office_name: str
    office_provisional: bool
    search_index: SearchIndex
    setup_mode: bool = True
    user: CurrentUser | None = None
    safety_copy: Path | None = None
    # Audit entries of logins made while another window held the write lock (a long import): written, in
    # order and with their own times, by the next transaction that writes (services.audit.flush_deferred).
    deferred_audit: list[dict[str, Any]] = field(default_factory=list)

    @property
    def actor(self) -> str:
        """The name written into the change log and the audit trail."""
        return self.user.username if self.user else SYSTEM_ACTOR

    def can(self, permission: Permission) -> bool:
        if self.user is not None:
            return role_allows(self.user.role, permission)
        return self.setup_mode

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends normally, rolls back on any exception.

        The optimistic lock's last line of defence is here, for every record type: when another counter's
        save got in between this one's version check and its write, SQLAlchemy's version counter finds no
        row to update and the whole unit is rolled back with the clerk's message (ConcurrentEditError)."""
        try:
            with self.sessions.begin() as session:
                yield session
        except StaleDataError as exc:
            raise ConcurrentEditError.at_write() from exc

    @property
    def location(self) -> str:
        """What the status bar shows: the file path, or the URL without its password."""
        path = sqlite_path(self.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()


def had_users(session: Session) -> bool:
    """Whether the audit log records that users were created here. A database whose users were deleted around
    the program (an SQL tool) must not fall back into set-up mode, where anyone has every right."""
    from xuyi_desktop.storage.queries import audit_entries

    return audit_entries.any_of_action(session, "user.create")


def open_context(db: str | None = None) -> AppContext:
    """Open (creating or upgrading) the database and make sure this installation has an office identity."""
    from xuyi_desktop.services.offices import ensure_local_office

    url = resolve_db_url(db)
    engine = make_engine(url)
    safety_copy = upgrade_database(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        office = ensure_local_office(session)
        code, name, provisional = office.code, office.name, office.provisional
        setup_mode = not user_queries.any_user(session) and not had_users(session)
    with engine.connect() as conn:
        index = search_index_for(conn)
    return AppContext(engine, sessions, url, code, name, provisional, index, setup_mode, None, safety_copy)


def schema_revisions(ctx: AppContext) -> tuple[str | None, str]:
    """(the database's migration revision, the program's newest): equal once the database is brought up to date."""
    from xuyi_desktop.storage.migrate import current_revision, head_revision

    return current_revision(ctx.engine), head_revision()
