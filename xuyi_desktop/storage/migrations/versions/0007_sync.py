"""offline sync between offices: known changes, merge state, acks, package history, conflicts

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        "sync_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_code", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_change")),
        sa.UniqueConstraint("office_code", "seq", name=op.f("uq_sync_change_office_code_seq")),
    )
    op.create_index("ix_sync_change_status", "sync_change", ["status", "office_code", "seq"], unique=False)
    op.create_table(
        "sync_record_state",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("max_stamp", sa.BigInteger(), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "record_id", name=op.f("pk_sync_record_state")),
    )
    op.create_table(
        "sync_ack",
        sa.Column("peer", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("peer", "origin", name=op.f("pk_sync_ack")),
    )
    op.create_table(
        "sync_package",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("peer", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("ranges_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_package")),
    )
    op.create_index(op.f("ix_sync_package_package_id"), "sync_package", ["package_id"], unique=False)
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("winner_json", sa.Text(), nullable=True),
        sa.Column("loser_json", sa.Text(), nullable=True),
        sa.Column("winner_office", sa.String(length=32), nullable=False),
        sa.Column("loser_office", sa.String(length=32), nullable=False),
        sa.Column("winner_change", sa.String(length=36), nullable=False),
        sa.Column("loser_change", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index(op.f("ix_sync_conflict_record_id"), "sync_conflict", ["record_id"], unique=False)

def downgrade() -> None:
    op.drop_index(op.f("ix_sync_conflict_record_id"), table_name="sync_conflict")
    op.drop_table("sync_conflict")
    op.drop_index(op.f("ix_sync_package_package_id"), table_name="sync_package")
    op.drop_table("sync_package")
    op.drop_table("sync_ack")
    op.drop_table("sync_record_state")
    op.drop_index("ix_sync_change_status", table_name="sync_change")
    op.drop_table("sync_change")
