"""Storage: SQLAlchemy models, Alembic migrations, the search index and queries. No Qt here."""
