"""What the features' own tables share (applications/store.py, data_requests/store.py, each on
PostgreSQL through CKAN's session): one row by its id, and the time a write records."""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa

from ckan import model


def now() -> datetime.datetime:
    """When a write happens, in UTC as CKAN stores its own times."""
    return datetime.datetime.now(datetime.timezone.utc)


def row_by_id(table: str, columns: str, row_id: Any) -> dict[str, Any] | None:
    """The row of `table` whose id (a UUID) is `row_id`, with `columns`; None for any other
    id, whatever it looks like."""
    try:
        uuid.UUID(str(row_id))
    except ValueError:
        return None
    found = model.Session.execute(sa.text(f"SELECT {columns} FROM {table} WHERE id = :id"),
                                  {"id": row_id}).mappings().first()
    return dict(found) if found else None
