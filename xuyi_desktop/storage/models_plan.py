"""Running the plan: progress reports on the annex-2 tasks, the registers (campaigns, trainings and their attendees,
信易+ scenarios and their beneficiaries, integrity models and award candidates, credit-website items) and the
monthly 双公示 reports. Each is a business record: synced, audited, never deleted (RecordMixin).

The task table itself is data (resources/plan/periods/*.toml); a report names its task by the plan's code and the
task's id, and a status is derived, never stored.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class PlanTaskReport(RecordMixin, Base):
    """One progress report of one unit on one task: what was done, how far (percent or a milestone), whether the
    unit's part is complete."""

    __tablename__ = "plan_task_report"

    plan_code: Mapped[str] = mapped_column(String(32))
    task_id: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(100))
    reported_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int | None] = mapped_column(Integer, default=None)
    milestone: Mapped[str] = mapped_column(String(100), default="")
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_plan_task_report_task", "plan_code", "task_id", "unit"),)


class PlanAttachment(RecordMixin, Base):
    """A file kept with a plan record (evidence of a report, a campaign's photos, a training certificate); its
    bytes are an attachment_content row, shared with every other attachment of the same content."""

    __tablename__ = "plan_attachment"

    owner_table: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    purpose: Mapped[str] = mapped_column(String(16), default="evidence")  # evidence / photo / certificate
    original_name: Mapped[str] = mapped_column(String(260))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_plan_attachment_owner", "owner_table", "owner_id"),)


class PublicityCampaign(RecordMixin, Base):
    """A publicity campaign (主题宣传月/日, 诚信春运, 3·15 …)."""

    __tablename__ = "publicity_campaign"

    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    kind: Mapped[str] = mapped_column(String(32))
    theme: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    reach: Mapped[int | None] = mapped_column(Integer, default=None)  # people reached
    media_links: Mapped[str] = mapped_column(Text, default="")  # one link or report per line
    notes: Mapped[str] = mapped_column(Text, default="")


class CreditTraining(RecordMixin, Base):
    """A training session (信用管理培训, 信用修复培训 …)."""

    __tablename__ = "credit_training"

    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(100), default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    hours: Mapped[float | None] = mapped_column(Numeric(6, 1, asdecimal=False), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")


class TrainingAttendee(RecordMixin, Base):
    """A person (or an organisation's delegate) at a training, linked to the entity where registered, with the
    certificate issued (what a repair application shows as its 信用修复培训证明)."""

    __tablename__ = "training_attendee"

    training_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_training.id"), index=True)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)
    person_name: Mapped[str] = mapped_column(String(100), default="")
    org_name: Mapped[str] = mapped_column(String(200), default="")
    certificate_no: Mapped[str] = mapped_column(String(64), default="")
    certificate_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class CreditScenario(RecordMixin, Base):
    """A 信易+ application scenario (信易批, 信易惠, 信易贷 …)."""

    __tablename__ = "credit_scenario"

    name: Mapped[str] = mapped_column(String(200))
    business_type: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(100), default="")
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    description: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")


class ScenarioBenefit(RecordMixin, Base):
    """One entity's benefit under a scenario: the measure and the amount (万元, e.g. a deposit waived)."""

    __tablename__ = "scenario_benefit"

    scenario_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_scenario.id"), index=True)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)
    beneficiary: Mapped[str] = mapped_column(String(200))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(32))
    amount_wan: Mapped[float | None] = mapped_column(Numeric(16, 4, asdecimal=False), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class IntegrityModel(RecordMixin, Base):
    """An integrity model (诚信典型, 示范企业) or an award candidate: nomination, reason, outcome."""

    __tablename__ = "integrity_model"

    kind: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(100), default="")
    nominated_on: Mapped[dt.date] = mapped_column(Date)
    edition: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default="pending")  # pending / selected / not_selected
    outcome_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    outcome_note: Mapped[str] = mapped_column(Text, default="")


class WebsiteItem(RecordMixin, Base):
    """An item for the credit websites (policy, 工作动态, 信用应用, 典型案例 …): produced, reviewed by someone else
    (谁生产、谁审核), then published."""

    __tablename__ = "website_item"

    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(100), default="")
    producer: Mapped[str] = mapped_column(String(64), default="")
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="submitted")  # submitted/approved/returned/published
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    url: Mapped[str] = mapped_column(String(300), default="")


class SgsMonthlyReport(RecordMixin, Base):
    """The monthly 双公示 report for a month was sent (to the city), by a unit or for the whole bureau (unit "")."""

    __tablename__ = "sgs_monthly_report"

    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    unit: Mapped[str] = mapped_column(String(100), default="")
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_sgs_monthly_report_month", "month", "unit"),)
