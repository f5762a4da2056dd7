"""attachment bytes in the database (attachment_content)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

Until now an attached file lived only in the data folder of the PC that attached it: the other counters of a
shared database and the offices receiving the rating by sync had the record but not the file. Only the table
is made here. The files attached before it are copied in by the program, with a change-log entry so that sync
carries them too: at the next sync export from the PC that holds them, or when one is opened there
(services.attachments.adopt_local_files). A migration cannot write change-log entries, so it copies nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
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


def downgrade() -> None:
    op.drop_table("attachment_content")
