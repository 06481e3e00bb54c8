"""The index of the harvest's deferred writes, and one Solr request for the datasets of a
batch (run.py) instead of one per dataset.

`package_create` / `package_update` index the dataset they wrote (one Solr `add` each),
except with `defer_commit`, where indexing is left to the caller (ckan/logic/action). The
import writes with `defer_commit` (its commit is the batch's), keeps the dataset as the write
showed it with the default and custom schemas (`shown()`: the same two dicts the write would
have indexed, not a second read) and indexes it with CKAN's own `index_update_package_dicts`
(`package()`). Within `gathered()` the documents CKAN builds (unchanged: `index_package`, the
plugins' `before_dataset_index`) are kept and sent in one request just before the database
commits: as before, a document is in Solr just before its dataset is in the database, and a
Solr failure fails the commit.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pysolr
from ckan import logic, model
from ckan.lib.search import common
from ckan.lib.search import index as ckan_index
from sqlalchemy import event

_pending: list[dict[str, Any]] | None = None   # documents gathered, None: not gathering


class _Gathering:
    """The Solr connection CKAN's `index_package` gets: an add without commit is kept."""

    def __init__(self, connection):
        self.connection = connection

    def add(self, docs, commit=False, **kwargs):
        if commit or kwargs or _pending is None:
            _send()
            return self.connection.add(docs, commit=commit, **kwargs)
        _pending.extend(docs)

    def delete(self, *args, **kwargs):
        _send()   # a delete after an add of the same dataset must stay after it
        return self.connection.delete(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.connection, name)


def _make_connection(*args, **kwargs):
    return _Gathering(common.make_connection(*args, **kwargs))


def _send() -> None:
    if not _pending:
        return
    docs = list(_pending)
    _pending.clear()
    try:
        common.make_connection().add(docs=docs, commit=False)
    except pysolr.SolrError as error:
        raise common.SearchIndexError(f"Solr returned an error: {str(error)[:1000]}")


@contextmanager
def shown():
    """The (default, custom) dicts of the dataset a write within it showed last."""
    captured: list = []
    original = logic.package_show_default_and_custom_schemas

    def capture(context, package_id):
        both = original(context, package_id)
        captured.append(both)
        return both

    logic.package_show_default_and_custom_schemas = capture
    try:
        yield captured
    finally:
        logic.package_show_default_and_custom_schemas = original


def package(captured: list) -> None:
    """Indexes the dataset `shown()` kept, as the write would have without defer_commit
    (without a Solr commit: autoSoftCommit, and the run's commit at its end)."""
    logic.index_update_package_dicts(captured[-1], defer_commit=True)


def gathering() -> bool:
    """Within `gathered()`: a batch of run.py."""
    return _pending is not None


@contextmanager
def gathered():
    global _pending
    _pending = []
    ckan_index.make_connection = _make_connection
    try:
        yield
    finally:
        _pending = None
        ckan_index.make_connection = common.make_connection


# The documents go to Solr just before the database commits.
@event.listens_for(model.Session, "before_commit")
def _before_commit(session) -> None:
    if not session.in_nested_transaction():   # a savepoint's release: not yet
        _send()


@event.listens_for(model.Session, "after_rollback")
def _after_rollback(session) -> None:
    if _pending:
        _pending.clear()
