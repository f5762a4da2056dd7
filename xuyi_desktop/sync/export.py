"""This office's side of the streams: absorbing local changes (stamping and numbering them), starting a new
stream after a restore, what this office holds, and choosing what a peer has not reported having."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, exists, func, select, update
from sqlalchemy.orm import Session

from xuyi_desktop.storage import change_log, counters
from xuyi_desktop.storage.models import AppSetting, AuditEntry, ChangeLog, Counter, utcnow
from xuyi_desktop.storage.models_sync import SyncAck, SyncChange
from xuyi_desktop.sync import apply as applier
from xuyi_desktop.sync import conflicts as merge_rules
from xuyi_desktop.sync import format as fmt
from xuyi_desktop.sync import records
from xuyi_desktop.sync.clock import OfficeClock, micros

STREAM_KEY = "sync.stream"
SYNC_CHANGE = cast(Table, SyncChange.__table__)
SYNC_CHANGE_COLUMNS = ("id", "office_code", "seq", "stamp", "status", "package_id", "payload")
RESTORE_KEY = "sync.restore_seen"


def to_wire(row: Any, stream: str, pos: int) -> dict[str, Any]:
    change = {
        "id": str(row.id), "office": row.office_code, "seq": row.seq, "at": row.at.isoformat(), "actor": row.actor,
        "table": row.table_name, "record_id": str(row.record_id), "action": row.action,
        "version": row.record_version, "summary": row.summary,
        "before": json.loads(row.before_json) if row.before_json else None,
        "after": json.loads(row.after_json) if row.after_json else None,
    }
    if stream != row.office_code or pos != row.seq:
        change["stream"], change["pos"] = stream, pos
    return change


def _setting(session: Session, key: str) -> str | None:
    row = session.get(AppSetting, key)
    return row.value if row is not None else None


def _put_setting(session: Session, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value


def own_stream(session: Session, local: str) -> str:
    """The stream this office numbers its new changes in."""
    value = _setting(session, STREAM_KEY)
    return value if value and records.office_of_stream(value) == local else local


def last_pos(session: Session, stream: str) -> int:
    return int(session.execute(select(func.max(SyncChange.seq)).where(SyncChange.office_code == stream)).scalar() or 0)


# --- what this office holds, and what each peer reported -------------------------------------------------------

def have(session: Session, local: str) -> dict[str, int]:
    """What this office holds, per stream: every change of that stream up to this position."""
    return {a.origin: a.seq for a in session.execute(select(SyncAck).where(SyncAck.peer == local)).scalars()
            if a.seq > 0}


def put_ack(session: Session, peer: str, stream: str, *, seq: int | None = None, sent: int | None = None,
            reported: bool = False) -> None:
    """Set (not only raise) what `peer` has of `stream`, and/or raise what was sent to it."""
    row = session.get(SyncAck, (peer, stream))
    if row is None:
        row = SyncAck(peer=peer, origin=stream, seq=0, sent=0)
        session.add(row)
    if seq is not None:
        row.seq = seq
    if sent is not None and sent > (row.sent or 0):
        row.sent = sent
    if reported:
        row.reported_at = utcnow()


def acks(session: Session, peer: str) -> dict[str, SyncAck]:
    return {a.origin: a for a in session.execute(select(SyncAck).where(SyncAck.peer == peer)).scalars()}


# --- a new stream after a restore -------------------------------------------------------------------------------

def restored_since_last_look(session: Session) -> bool:
    """Whether a restore from a backup happened since sync last looked (the restore writes an audit entry
    into the restored database, after the backup's last one). Marks it seen."""
    last = session.execute(select(func.max(AuditEntry.seq)).where(AuditEntry.action == "backup.restore")).scalar()
    if last is None:
        return False
    seen = _setting(session, RESTORE_KEY)
    if seen is not None and seen.isdigit() and int(seen) >= last:
        return False
    _put_setting(session, RESTORE_KEY, str(last))
    return True


@dataclass(frozen=True)
class NewStream:
    old: str
    new: str
    moved: int


def start_stream(session: Session, local: str, clock: OfficeClock, *, move_from: int | None = None) -> NewStream:
    """Number this office's changes in a new stream from now on.

    Positions of the old stream that other offices may hold (this database lost them) are never handed out
    again; what this office still holds of the old stream stays in it, and the rest comes back from the offices
    that have it (they see from this office's reports that it holds less than they do). With `move_from`,
    the office's own changes at that position and after in the old stream, numbered after a restore that
    went unnoticed, move to the new stream (the peers that received them under the old numbers follow).
    The change-log counter jumps past any number handed out before, so the change log never collides with
    the office's own changes when they come back."""
    old = own_stream(session, local)
    new = f"{local}~{secrets.token_hex(3).upper()}"
    _put_setting(session, STREAM_KEY, new)
    floor = clock.now()
    session.execute(update(Counter).where(Counter.name == f"change_log:{local}", Counter.value < floor)
                    .values(value=floor).execution_options(synchronize_session=False))
    moved = 0
    if move_from is not None:
        rows = session.execute(select(SyncChange).where(SyncChange.office_code == old, SyncChange.seq >= move_from)
                               .order_by(SyncChange.seq)).scalars().all()
        # Two steps, so that the unique (stream, position) index never sees a half-moved row.
        for i, row in enumerate(rows, start=1):
            row.seq = -i
        session.flush()
        for i, row in enumerate(rows, start=1):
            change = json.loads(row.payload)
            change["stream"], change["pos"] = new, i
            row.office_code, row.seq, row.payload = new, i, merge_rules.dumps(change)
        moved = len(rows)
        put_ack(session, local, old, seq=min(move_from - 1, last_pos(session, old)))
        if rows:
            put_ack(session, local, new, seq=moved)
        session.flush()
    return NewStream(old, new, moved)


# --- absorbing local changes ------------------------------------------------------------------------------------

@dataclass
class Absorbed:
    count: int = 0
    local_only: int = 0  # changes of record kinds that do not sync (sync/records.py)
    new_stream: NewStream | None = None


def absorb_local(session: Session, local: str, clock: OfficeClock, *, cancelled: fmt.Cancelled | None = None,
                 progress: fmt.Progress | None = None, chunk: int = 2000) -> Absorbed:
    """Stamp this office's new change_log rows (hybrid logical clock) and number them in its stream. Runs at
    the start of every export and import, in the same transaction; a chunk at a time."""
    counters.reserve(session, "sync:absorb")  # a shared database: one counter absorbs at a time
    result = Absorbed()
    if restored_since_last_look(session):
        result.new_stream = start_stream(session, local, clock)
    stream = own_stream(session, local)
    pos = last_pos(session, stream)
    cl = ChangeLog.__table__
    sc = SyncChange.__table__
    known = exists().where(sc.c.id == cl.c.id)
    rows = session.execute(select(cl).where(cl.c.office_code == local, ~known).order_by(cl.c.seq)).all()
    rows_sync = [r for r in rows if r.table_name in records.RECORDS]
    result.local_only = len(rows) - len(rows_sync)
    for start in range(0, len(rows_sync), chunk):
        fmt.check(cancelled)
        part = rows_sync[start : start + chunk]
        states = applier.StateCache(session)
        states.load((r.table_name, r.record_id) for r in part)
        values = []
        for row in part:
            pos += 1
            change = to_wire(row, stream, pos)
            applier.stamp_local(session, change, micros(row.at), clock, states, row.record_id)
            values.append((row.id, stream, pos, change["stamp"], "applied", "", merge_rules.dumps(change)))
        states.write()
        change_log.insert_rows(session.connection(), SYNC_CHANGE, SYNC_CHANGE_COLUMNS, values)
        if progress is not None:
            progress(start + len(part), len(rows_sync))
    result.count = len(rows_sync)
    if rows_sync or result.new_stream is not None:
        put_ack(session, local, stream, seq=pos)
    clock.save()
    session.flush()
    return result


# --- what to send -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outgoing:
    stream: str
    lo: int
    hi: int
    count: int


def outgoing(session: Session, receiver: str, *, snapshot: bool, receiver_stream: str) -> list[Outgoing]:
    """Per stream, the applied changes the receiver has not reported having (a snapshot: all of them). The
    receiver's own current stream is never sent back to it; its own streams only once it has reported what it
    holds of them (after a restore it then gets back what it lost)."""
    sc = SyncChange.__table__
    reported = acks(session, receiver)
    result = []
    for stream, top in session.execute(select(sc.c.office_code, func.max(sc.c.seq)).where(sc.c.status == "applied")
                                       .group_by(sc.c.office_code).order_by(sc.c.office_code)):
        ack = reported.get(stream)
        if records.office_of_stream(stream) == receiver and (
                stream == receiver_stream or ack is None or ack.reported_at is None):
            continue
        lo = 1 if snapshot else (ack.seq if ack is not None else 0) + 1
        if top < lo:
            continue
        low, high, n = session.execute(
            select(func.min(sc.c.seq), func.max(sc.c.seq), func.count())
            .where(sc.c.office_code == stream, sc.c.status == "applied", sc.c.seq >= lo)).one()
        if n:
            result.append(Outgoing(stream, int(low), int(high), int(n)))
    return result


def payloads(session: Session, plan: list[Outgoing]) -> Iterator[str]:
    sc = SyncChange.__table__
    for o in plan:
        stmt = (select(sc.c.payload).where(sc.c.office_code == o.stream, sc.c.status == "applied",
                                           sc.c.seq >= o.lo, sc.c.seq <= o.hi).order_by(sc.c.seq))
        yield from session.execute(stmt.execution_options(yield_per=2000)).scalars()


def sent(session: Session, receiver: str, plan: list[Outgoing]) -> None:
    for o in plan:
        put_ack(session, receiver, o.stream, sent=o.hi)


def position_rows(session: Session, stream: str, above: int) -> list[tuple[int, str, uuid.UUID]]:
    sc = SyncChange.__table__
    return [(int(q), s, i) for q, s, i in session.execute(
        select(sc.c.seq, sc.c.status, sc.c.id).where(and_(sc.c.office_code == stream, sc.c.seq > above))
        .order_by(sc.c.seq))]
