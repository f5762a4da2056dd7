"""a leaner entity_category on SQLite: a WITHOUT ROWID table, its primary key the table itself (issue 17)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03

An ordinary SQLite table keeps its rows by rowid and its primary key (entity_id, category) a second time in an
automatic index: about 56 + 64 bytes an entity. As a WITHOUT ROWID table the primary key's b-tree IS the table, so
the autoindex goes. The rows are copied as they are; ix_entity_category_category (the coverage report's lookups by
category) is made again. Every other index of entity, entity_category and licence is used by a query of the product
(see the issue's notes) and stays. Nothing changes on PostgreSQL (no rowids there).
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_COLUMNS = (
    "entity_id CHAR(32) NOT NULL, category VARCHAR(32) NOT NULL,"
    " CONSTRAINT pk_entity_category PRIMARY KEY (entity_id, category),"
    " CONSTRAINT fk_entity_category_entity_id_entity FOREIGN KEY(entity_id) REFERENCES entity (id) ON DELETE CASCADE"
)


def _rebuild(suffix: str) -> None:
    """entity_category again with the same rows, as `CREATE TABLE (...) <suffix>`."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    bind.exec_driver_sql(f"CREATE TABLE entity_category_new ({_COLUMNS}){suffix}")
    bind.exec_driver_sql("INSERT INTO entity_category_new (entity_id, category) SELECT entity_id, category FROM entity_category")
    bind.exec_driver_sql("DROP TABLE entity_category")  # its index goes with it; nothing refers to it
    bind.exec_driver_sql("ALTER TABLE entity_category_new RENAME TO entity_category")
    bind.exec_driver_sql("CREATE INDEX ix_entity_category_category ON entity_category (category)")


def upgrade() -> None:
    _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    _rebuild("")
