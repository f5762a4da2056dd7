"""年度计划 (plan) queries: monthly reports, registers, tasks and plan files."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models_plan import SgsMonthlyReport


def monthly_report_recorded(session: Session, month: str, unit: str) -> bool:
    """Whether a live monthly report of this month ("YYYY-MM") is recorded for the unit ("" the bureau's own)."""
    return session.execute(select(SgsMonthlyReport.id).where(
        SgsMonthlyReport.deleted_at.is_(None), SgsMonthlyReport.month == month, SgsMonthlyReport.unit == unit,
    ).limit(1)).first() is not None
