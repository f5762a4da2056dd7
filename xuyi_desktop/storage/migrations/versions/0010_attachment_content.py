"""attachment bytes in the database (attachment_content), filled from the files this PC already holds

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

Until now an attached file lived only in the data folder of the PC that attached it: the other counters of a
shared database and the offices receiving the rating by sync had the record but not the file. The files this
PC holds are copied in here; one whose file is on another PC is copied in when it is next opened there
(services.attachments.attachment_file).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _content_id(sha256: str) -> uuid.UUID:  # = storage.models.content_id, frozen here with this revision
    return uuid.uuid5(uuid.NAMESPACE_URL, f"urn:xuyi:attachment:{sha256}")


def upgrade() -> None:
    table = op.create_table(
        "attachment_content",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_b64", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_office", sa.String(length=32), nullable=False),
        sa.Column("updated_office", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_content")),
        sa.UniqueConstraint("sha256", name=op.f("uq_attachment_content_sha256")),
    )
    _copy_local_files(table)


def _copy_local_files(table: sa.Table) -> None:
    from xuyi_desktop.paths import data_dir

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT DISTINCT sha256, stored_path, created_office FROM rating_attachment")).all()
    now = dt.datetime.now(dt.UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    done: set[str] = set()
    for sha, stored, office in rows:
        path = data_dir() / stored
        if sha in done or not path.is_file():
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            continue  # the cache was altered: leave it out rather than store bytes that are not the attachment
        bind.execute(table.insert().values(
            id=_content_id(sha), sha256=sha, size=len(data), content_b64=base64.b64encode(data).decode("ascii"),
            created_at=now, updated_at=now, created_office=office, updated_office=office, version=1, deleted_at=None,
        ))
        done.add(sha)


def downgrade() -> None:
    op.drop_table("attachment_content")
