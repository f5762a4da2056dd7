"""Building a package: absorb local changes (stamping them), choose what the receiver has not
acknowledged, write manifest + changes, seal, sign and write the file atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import ChangeLog
from xuyi_desktop.storage.models_sync import SyncAck, SyncChange
from xuyi_desktop.sync import apply as applier
from xuyi_desktop.sync import format as fmt

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(at: dt.datetime) -> int:
    return (at - EPOCH) // dt.timedelta(microseconds=1)


def to_wire(row: ChangeLog) -> dict[str, Any]:
    return {
        "id": str(row.id), "office": row.office_code, "seq": row.seq, "at": row.at.isoformat(), "actor": row.actor,
        "table": row.table_name, "record_id": str(row.record_id), "action": row.action,
        "version": row.record_version, "summary": row.summary,
        "before": json.loads(row.before_json) if row.before_json else None,
        "after": json.loads(row.after_json) if row.after_json else None,
    }


def have(session: Session, local: str) -> dict[str, int]:
    """What this office holds, per origin: every change of that origin up to this seq."""
    return {a.origin: a.seq for a in session.execute(select(SyncAck).where(SyncAck.peer == local)).scalars()}


def set_have(session: Session, peer: str, origin: str, seq: int) -> None:
    row = session.get(SyncAck, (peer, origin))
    if row is None:
        session.add(SyncAck(peer=peer, origin=origin, seq=seq))
    elif seq > row.seq:
        row.seq = seq


def absorb_local(session: Session, local: str, *, cancelled: fmt.Cancelled | None = None,
                 progress: fmt.Progress | None = None, chunk: int = 2000) -> int:
    """Stamp this office's new change_log rows and keep them for shipping. Runs at the start of every
    export and import, in the same transaction; reads, stamps and writes them a chunk at a time."""
    known = select(SyncChange.id).where(SyncChange.office_code == local)
    cl = ChangeLog.__table__
    rows = session.execute(
        select(cl).where(cl.c.office_code == local, cl.c.id.not_in(known)).order_by(cl.c.seq)
    ).all()
    last = 0
    for start in range(0, len(rows), chunk):
        fmt.check(cancelled)
        part = rows[start : start + chunk]
        states = applier.StateCache(session)
        states.load((r.table_name, r.record_id) for r in part)
        values = []
        for row in part:
            change = to_wire(row)  # type: ignore[arg-type]
            applier.stamp_local(session, change, micros(row.at), states)
            values.append({"id": row.id, "office_code": local, "seq": row.seq, "stamp": change["stamp"],
                           "status": "applied", "package_id": "",
                           "payload": json.dumps(change, ensure_ascii=False, sort_keys=True)})
            last = row.seq
        states.write()
        session.execute(insert(SyncChange), values)
        if progress is not None:
            progress(start + len(part), len(rows))
    if rows:
        set_have(session, local, local, last)
        session.flush()
    return len(rows)


def changes_for(session: Session, receiver: str, *, snapshot: bool) -> Iterator[str]:
    """Payloads (JSON lines) of every applied change the receiver has not acknowledged, origin by origin
    in seq order; a snapshot ships everything."""
    acks = {} if snapshot else {
        a.origin: a.seq for a in session.execute(select(SyncAck).where(SyncAck.peer == receiver)).scalars()
    }
    origins = sorted(o for o in session.execute(select(SyncChange.office_code).distinct()).scalars() if o != receiver)
    for origin in origins:
        stmt = (select(SyncChange.payload).where(SyncChange.office_code == origin, SyncChange.status == "applied",
                                                 SyncChange.seq > acks.get(origin, 0)).order_by(SyncChange.seq))
        yield from session.execute(stmt).scalars()


def atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, flushed to the device, then renamed over the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def build_inner(manifest: dict[str, Any], lines: list[str]) -> bytes:
    body = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    manifest = dict(manifest, files={fmt.CHANGES: {"sha256": fmt.sha256(body), "size": len(body)}})
    return fmt.write_zip([(fmt.MANIFEST, fmt.canonical(manifest)), (fmt.CHANGES, body)])


def ranges_of(lines: list[str]) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    ranges: dict[str, list[int]] = {}
    parsed = [json.loads(line) for line in lines]
    for c in parsed:
        r = ranges.setdefault(c["office"], [c["seq"], c["seq"]])
        r[0], r[1] = min(r[0], c["seq"]), max(r[1], c["seq"])
    return ranges, parsed
