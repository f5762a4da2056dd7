"""credit profile: tentative deadlines, publicity-class source, commitment checks, rating overrides

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Columns only, each with a server default, so every row an older version wrote keeps its meaning:
- sgs_record.deadline_tentative: a deadline counted by weekends alone (its year's holiday notice missing);
- sgs_record.class_source / simple_procedure: where the publicity class came from; 简易程序 penalties;
- commitment.check_serial / check_override_reason / check_override_by: the credit check run on acceptance;
- rating.penalty_until / effective_override_reason: a direct D's penalty end; effect before publicity ended;
- dishonesty_record.end_reason: why a record was ended early.
Existing 双公示 records keep class_source "" (entered before the rule table existed: treated as entered).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sgs_record") as batch:
        batch.add_column(sa.Column("deadline_tentative", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("class_source", sa.String(length=8), nullable=False, server_default=""))
        batch.add_column(sa.Column("simple_procedure", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("commitment") as batch:
        batch.add_column(sa.Column("check_serial", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("check_override_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("check_override_by", sa.String(length=64), nullable=False, server_default=""))
    with op.batch_alter_table("rating") as batch:
        batch.add_column(sa.Column("penalty_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("effective_override_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("dishonesty_record") as batch:
        batch.add_column(sa.Column("end_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("dishonesty_record") as batch:
        batch.drop_column("end_reason")
    with op.batch_alter_table("rating") as batch:
        batch.drop_column("effective_override_reason")
        batch.drop_column("penalty_until")
    with op.batch_alter_table("commitment") as batch:
        batch.drop_column("check_override_by")
        batch.drop_column("check_override_reason")
        batch.drop_column("check_serial")
    with op.batch_alter_table("sgs_record") as batch:
        batch.drop_column("simple_procedure")
        batch.drop_column("class_source")
        batch.drop_column("deadline_tentative")
