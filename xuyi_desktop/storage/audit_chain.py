"""The hash chain of the audit log: appending under the write lock, and verifying from the first entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import AuditEntry, Counter, utcnow

GENESIS = "0" * 64
AUDIT_COUNTER = "audit_log"


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over every field but the hash itself, in a fixed order and encoding."""
    canonical = json.dumps(
        [
            entry.seq,
            _stamp(entry.at),
            entry.office_code,
            entry.username,
            entry.action,
            entry.record_table,
            entry.record_id,
            entry.summary,
            entry.details_json,
            entry.prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    office_code: str,
    username: str,
    action: str,
    summary: str,
    record_table: str = "",
    record_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Reserving the sequence number first takes the write lock, so the previous
    entry read next is really the last one and two writers can never chain onto the same entry."""
    seq = counters.reserve(session, AUDIT_COUNTER)
    prev = session.execute(select(AuditEntry.entry_hash).where(AuditEntry.seq == seq - 1)).scalar_one_or_none()
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        office_code=office_code,
        username=username,
        action=action,
        record_table=record_table,
        record_id=record_id,
        summary=summary,
        details_json=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
        prev_hash=prev if prev is not None else GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """Outcome of a verification: how many entries were checked and the first broken one, if any."""

    checked: int
    first_broken_seq: int | None = None
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _entries(session: Session) -> Iterator[AuditEntry]:
    yield from session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)).scalars()


def verify(session: Session) -> ChainReport:
    """Walk the chain; a changed field, a removed entry or a rewritten link is named by its sequence number."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in _entries(session):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"第{expected_seq}条日志缺失（已被删除）", f"entry {expected_seq} is missing")
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.seq, f"第{entry.seq}条日志与前一条的链接被改动", f"entry {entry.seq}: link to previous entry altered")
        if entry_hash(entry) != entry.entry_hash:
            return ChainReport(checked, entry.seq, f"第{entry.seq}条日志内容被改动", f"entry {entry.seq}: content altered")
        expected_prev, expected_seq, checked = entry.entry_hash, entry.seq + 1, checked + 1
    issued = session.execute(select(Counter.value).where(Counter.name == AUDIT_COUNTER)).scalar_one_or_none() or 0
    if issued >= expected_seq:
        return ChainReport(checked, expected_seq, f"第{expected_seq}条及以后的日志缺失（已被删除）", f"entries from {expected_seq} on are missing")
    return ChainReport(checked)
