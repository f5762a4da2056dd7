"""年度计划 (plan) queries: the registers and their children (attendees, beneficiaries), plan files, task reports
and the monthly 双公示 reports."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xuyi_desktop.storage.models import Entity
from xuyi_desktop.storage.models_plan import (
    CreditTraining,
    PlanAttachment,
    PlanTaskReport,
    ScenarioBenefit,
    SgsMonthlyReport,
    TrainingAttendee,
)


def monthly_report_recorded(session: Session, month: str, unit: str) -> bool:
    """Whether a live monthly report of this month ("YYYY-MM") is recorded for the unit ("" the bureau's own)."""
    return session.execute(select(SgsMonthlyReport.id).where(
        SgsMonthlyReport.deleted_at.is_(None), SgsMonthlyReport.month == month, SgsMonthlyReport.unit == unit,
    ).limit(1)).first() is not None


def register_rows(session: Session, model: Any, date_col: str, *, spans_years: bool, date_from: dt.date | None,
                  date_to: dt.date | None, organs: Collection[str] | None = None, status: str | None = None,
                  kinds: Collection[str] | None = None) -> list[Any]:
    """A register's live rows by its date column, then as entered. spans_years (scenarios): a row counts in every
    period it runs (started by date_to, not ended before date_from); otherwise its date is between the two (each
    optional). organs: only those of these spellings of a unit; status, kinds: only those."""
    stmt = select(model).where(model.deleted_at.is_(None))
    col = getattr(model, date_col)
    if spans_years:
        if date_to is not None:
            stmt = stmt.where(model.started_on <= date_to)
        if date_from is not None:
            stmt = stmt.where((model.ended_on.is_(None)) | (model.ended_on >= date_from))
    else:
        if date_from is not None:
            stmt = stmt.where(col >= date_from)
        if date_to is not None:
            stmt = stmt.where(col <= date_to)
    if organs is not None:
        stmt = stmt.where(model.unit.in_(organs))
    stmt = stmt.order_by(col, model.created_at)
    if status is not None:
        stmt = stmt.where(model.status == status)
    if kinds is not None:
        stmt = stmt.where(model.kind.in_(kinds))
    return list(session.execute(stmt).scalars())


def certified_attendances(session: Session, entity_id: uuid.UUID) -> list[tuple[TrainingAttendee, CreditTraining]]:
    """The entity's live attendances with a certificate, of live trainings, with the training, newest held first."""
    stmt = select(TrainingAttendee, CreditTraining).join(CreditTraining, CreditTraining.id == TrainingAttendee.training_id).where(
        TrainingAttendee.entity_id == entity_id, TrainingAttendee.deleted_at.is_(None), CreditTraining.deleted_at.is_(None),
        TrainingAttendee.certificate_no != "",
    ).order_by(CreditTraining.held_on.desc())
    return [(a, t) for a, t in session.execute(stmt)]


def attendees_with_entities(session: Session, training_ids: Sequence[uuid.UUID]) -> list[tuple[TrainingAttendee, Entity | None]]:
    """The trainings' live attendees with their registered entity (None when not registered), as entered."""
    return [(a, e) for a, e in session.execute(
        select(TrainingAttendee, Entity).outerjoin(Entity, Entity.id == TrainingAttendee.entity_id).where(
            TrainingAttendee.training_id.in_(training_ids), TrainingAttendee.deleted_at.is_(None))
        .order_by(TrainingAttendee.created_at))]


def benefits_of(session: Session, scenario_ids: Sequence[uuid.UUID]) -> list[ScenarioBenefit]:
    """The scenarios' live benefits, earliest granted first."""
    return list(session.execute(select(ScenarioBenefit).where(
        ScenarioBenefit.scenario_id.in_(scenario_ids), ScenarioBenefit.deleted_at.is_(None))
        .order_by(ScenarioBenefit.granted_on)).scalars())


def live_attendees(session: Session, training_id: uuid.UUID) -> list[TrainingAttendee]:
    """One training's live attendees (no order)."""
    return list(session.execute(select(TrainingAttendee).where(TrainingAttendee.training_id == training_id,
                                                               TrainingAttendee.deleted_at.is_(None))).scalars())


def live_benefits(session: Session, scenario_id: uuid.UUID) -> list[ScenarioBenefit]:
    """One scenario's live benefits (no order)."""
    return list(session.execute(select(ScenarioBenefit).where(ScenarioBenefit.scenario_id == scenario_id,
                                                              ScenarioBenefit.deleted_at.is_(None))).scalars())


def live_attachments(session: Session, owner_table: str, owner_id: uuid.UUID) -> list[PlanAttachment]:
    """One record's live files (no order)."""
    return list(session.execute(select(PlanAttachment).where(PlanAttachment.owner_table == owner_table,
                                                             PlanAttachment.owner_id == owner_id,
                                                             PlanAttachment.deleted_at.is_(None))).scalars())


def attachments_of(session: Session, owner_table: str, owner_ids: Sequence[uuid.UUID]) -> list[PlanAttachment]:
    """The records' live files, oldest first."""
    return list(session.execute(select(PlanAttachment).where(
        PlanAttachment.owner_table == owner_table, PlanAttachment.owner_id.in_(list(owner_ids)), PlanAttachment.deleted_at.is_(None),
    ).order_by(PlanAttachment.created_at)).scalars())


def task_reports(session: Session, plan_code: str) -> list[PlanTaskReport]:
    """The plan's live task reports, by report day then as entered."""
    return list(session.execute(select(PlanTaskReport).where(
        PlanTaskReport.plan_code == plan_code, PlanTaskReport.deleted_at.is_(None),
    ).order_by(PlanTaskReport.reported_on, PlanTaskReport.created_at)).scalars())


def monthly_reports_of_year(session: Session, year: int, unit: str) -> list[SgsMonthlyReport]:
    """The unit's live monthly reports of the year, by month then submission day."""
    return list(session.execute(select(SgsMonthlyReport).where(
        SgsMonthlyReport.deleted_at.is_(None), SgsMonthlyReport.month.startswith(f"{year}-"), SgsMonthlyReport.unit == unit,
    ).order_by(SgsMonthlyReport.month, SgsMonthlyReport.submitted_on)).scalars())


def monthly_reports(session: Session, *, year: int | None = None, unit: str | None = None) -> list[SgsMonthlyReport]:
    """Live monthly reports (of the year, of the unit: "" the bureau's own, when given), by month then submission day."""
    stmt = select(SgsMonthlyReport).where(SgsMonthlyReport.deleted_at.is_(None))
    if year is not None:
        stmt = stmt.where(SgsMonthlyReport.month.startswith(f"{year}-"))
    if unit is not None:
        stmt = stmt.where(SgsMonthlyReport.unit == unit)
    return list(session.execute(stmt.order_by(SgsMonthlyReport.month, SgsMonthlyReport.submitted_on)).scalars())


def _day_bounds(model: Any, column: str, date_from: dt.date, date_to: dt.date, tz: dt.tzinfo) -> list[Any]:
    from sqlalchemy import DateTime

    from xuyi_desktop.storage.models import UtcDateTime

    col = getattr(model, column)
    if isinstance(col.type, (UtcDateTime, DateTime)):  # a timestamp: the day as it was in the given zone
        start = dt.datetime.combine(date_from, dt.time.min, tz)
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tz)
        return [col >= start, col < end]
    return [col >= date_from, col <= date_to]


def records_between(session: Session, model: Any, date_column: str, date_from: dt.date, date_to: dt.date, tz: dt.tzinfo, *,
                    unit_column: str | None = None, organs: Collection[str] | None = None) -> list[Any]:
    """The live rows of any record table (the completeness rules name it) dated between the two days inclusive (a
    timestamp column: those days in zone tz), by date then id; organs: only those whose unit_column is one of these."""
    stmt = select(model).where(model.deleted_at.is_(None), *_day_bounds(model, date_column, date_from, date_to, tz))
    if unit_column is not None and organs is not None:
        stmt = stmt.where(getattr(model, unit_column).in_(organs))
    return list(session.execute(stmt.order_by(getattr(model, date_column), model.id)).scalars())


def trainings_with_attendees(session: Session, training_ids: Sequence[Any]) -> set[Any]:
    """Those of the trainings with a live attendee."""
    return set(session.execute(select(TrainingAttendee.training_id).where(
        TrainingAttendee.training_id.in_(training_ids), TrainingAttendee.deleted_at.is_(None))).scalars())
