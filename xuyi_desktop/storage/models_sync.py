"""Tables of offline sync between offices (issue 6): known changes, merge state, acks, packages, conflicts.

Peer offices themselves are rows of `office` (is_local false); their public keys live in app_setting
(`office.peer_key.<CODE>` for Ed25519, shared with the printed-code verification, and
`office.peer_xkey.<CODE>` for X25519 package encryption).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, UtcDateTime, utcnow


class SyncChange(Base):
    """Every change this office knows (its own, absorbed from change_log, and every received one), with the
    merge stamp its origin gave it. status: 'applied' or 'pending' (held in the backlog until a gap fills)."""

    __tablename__ = "sync_change"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    office_code: Mapped[str] = mapped_column(String(32))
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
    """What a peer has acknowledged having, per origin office: every change of `origin` up to `seq`."""

    __tablename__ = "sync_ack"

    peer: Mapped[str] = mapped_column(String(32), primary_key=True)
    origin: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncPackage(Base):
    """History of packages written and read, with what came of each."""

    __tablename__ = "sync_package"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    package_id: Mapped[str] = mapped_column(String(64), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # out | in
    kind: Mapped[str] = mapped_column(String(16), default="delta")  # delta | snapshot
    peer: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    file_name: Mapped[str] = mapped_column(String(500), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))  # written | applied | held | nothing_new
    changes: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    ranges_json: Mapped[str] = mapped_column(Text, default="{}")


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
