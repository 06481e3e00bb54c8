"""Loading open tables in the background, and the atomic swap.

Every write of an entry (form, API, harvest) calls `schedule`: each tabular upload of a
public open entry whose file is not the one its table was loaded from gets a pending record
in the write's transaction, and a job on CKAN's queue once the transaction has committed (so
the worker reads what was written); a table whose resource is no longer public and open is
dropped by a job too (the DataStore's auth already refuses it meanwhile).

The job streams the file in batches into a new table, inside one transaction that ends with
`DROP TABLE old; ALTER TABLE new RENAME TO old`: until the commit, readers see the old table;
after it, the new one (PostgreSQL looks the name up again once the lock is granted), so
`datastore_search` never answers "not found" during a reload. It is built on the DataStore
backend's functions (`create_table`, `insert_data`, `create_indexes`), and ends with
`datastore_create` on the swapped table, which sets the resource's `datastore_active`.

A load tells what happened as CKAN's signals do (`held_back`, `changed`): the harvest's record
and the DCAT catalog subscribe to them (plugin.py), so that nothing here imports them.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event

import ckan.plugins.toolkit as tk
from ckan import model

from .. import lang, privacy, worker
from ..catalog import codes
from ..serving import cache
from . import quality, read, status, types

log = logging.getLogger(__name__)

held_back = tk.signals.ckanext.signal("lngov_table_held_back")
"""A file was held back for personal information (sender: the resource; `findings`): sent
before the quarantine commits, so that what a subscriber writes commits with it."""
changed = tk.signals.ckanext.signal("lngov_table_changed")
"""An entry's tables changed as the public sees them (sender: the entry's id): a first table,
a release, a quarantine; sent once committed."""

_PENDING_JOBS = "lngov_table_jobs"
_INDEX_NAME = re.compile(r'INDEX "([^"]+)"')


def batch_size() -> int:
    return tk.config.get("ckanext.lngov.tables.batch_rows")


# --- what is loaded --------------------------------------------------------------------------

def eligible(resource: model.Resource | None) -> bool:
    """A tabular upload of a public, unconditionally open (无条件开放) entry."""
    if resource is None or resource.state != "active":
        return False
    pkg = resource.package
    return (pkg is not None and pkg.state == "active" and not pkg.private
            and codes.downloadable(pkg.extras) and resource.url_type == "upload"
            and read.kind(resource.format, resource.url) is not None)


def table_exists(resource_id: str) -> bool:
    from ckanext.datastore.backend import DatastoreBackend

    return DatastoreBackend.get_active_backend().resource_exists(resource_id)


def schedule(package_id: str) -> int:
    """Records pending loads (and drops) for the package's resources; enqueued after commit.
    Returns how many jobs it queued."""
    pkg = model.Package.get(package_id)
    if pkg is None:
        return 0
    queued = 0
    for resource in model.Session.query(model.Resource).filter_by(package_id=pkg.id):
        record = status.get(resource.id)
        if eligible(resource):
            if record and record.get("hash") == resource.hash and record["state"] in (
                    status.PENDING, status.LOADING, status.LOADED, status.ERROR,
                    status.QUARANTINED):
                continue  # that file is loaded, on its way, or held back
            status.put(resource.id, status.PENDING, hash=resource.hash)
        elif record is not None or table_exists(resource.id):
            status.forget(resource.id)
        else:
            continue
        later(resource.id)
        queued += 1
    return queued


def later(resource_id: str) -> None:
    """The resource's job, enqueued once the session's transaction has committed."""
    model.Session.info.setdefault(_PENDING_JOBS, []).append(resource_id)


@event.listens_for(model.Session, "after_commit")
def _enqueue(session) -> None:
    for resource_id in dict.fromkeys(session.info.pop(_PENDING_JOBS, [])):
        tk.enqueue_job(run, [resource_id], title=f"lngov table {resource_id}", queue=worker.LATER,
                       rq_kwargs={"timeout": tk.config.get("ckanext.lngov.tables.timeout")})


@event.listens_for(model.Session, "after_rollback")
def _forget(session) -> None:
    session.info.pop(_PENDING_JOBS, None)


# --- the job ---------------------------------------------------------------------------------

def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


class Quarantined(Exception):
    """The file holds personal information (privacy.py): its load is rolled back."""

    def __init__(self, findings: list[dict[str, Any]]):
        super().__init__(findings)
        self.findings = findings


def run(resource_id: str) -> None:
    """The job: screens the resource's file (privacy.py) and loads it as its table, or
    quarantines it; drops the table of one that is no longer public and open. Safe to run
    twice."""
    resource = model.Resource.get(resource_id)
    if not eligible(resource):
        drop(resource_id)
        return
    waiting = _waiting()
    if waiting:
        cache.soon()  # one renewal of the front's cache for a run of loads, not one a table
    file_hash = resource.hash
    release = (status.get(resource_id) or {}).get("release")
    if not release or release.get("hash") != file_hash:
        release = None  # a release is for the file reviewed, not for its next version
    status.put(resource_id, status.LOADING, hash=file_hash, release=release)
    model.Session.commit()
    try:
        rows, report = _load(resource, screen=release is None)
    except Quarantined as held:
        model.Session.rollback()
        quarantine(resource, held.findings)
        return
    except Exception as error:  # noqa: BLE001 - recorded for the department, then logged
        model.Session.rollback()
        log.exception("table of %s not loaded", resource_id)
        status.put(resource_id, status.ERROR, error=str(error), hash=file_hash)
        model.Session.commit()
        return
    first = _activate(resource)
    tk.get_action("datastore_create")(_context(), {"resource_id": resource_id, "force": True})
    _preview(resource_id)
    status.put(resource_id, status.LOADED, hash=file_hash, rows=rows,
               quality=report.as_dict(), release=release)
    if first:
        _index(resource.package_id, waiting)
    model.Session.commit()
    if first or release:
        changed.send(resource.package_id)


def _activate(resource: model.Resource) -> bool:
    """Sets the resource's `datastore_active` (as ckanext-xloader does), so that
    datastore_create does not: it would patch the resource, a whole dataset update (validation,
    activity, the portal's hooks, a reindex) per table. True if the flag was not set."""
    if resource.extras.get("datastore_active"):
        return False
    resource.extras = {**resource.extras, "datastore_active": True}
    model.Session.flush()
    return True


def _waiting() -> bool:
    """More table loads wait in the queue (this one is out of it)."""
    from ckan.lib import jobs

    return jobs.get_queue(worker.LATER).count > 0


def _index(package_id: str, waiting: bool) -> None:
    """The dataset's search document (its resources' `datastore_active`: the home page counts
    entries with tables). While more loads wait, Solr's commit is left to its autoSoftCommit
    (seconds) and the caching front's generation renewed after it (serving/cache.py); the last load
    of a run commits."""
    from ckan import logic

    logic.index_update_package({"ignore_auth": True}, package_id, defer_commit=waiting)
    if waiting:
        cache.bump_when_searchable()


def _preview(resource_id: str) -> None:
    """The resource's data-table preview (datatables_view, `ckan.views.default_views`). It
    reads the table, so CKAN skips it at upload (its can_view asks datastore_active); it is
    created once the table exists, as CKAN's own loaders do, once per resource."""
    context = _context()
    views = tk.get_action("resource_view_list")(context, {"id": resource_id})
    if any(v["view_type"] == "datatables_view" for v in views):
        return
    tk.get_action("resource_view_create")(context, {
        "resource_id": resource_id, "view_type": "datatables_view", "title": _site_text("Table")})


def _site_text(message: str) -> str:
    """CKAN's translation of `message` in the site's language: the worker has no request,
    and CKAN's own view title would be stored in English (the resource page's tab)."""
    return lang.site_translations("ckan").gettext(message)


def quarantine(resource: model.Resource, findings: list[dict[str, Any]]) -> None:
    """Holds the file back: no table (an older version's goes too), no download, no DCAT."""
    drop_table(_context(), resource.id)
    status.put(resource.id, status.QUARANTINED, hash=resource.hash, findings=findings)
    held_back.send(resource, findings=findings)  # a harvested file: said in its job's report
    model.Session.commit()
    log.warning("quarantined %s: %s", resource.id, findings)
    changed.send(resource.package_id)


def drop_table(context: dict[str, Any], resource_id: str) -> None:
    """Drops the resource's table, if it has one (a cheap check before the action's own), and
    its data-table preview, which would show a failed table (_preview makes it again)."""
    if not table_exists(resource_id):
        return
    try:
        tk.get_action("datastore_delete")(dict(context), {"resource_id": resource_id,
                                                          "force": True})
    except tk.ObjectNotFound:
        pass
    try:
        views = tk.get_action("resource_view_list")(dict(context), {"id": resource_id})
    except tk.ObjectNotFound:
        return  # the resource itself is gone
    for view in views:
        if view["view_type"] == "datatables_view":
            tk.get_action("resource_view_delete")(dict(context), {"id": view["id"]})


def drop(resource_id: str) -> None:
    drop_table(_context(), resource_id)
    status.forget(resource_id)
    model.Session.commit()


def _data_items(package_id: str) -> dict[str, dict[str, Any]]:
    pkg = tk.get_action("package_show")(_context(), {"id": package_id})
    return {item["name"]: item for item in pkg.get("data_items") or []}


def _fields(header: list[str], items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    fields = []
    for number, name in enumerate(header, 1):
        item = items.get(name) or {}
        fields.append({"id": name or f"column_{number}",
                       "type": types.column(item.get("data_type"))[0],
                       "info": {"label": item.get("name_en") or "",
                                "notes": item.get("description") or "",
                                "data_type": item.get("data_type") or "C"}})
    return fields


def _records(rows: Iterator[list[Any]], fields: list[dict[str, Any]], report: quality.Report,
             findings: privacy.Findings | None) -> Iterator[list[dict[str, Any]]]:
    typed = [(f["id"], f["info"]["data_type"]) for f in fields]
    batch: list[dict[str, Any]] = []
    for number, row in enumerate(rows, 2):
        if not any(v not in (None, "") for v in row):
            continue  # blank lines, and XLSX rows formatted but empty
        if findings is not None:
            privacy.screen_row(findings, number, typed, row)
        record = {}
        for (name, code), value in zip(typed, row):
            try:
                record[name] = types.convert(value, code)
            except ValueError:
                report.mismatch(number, name, value, code)
                record[name] = None
        batch.append(record)
        if len(batch) >= batch_size():
            yield batch
            batch = []
    if batch:
        yield batch


def _load(resource: model.Resource, screen: bool) -> tuple[int, quality.Report]:
    """Loads and swaps in one transaction; screened in the same pass (Quarantined: nothing
    of it is committed)."""
    from ckanext.datastore.backend import postgres as pg

    report, count = quality.Report(), 0
    findings = privacy.Findings() if screen else None
    rid, staging = resource.id, f"{resource.id}-loading"
    with read.table(rid, read.kind(resource.format, resource.url)) as (header, rows):
        fields = _fields(header, _data_items(resource.package_id))
        engine = pg.get_write_engine()
        pg._cache_types(engine)
        with engine.connect() as connection, connection.begin():
            context: dict[str, Any] = {"connection": connection}
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {pg.identifier(staging)}"))
            pg.create_table(context, {"resource_id": staging, "fields": fields}, {})
            pg._create_fulltext_trigger(connection, staging)
            for batch in _records(rows, fields, report, findings):
                pg.insert_data(context, {"resource_id": staging, "records": batch,
                                          "include_records": False})
                count += len(batch)
            if findings is not None and findings.as_list():
                raise Quarantined(findings.as_list())
            pg.create_indexes(context, {"resource_id": staging})
            _swap(connection, pg, staging, rid, fields)
    return count, report


def _swap(connection, pg, staging: str, rid: str, fields: list[dict[str, Any]]) -> None:
    """The new table takes the old one's name, and its indexes the names the DataStore
    gives a table of that name (so later datastore_create calls find them)."""
    template = 'CREATE {unique} INDEX "{name}" ON "{res_id}" USING {method}({fields})'
    names = [[_INDEX_NAME.search(sql).group(1) for sql in pg._build_fts_indexes(
        {"resource_id": table}, template, fields)[0]] for table in (staging, rid)]
    statements = [f"DROP TABLE IF EXISTS {pg.identifier(rid)}",
                  f"ALTER TABLE {pg.identifier(staging)} RENAME TO {pg.identifier(rid)}"]
    statements += [f"ALTER INDEX IF EXISTS {pg.identifier(old)} RENAME TO {pg.identifier(new)}"
                   for old, new in zip(*names)]
    for statement in statements:
        connection.execute(sa.text(statement))
