"""Tabular copies in the DataStore, so an open CSV is also queryable through the API
(datastore_search, datastore_search_sql)."""
from __future__ import annotations

import csv
import io
from typing import Any

import ckan.plugins.toolkit as tk

from .. import storage


def load(context: dict[str, Any], resource_id: str) -> None:
    """(Re)loads the resource's copied CSV as its DataStore table, every column as text."""
    with storage.opened(resource_id) as f:
        rows = list(csv.reader(io.TextIOWrapper(f, encoding="utf-8-sig", newline="")))
    if not rows:
        return
    header = rows[0]
    drop(context, resource_id)
    tk.get_action("datastore_create")(dict(context), {
        "resource_id": resource_id, "force": True,
        "fields": [{"id": name, "type": "text"} for name in header],
        "records": [dict(zip(header, row)) for row in rows[1:]]})


def exists(resource_id: str) -> bool:
    from ckanext.datastore.backend import DatastoreBackend

    return DatastoreBackend.get_active_backend().resource_exists(resource_id)


def drop(context: dict[str, Any], resource_id: str) -> None:
    """Drops the resource's table, if it has one (a cheap check before the action's own)."""
    if not exists(resource_id):
        return
    try:
        tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id,
                                                          "force": True})
    except tk.ObjectNotFound:
        pass
