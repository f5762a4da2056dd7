"""Credit repair (信用修复), objections to credit records (信息异议) and list memberships (红/黑/重点关注/治超名单).

Each is a business record (synced, audited, never deleted): an application moves through its states with the
who and when of each step on the row; a list entry carries its entry, expiry and exit.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class RepairApplication(RecordMixin, Base):
    """An application to repair a penalty (双公示, by its lineage) or a dishonesty record.

    申请 → 受理 → 审核 → 决定 (准予修复 / 不予修复); the materials checklist is JSON (item code, ticked, attachment)."""

    __tablename__ = "repair_application"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(16))  # penalty / dishonesty
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # sgs_record.lineage_id or dishonesty_record.id
    record_summary: Mapped[str] = mapped_column(Text, default="")
    applicant: Mapped[str] = mapped_column(String(100))
    applicant_contact: Mapped[str] = mapped_column(String(100), default="")
    applied_on: Mapped[dt.date] = mapped_column(Date)
    earliest_on: Mapped[dt.date] = mapped_column(Date)  # the minimum publicity period's end, by the rules then
    rules_source: Mapped[str] = mapped_column(String(100), default="")
    materials_json: Mapped[str] = mapped_column(Text, default="[]")
    commitment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("commitment.id"), default=None)
    status: Mapped[str] = mapped_column(String(16), default="applied")  # applied/accepted/reviewed/approved/rejected
    accepted_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    accepted_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_repair_application_record", "record_kind", "record_id"),)


class CreditObjection(RecordMixin, Base):
    """A dispute of any credit record (信息异议): received, under review, decided within a deadline."""

    __tablename__ = "credit_objection"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    record_kind: Mapped[str] = mapped_column(String(16))  # penalty / dishonesty / rating / commitment / list
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    record_summary: Mapped[str] = mapped_column(Text, default="")
    objector: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="received")  # received/reviewing/upheld/rejected
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(String(16), default="")  # what an upheld objection did: withdraw / end / none


class ListEntry(RecordMixin, Base):
    """One membership of a list: proposed by the criteria (or by hand), confirmed by a reviewer with a reason,
    in force from entered_on to expires_on unless it exits early (repair, decision)."""

    __tablename__ = "list_entry"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    list_type: Mapped[str] = mapped_column(String(16))  # red / black / watch / overload
    period: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # proposed / confirmed / removed / exited
    reason: Mapped[str] = mapped_column(Text, default="")
    criteria: Mapped[str] = mapped_column(Text, default="")  # the rule (and facts) that proposed it
    case_code: Mapped[str] = mapped_column(String(16), default="")  # 治超: which of the ten entry cases
    source_record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)  # a repair of it ends the entry
    proposed_on: Mapped[dt.date] = mapped_column(Date)
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    confirmed_by: Mapped[str] = mapped_column(String(64), default="")
    entered_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    exit_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    exit_reason: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (Index("ix_list_entry_type_status", "list_type", "status"),)
