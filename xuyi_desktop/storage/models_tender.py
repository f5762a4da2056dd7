"""Tender day (信用+招投标): the register of third-party credit reports (第三方信用报告) bidders hand in."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class ThirdPartyReport(RecordMixin, Base):
    """A credit report on an entity issued by a credit-service agency (信用服务机构). Whether the agency is
    registered with the provincial credit-service system (江苏省信用服务机构管理系统备案) is recorded as the clerk
    found it; a report of an unregistered agency, or past its validity, is never shown as valid. Synced and
    audited like every business record; withdrawn (entered in error) as a tombstone with its reason."""

    __tablename__ = "third_party_report"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    agency_name: Mapped[str] = mapped_column(String(200))
    agency_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    agency_registration_no: Mapped[str] = mapped_column(String(100), default="")  # 备案编号 or where it is published
    report_no: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    grade: Mapped[str] = mapped_column(String(100), default="")  # the grade or conclusion the report gives
    remarks: Mapped[str] = mapped_column(Text, default="")
    void_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_third_party_report_report_no", "report_no"),)
