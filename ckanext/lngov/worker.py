"""The background worker (`ckan lngov worker`, started by scripts/run.sh): CKAN's RQ worker,
running each job in the worker's own process, on the portal's queues in order of urgency.

CKAN's `ckan jobs worker` forks a work horse for every job and loads CKAN's environment again
in it (`load_environment`: 0.4-0.5 s of CPU here), which cost more than a table load itself
(docs/performance.md, "Where a table job's time goes"). The portal's jobs are CKAN code that
cleans up after itself (CKAN's Worker closes the database session after each job), so they
run one after another in the worker process, as rq's SimpleWorker runs them; a job's timeout
still holds (rq's SIGALRM death penalty). Threads a job starts (the caching front's later
generation, serving/cache.py) outlive it, which a work horse's exit cut short.

Queues, taken in this order: CKAN's default queue (mails, CKAN's own jobs, the catalog dump
after something left the public catalog), then LATER, the work that may wait its turn (the
open tables' loads, the catalog dump after additions and edits). A withdrawal's dump
therefore never waits behind a harvest's thousands of table loads, and a harvest's additions
queue their dumps among the loads rather than before them.
"""
from __future__ import annotations

import logging

import rq

from ckan.lib import jobs

log = logging.getLogger(__name__)

URGENT = jobs.DEFAULT_QUEUE_NAME
LATER = "lngov_later"
QUEUES = (URGENT, LATER)


class Worker(rq.SimpleWorker, jobs.Worker):
    """rq's SimpleWorker (the job in this process) with CKAN's worker (its queue names and
    the database session's clean-up after each job)."""

    def execute_job(self, job, queue) -> None:
        log.info("Worker %s starts job %s (%s)", self.key, job.id, job.meta.get("title", ""))
        super().execute_job(job, queue)
        log.info("Worker %s has finished job %s", self.key, job.id)


def work(burst: bool = False, max_jobs: int | None = None) -> None:
    """Runs jobs until stopped (or, with BURST, until the queues are empty; or MAX_JOBS)."""
    # with rq's scheduler, as `ckan jobs worker`: the DataStore schedules jobs (enqueue_in)
    Worker(list(QUEUES)).work(burst=burst, max_jobs=max_jobs, with_scheduler=True)
