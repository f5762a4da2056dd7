"""A unit of work: the one transaction of a use case, which owns every change-log row and audit entry it writes.

    with unit_of_work(ctx) as uow:
        row = uow.add(Rating(...), summary="录入信用评价 …")           # insert + change log + audit entry
        uow.change(row, verb="update", summary="…", status="reviewed")  # set fields, same again
        uow.record(row, before, summary="…")                           # fields already set by the caller
        uow.log("print.commitment", "打印 …", record_table=…)          # an audit entry alone (reads, prints)

The block commits when it ends normally and rolls back on any exception (AppContext.transaction, with its
ConcurrentEditError for a lost optimistic lock). `uow.rollback()` asks for a rollback without an exception
(an import with wrong rows, a preview): the block ends normally and nothing is written. `bulk=True` batches
the change log and the audit chain (services.audit.AuditBatch) for imports of thousands of rows.

A service writes business records only through this (or through audit.insert_recorded / update_recorded,
which it wraps): the change log is what sync ships, the audit entry what the office answers for, and both
exist exactly when the change does."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage.snapshots import row_image

Row = TypeVar("Row")


class UnitOfWork:
    """The session of one transaction and the writers that keep the change log and the audit trail with it."""

    def __init__(self, session: Session, ctx: AppContext) -> None:
        self.session = session
        self.ctx = ctx
        self._batch: audit.AuditBatch | None = None
        self.rolled_back = False

    def add(self, row: Row, *, summary: str, verb: str = "insert") -> Row:
        """A new business record, with its change-log row (after image) and audit entry."""
        return audit.insert_recorded(self.session, self.ctx, row, summary=summary, verb=verb)

    def change(self, row: Row, *, verb: str, summary: str, **values: Any) -> Row:
        """Set fields of a business record; its change-log row (before/after images) and audit entry."""
        return audit.update_recorded(self.session, self.ctx, row, verb=verb, summary=summary, **values)

    def record(self, row: Any, before: dict[str, Any] | None, *, summary: str, verb: str = "update",
               image: Callable[[Any], dict[str, Any]] = row_image) -> None:
        """A record the caller added or whose fields it set itself (a workflow step that sets several
        conditionally), from the image taken before (before_image; None for a new record): stamps this office,
        flushes, logs and audits. `image`: the record kind's own change-log image where it has one (an entity
        carries its categories and licences)."""
        row.updated_office = self.ctx.office_code
        self.session.flush()
        audit.record_business_change(
            self.session, self.ctx, table_name=row.__tablename__, record_id=row.id, action=verb,
            record_version=row.version, before=before, after=image(row), summary=summary,
        )

    @staticmethod
    def before_image(row: Any) -> dict[str, Any]:
        """The image record() compares with: take it before setting fields."""
        return row_image(row)

    def log(self, action: str, summary: str, *, record_table: str = "", record_id: str | uuid.UUID = "",
            details: dict[str, Any] | None = None) -> None:
        """An audit entry without a change of business data (a print, an import's summary, a check)."""
        audit.write(self.session, self.ctx, action, summary, record_table=record_table, record_id=record_id, details=details)

    def rollback(self) -> None:
        """Write nothing of this unit: the block still ends normally, then the transaction is rolled back
        (what batched change-log rows and audit entries were pending are dropped, not written first)."""
        self.rolled_back = True
        if self._batch is not None:
            self._batch.discard()


@contextmanager
def unit_of_work(ctx: AppContext, *, bulk: bool = False) -> Iterator[UnitOfWork]:
    """One transaction owning its change log and audit entries: commit on a normal end, rollback on an
    exception or after uow.rollback(). bulk: batch the change log and the audit chain (imports)."""
    with ctx.transaction() as session:
        uow = UnitOfWork(session, ctx)
        with audit.batched(session, ctx) if bulk else nullcontext() as batch:
            uow._batch = batch
            yield uow
        if uow.rolled_back:
            session.rollback()
