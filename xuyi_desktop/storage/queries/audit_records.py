"""Queries of the audit export: the records audit entries name, to show them by name."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity


def entity_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """id -> name of those of these entities that exist."""
    return dict(session.execute(select(Entity.id, Entity.name).where(Entity.id.in_(list(ids)))).all())


def by_ids(session: Session, cls: Any, ids: set[uuid.UUID]) -> list[Any]:
    """The rows of this mapped class with these ids."""
    return list(session.execute(select(cls).where(cls.id.in_(list(ids)))).scalars())
