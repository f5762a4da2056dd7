"""信用名单 queries (红黑名单、治超名单…): the open entries of a list, the filtered listing, and the entities a
list's criteria can possibly concern."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import and_, or_, select, union
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
    return [(m, e) for m, e in session.execute(stmt.order_by(ListEntry.proposed_on.desc(), Entity.name).limit(limit))]


def memberships_of(session: Session, entity_id: uuid.UUID) -> list[ListEntry]:
    """The entity's live confirmed or exited entries that have an entry day, latest entered first."""
    return list(session.execute(select(ListEntry).where(
        ListEntry.entity_id == entity_id, ListEntry.status.in_(("confirmed", "exited")), ListEntry.deleted_at.is_(None),
        ListEntry.entered_on.is_not(None),
    ).order_by(ListEntry.entered_on.desc())).scalars())


def expiring_between(session: Session, first: dt.date, last: dt.date) -> list[tuple[Any, Any]]:
    """(entry, entity) of the live confirmed entries not exited whose expiry falls between first and last
    inclusive, earliest expiry first (Any: the filter makes the expiry never None, which the types cannot say)."""
    return [(a, b) for a, b in session.execute(select(ListEntry, Entity).join(Entity, Entity.id == ListEntry.entity_id).where(
        ListEntry.deleted_at.is_(None), ListEntry.status == "confirmed", ListEntry.exit_on.is_(None),
        ListEntry.expires_on.is_not(None), ListEntry.expires_on >= first, ListEntry.expires_on <= last,
    ).order_by(ListEntry.expires_on)).all()]



def confirmed_from_record(session: Session, record_id: uuid.UUID) -> list[ListEntry]:
    """The live confirmed entries that a record (penalty or dishonesty record) put on a list."""
    return list(session.execute(select(ListEntry).where(
        ListEntry.source_record_id == record_id, ListEntry.status == "confirmed", ListEntry.deleted_at.is_(None),
    )).scalars())


def entered_or_exited_between(session: Session, date_from: dt.date, date_to: dt.date) -> list[tuple[ListEntry, Entity]]:
    """Live confirmed, exited or removed entries entered or exited between the two days inclusive, with their
    entity, by list and entry day (the publication export)."""
    stmt = (select(ListEntry, Entity).join(Entity, Entity.id == ListEntry.entity_id)
            .where(ListEntry.deleted_at.is_(None), ListEntry.status.in_(("confirmed", "exited", "removed")),
                   or_(and_(ListEntry.entered_on >= date_from, ListEntry.entered_on <= date_to),
                       and_(ListEntry.exit_on >= date_from, ListEntry.exit_on <= date_to)))
            .order_by(ListEntry.list_type, ListEntry.entered_on))
    return [(x, e) for x, e in session.execute(stmt)]


def memberships_in_force(session: Session, entity_ids: Sequence[uuid.UUID], list_types: Collection[str],
                         on: dt.date) -> list[tuple[uuid.UUID, str]]:
    """(entity id, list type) of the entities' live confirmed entries of these lists in force on that day."""
    return [(eid, t) for eid, t in session.execute(
        select(ListEntry.entity_id, ListEntry.list_type).where(
            ListEntry.entity_id.in_(entity_ids), ListEntry.deleted_at.is_(None), ListEntry.status == "confirmed",
            ListEntry.list_type.in_(list_types), ListEntry.entered_on.is_not(None),
            ListEntry.entered_on <= on, or_(ListEntry.expires_on.is_(None), ListEntry.expires_on >= on),
            or_(ListEntry.exit_on.is_(None), ListEntry.exit_on > on),
        )
    ).all()]
