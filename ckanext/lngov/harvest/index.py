"""One Solr request for the datasets of a batch (run.py), instead of one per dataset.

CKAN indexes every dataset a transaction wrote just before its commit (`before_commit`,
ckan/model/modification.py), one `add` request each. Within `gathered()` the documents CKAN
builds (unchanged: `index_package`, the plugins' `before_dataset_index`) are kept and sent in
one request, still before the database commits: as before, a document is in Solr just before
its dataset is in the database, and a Solr failure fails the commit.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import pysolr
from ckan import model
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
def gathered():
    global _pending
    _pending = []
    ckan_index.make_connection = _make_connection
    try:
        yield
    finally:
        _pending = None
        ckan_index.make_connection = common.make_connection


# After CKAN's own before_commit (registered when ckan.model was imported), which builds the
# documents: they go to Solr before the database commits.
@event.listens_for(model.Session, "before_commit")
def _before_commit(session) -> None:
    _send()


@event.listens_for(model.Session, "after_rollback")
def _after_rollback(session) -> None:
    if _pending:
        _pending.clear()
