"""信用名单 queries (红黑名单、治超名单…): the open entries of a list, the filtered listing, and the entities a
list's criteria can possibly concern."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import DishonestyRecord, Entity, Rating
from xuyi_desktop.storage.models_credit import ListEntry
from xuyi_desktop.storage.models_sgs import SgsRecord


def open_entries(session: Session, list_type: str) -> list[ListEntry]:
    """The list's live entries that are proposed or confirmed (the caller decides which are still in force)."""
    return list(session.execute(select(ListEntry).where(
        ListEntry.list_type == list_type, ListEntry.deleted_at.is_(None), ListEntry.status.in_(("proposed", "confirmed")),
    )).scalars())


def candidate_entity_ids(session: Session, *, grades: Collection[str] = (), penalised: bool = False,
                         dishonesty: bool = False) -> list[uuid.UUID]:
    """The entity ids (no repeats, no nulls) rated effective with one of these grades, or (penalised) with a live
    行政处罚 record, or (dishonesty) with a live dishonesty record; none asked, none returned."""
    parts: list[Any] = []
    if grades:
        parts.append(select(Rating.entity_id).where(Rating.grade.in_(grades), Rating.status == "effective", Rating.deleted_at.is_(None)))
    if penalised:
        parts.append(select(SgsRecord.entity_id).where(SgsRecord.kind == "CF", SgsRecord.entity_id.is_not(None),
                                                       SgsRecord.superseded.is_(False)))
    if dishonesty:
        parts.append(select(DishonestyRecord.entity_id).where(DishonestyRecord.deleted_at.is_(None)))
    if not parts:
        return []
    return [row[0] for row in session.execute(union(*parts)) if row[0] is not None]


def listing(session: Session, *, list_type: str | None = None, status: str | None = None, members_on: dt.date | None = None,
            limit: int = 5000) -> list[tuple[ListEntry, Entity]]:
    """Live entries with their entity, newest proposed first then by name. members_on: only confirmed ones entered
    on or before that day and expiring on or after it."""
    stmt = select(ListEntry, Entity).join(Entity, Entity.id == ListEntry.entity_id).where(ListEntry.deleted_at.is_(None))
    if list_type:
        stmt = stmt.where(ListEntry.list_type == list_type)
    if status:
        stmt = stmt.where(ListEntry.status == status)
    if members_on is not None:
        stmt = stmt.where(ListEntry.status == "confirmed", ListEntry.entered_on <= members_on, ListEntry.expires_on >= members_on)
    return [(m, e) for m, e in session.execute(stmt.order_by(ListEntry.proposed_on.desc(), Entity.name).limit(limit)).tuples()]


def memberships_of(session: Session, entity_id: uuid.UUID) -> list[ListEntry]:
    """The entity's live confirmed or exited entries that have an entry day, latest entered first."""
    return list(session.execute(select(ListEntry).where(
        ListEntry.entity_id == entity_id, ListEntry.status.in_(("confirmed", "exited")), ListEntry.deleted_at.is_(None),
        ListEntry.entered_on.is_not(None),
    ).order_by(ListEntry.entered_on.desc())).scalars())
