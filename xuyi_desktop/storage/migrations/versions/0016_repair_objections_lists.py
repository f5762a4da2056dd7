"""credit repair applications, objections to credit records, list memberships (issue 13)

Revision ID: 0016
Revises: 0011
Create Date: 2026-12-02

Three new record kinds (synced, audited like the others); dishonesty_record.repaired_on (an approved repair
ends a dishonesty record and keeps it in the history); sgs_record.repair_notice_serial / _served_on (两书同达). Nothing existing changes meaning.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_objection',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('record_summary', sa.Text(), nullable=False),
    sa.Column('objector', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_credit_objection_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_objection'))
    )
    op.create_index(op.f('ix_credit_objection_entity_id'), 'credit_objection', ['entity_id'], unique=False)
    op.create_table('list_entry',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('list_type', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('case_code', sa.String(length=16), nullable=False),
    sa.Column('source_record_id', sa.Uuid(), nullable=True),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('confirmed_by', sa.String(length=64), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('exit_on', sa.Date(), nullable=True),
    sa.Column('exit_reason', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_list_entry_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entry'))
    )
    op.create_index(op.f('ix_list_entry_entity_id'), 'list_entry', ['entity_id'], unique=False)
    op.create_index('ix_list_entry_type_status', 'list_entry', ['list_type', 'status'], unique=False)
    op.create_table('repair_application',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('record_kind', sa.String(length=16), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('record_summary', sa.Text(), nullable=False),
    sa.Column('applicant', sa.String(length=100), nullable=False),
    sa.Column('applicant_contact', sa.String(length=100), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('earliest_on', sa.Date(), nullable=False),
    sa.Column('rules_source', sa.String(length=100), nullable=False),
    sa.Column('materials_json', sa.Text(), nullable=False),
    sa.Column('commitment_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('accepted_by', sa.String(length=64), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitment.id'], name=op.f('fk_repair_application_commitment_id_commitment')),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_repair_application_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repair_application'))
    )
    op.create_index(op.f('ix_repair_application_entity_id'), 'repair_application', ['entity_id'], unique=False)
    op.create_index('ix_repair_application_record', 'repair_application', ['record_kind', 'record_id'], unique=False)
    with op.batch_alter_table('dishonesty_record') as batch:
        batch.add_column(sa.Column('repaired_on', sa.Date(), nullable=True))
    with op.batch_alter_table('sgs_record') as batch:
        batch.add_column(sa.Column('repair_notice_serial', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('repair_notice_served_on', sa.Date(), nullable=True))
    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table('sgs_record') as batch:
        batch.drop_column('repair_notice_served_on')
        batch.drop_column('repair_notice_serial')
    with op.batch_alter_table('dishonesty_record') as batch:
        batch.drop_column('repaired_on')
    op.drop_index('ix_repair_application_record', table_name='repair_application')
    op.drop_index(op.f('ix_repair_application_entity_id'), table_name='repair_application')
    op.drop_table('repair_application')
    op.drop_index('ix_list_entry_type_status', table_name='list_entry')
    op.drop_index(op.f('ix_list_entry_entity_id'), table_name='list_entry')
    op.drop_table('list_entry')
    op.drop_index(op.f('ix_credit_objection_entity_id'), table_name='credit_objection')
    op.drop_table('credit_objection')
