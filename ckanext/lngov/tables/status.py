"""Each resource's table record, in CKAN's task_status (as CKAN's DataPusher keeps its own):
its state (pending, loading, loaded, error, quarantined), the hash of the file it was loaded
from, the row count, the data-quality report, the personal-information findings and their
release. Written in the caller's transaction."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ckan import model

TASK = "lngov_table"
PENDING, LOADING, LOADED, ERROR = "pending", "loading", "loaded", "error"
# privacy.py found personal information: not loaded, not served, not in DCAT until released
QUARANTINED = "quarantined"


def _row(resource_id: str) -> model.TaskStatus | None:
    return model.Session.query(model.TaskStatus).filter_by(
        entity_id=resource_id, task_type=TASK, key="load").first()


def get(resource_id: str) -> dict[str, Any] | None:
    """The record of `resource_id`: {"state", "hash", "rows", "quality", "error"} or None."""
    row = _row(resource_id)
    if row is None:
        return None
    return {**json.loads(row.value or "{}"), "state": row.state, "error": row.error or "",
            "updated": row.last_updated.isoformat() if row.last_updated else ""}


def put(resource_id: str, state: str, error: str = "", **value: Any) -> None:
    """Sets the record (in the session's transaction; the caller commits)."""
    row = _row(resource_id)
    if row is None:
        row = model.TaskStatus(entity_id=resource_id, entity_type="resource", task_type=TASK,
                               key="load")
        model.Session.add(row)
    row.state, row.error = state, error[:2000]
    row.value = json.dumps(value, ensure_ascii=False, default=str)
    row.last_updated = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    model.Session.flush()


def forget(resource_id: str) -> None:
    row = _row(resource_id)
    if row is not None:
        model.Session.delete(row)
        model.Session.flush()


def held_back(resource_id: str) -> str | None:
    """Why the resource's file is not public yet: QUARANTINED (the personal-information gate
    found something, privacy.py) or PENDING (not screened yet); None when it is public."""
    row = _row(resource_id)
    if row is None or row.state not in (QUARANTINED, PENDING, LOADING):
        return None
    if row.state != QUARANTINED and json.loads(row.value or "{}").get("release"):
        return None  # released after review: served while its table loads
    return QUARANTINED if row.state == QUARANTINED else PENDING


def quarantined(resource_id: str) -> bool:
    """Is the resource's file held back by the personal-information gate (privacy.py)?"""
    return held_back(resource_id) == QUARANTINED
