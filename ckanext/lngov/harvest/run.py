"""A one-shot, synchronous harvest job (for cron and the command line), on ckanext-harvest's
own stages and records, without the queues.

Only one run per source at a time: the run holds a PostgreSQL advisory lock, which the
database releases when the process dies. A job left unfinished by a dead run is closed as
interrupted by the next run, whose gather takes its unfinished entries up again. A job of
the queues (web UI, `ckan harvester run`) that is still running is left alone.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import multiprocessing
import signal
from typing import Callable

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import redis as ckan_redis
from ckan.lib import search
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestGatherError, HarvestJob, HarvestObject, HarvestSource
import sqlalchemy as sa
from sqlalchemy import text

from ckanext.lngov.serving import cache

from . import index, record
from .exchange import BatchUndone

MARK = "ckanext-lngov:harvest-run:{}"    # Redis: jobs run by this module, not by the queues

Progress = Callable[[int, int, str, str], None]   # done, total, resource code, outcome


class Busy(Exception):
    """Another job of the source is running."""


def source_by_name_or_id(name_or_id: str) -> HarvestSource:
    pkg = model.Package.get(name_or_id)
    found = HarvestSource.get(pkg.id if pkg else name_or_id)
    if found is None:
        raise tk.ObjectNotFound(f"no harvest source {name_or_id}")
    return found


def run(source: HarvestSource, progress: Progress | None = None,
        workers: int = 1) -> tuple[HarvestJob, dict[str, int]]:
    """One job; its objects fetched and imported by `workers` processes."""
    harvester = queue.get_harvester(source.type)
    if harvester is None:
        raise tk.ObjectNotFound(f"no harvester of type {source.type}")
    _fast_commits()
    lock = _lock(source.id)
    redis = ckan_redis.connect_to_redis()
    try:
        _close_interrupted(source, redis)
        job = HarvestJob(source=source, status="Running")
        job.save()
        job_id = job.id
        redis.set(MARK.format(job.id), "1")
        ids = queue.gather_stage(harvester, job)
        written = False
        size = BATCH if getattr(harvester, "batched", False) else 1
        batches = [ids[i:i + size] for i in range(0, len(ids), size)]
        results = (_in_processes(batches, workers) if workers > 1 and len(batches) > 1
                   else map(_process, batches))
        for done, (code, outcome) in enumerate(
                (result for batch in results for result in batch), 1):
            written = written or outcome in ("added", "updated", "withdrawn")
            if progress:
                progress(done, len(ids), code, outcome)
        job = HarvestJob.get(job_id)
        if written:
            search.commit()
            cache.bump()   # what the caching front kept during the job is out of date
        _finish(job, reindex_source=bool(ids))
        redis.delete(MARK.format(job.id))
        return job, record.counts(job.id)
    finally:
        _unlock(lock, source.id)


# Objects fetched and imported in one transaction by a harvester that writes each entry
# under a savepoint of its own (`batched`, exchange.py): one commit, and one round of Solr
# adds, for this many entries instead of each.
BATCH = 10


def _process(object_ids: list[str]) -> list[tuple[str, str]]:
    """Fetch and import objects, as a fetch consumer of the queues does; several in one
    transaction when the harvester is `batched`."""
    objs = [HarvestObject.get(object_id) for object_id in object_ids]
    harvester = queue.get_harvester(objs[0].source.type)
    if len(objs) == 1:
        stages(harvester, objs[0])
    else:
        try:
            with index.gathered():   # the batch's datasets sent to Solr in one request
                for obj in objs:
                    stages(harvester, obj, commit=False)
                model.Session.commit()
        except BatchUndone:
            # CKAN's package_create / package_update roll the whole transaction back when
            # they refuse a dataset (not only the entry's savepoint): the batch again, one
            # entry at a time, so that the others are published and the refused one recorded.
            model.Session.rollback()
            objs = [HarvestObject.get(object_id) for object_id in object_ids]
            for obj in objs:
                stages(harvester, obj)
    return [(obj.guid, next((e.value for e in obj.extras if e.key == "outcome"), "error"))
            for obj in objs]


def stages(harvester, obj: HarvestObject, commit: bool = True) -> None:
    """ckanext-harvest's `fetch_and_import_stages` (queue.py): the same stages and the same
    record (fetch and import times, state, report status), in two commits of the object
    instead of its five or six: the fetch's record is committed before the import starts
    (an import that fails and rolls back keeps it), and the import's end in one commit with
    the dataset's own. A process that dies between them leaves the object neither COMPLETE
    nor ERROR, which the next run closes and retries (_close_interrupted).
    commit=False (a batch): nothing committed here; the import's savepoint keeps the fetch's
    record when the entry is refused, and the caller commits the batch."""
    def save():
        obj.save() if commit else obj.add()

    now = dt.datetime.utcnow
    obj.fetch_started, obj.state = now(), "FETCH"
    fetched = harvester.fetch_stage(obj)
    obj.fetch_finished = now()
    if fetched is True:
        obj.import_started, obj.state = now(), "IMPORT"
        save()
        imported = harvester.import_stage(obj)
        obj.import_finished = now()
        if imported == "unchanged":
            obj.state, obj.report_status = "COMPLETE", "not modified"
            save()
            return
        obj.state = "COMPLETE" if imported else "ERROR"
    elif fetched == "unchanged":
        obj.state, obj.report_status = "COMPLETE", "not modified"
        save()
        return
    else:
        obj.state = "ERROR"
    if obj.state == "ERROR":
        obj.report_status = "errored"
    elif obj.current is False:
        obj.report_status = "deleted"
    elif model.Session.query(HarvestObject).filter_by(
            package_id=obj.package_id).limit(2).count() == 2:
        obj.report_status = "updated"
    else:
        obj.report_status = "added"
    save()


def _in_processes(batches: list[list[str]], workers: int):
    """The batches of objects spread over forked workers (each its own database
    connections), in the order they finish. Workers die with the run: a killed run leaves
    none behind."""
    # No connection of the parent may cross the fork but the lock's, which the workers
    # never touch: the others are closed first.
    model.Session.remove()
    for engine in _engines():
        engine.dispose()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_start) as pool:
        # single objects handed out four at a time (fewer round trips to the pool)
        yield from pool.imap_unordered(_process, batches,
                                       chunksize=4 if len(batches[0]) == 1 else 1)


def _engines():
    """CKAN's engine and the DataStore's (which opens its own at start-up)."""
    from ckanext.datastore.backend import postgres

    return [model.meta.engine, *postgres._engines.values()]


def _worker_start() -> None:
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG
    except OSError:
        pass
    # The parent's session and connections stay the parent's: dropped here, never closed
    # (closing would roll back on the parent's sockets).
    model.Session.registry.clear()
    for engine in _engines():
        engine.dispose(close=False)
    _fast_commits()


def _fast_commits() -> None:
    """A harvest's many small commits do not wait for the disk (synchronous_commit off).
    What a power cut could lose is the last moment of a job, which the next job redoes from
    the platform; the database stays consistent either way."""
    engine = model.meta.engine
    if not getattr(engine, "_lngov_fast_commits", False):
        sa.event.listen(engine, "connect", lambda dbapi, _: _no_sync(dbapi))
        engine._lngov_fast_commits = True
        engine.dispose(close=False)


def _no_sync(dbapi_connection) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


def _key(source_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"lngov-harvest|{source_id}".encode()).digest()[:8],
                          "big", signed=True)


def _unlock(connection, source_id: str) -> None:
    # A pooled connection outlives close(): the session-level lock must be released by hand.
    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(source_id)})
    connection.close()


def _lock(source_id: str):
    connection = model.meta.engine.connect()
    if not connection.execute(text("SELECT pg_try_advisory_lock(:k)"),
                              {"k": _key(source_id)}).scalar():
        connection.close()
        raise Busy(f"a harvest job of source {source_id} is running in another process")
    return connection


def _close_interrupted(source: HarvestSource, redis) -> None:
    for job in model.Session.query(HarvestJob).filter(
            HarvestJob.source_id == source.id, HarvestJob.status.in_(("New", "Running"))):
        if not redis.exists(MARK.format(job.id)):
            raise Busy(f"job {job.id} of this source is in the harvest queues "
                       f"(status {job.status}); wait for it or abort it with "
                       f"`ckan harvester job-abort {source.id}`")
        # We hold the source's lock, so the process that ran it is gone.
        for obj in model.Session.query(HarvestObject).filter(
                HarvestObject.harvest_job_id == job.id,
                HarvestObject.state.notin_(("COMPLETE", "ERROR"))):
            obj.state, obj.report_status = "ERROR", "errored"
            record.set_outcome(obj, "error")
        HarvestGatherError(message="Interrupted: the process running this job stopped before "
                                   "it finished. The next job takes its unfinished entries up "
                                   "again.", job=job).save()
        _finish(job)
        redis.delete(MARK.format(job.id))


def _finish(job: HarvestJob, reindex_source: bool = True) -> None:
    job.status, job.finished = "Finished", dt.datetime.utcnow()
    job.save()
    if not reindex_source:
        return   # a job that found nothing to do leaves the search index as it was
    tk.get_action("harvest_source_reindex")({"ignore_auth": True, "user": ""},
                                            {"id": job.source_id})
