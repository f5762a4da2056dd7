"""Vehicles, vessels, practitioners' qualifications, overload notifications (治超抄报) and credit-point entries.

Business records like the others (RecordMixin: UUID, office stamps, version, tombstone), written only through
services.audit.insert_recorded / update_recorded, so the change log ships them and the audit trail names them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin

_LIVE = text("deleted_at IS NULL")


class Vehicle(RecordMixin, Base):
    """A road vehicle of an operator: plate and colour (one live row per pair), 道路运输证, type, tonnage or seats."""

    __tablename__ = "vehicle"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    plate: Mapped[str] = mapped_column(String(16))
    plate_colour: Mapped[str] = mapped_column(String(8))
    # The plate without its province character: a clerk typing "H12345" finds 苏H12345 (indexed prefix search).
    plate_tail: Mapped[str] = mapped_column(String(16))
    transport_cert_no: Mapped[str] = mapped_column(String(32), default="")
    vehicle_type: Mapped[str] = mapped_column(String(50), default="")
    tonnage: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False), default=None)
    seats: Mapped[int | None] = mapped_column(Integer, default=None)
    cert_valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    cert_valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("uq_vehicle_plate_live", "plate", "plate_colour", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_vehicle_plate_tail", "plate_tail"),
        Index("ix_vehicle_transport_cert_no", "transport_cert_no"),
    )


class Vessel(RecordMixin, Base):
    """A vessel of a water-transport operator: 船舶识别号 (one live row each), 船舶营业运输证号, tonnage."""

    __tablename__ = "vessel"

    operator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    ship_id: Mapped[str] = mapped_column(String(16))
    transport_cert_no: Mapped[str] = mapped_column(String(32), default="")
    vessel_type: Mapped[str] = mapped_column(String(50), default="")
    gross_tonnage: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False), default=None)
    deadweight: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False), default=None)
    cert_valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    cert_valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("uq_vessel_ship_id_live", "ship_id", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_vessel_name", "name"),
        Index("ix_vessel_transport_cert_no", "transport_cert_no"),
    )


class PractitionerQualification(RecordMixin, Base):
    """A road-transport practitioner's 从业资格证: the driver rating cycle starts at `first_issued_on`."""

    __tablename__ = "practitioner_qualification"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    cert_no: Mapped[str] = mapped_column(String(32))
    qualification_class: Mapped[str] = mapped_column(String(100), default="")
    first_issued_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (
        Index("uq_practitioner_qualification_cert_live", "cert_no", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
    )


class OverloadNotice(RecordMixin, Base):
    """One overload notification (治超抄报) from the upper level, matched to vehicle, operator and driver where the
    registry knows them, with its interview (约谈) and rectification."""

    __tablename__ = "overload_notice"

    document_no: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    received_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    overload_ratio: Mapped[float | None] = mapped_column(Numeric(7, 2, asdecimal=False), default=None)  # 超限率 %
    source: Mapped[str] = mapped_column(String(200), default="")  # 抄报单位
    # As written in the notification (kept even when matched, so a wrong match can be seen and resolved).
    plate: Mapped[str] = mapped_column(String(16), default="")
    operator_name: Mapped[str] = mapped_column(String(200), default="")
    operator_identifier: Mapped[str] = mapped_column(String(32), default="")
    driver_name: Mapped[str] = mapped_column(String(100), default="")
    driver_identifier: Mapped[str] = mapped_column(String(32), default="")
    vehicle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("vehicle.id"), default=None, index=True)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)
    driver_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)
    match_note: Mapped[str] = mapped_column(Text, default="")  # what could not be matched, or who resolved it
    interviewed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    participants: Mapped[str] = mapped_column(Text, default="")
    interview_content: Mapped[str] = mapped_column(Text, default="")
    rectify_by: Mapped[dt.date | None] = mapped_column(Date, default=None)
    rectify_result: Mapped[str] = mapped_column(Text, default="")
    rectified_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (
        Index("uq_overload_notice_document_live", "document_no", unique=True, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_overload_notice_occurred_on", "occurred_on"),
    )


class PointEntry(RecordMixin, Base):
    """One line of a credit-point ledger (信用积分): opening, addition, deduction or the correction of another line.
    Never edited: a correction is a new line (`corrects_id`) with the opposite points."""

    __tablename__ = "point_entry"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    subject: Mapped[str] = mapped_column(String(16))  # driver / enterprise
    kind: Mapped[str] = mapped_column(String(16))  # initial / add / deduct / correction
    rule_code: Mapped[str] = mapped_column(String(16), default="")
    rule_name: Mapped[str] = mapped_column(String(200), default="")
    points: Mapped[float] = mapped_column(Numeric(8, 2, asdecimal=False))
    reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    rules_version: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_point_entry_entity_date", "entity_id", "occurred_on"),)
