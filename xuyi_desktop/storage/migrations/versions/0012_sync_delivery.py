"""sync that tells the truth: delivery state, peers, streams after a restore, decisions that travel

Revision ID: 0012
Revises: 0017
Create Date: 2026-12-03

- sync_change.office_code and sync_ack.origin hold stream keys (`XYJ`, or `XYJ~3FA2C1` after a restore):
  widened to 64 characters. Existing rows are the first stream of their office and keep their values.
- sync_ack: `sent` (greatest position sent to the peer) and `reported_at` (when the peer said what it has).
- sync_package: the sender's clock and when the receiver acknowledged it; outgoing packages that were
  "written" become "sent" (not yet known to have arrived: the next package from the peer will tell).
- sync_peer (what each peer reported), sync_aside (changes whose number is taken here by another change).
- sync_conflict: the key that names the same conflict in every office, and who (which office) resolved it.
- sync_decision: a reviewer's decision on a conflict, a synced record.
- app_setting `sync.restore_seen`: restores made before this version are not taken for new ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.alter_column("office_code", existing_type=sa.String(length=32), type_=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table("sync_ack", schema=None) as batch_op:
        batch_op.alter_column("origin", existing_type=sa.String(length=32), type_=sa.String(length=64),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("sent", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("sync_package", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clock", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE sync_package SET status = 'sent' WHERE direction = 'out' AND status = 'written'")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conflict_key", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("resolved_office", sa.String(length=32), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_sync_conflict_conflict_key"), ["conflict_key"], unique=False)
    # The server defaults only filled the existing rows; the models give the values from now on.
    for table, columns in (("sync_ack", ("sent",)), ("sync_package", ("clock",)),
                           ("sync_conflict", ("conflict_key", "resolved_office"))):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, server_default=None)
    op.create_table(
        "sync_peer",
        sa.Column("peer", sa.String(length=32), nullable=False),
        sa.Column("last_heard_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_package_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_clock", sa.BigInteger(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("missing_json", sa.Text(), nullable=False),
        sa.Column("clash_json", sa.Text(), nullable=False),
        sa.Column("my_lead_us", sa.BigInteger(), nullable=True),
        sa.Column("their_lead_us", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("peer", name=op.f("pk_sync_peer")),
    )
    op.create_table(
        "sync_aside",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_code", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("held_id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_aside")),
    )
    op.create_table(
        "sync_decision",
        sa.Column("conflict_key", sa.String(length=200), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_office", sa.String(length=32), nullable=False),
        sa.Column("updated_office", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_decision")),
    )
    op.create_index(op.f("ix_sync_decision_conflict_key"), "sync_decision", ["conflict_key"], unique=False)
    op.execute(
        "INSERT INTO app_setting (key, value) "
        "SELECT 'sync.restore_seen', CAST(MAX(seq) AS VARCHAR(20)) FROM audit_log WHERE action = 'backup.restore' "
        "HAVING MAX(seq) IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DELETE FROM app_setting WHERE key IN ('sync.restore_seen', 'sync.clock', 'sync.stream')")
    op.drop_index(op.f("ix_sync_decision_conflict_key"), table_name="sync_decision")
    op.drop_table("sync_decision")
    op.drop_table("sync_aside")
    op.drop_table("sync_peer")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_conflict_key"))
        batch_op.drop_column("resolved_office")
        batch_op.drop_column("conflict_key")
    op.execute("UPDATE sync_package SET status = 'written' WHERE direction = 'out'")
    with op.batch_alter_table("sync_package", schema=None) as batch_op:
        batch_op.drop_column("acknowledged_at")
        batch_op.drop_column("clock")
    with op.batch_alter_table("sync_ack", schema=None) as batch_op:
        batch_op.drop_column("reported_at")
        batch_op.drop_column("sent")
        batch_op.alter_column("origin", existing_type=sa.String(length=64), type_=sa.String(length=32),
                              existing_nullable=False)
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.alter_column("office_code", existing_type=sa.String(length=64), type_=sa.String(length=32),
                              existing_nullable=False)
