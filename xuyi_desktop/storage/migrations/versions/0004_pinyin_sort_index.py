"""index for sorting the registry by pinyin

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The registry sorts names by their pinyin (what clerks expect), paged by keyset on (name_pinyin, id).
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.create_index("ix_entity_name_pinyin", ["name_pinyin", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_name_pinyin")
