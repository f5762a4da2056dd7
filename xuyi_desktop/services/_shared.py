"""Small pieces several services wrote out the same way (issue 18): reading a rules file shipped in resources/,
loading a live record with its entity, and writing only the fields that changed. No rules of their own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from xuyi_desktop.paths import resource_path
from xuyi_desktop.services import audit
from xuyi_desktop.services.context import AppContext
from xuyi_desktop.services.errors import NotFoundError
from xuyi_desktop.storage.models import Entity

T = TypeVar("T")
R = TypeVar("R")


def read_rules(parse: Callable[[str, str], T], *parts: str) -> T:
    """A rules file under resources/ parsed by its domain parser (which names the file in its messages)."""
    path = resource_path(*parts)
    return parse(path.read_text(encoding="utf-8"), path.name)


def live_with_entity(session: Session, model: type[R], record_id: uuid.UUID, what: str) -> tuple[R, Entity]:
    """A record that is not deleted, with the entity it belongs to; NotFoundError “{what} {id}” otherwise."""
    row: Any = session.get(model, record_id)
    if row is None or row.deleted_at is not None:
        raise NotFoundError(f"{what} {record_id}")
    entity = session.get(Entity, row.entity_id)
    assert entity is not None
    return row, entity


def update_changed(session: Session, ctx: AppContext, row: R, values: Mapping[str, Any],
                   summary: Callable[[Sequence[str]], str]) -> tuple[R, str]:
    """Bring `row` up to `values`, writing (and auditing) only the fields that differ: a ledger imported twice
    changes nothing the second time. Returns the row and "updated" or "unchanged"; `summary(changed names)` is
    the audit line."""
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return row, "unchanged"
    audit.update_recorded(session, ctx, row, verb="update", summary=summary(list(changed)), **changed)
    return row, "updated"
