"""credit commitments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commitment',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('type_code', sa.String(length=32), nullable=False),
    sa.Column('area_code', sa.String(length=32), nullable=False),
    sa.Column('business', sa.String(length=200), nullable=False),
    sa.Column('items_json', sa.Text(), nullable=False),
    sa.Column('term_days', sa.Integer(), nullable=False),
    sa.Column('term_until', sa.Date(), nullable=False),
    sa.Column('signer', sa.String(length=100), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('organ', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('violation_facts', sa.Text(), nullable=False),
    sa.Column('violation_handling', sa.Text(), nullable=False),
    sa.Column('penalty_document_no', sa.String(length=100), nullable=False),
    sa.Column('dishonesty_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dishonesty_id'], ['dishonesty_record.id'], name=op.f('fk_commitment_dishonesty_id_dishonesty_record')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_commitment_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment')),
    sa.UniqueConstraint('serial', name=op.f('uq_commitment_serial'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index('ix_commitment_signed_on', ['signed_on'], unique=False)
        batch_op.create_index('ix_commitment_status_term', ['status', 'term_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_status_term')
        batch_op.drop_index('ix_commitment_signed_on')
        batch_op.drop_index(batch_op.f('ix_commitment_entity_id'))
    op.drop_table('commitment')
