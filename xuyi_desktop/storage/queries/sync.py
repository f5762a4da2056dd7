"""Sync queries: the change backlog (sync_change), changes held aside, packages, peers and conflicts.

The services decide what to do with the answers; these only build and run the statements."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_sync import SyncAside, SyncChange, SyncConflict, SyncPackage, SyncPeer

_SC = cast(Table, SyncChange.__table__)
_SA = cast(Table, SyncAside.__table__)
_MARK_APPLIED = update(_SC).where(_SC.c.id == bindparam("cid")).values(status="applied")


# --- the change backlog ---------------------------------------------------------------------------------------

def pending_streams(session: Session) -> list[str]:
    """The streams that have changes waiting (status pending) in the backlog."""
    return list(session.execute(select(_SC.c.office_code).where(_SC.c.status == "pending").distinct()).scalars().all())


def count_pending(session: Session) -> int:
    """How many changes wait in the backlog."""
    return int(session.execute(select(func.count()).select_from(_SC).where(_SC.c.status == "pending")).scalar() or 0)


def held_between(session: Session, stream: str, lo: int, hi: int) -> list[Row[Any, Any]]:
    """(seq, id) of the changes held at positions lo..hi of one stream."""
    return list(session.execute(
        select(_SC.c.seq, _SC.c.id).where(_SC.c.office_code == stream, _SC.c.seq >= lo, _SC.c.seq <= hi)))


def positions_of(session: Session, ids: Sequence[uuid.UUID]) -> list[Row[Any, Any, Any]]:
    """(id, stream, seq) of those of these changes held here."""
    return list(session.execute(select(_SC.c.id, _SC.c.office_code, _SC.c.seq).where(_SC.c.id.in_(ids))))


def holders_at(session: Session, stream: str, seqs: Sequence[int]) -> list[Row[Any, Any]]:
    """(seq, id) of the changes held at these positions of one stream."""
    return list(session.execute(select(_SC.c.seq, _SC.c.id).where(_SC.c.office_code == stream, _SC.c.seq.in_(seqs))))


def position_free(session: Session, stream: str, seq: int) -> bool:
    """Whether no change is held at this position of the stream."""
    return session.execute(select(_SC.c.id).where(_SC.c.office_code == stream, _SC.c.seq == seq)).first() is None


def move_change(session: Session, cid: uuid.UUID, stream: str, seq: int, payload: str) -> None:
    """Put a held change at a new position (its origin renumbered it)."""
    session.execute(update(_SC).where(_SC.c.id == cid).values(office_code=stream, seq=seq, payload=payload))


def insert_changes(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add these rows to the backlog (one executemany)."""
    session.execute(insert(_SC), rows)


def payloads_of(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """id -> payload of these changes."""
    return {cid: p for cid, p in session.execute(select(_SC.c.id, _SC.c.payload).where(_SC.c.id.in_(ids)))}


def mark_applied(session: Session, ids: Iterable[uuid.UUID]) -> None:
    """Mark these changes applied (one executemany on the session's connection)."""
    session.connection().execute(_MARK_APPLIED, [{"cid": cid} for cid in ids])


def count_applied_between(session: Session, stream: str, after: int, upto: int) -> int:
    """How many applied changes of a stream lie at positions after+1..upto."""
    return int(session.execute(select(func.count()).select_from(_SC).where(
        _SC.c.office_code == stream, _SC.c.status == "applied", _SC.c.seq > after, _SC.c.seq <= upto)).scalar() or 0)


# --- changes held aside ---------------------------------------------------------------------------------------

def asides(session: Session) -> list[SyncAside]:
    """Every change held aside, in no particular order."""
    return list(session.execute(select(SyncAside)).scalars().all())


def asides_in_order(session: Session, limit: int | None = None) -> list[SyncAside]:
    """The changes held aside by stream and position (the first `limit` of them when given)."""
    stmt = select(SyncAside).order_by(SyncAside.office_code, SyncAside.seq)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def delete_aside(session: Session, aside_id: uuid.UUID) -> None:
    session.execute(delete(_SA).where(_SA.c.id == aside_id))


def count_aside_of_package(session: Session, package_id: str) -> int:
    """How many changes of this package are held aside."""
    return int(session.execute(select(func.count()).select_from(_SA).where(_SA.c.package_id == package_id)).scalar() or 0)


# --- packages -------------------------------------------------------------------------------------------------

def received_ids(session: Session, peer: str, limit: int) -> list[str]:
    """Package ids of the last `limit` packages imported from `peer` (previews left out), latest first."""
    return list(session.execute(
        select(SyncPackage.package_id).where(SyncPackage.direction == "in", SyncPackage.peer == peer,
                                             SyncPackage.status != "preview")
        .order_by(SyncPackage.at.desc()).limit(limit)).scalars())


def sent_to(session: Session, peer: str) -> list[SyncPackage]:
    """Packages to `peer` still `sent` (unconfirmed)."""
    return list(session.execute(select(SyncPackage).where(SyncPackage.direction == "out", SyncPackage.peer == peer,
                                                          SyncPackage.status == "sent")).scalars())


def open_out_to(session: Session, peer: str) -> list[SyncPackage]:
    """Packages to `peer` not yet acknowledged (sent, superseded or written)."""
    return list(session.execute(select(SyncPackage).where(SyncPackage.direction == "out", SyncPackage.peer == peer,
                                                          SyncPackage.status.in_(("sent", "superseded", "written"))))
                .scalars())


def out_to(session: Session, peer: str) -> list[SyncPackage]:
    """Every package to `peer`, oldest first."""
    return list(session.execute(select(SyncPackage).where(SyncPackage.direction == "out", SyncPackage.peer == peer)
                                .order_by(SyncPackage.at)).scalars().all())


def latest_out_among(session: Session, peer: str, package_ids: list[str]) -> dt.datetime | None:
    """When the latest of these packages to `peer` was written (None: none of them is ours)."""
    return session.execute(select(func.max(SyncPackage.at)).where(
        SyncPackage.direction == "out", SyncPackage.peer == peer,
        SyncPackage.package_id.in_(package_ids))).scalar()


def count_out_after(session: Session, peer: str, at: dt.datetime) -> int:
    """How many packages to `peer` were written after `at`."""
    return int(session.execute(select(func.count()).select_from(SyncPackage).where(
        SyncPackage.direction == "out", SyncPackage.peer == peer, SyncPackage.at > at)).scalar() or 0)


def recent_packages(session: Session, limit: int) -> list[SyncPackage]:
    """The last `limit` packages, either way, latest first."""
    return list(session.execute(select(SyncPackage).order_by(SyncPackage.at.desc()).limit(limit)).scalars())


def count_packages(session: Session) -> int:
    """How many packages were ever written or imported here."""
    return int(session.execute(select(func.count()).select_from(SyncPackage)).scalar_one())


# --- peers and conflicts --------------------------------------------------------------------------------------

def peers(session: Session) -> list[SyncPeer]:
    """Every peer heard from, by code."""
    return list(session.execute(select(SyncPeer).order_by(SyncPeer.peer)).scalars())


def conflicts(session: Session, *, open_only: bool) -> list[SyncConflict]:
    """Conflicts by time (only the open ones when asked)."""
    stmt = select(SyncConflict).order_by(SyncConflict.at)
    if open_only:
        stmt = stmt.where(SyncConflict.status == "open")
    return list(session.execute(stmt).scalars())


def conflict_fields(session: Session) -> list[Row[Any, Any, Any, Any]]:
    """(table_name, record_id, field, kind) of every conflict, open or decided."""
    sc = SyncConflict.__table__
    return list(session.execute(select(sc.c.table_name, sc.c.record_id, sc.c.field, sc.c.kind)))
