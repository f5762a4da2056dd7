"""Queries of the record check (services.record_check): every row of a table streamed, the entities' categories
and licences as the change log images them, and an entity's name for the report."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.all_models import Base


def rows(session: Session, table: Table, batch: int) -> Iterator[Any]:
    """Every row of the table, streamed `batch` rows at a time."""
    yield from session.execute(select(table).execution_options(yield_per=batch))


def entity_categories(session: Session) -> list[Row[Any, Any]]:
    """(entity_id, category) of every entity category row."""
    ec = Base.metadata.tables["entity_category"]
    return list(session.execute(select(ec.c.entity_id, ec.c.category)))


def licences(session: Session) -> list[Row[Any, Any, Any, Any, Any, Any, Any]]:
    """Every licence row, deleted ones included: id, entity_id, licence_type, number, valid_from, valid_to,
    deleted_at."""
    lt = Base.metadata.tables["licence"]
    return list(session.execute(select(lt.c.id, lt.c.entity_id, lt.c.licence_type, lt.c.number, lt.c.valid_from,
                                       lt.c.valid_to, lt.c.deleted_at)))


def entity_name(session: Session, entity_id: uuid.UUID) -> str | None:
    """The name of the entity with this id (None: no such row)."""
    et = Base.metadata.tables["entity"]
    return session.execute(select(et.c.name).where(et.c.id == entity_id)).scalar_one_or_none()
