"""a smaller SQLite search index: contentless FTS5 with detail=none, and the folded keys beside it (issue 17)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03

The FTS5 table of 0001 kept its tokens twice (the index with every position, and the token text as content):
about 490 bytes an entity of a 1,500-byte one. The new one keeps only which rows hold a token (about 65 bytes),
and entity_fts_keys the folded name, initials and pinyin that confirm a candidate and give the tokens to take
out on a change (about 85 bytes). Both are rebuilt here from the live entities, which are what the old index
held (see storage/search_index.py). Nothing changes on PostgreSQL, nor on an SQLite without FTS5 (no entity_fts:
search stays on LIKE).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Connection

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

OLD_FTS_CREATE = (
    "CREATE VIRTUAL TABLE entity_fts USING fts5(uni, bi, ini, py, tokenize = 'unicode61 remove_diacritics 0')"
)


def _has_fts(bind: Connection) -> bool:
    if bind.dialect.name != "sqlite":
        return False
    return bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'entity_fts'").first() is not None


def upgrade() -> None:
    bind = op.get_bind()
    if not _has_fts(bind):
        return
    from xuyi_desktop.storage.search_index import FTS_CREATE, FTS_KEYS_CREATE, SqliteFtsIndex

    op.execute("DROP TABLE entity_fts")
    op.execute(FTS_CREATE)
    op.execute(FTS_KEYS_CREATE)
    SqliteFtsIndex().rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if not _has_fts(bind):
        return
    from xuyi_desktop.domain.search_keys import fold
    from xuyi_desktop.storage.search_index import _grams

    op.execute("DROP TABLE entity_fts")
    op.execute("DROP TABLE IF EXISTS entity_fts_keys")
    op.execute(OLD_FTS_CREATE)
    rows = bind.exec_driver_sql(
        "SELECT search_key, name, name_pinyin, name_initials FROM entity WHERE deleted_at IS NULL").all()
    values = []
    for key, name, pinyin, initials in rows:
        folded = fold(name)
        values.append((key, " ".join(folded), " ".join(_grams(folded, 2)), " ".join(_grams(initials or "", 2)),
                       " ".join(_grams(pinyin or "", 3))))
    if values:
        bind.exec_driver_sql("INSERT INTO entity_fts(rowid, uni, bi, ini, py) VALUES (?, ?, ?, ?, ?)", values)
