"""Queries of the demo and training-data generators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity, EntityCategory, Licence


def all_identifiers(session: Session) -> set[str]:
    """Every entity identifier ever registered here, deleted ones included (a generated one must not clash)."""
    return set(session.execute(select(Entity.identifier)).scalars())


def insert_generated(session: Session, entities: list[dict[str, Any]], categories: list[dict[str, Any]],
                     licences: list[dict[str, Any]]) -> None:
    """Bulk-insert one chunk of generated entities, their categories and licences (executemany each)."""
    session.execute(insert(Entity), entities)
    session.execute(insert(EntityCategory), categories)
    if licences:
        session.execute(insert(Licence), licences)
