"""SQLAlchemy 2 typed ORM models. Every schema change here ships an Alembic revision in migrations/versions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored as UTC and always read back timezone-aware (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[dt.datetime]:
        # Sync converts row images by python_type: an ISO text in a change becomes an aware datetime again.
        return dt.datetime

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with naming conventions, so Alembic constraint names are stable across databases."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class RecordMixin:
    """Columns every business record carries, because offices sync by files and deletions travel as tombstones.

    `version` is also SQLAlchemy's optimistic-lock column: saving over a newer version raises StaleDataError.
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    created_office: Mapped[str] = mapped_column(String(32))
    updated_office: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it per class


class Office(Base):
    """An office of the bureau (this installation, and later its sync peers)."""

    __tablename__ = "office"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), default="field")
    is_local: Mapped[bool] = mapped_column(default=False)
    provisional: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AppSetting(Base):
    """Small key/value settings that live with the data (not with the user's Qt settings)."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(Base):
    """Named monotonically increasing counters (search keys, change-log sequence, later serial numbers)."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class Entity(RecordMixin, Base):
    """A market entity (市场主体): an organisation with a USCC or a person with an ID number."""

    __tablename__ = "entity"

    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    identifier: Mapped[str] = mapped_column(String(32))
    check_override_reason: Mapped[str | None] = mapped_column(Text, default=None)
    legal_representative: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    region_code: Mapped[str] = mapped_column(String(6), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Derived search keys, kept with the row so every backend can index them.
    name_pinyin: Mapped[str] = mapped_column(String(800), default="")
    name_initials: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(200), default="")
    # Stable integer handle for full-text indexes (SQLite rowids may change on VACUUM; this never does).
    search_key: Mapped[int] = mapped_column(BigInteger, unique=True)

    categories: Mapped[list[EntityCategory]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="EntityCategory.category"
    )
    licences: Mapped[list[Licence]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="Licence.created_at"
    )

    __table_args__ = (
        Index(
            "uq_entity_identifier_live",
            "identifier",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # Name, pinyin and updated_at without the id (migration 0024): the queries that read them in order say
        # ORDER BY the column then id, and the database sorts each run of equal values.
        Index("ix_entity_name", "name"),
        # Only the names whose key differs from them (0024): a person's name and a name without a legal-form suffix
        # are their own key, and entity_queries.similar_names finds those by ix_entity_name.
        Index("ix_entity_name_key", "name_key", sqlite_where=text("name_key <> name"),
              postgresql_where=text("name_key <> name")),
        Index("ix_entity_name_pinyin", "name_pinyin"),
        Index("ix_entity_name_initials", "name_initials"),
        Index("ix_entity_updated_at", "updated_at"),
    )


class EntityCategory(Base):
    """Which of the plan's evaluation categories an entity belongs to (one entity may hold several)."""

    __tablename__ = "entity_category"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    entity: Mapped[Entity] = relationship(back_populates="categories")

    # On SQLite the primary key's b-tree is the table: no rowid, no second copy of the key (migration 0023).
    __table_args__ = {"sqlite_with_rowid": False}


class Licence(RecordMixin, Base):
    """A licence an entity holds, e.g. 道路运输经营许可证."""

    __tablename__ = "licence"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"), index=True)
    licence_type: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None)
    entity: Mapped[Entity] = relationship(back_populates="licences")


class EntityRelation(RecordMixin, Base):
    """A person's link to an organisation: a driver works for an operator, key personnel for a unit."""

    __tablename__ = "entity_relation"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    relation_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100), default="")
    start_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)


class ChangeLog(Base):
    """Every insert, update and soft delete of a business record, written in the same transaction.

    Holds who, when, which office and before/after images; the per-office `seq` is what sync will ship.
    """

    __tablename__ = "change_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    office_code: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    table_name: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(16))
    record_version: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    before_json: Mapped[str | None] = mapped_column(Text, default=None)
    after_json: Mapped[str | None] = mapped_column(Text, default=None)

    __table_args__ = (
        UniqueConstraint("office_code", "seq"),
        Index("ix_change_log_record", "table_name", "record_id"),
    )


class AppUser(Base):
    """A person who logs in. Local to an installation: users are not business records and do not sync."""

    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Append-only, hash-chained audit log: each entry holds the hash of the one before it.

    `seq` comes from a counter taken under the write lock, so concurrent writers queue and the chain never
    forks. Database triggers refuse UPDATE and DELETE; an edit made around them is found by verification.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    office_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48), index=True)
    record_table: Mapped[str] = mapped_column(String(64), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_at", "at"), Index("ix_audit_log_username", "username"))


class Rating(RecordMixin, Base):
    """One credit evaluation of an entity in a domain and period. A correction is a new row that
    `supersedes_id` the old one; nothing is overwritten."""

    __tablename__ = "rating"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    domain: Mapped[str] = mapped_column(String(64))
    scheme_version: Mapped[str] = mapped_column(String(32))
    period: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False), default=None)
    bad_points: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False), default=None)
    deductions_json: Mapped[str] = mapped_column(Text, default="[]")
    grade: Mapped[str] = mapped_column(String(8))
    grade_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    evaluating_organ: Mapped[str] = mapped_column(String(100), default="")
    decision_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    document_no: Mapped[str] = mapped_column(String(100), default="")
    basis_notes: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, default=None)
    publicity_start: Mapped[dt.date | None] = mapped_column(Date, default=None)
    publicity_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("rating.id"), default=None)
    certificate_serial: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    # A grade set directly (直接定为D级) lasts as long as the penalty that caused it when that is longer.
    penalty_until: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # A reviewer brought it into effect before its publicity ended: why (also in the audit trail).
    effective_override_reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_rating_entity_domain_period", "entity_id", "domain", "period"),)


class RatingObjection(RecordMixin, Base):
    """An objection (异议) received during publicity, and its outcome."""

    __tablename__ = "rating_objection"

    rating_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rating.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    objector: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class RatingAttachment(RecordMixin, Base):
    """A file kept with a rating: copied into the data folder, identified by its SHA-256."""

    __tablename__ = "rating_attachment"

    rating_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rating.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(260))
    stored_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)


class AttachmentContent(RecordMixin, Base):
    """The bytes of an attached file, kept in the database so that every counter of a shared database and
    every office that receives the change by sync can open it (the data-folder copy is only a cache).
    Content-addressed: the id is derived from the SHA-256 (content_id), so the same file attached in two
    offices is one record everywhere and syncs without a conflict. Base64 text, so row images stay JSON."""

    __tablename__ = "attachment_content"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_b64: Mapped[str] = mapped_column(Text)


def content_id(sha256: str) -> uuid.UUID:
    """The record id of a file's content: the same in every office for the same bytes."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:xuyi:attachment:{sha256}")


class DishonestyRecord(RecordMixin, Base):
    """A record of dishonest conduct (失信记录). It blocks 暂定A级 for its year and shows in the credit check;
    serious penalties and violated commitments will feed it in later versions."""

    __tablename__ = "dishonesty_record"

    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    document_no: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    ends_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    end_reason: Mapped[str] = mapped_column(Text, default="")  # why it was ended early (xuyi dishonesty end)
    repaired_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # 信用修复 approved: ends it, kept in history


class CreditCheck(Base):
    """A counter credit check: who checked whom, when, for which business, with what result.

    A log, not business data: it does not sync and is never edited."""

    __tablename__ = "credit_check"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    office_code: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("entity.id"), index=True)
    business: Mapped[str] = mapped_column(String(32))
    query: Mapped[str] = mapped_column(String(200), default="")
    result_json: Mapped[str] = mapped_column(Text)
