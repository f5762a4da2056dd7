"""Audit-anchor queries: the signed chain heads made here and those received from peers."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_security import AuditAnchor


def own_anchor(session: Session, office: str, seq: int, entry_hash: str) -> AuditAnchor | None:
    """The anchor made here for this office over this chain head, if one was already signed."""
    return session.execute(select(AuditAnchor).where(
        AuditAnchor.office_code == office, AuditAnchor.seq == seq, AuditAnchor.entry_hash == entry_hash,
        AuditAnchor.received_from == "")).scalar_one_or_none()


def received_exists(session: Session, sender: str, seq: int, entry_hash: str) -> bool:
    """Whether the sender's anchor over this chain head is already kept here."""
    return session.execute(select(AuditAnchor.id).where(
        AuditAnchor.office_code == sender, AuditAnchor.seq == seq, AuditAnchor.entry_hash == entry_hash,
        AuditAnchor.received_from == sender)).first() is not None


def own_anchors(session: Session) -> list[AuditAnchor]:
    """Every anchor made here (none received)."""
    return list(session.execute(select(AuditAnchor).where(AuditAnchor.received_from == "")).scalars())


def held(session: Session, office: str | None = None) -> list[AuditAnchor]:
    """Every anchor held here by office and position, or only those of `office` (already normalised)."""
    stmt = select(AuditAnchor).order_by(AuditAnchor.office_code, AuditAnchor.seq)
    if office:
        stmt = stmt.where(AuditAnchor.office_code == office)
    return list(session.execute(stmt).scalars())


def own_anchors_in_file(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """(office_code, seq, entry_hash, signed_at, reason, public_key, signature) of the anchors a database file
    (an unpacked backup, opened read-only with sqlite3) made itself; none when it has no anchor table."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "audit_anchor" not in tables:
        return []
    return list(conn.execute(
        "SELECT office_code, seq, entry_hash, signed_at, reason, public_key, signature FROM audit_anchor "
        "WHERE received_from = ''"))
