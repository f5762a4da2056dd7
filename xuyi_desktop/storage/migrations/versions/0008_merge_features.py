"""join the commitments, 双公示 and sync branches into one head again

Revision ID: 0008
Revises: 0005, 0006, 0007
Create Date: 2026-11-26

The three features were built side by side, each branching from 0004; their tables are independent,
so the merge changes nothing in the schema. Later revisions descend from this one.
"""

from __future__ import annotations

revision = "0008"
down_revision = ("0005", "0006", "0007")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
