"""Named counters that never hand out the same number twice, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Counter


def reserve(session: Session, name: str, count: int = 1) -> int:
    """Reserve `count` consecutive numbers and return the first. The UPDATE takes the row (or file) lock,
    so concurrent writers queue instead of colliding."""
    result = session.execute(update(Counter).where(Counter.name == name).values(value=Counter.value + count))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(Counter(name=name, value=count))
        session.flush()
        return 1
    last = session.execute(select(Counter.value).where(Counter.name == name)).scalar_one()
    return last - count + 1
