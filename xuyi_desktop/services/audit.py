"""The audit trail as the services use it: permission checks, audited changes and reads, verification."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from xuyi_desktop.domain.errors import DomainError
from xuyi_desktop.domain.permissions import Permission
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage import audit_chain
from xuyi_desktop.storage.audit_chain import ChainReport
from xuyi_desktop.storage.change_log import dump_image, image_digest, record_changes
from xuyi_desktop.storage.models import utcnow
from xuyi_desktop.storage.queries import audit_entries as entry_queries
from xuyi_desktop.storage.snapshots import row_image


class PermissionDenied(DomainError):
    """The user's role does not allow this; nothing was done."""

    def __init__(self, ctx: AppContext, permission: Permission) -> None:
        who = f"{ctx.user.username}（{ctx.user.role.label}）" if ctx.user else "未登录用户"
        self.permission = permission
        self.message_zh = f"{who}没有“{permission.label}”的权限" if ctx.user else "请先登录"
        self.message_en = f"permission denied: {permission.value}" if ctx.user else "login required"
        super().__init__(self.message_zh)


def require(ctx: AppContext, permission: Permission) -> None:
    """Refuse (PermissionDenied) unless the current user's role allows `permission`; the refusal is audited
    (in a transaction of its own: nothing else was done)."""
    if not ctx.can(permission):
        denied = PermissionDenied(ctx, permission)
        record_denial(ctx, permission)
        raise denied


def record_denial(ctx: AppContext, permission: Permission, what: str = "") -> None:
    """Audit a refused attempt. Best effort: a busy or read-only database must not turn the refusal into
    another error (the refusal itself is what the user has to see)."""
    from sqlalchemy.exc import SQLAlchemyError

    who = ctx.user.username if ctx.user else "?"
    role = ctx.user.role.label if ctx.user else "未登录"
    try:
        with ctx.transaction() as session:
            write(session, ctx, "permission.denied", f"拒绝 {who}（{role}）：没有“{permission.label}”的权限{('：' + what) if what else ''}",
                  details={"permission": permission.value, "what": what})
    except (SQLAlchemyError, DomainError):
        pass


class AuditBatch:
    """The change-log rows and audit entries of one bulk transaction (an import of thousands of rows),
    written every FLUSH_EVERY changes and at the end instead of one by one: two counter reservations, one read
    of the chain's tail and two multi-row INSERTs per flush. The rows, their order, sequence numbers and
    hashes are what single writes would have made; only nothing of them is visible before a flush."""

    FLUSH_EVERY = 1000

    def __init__(self, session: Session, ctx: AppContext) -> None:
        self._session, self._ctx = session, ctx
        self._pending: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []

    def add(self, change: dict[str, Any] | None, entry: dict[str, Any]) -> None:
        self._pending.append((change, entry))
        if len(self._pending) >= self.FLUSH_EVERY:
            self.flush()

    def discard(self) -> None:
        """Drop what is pending (the transaction is about to be rolled back: writing it first is wasted work)."""
        self._pending.clear()

    def flush(self) -> None:
        if not self._pending:
            return
        logged = iter(record_changes(self._session, self._ctx.office_code, [c for c, _ in self._pending if c is not None]))
        entries = []
        for change, entry in self._pending:
            if change is not None:
                # The details of a change's entry are record_business_change's own dict: named in place, not copied.
                entry["details"]["change_seq"] = next(logged).seq
            entries.append(entry)
        self._pending.clear()
        _appended(self._session, self._ctx, entries, audit_chain.append_many(self._session, entries))


_BATCH = "xuyi.audit_batch"
_DEFERRED = "xuyi.deferred_written"


@contextmanager
def batched(session: Session, ctx: AppContext) -> Iterator[AuditBatch]:
    """Within `with batched(session, ctx):` every write() and record_business_change() on this session goes
    through one AuditBatch (bulk imports); leaving the block normally writes what is left."""
    batch = AuditBatch(session, ctx)
    session.info[_BATCH] = batch
    try:
        yield batch
        batch.flush()
    finally:
        session.info.pop(_BATCH, None)


def _entry(ctx: AppContext, action: str, summary: str, record_table: str, record_id: str | uuid.UUID,
           details: dict[str, Any] | None, username: str | None) -> dict[str, Any]:
    return {
        "at": utcnow(), "office_code": ctx.office_code, "username": username or ctx.actor, "action": action,
        "summary": summary, "record_table": record_table, "record_id": str(record_id) if record_id else "",
        "details": details or {},
    }


def write(
    session: Session,
    ctx: AppContext,
    action: str,
    summary: str,
    *,
    record_table: str = "",
    record_id: str | uuid.UUID = "",
    details: dict[str, Any] | None = None,
    username: str | None = None,
) -> None:
    """Append an audit entry in the caller's transaction (so it exists exactly when the change does)."""
    entry = _entry(ctx, action, summary, record_table, record_id, details, username)
    flush_deferred(session, ctx)
    batch: AuditBatch | None = session.info.get(_BATCH)
    if batch is not None:
        batch.add(None, entry)
    else:
        _appended(session, ctx, [entry], audit_chain.append_many(session, [entry]))


def flush_deferred(session: Session, ctx: AppContext) -> None:
    """Write the login entries kept while the database was busy (in the caller's transaction), and count the
    failed attempts among them against their accounts, as if they had been written at once."""
    if not ctx.deferred_audit or session.info.get(_DEFERRED):
        return
    # Taken off the list only when this transaction commits: a write that fails (the lock still held) keeps them.
    pending = list(ctx.deferred_audit)
    session.info[_DEFERRED] = True

    def _written(_session: Session) -> None:
        ctx.deferred_audit[:] = [e for e in ctx.deferred_audit if not any(e is p for p in pending)]

    event.listen(session, "after_commit", _written, once=True)
    from xuyi_desktop.services.users import count_deferred_failure, reset_deferred_success

    for item in pending:
        entry = dict(item)
        failed, succeeded = entry.pop("failed_user_id", None), entry.pop("reset_user_id", None)
        _appended(session, ctx, [entry], audit_chain.append_many(session, [entry]))
        if failed is not None:
            count_deferred_failure(session, ctx, failed, entry["username"])
        if succeeded is not None:
            reset_deferred_success(session, succeeded)


def _appended(session: Session, ctx: AppContext, entries: list[dict[str, Any]], first_seq: int) -> None:
    """Anchor the chain when this transaction commits, where the entries call for it (audit_anchor); the
    entries were given sequence numbers first_seq, first_seq + 1, … in order."""
    from xuyi_desktop.services import audit_anchor

    for i, entry in enumerate(entries):
        audit_anchor.after_append(session, ctx, entry["action"], [first_seq + i])


def record_business_change(
    session: Session,
    ctx: AppContext,
    *,
    table_name: str,
    record_id: uuid.UUID,
    action: str,
    record_version: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    summary: str,
) -> None:
    """One call for every change to business data: the change log (what sync ships) and the audit trail."""
    after_json = dump_image(after)  # stored in change_log and hashed into the audit entry: the one text
    change = {
        "at": utcnow(), "actor": ctx.actor, "table_name": table_name, "record_id": record_id, "action": action,
        "record_version": record_version, "before": before, "after": after, "after_json": after_json, "summary": summary,
    }
    flush_deferred(session, ctx)
    if before is None:  # a new record (every row of an import): the fields are the image's filled ones
        changed = sorted(k for k, v in after.items() if v is not None and k != "version") if after else []
    else:
        changed = sorted(k for k in (after or {}) if before.get(k) != (after or {}).get(k) and k != "version")
    details: dict[str, Any] = {"version": record_version, "fields": changed}
    if after is not None:  # the chained audit log vouches for the logged image (services/record_check)
        details["after_sha256"] = image_digest(after_json)
    entry = _entry(ctx, f"{table_name}.{action}", summary, table_name, record_id, details, None)
    batch: AuditBatch | None = session.info.get(_BATCH)
    if batch is not None:
        batch.add(change, entry)
        return
    (logged,) = record_changes(session, ctx.office_code, [change])
    details["change_seq"] = logged.seq
    _appended(session, ctx, [entry], audit_chain.append_many(session, [entry]))


def insert_recorded(session: Session, ctx: AppContext, row: Any, *, summary: str, verb: str = "insert") -> Any:
    """Add a new business record with its change-log entry and audit line, in the caller's transaction."""
    row.created_office = row.updated_office = ctx.office_code
    session.add(row)
    session.flush()
    record_business_change(session, ctx, table_name=row.__tablename__, record_id=row.id, action=verb,
                           record_version=row.version, before=None, after=row_image(row), summary=summary)
    return row


def update_recorded(session: Session, ctx: AppContext, row: Any, *, verb: str, summary: str, **values: Any) -> Any:
    """Set fields of a business record and write its change-log entry (before/after images) and audit line, in
    the caller's transaction: the one way a service changes a record. `verb` names the change (confirm, repair …)."""
    before = row_image(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_office = ctx.office_code
    session.flush()
    record_business_change(session, ctx, table_name=row.__tablename__, record_id=row.id, action=verb,
                           record_version=row.version, before=before, after=row_image(row), summary=summary)
    return row


def verify_chain(ctx: AppContext) -> ChainReport:
    """Check the whole audit chain, then hold it against the signed anchors stored here; the report names the
    first broken entry (services.audit_anchor.verify_with_anchors also reads anchors from other files)."""
    from xuyi_desktop.services import audit_anchor

    with ctx.transaction() as session:
        report = audit_chain.verify(session)
        if not report.ok:
            return report
        anchored = audit_anchor.check(session, ctx, audit_anchor.stored_anchors(session, ctx),
                                      own_codes={ctx.office_code, *(a["office"] for _, a in audit_anchor.stored_anchors(session, ctx))})
        if not anchored.ok:
            return ChainReport(report.checked, anchored.first_problem_seq, anchored.reason_zh, anchored.reason_en)
        return report


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    office_code: str
    username: str
    action: str
    record_table: str
    record_id: str
    summary: str


LOGIN_ACTIONS = ("login.success", "login.failure", "login.locked", "login.refused_locked", "logout", "screen.locked")


def list_entries(
    ctx: AppContext,
    *,
    logins: bool | None = None,
    username: str | None = None,
    action_prefix: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    text: str | None = None,
    before_seq: int | None = None,
    limit: int = 200,
) -> list[AuditRow]:
    """Newest first, one page at a time (before_seq is the cursor). logins=True: only the login log."""
    require(ctx, Permission.AUDIT_VIEW)
    with ctx.transaction() as session:
        entries = entry_queries.page(session, login_actions=LOGIN_ACTIONS, logins=logins, username=username,
                                     action_prefix=action_prefix, since=since, until=until, text=text,
                                     before_seq=before_seq, limit=limit)
        return [
            AuditRow(e.seq, e.at, e.office_code, e.username, e.action, e.record_table, e.record_id, e.summary)
            for e in entries
        ]
