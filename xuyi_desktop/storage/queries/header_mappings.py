"""Remembered header mappings of imported workbooks (per source and format)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_sgs import SgsHeaderMapping


def remembered(session: Session, source: str, code: str) -> dict[str, str]:
    """header (normalised) -> field remembered for this source and format."""
    stmt = select(SgsHeaderMapping.header, SgsHeaderMapping.field).where(SgsHeaderMapping.source == source, SgsHeaderMapping.kind == code)
    return {h: f for h, f in session.execute(stmt)}
