"""Alembic environment: runs on the connection the application hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from xuyi_desktop.storage.all_models import Base
from xuyi_desktop.storage.migrate import include_name

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - developers running `alembic` by hand
    from xuyi_desktop.storage.database import make_engine, resolve_db_url

    connection = make_engine(resolve_db_url(config.get_main_option("sqlalchemy.url") or None)).connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
