"""双公示 records and import header mappings

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sgs_header_mapping',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=2), nullable=False),
    sa.Column('header', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('source', 'kind', 'header', name=op.f('pk_sgs_header_mapping'))
    )
    op.create_table('sgs_record',
    sa.Column('kind', sa.String(length=2), nullable=False),
    sa.Column('lineage_id', sa.Uuid(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('correction_reason', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=True),
    sa.Column('xdr_mc', sa.String(length=200), nullable=False),
    sa.Column('xdr_lb', sa.String(length=16), nullable=False),
    sa.Column('xdr_shxym', sa.String(length=18), nullable=False),
    sa.Column('frdb', sa.String(length=50), nullable=False),
    sa.Column('fr_zjlx', sa.String(length=32), nullable=False),
    sa.Column('fr_zjhm', sa.String(length=64), nullable=False),
    sa.Column('xdr_zjlx', sa.String(length=32), nullable=False),
    sa.Column('xdr_zjhm', sa.String(length=64), nullable=False),
    sa.Column('xkws', sa.String(length=64), nullable=False),
    sa.Column('wsh', sa.String(length=64), nullable=False),
    sa.Column('xklb', sa.String(length=8), nullable=False),
    sa.Column('xkzs', sa.String(length=64), nullable=False),
    sa.Column('xkbh', sa.String(length=64), nullable=False),
    sa.Column('nr', sa.Text(), nullable=False),
    sa.Column('wfxw', sa.Text(), nullable=False),
    sa.Column('sy', sa.Text(), nullable=False),
    sa.Column('yj', sa.Text(), nullable=False),
    sa.Column('cflb', sa.String(length=200), nullable=False),
    sa.Column('fk', sa.String(length=32), nullable=False),
    sa.Column('wfff', sa.String(length=32), nullable=False),
    sa.Column('zkdx', sa.String(length=200), nullable=False),
    sa.Column('jdrq', sa.Date(), nullable=True),
    sa.Column('yxqz', sa.Date(), nullable=True),
    sa.Column('yxqzi', sa.Date(), nullable=True),
    sa.Column('cf_yxq', sa.Date(), nullable=True),
    sa.Column('gsjzq', sa.Date(), nullable=True),
    sa.Column('jg', sa.String(length=200), nullable=False),
    sa.Column('jgdm', sa.String(length=18), nullable=False),
    sa.Column('zt', sa.String(length=8), nullable=False),
    sa.Column('lydw', sa.String(length=200), nullable=False),
    sa.Column('lydwdm', sa.String(length=18), nullable=False),
    sa.Column('publicity_class', sa.String(length=8), nullable=False),
    sa.Column('bz', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('problems_json', sa.Text(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('batch_no', sa.String(length=64), nullable=False),
    sa.Column('resubmit_needed', sa.Boolean(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_reason', sa.Text(), nullable=False),
    sa.Column('repaired_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_sgs_record_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sgs_record'))
    )
    op.create_index('ix_sgs_record_current_jdrq', 'sgs_record', ['superseded', 'jdrq'], unique=False)
    op.create_index(op.f('ix_sgs_record_entity_id'), 'sgs_record', ['entity_id'], unique=False)
    op.create_index('ix_sgs_record_kind_wsh', 'sgs_record', ['kind', 'wsh'], unique=False)
    op.create_index('ix_sgs_record_lineage', 'sgs_record', ['lineage_id', 'revision'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_sgs_record_lineage', table_name='sgs_record')
    op.drop_index('ix_sgs_record_kind_wsh', table_name='sgs_record')
    op.drop_index(op.f('ix_sgs_record_entity_id'), table_name='sgs_record')
    op.drop_index('ix_sgs_record_current_jdrq', table_name='sgs_record')
    op.drop_table('sgs_record')
    op.drop_table('sgs_header_mapping')
