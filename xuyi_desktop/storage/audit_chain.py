"""The hash chain of the audit log: appending under the write lock, and verifying from the first entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage import counters
from xuyi_desktop.storage.models import AuditEntry, Counter

GENESIS = "0" * 64
AUDIT_COUNTER = "audit_log"


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _hash(seq: int, at: dt.datetime, office_code: str, username: str, action: str, record_table: str, record_id: str,
          summary: str, details_json: str, prev_hash: str) -> str:
    canonical = json.dumps(
        [seq, _stamp(at), office_code, username, action, record_table, record_id, summary, details_json, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over every field but the hash itself, in a fixed order and encoding."""
    return _hash(entry.seq, entry.at, entry.office_code, entry.username, entry.action, entry.record_table, entry.record_id,
                 entry.summary, entry.details_json, entry.prev_hash)


def append_many(session: Session, entries: list[dict[str, Any]]) -> int:
    """Append entries in the order given (one, or a bulk import's many); returns the first sequence number.
    Reserving the sequence numbers first takes the write lock, so the tail read next is really the last entry and
    two writers can never chain onto the same one. Each dict: at, office_code, username, action, summary,
    record_table, record_id, details. One multi-row INSERT, executed at once (no ORM unit of work)."""
    if not entries:
        return 0
    first = counters.reserve(session, AUDIT_COUNTER, len(entries))
    prev = session.execute(select(AuditEntry.entry_hash).where(AuditEntry.seq == first - 1)).scalar_one_or_none()
    prev = prev if prev is not None else GENESIS
    rows = []
    for i, e in enumerate(entries):
        row = {
            "seq": first + i, "at": e["at"], "office_code": e["office_code"], "username": e["username"], "action": e["action"],
            "record_table": e.get("record_table", ""), "record_id": e.get("record_id", ""), "summary": e["summary"],
            "details_json": json.dumps(e.get("details") or {}, ensure_ascii=False, sort_keys=True, default=str), "prev_hash": prev,
        }
        row["entry_hash"] = prev = _hash(**{k: row[k] for k in (
            "seq", "at", "office_code", "username", "action", "record_table", "record_id", "summary", "details_json", "prev_hash")})
        rows.append(row)
    session.execute(insert(AuditEntry), rows)
    return first


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
