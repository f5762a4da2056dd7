"""Plain-tuple writes of a sync import (one DB-API executemany each, without SQLAlchemy's per-row parameter dicts).

Kept apart from storage/queries/sync.py, which builds SQLAlchemy statements: these run on the driver's own
executemany with values already bind-processed, as storage.change_log.insert_rows does for inserts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import cast

from sqlalchemy import Connection, Table

from xuyi_desktop.storage.models_sync import SyncChange

_SC = cast(Table, SyncChange.__table__)


def mark_applied(conn: Connection, ids: Iterable[uuid.UUID]) -> None:
    """Mark these changes of the backlog (sync_change) applied: the same rows and value as
    storage.queries.sync.mark_applied, in one executemany of one-value tuples."""
    dialect = conn.dialect
    proc = _SC.c.id.type.dialect_impl(dialect).bind_processor(dialect)
    values = [(cid,) for cid in (ids if proc is None else map(proc, ids))]
    if not values:
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"UPDATE {_SC.name} SET status = 'applied' WHERE id = {mark}", values)
