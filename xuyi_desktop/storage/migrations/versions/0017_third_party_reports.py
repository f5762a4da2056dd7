"""third-party credit reports (第三方信用报告) for the tender check

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

A new table only: nothing an older version wrote changes. Rows sync like every business record (change log,
full row images), so the table carries the RecordMixin columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "third_party_report",
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("agency_registered", sa.Boolean(), nullable=False),
        sa.Column("agency_registration_no", sa.String(length=100), nullable=False),
        sa.Column("report_no", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("grade", sa.String(length=100), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_office", sa.String(length=32), nullable=False),
        sa.Column("updated_office", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_third_party_report_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_third_party_report")),
    )
    with op.batch_alter_table("third_party_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_third_party_report_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index("ix_third_party_report_report_no", ["report_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("third_party_report", schema=None) as batch_op:
        batch_op.drop_index("ix_third_party_report_report_no")
        batch_op.drop_index(batch_op.f("ix_third_party_report_entity_id"))
    op.drop_table("third_party_report")
