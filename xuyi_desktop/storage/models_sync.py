"""Tables of offline sync between offices (issues 6 and 20): known changes, merge state, what each peer has,
packages and their delivery, peers, conflicts and the decisions on them.

Peer offices themselves are rows of `office` (is_local false); their public keys live in app_setting
(`office.peer_key.<CODE>` for Ed25519, shared with the printed-code verification, and
`office.peer_xkey.<CODE>` for X25519 package encryption). This office's own sync state lives in app_setting
too: `sync.clock` (the hybrid logical clock), `sync.stream` (the sequence its changes are numbered in) and
`sync.restore_seen` (the last restore from a backup that sync has taken into account).

A *stream* is the numbered sequence an office's changes travel in: its code (`XYJ`) until it restores a
backup, then a new one (`XYJ~3FA2C1`), so that numbers handed out before the restore, which other offices may
hold while this one lost them, are never handed out again. `office_code`/`origin` columns hold stream keys.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin, UtcDateTime, utcnow


class SyncChange(Base):
    """Every change this office knows (its own, absorbed from change_log, and every received one), with the
    merge stamp its origin gave it. status: 'applied' or 'pending' (held in the backlog until a gap fills).
    `office_code` is the change's stream and `seq` its position there (for the first stream of an office, the
    office code and its change_log seq)."""

    __tablename__ = "sync_change"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    office_code: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    stamp: Mapped[int] = mapped_column(BigInteger)  # microseconds since the epoch, hybrid logical clock
    status: Mapped[str] = mapped_column(String(16), default="applied")
    package_id: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[str] = mapped_column(Text)  # the change as shipped (JSON)

    __table_args__ = (
        UniqueConstraint("office_code", "seq"),
        Index("ix_sync_change_status", "status", "office_code", "seq"),
    )


class SyncRecordState(Base):
    """Per record: for each field, the stamp of the change whose value it holds (the merge's memory)."""

    __tablename__ = "sync_record_state"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    max_stamp: Mapped[int] = mapped_column(BigInteger, default=0)
    fields_json: Mapped[str] = mapped_column(Text, default="{}")


class SyncAck(Base):
    """Per peer and stream: `seq`, what the peer last REPORTED having (every change of the stream up to it; it
    goes down when the peer restored a backup or lost a package) and `sent`, the greatest position sent to it.
    The rows of this office itself (peer = own code) are what it holds. `reported_at` is when the peer said so."""

    __tablename__ = "sync_ack"

    peer: Mapped[str] = mapped_column(String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    sent: Mapped[int] = mapped_column(BigInteger, default=0)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)


class SyncPeer(Base):
    """What this office knows of a peer from its packages: when it last heard from it, the peer's own stream,
    what it reported missing, and the evidence on the two PCs' clocks (lower bounds, microseconds)."""

    __tablename__ = "sync_peer"

    peer: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_heard_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)  # our clock, at import
    last_package_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)  # their clock, at export
    report_clock: Mapped[int] = mapped_column(BigInteger, default=0)  # HLC of the package whose report we hold
    stream: Mapped[str] = mapped_column(String(64), default="")  # the peer's current stream
    missing_json: Mapped[str] = mapped_column(Text, default="{}")  # gaps it reported (stream -> ranges)
    clash_json: Mapped[str] = mapped_column(Text, default="[]")  # two different changes under one number
    my_lead_us: Mapped[int | None] = mapped_column(BigInteger, default=None)  # this PC's clock ahead of the peer's by ≥
    their_lead_us: Mapped[int | None] = mapped_column(BigInteger, default=None)  # the peer's clock ahead of ours by ≥


class SyncAside(Base):
    """A received change whose stream position is already taken here by a different change: the origin
    restored a backup and numbered new changes again. Kept aside (not applied, not blocking the package) and
    reported back, until the origin renumbers its changes; then it is taken in."""

    __tablename__ = "sync_aside"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    office_code: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    held_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    package_id: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    payload: Mapped[str] = mapped_column(Text)


class SyncPackage(Base):
    """History of packages written and read, with what came of each. An outgoing package is `sent` until the
    receiver reports having it (`acknowledged`, with the time) or a later package carries all it carried
    (`superseded`)."""

    __tablename__ = "sync_package"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    package_id: Mapped[str] = mapped_column(String(64), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # out | in
    kind: Mapped[str] = mapped_column(String(16), default="delta")  # delta | snapshot
    peer: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(500), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))  # out: sent | acknowledged | superseded; in: applied | held | nothing_new
    changes: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    ranges_json: Mapped[str] = mapped_column(Text, default="{}")
    clock: Mapped[int] = mapped_column(BigInteger, default=0)  # the sender's clock (HLC) when it was written
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)


class SyncConflict(Base):
    """A value that lost a merge: kept so that nothing is overwritten silently; a reviewer may restore it."""

    __tablename__ = "sync_conflict"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    field: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), default="field")  # field | delete_edit | duplicate_identifier
    winner_json: Mapped[str | None] = mapped_column(Text, default=None)
    loser_json: Mapped[str | None] = mapped_column(Text, default=None)
    winner_office: Mapped[str] = mapped_column(String(32), default="")
    loser_office: Mapped[str] = mapped_column(String(32), default="")
    winner_change: Mapped[str] = mapped_column(String(36), default="")
    loser_change: Mapped[str] = mapped_column(String(36), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | kept | restored
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    # The same conflict has the same key in every office (record, field, kind and the losing change), so that
    # a decision taken in one office closes it in all of them.
    conflict_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    resolved_office: Mapped[str] = mapped_column(String(32), default="")


class SyncDecision(RecordMixin, Base):
    """A reviewer's decision on a conflict: a synced record (see sync/records.py), so that it closes the same
    conflict in every office. Its id is derived from the conflict key: two offices deciding the same conflict
    write the same record, and the merge keeps one decision."""

    __tablename__ = "sync_decision"

    conflict_key: Mapped[str] = mapped_column(String(200), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    field: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # kept | restored
    decided_by: Mapped[str] = mapped_column(String(64), default="")


def decision_id(conflict_key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:xuyi:sync-decision:{conflict_key}")
