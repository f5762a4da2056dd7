"""Full row images for the change log: every column, JSON-ready, so another office can rebuild the row."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import inspect


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_image(obj: object) -> dict[str, Any]:
    """Every mapped column of a row by column name (UUIDs and dates as ISO strings). Sync applies these."""
    mapper = inspect(obj).mapper
    return {column.key: _plain(getattr(obj, attr.key)) for attr in mapper.column_attrs for column in attr.columns}
