"""initial schema: offices, entities, licences, relations, change log

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Written from autogenerate and checked by hand. On SQLite it also creates the FTS5 n-gram index
(storage/search_index.py); where FTS5 is missing the application falls back to LIKE search.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Frozen copies, not imports: a migration must keep meaning what it meant when it shipped.
FTS_TABLE = "entity_fts"
FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS entity_fts USING fts5("
    "uni, bi, ini, py, tokenize = 'unicode61 remove_diacritics 0')"
)


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting'))
    )
    op.create_table('change_log',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('office_code', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('record_version', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('before_json', sa.Text(), nullable=True),
    sa.Column('after_json', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log')),
    sa.UniqueConstraint('office_code', 'seq', name=op.f('uq_change_log_office_code_seq'))
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_record', ['table_name', 'record_id'], unique=False)

    op.create_table('counter',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counter'))
    )
    op.create_table('entity',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('identifier', sa.String(length=32), nullable=False),
    sa.Column('check_override_reason', sa.Text(), nullable=True),
    sa.Column('legal_representative', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('name_pinyin', sa.String(length=800), nullable=False),
    sa.Column('name_initials', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('search_key', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity')),
    sa.UniqueConstraint('search_key', name=op.f('uq_entity_search_key'))
    )
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.create_index('ix_entity_name', ['name', 'id'], unique=False)
        batch_op.create_index('ix_entity_name_initials', ['name_initials'], unique=False)
        batch_op.create_index('ix_entity_name_key', ['name_key'], unique=False)
        batch_op.create_index('ix_entity_updated_at', ['updated_at', 'id'], unique=False)
        batch_op.create_index('uq_entity_identifier_live', ['identifier'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('office',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
    sa.UniqueConstraint('code', name=op.f('uq_office_code'))
    )
    op.create_table('entity_category',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_entity_category_entity_id_entity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('entity_id', 'category', name=op.f('pk_entity_category'))
    )
    with op.batch_alter_table('entity_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_category_category'), ['category'], unique=False)

    op.create_table('entity_relation',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('relation_type', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['entity.id'], name=op.f('fk_entity_relation_org_id_entity')),
    sa.ForeignKeyConstraint(['person_id'], ['entity.id'], name=op.f('fk_entity_relation_person_id_entity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity_relation'))
    )
    with op.batch_alter_table('entity_relation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entity_relation_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entity_relation_person_id'), ['person_id'], unique=False)

    op.create_table('licence',
    sa.Column('entity_id', sa.Uuid(), nullable=False),
    sa.Column('licence_type', sa.String(length=100), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_office', sa.String(length=32), nullable=False),
    sa.Column('updated_office', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entity.id'], name=op.f('fk_licence_entity_id_entity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence'))
    )
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_entity_id'), ['entity_id'], unique=False)

    _create_fts()


def _create_fts() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    options = {row[0] for row in bind.exec_driver_sql("PRAGMA compile_options")}
    if "ENABLE_FTS5" in options:
        op.execute(FTS_CREATE)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_entity_id'))

    op.drop_table('licence')
    with op.batch_alter_table('entity_relation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_relation_person_id'))
        batch_op.drop_index(batch_op.f('ix_entity_relation_org_id'))

    op.drop_table('entity_relation')
    with op.batch_alter_table('entity_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entity_category_category'))

    op.drop_table('entity_category')
    op.drop_table('office')
    with op.batch_alter_table('entity', schema=None) as batch_op:
        batch_op.drop_index('uq_entity_identifier_live', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('ix_entity_updated_at')
        batch_op.drop_index('ix_entity_name_key')
        batch_op.drop_index('ix_entity_name_initials')
        batch_op.drop_index('ix_entity_name')

    op.drop_table('entity')
    op.drop_table('counter')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_record')

    op.drop_table('change_log')
    op.drop_table('app_setting')
