"""What changed in the database since the window last looked: on a shared (PostgreSQL) database, another counter's
writes reach this window's lists through a low-frequency poll of the change-log head (ui/data_events)."""

from __future__ import annotations

from dataclasses import dataclass

from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage import change_log


def is_shared(ctx: AppContext) -> bool:
    """A database other counters write to at the same time (a server), not this PC's own file."""
    return ctx.engine.dialect.name != "sqlite"


@dataclass(frozen=True)
class Changes:
    head: dict[str, int]  # office code → last change-log sequence number
    kinds: frozenset[str]  # record kinds (tables) written since the head asked about


def changes_since(ctx: AppContext, since: dict[str, int] | None) -> Changes:
    """The change-log head now and the record kinds written after `since` (None: just the head)."""
    audit.require(ctx, Permission.VIEW)
    with ctx.transaction() as session:
        now = change_log.head(session)
        kinds = frozenset() if since is None or now == since else frozenset(change_log.tables_since(session, since))
    return Changes(now, kinds)
