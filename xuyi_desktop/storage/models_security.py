"""Tables of the security hardening (issue 21): the signing keys an administrator brings in, and the signed
heads of the audit chain (anchors) that make a rewritten or shortened chain detectable."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin, UtcDateTime, utcnow

KEY_NAMESPACE = uuid.UUID("5b0c1f52-7d43-4f0e-9a57-3c1d1e0a2121")


def signing_key_id(public_key: str) -> uuid.UUID:
    """The record id of a public key: the same in every office, so the row syncs without a conflict."""
    return uuid.uuid5(KEY_NAMESPACE, public_key)


class SigningKey(RecordMixin, Base):
    """One installation's (PC's) Ed25519 signing key and what the office decided about it.

    status: pending (first used, not yet approved: its prints never verify as 有效), approved (an administrator
    compared the fingerprint and approved it), retired (no longer signs; documents it issued up to `retired_at`
    still verify), revoked (compromised or never legitimate: nothing it signed verifies). A business record:
    every change goes through the change log, so sync carries the office's decisions to every peer."""

    __tablename__ = "signing_key"

    office_code: Mapped[str] = mapped_column(String(32), index=True)
    public_key: Mapped[str] = mapped_column(String(80), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(24))
    installation: Mapped[str] = mapped_column(String(200), default="")
    data_folder: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    registered_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by_name: Mapped[str] = mapped_column(String(100), default="")
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    status_note: Mapped[str] = mapped_column(Text, default="")


class AuditAnchor(Base):
    """A signed head of an audit chain: "entry `seq` of office `office_code` has hash `entry_hash`".

    Own anchors (received_from empty) are made at intervals and on every backup, print and sync export;
    anchors received in a peer's sync package are kept with received_from = that peer. A chain that no longer
    matches an anchor, or ends before it, was rewritten or cut off. Not synced as records: the package header
    carries the sender's latest anchor."""

    __tablename__ = "audit_anchor"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    office_code: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(32), default="")
    public_key: Mapped[str] = mapped_column(String(80))
    signature: Mapped[str] = mapped_column(String(120))
    received_from: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("office_code", "seq", "entry_hash", "received_from"),
        Index("ix_audit_anchor_received_from", "received_from", "office_code", "seq"),
    )
