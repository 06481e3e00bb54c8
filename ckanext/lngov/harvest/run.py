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

from ckanext.lngov import cache

from . import record

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
        results = (_in_processes(ids, workers) if workers > 1 and len(ids) > 1
                   else map(_process, ids))
        for done, (code, outcome) in enumerate(results, 1):
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


def _process(object_id: str) -> tuple[str, str]:
    """Fetch and import one object, as a fetch consumer of the queues does."""
    obj = HarvestObject.get(object_id)
    stages(queue.get_harvester(obj.source.type), obj)
    return obj.guid, next((e.value for e in obj.extras if e.key == "outcome"), "error")


def stages(harvester, obj: HarvestObject) -> None:
    """ckanext-harvest's `fetch_and_import_stages` (queue.py): the same stages and the same
    record (fetch and import times, state, report status), in two commits of the object
    instead of its five or six: the fetch's record is committed before the import starts
    (an import that fails and rolls back keeps it), and the import's end in one commit after
    the dataset's own. A process that dies between them leaves the object neither COMPLETE
    nor ERROR, which the next run closes and retries (_close_interrupted)."""
    now = dt.datetime.utcnow
    obj.fetch_started, obj.state = now(), "FETCH"
    fetched = harvester.fetch_stage(obj)
    obj.fetch_finished = now()
    if fetched is True:
        obj.import_started, obj.state = now(), "IMPORT"
        obj.save()
        imported = harvester.import_stage(obj)
        obj.import_finished = now()
        if imported == "unchanged":
            obj.state, obj.report_status = "COMPLETE", "not modified"
            obj.save()
            return
        obj.state = "COMPLETE" if imported else "ERROR"
    elif fetched == "unchanged":
        obj.state, obj.report_status = "COMPLETE", "not modified"
        obj.save()
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
    obj.save()


def _in_processes(ids: list[str], workers: int):
    """The objects spread over forked workers (each its own database connections), in the
    order they finish. Workers die with the run: a killed run leaves none behind."""
    # No connection of the parent may cross the fork but the lock's, which the workers
    # never touch: the others are closed first.
    model.Session.remove()
    for engine in _engines():
        engine.dispose()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_worker_start) as pool:
        yield from pool.imap_unordered(_process, ids, chunksize=4)


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
