"""Plain-tuple writes of a sync import (one DB-API executemany each, without SQLAlchemy's per-row parameter dicts).

Kept apart from storage/queries/sync.py, which builds SQLAlchemy statements: these run on the driver's own
executemany with values already bind-processed, as storage.change_log.insert_rows does for inserts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
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


def held_ids_between(conn: Connection, stream: str, lo: int, hi: int) -> dict[int, str]:
    """position -> id (32 lowercase hex digits) of the changes held at positions lo..hi of one stream: the rows of
    storage.queries.sync.held_between as plain values, without a UUID object per row (a re-import of 100,000)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    rows = conn.exec_driver_sql(
        f"SELECT seq, id FROM {_SC.name} WHERE office_code = {mark} AND seq >= {mark} AND seq <= {mark}", (stream, lo, hi))
    return {int(seq): (cid.replace("-", "").lower() if isinstance(cid, str) else cid.hex) for seq, cid in rows}


def payloads_of(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[str, str]:
    """id (32 lowercase hex digits) -> payload of these changes of the backlog: storage.queries.sync.payloads_of as
    plain values, without a UUID object per row (100,000 a package); at most a few hundred ids a call."""
    if not ids:
        return {}
    dialect = conn.dialect
    proc = _SC.c.id.type.dialect_impl(dialect).bind_processor(dialect)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    rows = conn.exec_driver_sql(f"SELECT id, payload FROM {_SC.name} WHERE id IN ({', '.join([mark] * len(ids))})",
                                tuple(ids if proc is None else map(proc, ids)))
    return {(cid.replace("-", "").lower() if isinstance(cid, str) else cid.hex): payload for cid, payload in rows}
