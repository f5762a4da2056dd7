"""双公示 tables: licensing and penalty decisions (one table, `kind` XK / CF) and remembered import header maps.

A correction is a new row of the same `lineage_id` with the next `revision`; the row it replaces gets
`superseded` set. Nothing is overwritten or deleted: a withdrawn decision carries `withdrawn_on` and a reason.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class SgsRecord(RecordMixin, Base):
    """One version of one 行政许可 or 行政处罚 decision, with the national field set (SPEC.md §7)."""

    __tablename__ = "sgs_record"

    kind: Mapped[str] = mapped_column(String(2))  # XK / CF
    lineage_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    entity_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("entity.id"), default=None, index=True)

    xdr_mc: Mapped[str] = mapped_column(String(200), default="")
    xdr_lb: Mapped[str] = mapped_column(String(16), default="")
    xdr_shxym: Mapped[str] = mapped_column(String(18), default="")
    frdb: Mapped[str] = mapped_column(String(50), default="")
    fr_zjlx: Mapped[str] = mapped_column(String(32), default="")
    fr_zjhm: Mapped[str] = mapped_column(String(64), default="")
    xdr_zjlx: Mapped[str] = mapped_column(String(32), default="")
    xdr_zjhm: Mapped[str] = mapped_column(String(64), default="")
    xkws: Mapped[str] = mapped_column(String(64), default="")
    wsh: Mapped[str] = mapped_column(String(64), default="")
    xklb: Mapped[str] = mapped_column(String(8), default="")
    xkzs: Mapped[str] = mapped_column(String(64), default="")
    xkbh: Mapped[str] = mapped_column(String(64), default="")
    nr: Mapped[str] = mapped_column(Text, default="")
    wfxw: Mapped[str] = mapped_column(Text, default="")
    sy: Mapped[str] = mapped_column(Text, default="")
    yj: Mapped[str] = mapped_column(Text, default="")
    cflb: Mapped[str] = mapped_column(String(200), default="")  # several, joined with ；
    fk: Mapped[str] = mapped_column(String(32), default="")  # 万元, exact decimal text
    wfff: Mapped[str] = mapped_column(String(32), default="")
    zkdx: Mapped[str] = mapped_column(String(200), default="")
    jdrq: Mapped[dt.date | None] = mapped_column(Date, default=None)
    yxqz: Mapped[dt.date | None] = mapped_column(Date, default=None)
    yxqzi: Mapped[dt.date | None] = mapped_column(Date, default=None)
    cf_yxq: Mapped[dt.date | None] = mapped_column(Date, default=None)
    gsjzq: Mapped[dt.date | None] = mapped_column(Date, default=None)
    jg: Mapped[str] = mapped_column(String(200), default="")
    jgdm: Mapped[str] = mapped_column(String(18), default="")
    zt: Mapped[str] = mapped_column(String(8), default="")
    lydw: Mapped[str] = mapped_column(String(200), default="")
    lydwdm: Mapped[str] = mapped_column(String(18), default="")
    publicity_class: Mapped[str] = mapped_column(String(8), default="")
    bz: Mapped[str] = mapped_column(Text, default="")

    # Derived and workflow columns.
    deadline: Mapped[dt.date | None] = mapped_column(Date, default=None)  # last day to report (7 working days)
    problems_json: Mapped[str] = mapped_column(Text, default="[]")  # rules broken when saved as a draft (暂存)
    reported_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    batch_no: Mapped[str] = mapped_column(String(64), default="")
    resubmit_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The upper platform refused the reported record (its feedback file, services/sgs_feedback.py): why, and the
    # day the feedback was imported. 待重报 until corrected (a correction is a new version, which starts clean).
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    rejected_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    repaired_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # 信用修复 (a later issue) ends publicity
    # The deadline was counted by weekends alone because the holiday calendar lacks its year (待确认); it is
    # recomputed when that year's notice is installed.
    deadline_tentative: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where publicity_class came from: "" / record (entered), rule (derived from resources/sgs/class_rules.toml),
    # pending (待定: no rule decided it, a reviewer must).
    class_source: Mapped[str] = mapped_column(String(8), default="")
    # A penalty decided by the simple procedure (简易程序): not published in 双公示 as a rule, but it belongs in
    # the 专项信用报告.
    simple_procedure: Mapped[bool] = mapped_column(Boolean, default=False)
    # 两书同达 (国办发〔2025〕22号): the 信用修复告知书 served with the penalty decision — its serial and the day served.
    repair_notice_serial: Mapped[str] = mapped_column(String(64), default="")
    repair_notice_served_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (
        Index("ix_sgs_record_current_jdrq", "superseded", "jdrq"),
        Index("ix_sgs_record_lineage", "lineage_id", "revision", unique=True),
        Index("ix_sgs_record_kind_wsh", "kind", "wsh"),
    )


class SgsHeaderMapping(Base):
    """A header another system writes, mapped by a clerk to one of our fields; remembered per source."""

    __tablename__ = "sgs_header_mapping"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    header: Mapped[str] = mapped_column(String(200), primary_key=True)  # normalised header text
    field: Mapped[str] = mapped_column(String(32))
