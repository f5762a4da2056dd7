"""Reading the dictionary table (storage/models_dictionaries.py)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_dictionaries import DictionaryEntry


def of_kind(session: Session, kind: str, *, include_ended: bool = False) -> list[DictionaryEntry]:
    """The live entries of a kind in display order (ended ones too when asked)."""
    stmt = select(DictionaryEntry).where(DictionaryEntry.kind == kind, DictionaryEntry.deleted_at.is_(None))
    if not include_ended:
        stmt = stmt.where(DictionaryEntry.ended_on.is_(None))
    return list(session.execute(stmt.order_by(DictionaryEntry.sort_order, DictionaryEntry.name)).scalars())


def by_id(session: Session, entry_id: uuid.UUID) -> DictionaryEntry | None:
    return session.get(DictionaryEntry, entry_id)


def existing_ids(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these ids are stored (live, ended or deleted alike)."""
    if not ids:
        return set()
    return set(session.execute(select(DictionaryEntry.id).where(DictionaryEntry.id.in_(ids))).scalars())


def next_sort_order(session: Session, kind: str) -> int:
    top = session.execute(select(func.max(DictionaryEntry.sort_order)).where(DictionaryEntry.kind == kind)).scalar()
    return int(top or 0) + 10
