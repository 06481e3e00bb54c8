"""The harvest's side of the DataStore: tables of what is withdrawn or no longer served go in
the same job. Loading is the background job's (ckanext/lngov/tables/load.py), which every
write of an entry schedules; the harvest does not wait for it."""
from __future__ import annotations

from ..tables.load import drop_table as drop, table_exists as exists

__all__ = ["drop", "exists"]
