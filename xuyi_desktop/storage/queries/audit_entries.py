"""Audit-trail queries the services ask (the chain itself is storage.audit_chain)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import Row, exists, func, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import AuditEntry


def count_since(session: Session, username: str, action: str, since: dt.datetime) -> int:
    """How many entries of this action the user has made since `since`."""
    stmt = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.username == username, AuditEntry.action == action, AuditEntry.at >= since)
    return int(session.execute(stmt).scalar_one())


def any_of_action(session: Session, action: str) -> bool:
    """Whether the audit log holds any entry of this action."""
    return bool(session.execute(select(exists().where(AuditEntry.action == action))).scalar())


def head(session: Session) -> tuple[int, str] | None:
    """(seq, entry_hash) of the last entry of the chain (None while it is empty)."""
    row = session.execute(select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return None if row is None else (int(row[0]), str(row[1]))


def hash_at(session: Session, seq: int) -> str | None:
    """The entry hash at this position of the chain (None: no such entry)."""
    return session.execute(select(AuditEntry.entry_hash).where(AuditEntry.seq == seq)).scalar_one_or_none()


def last_seq(session: Session) -> int | None:
    """The position of the last entry (None while the chain is empty)."""
    return session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one_or_none()


def page(session: Session, *, login_actions: Collection[str], logins: bool | None = None, username: str | None = None,
         action_prefix: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
         text: str | None = None, before_seq: int | None = None, limit: int = 200) -> list[AuditEntry]:
    """One page of entries, newest first, filtered as asked (logins True/False: only/no `login_actions`;
    before_seq is the cursor)."""
    stmt = select(AuditEntry)
    if logins is True:
        stmt = stmt.where(AuditEntry.action.in_(login_actions))
    elif logins is False:
        stmt = stmt.where(AuditEntry.action.not_in(login_actions))
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    if action_prefix:
        stmt = stmt.where(AuditEntry.action.startswith(action_prefix))
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    if text:
        stmt = stmt.where(AuditEntry.summary.icontains(text, autoescape=True))
    if before_seq is not None:
        stmt = stmt.where(AuditEntry.seq < before_seq)
    stmt = stmt.order_by(AuditEntry.seq.desc()).limit(limit)
    return list(session.execute(stmt).scalars())


def office_codes(session: Session) -> set[str]:
    """The office codes the audit log was written under (this installation's own, a renamed office's old one)."""
    ae = AuditEntry.__table__
    return set(session.execute(select(ae.c.office_code).distinct()).scalars())


def details_containing(session: Session, tables: list[str], text: str, batch: int) -> Iterator[Row[Any, Any, Any]]:
    """(record_table, record_id, details_json) of the entries about these tables whose details contain `text`,
    streamed `batch` rows at a time."""
    ae = AuditEntry.__table__
    stmt = (select(ae.c.record_table, ae.c.record_id, ae.c.details_json)
            .where(ae.c.record_table.in_(tables), ae.c.details_json.contains(text)))
    yield from session.execute(stmt.execution_options(yield_per=batch))
