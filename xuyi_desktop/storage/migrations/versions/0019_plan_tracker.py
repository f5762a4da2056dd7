"""running the plan: task progress reports, campaigns, trainings and attendees, 信易+ scenarios and beneficiaries,
integrity models and award candidates, credit-website items, monthly 双公示 reports, plan attachments (issue 15)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

New record kinds only (synced and audited like the others); nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_scenario',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('business_type', sa.String(length=32), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_scenario'))
    )
    op.create_table('credit_training',
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('trainer', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1, asdecimal=False), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_training'))
    )
    op.create_index(op.f('ix_credit_training_held_on'), 'credit_training', ['held_on'], unique=False)
    op.create_table('plan_attachment',
    sa.Column('owner_table', sa.String(length=32), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('original_name', sa.String(length=260), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_attachment'))
    )
    op.create_index('ix_plan_attachment_owner', 'plan_attachment', ['owner_table', 'owner_id'], unique=False)
    op.create_table('plan_task_report',
    sa.Column('plan_code', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=True),
    sa.Column('milestone', sa.String(length=100), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('reporter', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_task_report'))
    )
    op.create_index('ix_plan_task_report_task', 'plan_task_report', ['plan_code', 'task_id', 'unit'], unique=False)
    op.create_table('publicity_campaign',
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('theme', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('reach', sa.Integer(), nullable=True),
    sa.Column('media_links', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_campaign'))
    )
    op.create_index(op.f('ix_publicity_campaign_held_on'), 'publicity_campaign', ['held_on'], unique=False)
    op.create_table('sgs_monthly_report',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sgs_monthly_report'))
    )
    op.create_index('ix_sgs_monthly_report_month', 'sgs_monthly_report', ['month', 'unit'], unique=False)
    op.create_table('website_item',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('producer', sa.String(length=64), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_website_item'))
    )
    op.create_table('integrity_model',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('nominated_on', sa.Date(), nullable=False),
    sa.Column('edition', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_integrity_model_entity_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_model'))
    )
    op.create_index(op.f('ix_integrity_model_entity_id'), 'integrity_model', ['entity_id'], unique=False)
    op.create_table('scenario_benefit',
    sa.Column('scenario_id', sa.Uuid(), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=True),
    sa.Column('beneficiary', sa.String(length=200), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=32), nullable=False),
    sa.Column('amount_wan', sa.Numeric(precision=16, scale=4, asdecimal=False), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_scenario_benefit_entity_id_entity')),
    sa.ForeignKeyConstraint(['scenario_id'], ['credit_scenario.id'], name=op.f('fk_scenario_benefit_scenario_id_credit_scenario')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_benefit'))
    )
    op.create_index(op.f('ix_scenario_benefit_entity_id'), 'scenario_benefit', ['entity_id'], unique=False)
    op.create_index(op.f('ix_scenario_benefit_scenario_id'), 'scenario_benefit', ['scenario_id'], unique=False)
    op.create_table('training_attendee',
    sa.Column('training_id', sa.Uuid(), nullable=False),
    sa.Column('entity_id', sa.Uuid(), nullable=True),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('org_name', sa.String(length=200), nullable=False),
    sa.Column('certificate_no', sa.String(length=64), nullable=False),
    sa.Column('certificate_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_training_attendee_entity_id_entity')),
    sa.ForeignKeyConstraint(['training_id'], ['credit_training.id'], name=op.f('fk_training_attendee_training_id_credit_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendee'))
    )
    op.create_index(op.f('ix_training_attendee_entity_id'), 'training_attendee', ['entity_id'], unique=False)
    op.create_index(op.f('ix_training_attendee_training_id'), 'training_attendee', ['training_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_training_attendee_training_id'), table_name='training_attendee')
    op.drop_index(op.f('ix_training_attendee_entity_id'), table_name='training_attendee')
    op.drop_table('training_attendee')
    op.drop_index(op.f('ix_scenario_benefit_scenario_id'), table_name='scenario_benefit')
    op.drop_index(op.f('ix_scenario_benefit_entity_id'), table_name='scenario_benefit')
    op.drop_table('scenario_benefit')
    op.drop_index(op.f('ix_integrity_model_entity_id'), table_name='integrity_model')
    op.drop_table('integrity_model')
    op.drop_table('website_item')
    op.drop_index('ix_sgs_monthly_report_month', table_name='sgs_monthly_report')
    op.drop_table('sgs_monthly_report')
    op.drop_index(op.f('ix_publicity_campaign_held_on'), table_name='publicity_campaign')
    op.drop_table('publicity_campaign')
    op.drop_index('ix_plan_task_report_task', table_name='plan_task_report')
    op.drop_table('plan_task_report')
    op.drop_index('ix_plan_attachment_owner', table_name='plan_attachment')
    op.drop_table('plan_attachment')
    op.drop_index(op.f('ix_credit_training_held_on'), table_name='credit_training')
    op.drop_table('credit_training')
    op.drop_table('credit_scenario')
