"""Named counters that never hand out the same number twice, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import Insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Counter


def reserve(session: Session, name: str, count: int = 1) -> int:
    """Reserve `count` consecutive numbers and return the first. The UPDATE takes the row (or file) lock,
    so concurrent writers queue instead of colliding."""
    bump = (
        update(Counter).where(Counter.name == name).values(value=Counter.value + count)
        .returning(Counter.value).execution_options(synchronize_session=False)
    )
    last = session.execute(bump).scalar_one_or_none()
    if last is None:
        # First use. Two counters on a shared server may both get here: the row is created with
        # ON CONFLICT DO NOTHING, so the second waits for the first and then bumps the row it made.
        session.execute(_insert_if_absent(session, name))
        last = session.execute(bump).scalar_one()
    return last - count + 1


def _insert_if_absent(session: Session, name: str) -> Insert:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
