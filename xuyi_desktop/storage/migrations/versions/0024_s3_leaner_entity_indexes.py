"""leaner entity indexes: name, pinyin and updated_at without the id, the name-key index partial (issue 17)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03

ix_entity_name was (name, id), ix_entity_name_pinyin (name_pinyin, id) and ix_entity_updated_at (updated_at, id):
the 32-character id in every entry, about 37 bytes an entity each in a freshly built registry. The queries that
read them in order (the search's name-prefix step, the registry's pages sorted by name or by update time) say
ORDER BY the column and then id, so equal values still come in id order: the database sorts each run of equal values
instead of reading the id from the index (tests/integration/test_lean_indexes.py). A run is a few rows: every writer
stamps each entity with its own time (EntityWriter, sync, edits); only the demo data gives all its entities one
time, and there a page sorted by update time sorts all of them (see the issue's notes). The three indexes are made
again on the column alone, on SQLite and PostgreSQL alike.

ix_entity_name_key is only read for the near-duplicate check (entity_queries.similar_names: name_key = ?). A person's
name and a name without a legal-form suffix are their own key (42 % of the demo registry): the index now holds only
the rows whose key differs from their name (WHERE name_key <> name), and similar_names finds the others by
ix_entity_name (name = ? AND name_key = name), in the same rowid order on SQLite. About 11 bytes an entity.

Left as it was: the FTS5 table keeps its sizes table (columnsize=0 would save 10 bytes an entity but makes the
table unscannable, which its checks use). No row changes; the downgrade makes the four indexes again as they were.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _remake_indexes(*columns: str) -> None:
    """ix_entity_name, ix_entity_name_pinyin and ix_entity_updated_at again, on their column followed by `columns`."""
    for name, column in (("ix_entity_name", "name"), ("ix_entity_name_pinyin", "name_pinyin"),
                         ("ix_entity_updated_at", "updated_at")):
        op.drop_index(name, table_name="entity")
        op.create_index(name, "entity", [column, *columns])


def _remake_name_key_index(where: str | None) -> None:
    op.drop_index("ix_entity_name_key", table_name="entity")
    if where:
        op.create_index("ix_entity_name_key", "entity", ["name_key"], sqlite_where=text(where), postgresql_where=text(where))
    else:
        op.create_index("ix_entity_name_key", "entity", ["name_key"])


def upgrade() -> None:
    _remake_indexes()
    _remake_name_key_index("name_key <> name")


def downgrade() -> None:
    _remake_indexes("id")
    _remake_name_key_index(None)
