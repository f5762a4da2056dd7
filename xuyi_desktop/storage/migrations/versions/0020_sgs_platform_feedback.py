"""双公示 platform feedback: the reason the upper platform refused a reported record, and when (issue 16)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02

Two columns on sgs_record, empty for every existing row (nothing refused yet); they sync with the record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sgs_record") as batch:
        batch.add_column(sa.Column("rejected_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("rejected_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sgs_record") as batch:
        batch.drop_column("rejected_on")
        batch.drop_column("rejected_reason")
