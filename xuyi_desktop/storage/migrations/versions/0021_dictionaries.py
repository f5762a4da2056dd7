"""dictionaries an administrator keeps: deciding organs with their USCCs, 权力事项, licence types, townships
(issue 16)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02

A new record kind only (synced and audited like the others); nothing existing changes. The starter entries
(resources/dictionaries/starter.toml) are loaded by services.dictionaries on first use, not here, so that a
later program version can ship more of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dictionary_entry',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('attrs', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('starter', sa.Boolean(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dictionary_entry'))
    )
    op.create_index('ix_dictionary_entry_kind', 'dictionary_entry', ['kind', 'sort_order'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_dictionary_entry_kind', table_name='dictionary_entry')
    op.drop_table('dictionary_entry')
