"""Serial numbers for printed documents: office code + kind + year + sequence, never repeated."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xuyi_desktop.services.context import AppContext
from xuyi_desktop.storage import counters


def next_serial(session: Session, ctx: AppContext, kind: str, year: int) -> str:
    """E.g. 320830-HC-2026-000123. Unique across offices because office codes are; the counter row lock
    makes concurrent printing queue instead of repeating a number."""
    seq = counters.reserve(session, f"serial:{kind}:{year}")
    return f"{ctx.office_code}-{kind}-{year}-{seq:06d}"
