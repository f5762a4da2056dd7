"""the entity search index on PostgreSQL (GIN over n-gram tokens); nothing changes on SQLite

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

SQLite keeps its FTS5 table from 0001. On PostgreSQL the same tokens go into entity_grams (see
storage/search_index.py for why not pg_trgm) and are filled from the entities already there, so a shared
database created before this revision finds its entities by fragment at once.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from xuyi_desktop.storage.search_index import GRAMS_CREATE, PgGramIndex

    for statement in GRAMS_CREATE:
        op.execute(statement)
    PgGramIndex().rebuild(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS entity_grams")
