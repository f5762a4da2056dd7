"""leaner entity indexes: the name and pinyin indexes without the id, the name-key index partial (issue 17)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03

ix_entity_name was (name, id) and ix_entity_name_pinyin (name_pinyin, id): the 32-character id in every entry,
about 37 bytes an entity each in a freshly built registry. The queries that read them in order (the search's
name-prefix step, the registry's pages sorted by name) say ORDER BY the column and then id, so equal names still
come in id order: the database sorts each run of equal values (a few rows) instead of reading the id from the
index (tests/integration/test_lean_indexes.py). Both indexes are made again on the column alone, on SQLite and
PostgreSQL alike.

ix_entity_name_key is only read for the near-duplicate check (entity_queries.similar_names: name_key = ?). A person's
name and a name without a legal-form suffix are their own key (42 % of the demo registry): the index now holds only
the rows whose key differs from their name (WHERE name_key <> name), and similar_names finds the others by
ix_entity_name (name = ? AND name_key = name), in the same rowid order on SQLite. About 13 bytes an entity.

No row changes; the downgrade makes the three indexes again as they were.

Left as they were (EXPLAIN QUERY PLAN of the product's queries): ix_entity_updated_at keeps its id, because a bulk
import gives thousands of entities the same updated_at and a page sorted by it would sort all of them (57-88 ms a
page at 100,000 demo entities, all written at one time); the FTS5 table keeps its sizes table (columnsize=0 would
save 10 bytes an entity but makes the table unscannable, which its checks use).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _remake_indexes(*columns: str) -> None:
    """ix_entity_name and ix_entity_name_pinyin again, on their column followed by `columns`."""
    for name, column in (("ix_entity_name", "name"), ("ix_entity_name_pinyin", "name_pinyin")):
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
