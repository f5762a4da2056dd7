"""Credit commitments (信用承诺): one row per commitment, from signing to its outcome."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class Commitment(RecordMixin, Base):
    """A commitment an entity made for a business (e.g. a licence application), with its serial number,
    promised items, term and outcome. A violation links the dishonesty record it created, so the credit
    check and 暂定A级 see it."""

    __tablename__ = "commitment"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    type_code: Mapped[str] = mapped_column(String(32))
    area_code: Mapped[str] = mapped_column(String(32))
    business: Mapped[str] = mapped_column(String(200))
    items_json: Mapped[str] = mapped_column(Text, default="[]")
    term_days: Mapped[int] = mapped_column(Integer)
    term_until: Mapped[dt.date] = mapped_column(Date)
    signer: Mapped[str] = mapped_column(String(100), default="")
    signed_on: Mapped[dt.date] = mapped_column(Date)
    organ: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    outcome_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    violation_facts: Mapped[str] = mapped_column(Text, default="")
    violation_handling: Mapped[str] = mapped_column(Text, default="")
    penalty_document_no: Mapped[str] = mapped_column(String(100), default="")
    dishonesty_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("dishonesty_record.id"), default=None)
    # The credit check run before a 告知承诺 / 容缺受理 commitment was accepted (its serial), and, where a
    # reviewer accepted it although the check excluded the entity, who and why.
    check_serial: Mapped[str] = mapped_column(String(64), default="")
    check_override_reason: Mapped[str] = mapped_column(Text, default="")
    check_override_by: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        Index("ix_commitment_status_term", "status", "term_until"),
        Index("ix_commitment_signed_on", "signed_on"),
    )
