"""Dictionaries an administrator keeps (字典管理, domain/dictionaries.py): one table for every kind."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xuyi_desktop.storage.models import Base, RecordMixin


class DictionaryEntry(RecordMixin, Base):
    """One entry of a dictionary: its kind (organ, power_item, licence_type, township), name and code, and the
    kind's own fields as a JSON object in `attrs`. Synced and audited like every business record; never deleted
    but ended (停用, ended_on with a reason). `starter` marks the shipped starter data an administrator has not
    checked yet (初始数据，待核实); starter rows carry the same id in every database."""

    __tablename__ = "dictionary_entry"

    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64), default="")
    attrs: Mapped[str] = mapped_column(Text, default="{}")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    starter: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_dictionary_entry_kind", "kind", "sort_order"),)
