"""Queries of the demo and training-data generators."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity


def all_identifiers(session: Session) -> set[str]:
    """Every entity identifier ever registered here, deleted ones included (a generated one must not clash)."""
    return set(session.execute(select(Entity.identifier)).scalars())
