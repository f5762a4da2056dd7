"""ratings objections attachments dishonesty credit checks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_check',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('office_code', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('business', sa.String(length=32), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('result_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_credit_check_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_check')),
    sa.UniqueConstraint('serial', name=op.f('uq_credit_check_serial'))
    )
    with op.batch_alter_table('credit_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_check_entity_id'), ['entity_id'], unique=False)

    op.create_table('dishonesty_record',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('document_no', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_dishonesty_record_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dishonesty_record'))
    )
    with op.batch_alter_table('dishonesty_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dishonesty_record_entity_id'), ['entity_id'], unique=False)

    op.create_table('rating',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('domain', sa.String(length=64), nullable=False),
    sa.Column('scheme_version', sa.String(length=32), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=True),
    sa.Column('bad_points', sa.Numeric(precision=8, scale=2, asdecimal=False), nullable=True),
    sa.Column('deductions_json', sa.Text(), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('grade_notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('evaluating_organ', sa.String(length=100), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('document_no', sa.String(length=100), nullable=False),
    sa.Column('basis_notes', sa.Text(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('publicity_start', sa.Date(), nullable=True),
    sa.Column('publicity_end', sa.Date(), nullable=True),
    sa.Column('supersedes_id', sa.Uuid(), nullable=True),
    sa.Column('certificate_serial', sa.String(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_rating_entity_id_entity')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['rating.id'], name=op.f('fk_rating_supersedes_id_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating')),
    sa.UniqueConstraint('certificate_serial', name=op.f('uq_rating_certificate_serial'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_entity_domain_period', ['entity_id', 'domain', 'period'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_entity_id'), ['entity_id'], unique=False)

    op.create_table('rating_attachment',
    sa.Column('rating_id', sa.Uuid(), nullable=False),
    sa.Column('original_name', sa.String(length=260), nullable=False),
    sa.Column('stored_path', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_rating_attachment_rating_id_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_attachment'))
    )
    with op.batch_alter_table('rating_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_attachment_rating_id'), ['rating_id'], unique=False)

    op.create_table('rating_objection',
    sa.Column('rating_id', sa.Uuid(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('objector', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], name=op.f('fk_rating_objection_rating_id_rating')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_objection'))
    )
    with op.batch_alter_table('rating_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_objection_rating_id'), ['rating_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rating_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_objection_rating_id'))

    op.drop_table('rating_objection')
    with op.batch_alter_table('rating_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_attachment_rating_id'))

    op.drop_table('rating_attachment')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_entity_id'))
        batch_op.drop_index('ix_rating_entity_domain_period')

    op.drop_table('rating')
    with op.batch_alter_table('dishonesty_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dishonesty_record_entity_id'))

    op.drop_table('dishonesty_record')
    with op.batch_alter_table('credit_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_check_entity_id'))

    op.drop_table('credit_check')
