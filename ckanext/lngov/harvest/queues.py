"""The queue path of harvesting: jobs started from the web UI ("Reharvest") or with
harvest_job_create go through ckanext-harvest's gather and fetch queues in Redis.

- Consumers that survive idle queues. ckanext-harvest's Redis consumer waits with a BLPOP
  without timeout, which redis-py 8 (pinned by CKAN 2.12) reads with its default 5 s socket
  timeout: after 5 idle seconds the consumer dies with a TimeoutError
  (ckan/ckanext-harvest#581). IdleSafeConsumer waits `ckanext.lngov.harvest.consumer_poll`
  seconds at a time and asks again.
- Supervision. `ckan lngov harvest-consumers` runs both consumers as child processes,
  starts again one that dies (after a pause that grows while it keeps dying), and every
  `ckanext.lngov.harvest.supervise_interval` seconds runs ckanext-harvest's housekeeping,
  harvest_jobs_run: it marks finished the jobs whose objects are all done, and, with
  `ckan.harvest.timeout` (minutes), closes as stalled a job without progress for that long,
  with an error on the job's page that says so.
- Each object once. That housekeeping also resubmits every WAITING object it does not find
  in the fetch queue (resubmit_objects), so an object a consumer has taken off the queue but
  not begun yet is queued a second time; the consumer drops a message for an object that is
  already done instead of fetching and importing it again (which would record an entry the
  job added as updated).
"""
from __future__ import annotations

import datetime
import json
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Callable, Iterator

import ckan.plugins.toolkit as tk
from ckan import model
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestObject
from sqlalchemy.exc import DatabaseError

log = logging.getLogger(__name__)

KINDS = ("gather", "fetch")
# The states of an object whose fetch and import are over (ckanext-harvest's
# fetch_and_import_stages); a message for one is a resubmitted copy.
DONE = ("COMPLETE", "ERROR")


class IdleSafeConsumer(queue.RedisConsumer):
    """ckanext-harvest's Redis consumer, waiting in short BLPOPs so an idle queue is no
    error."""

    def consume(self, queue_name=None) -> Iterator:   # noqa: ARG002 - the upstream signature
        poll = tk.config.get("ckanext.lngov.harvest.consumer_poll")
        while True:
            item = self.redis.blpop(self.routing_key, timeout=poll)
            if item is None:
                continue
            _, body = item
            try:
                # ckanext-harvest's format: its resubmit_jobs (harvest_jobs_run) parses it
                self.redis.set(self.persistance_key(body), str(datetime.datetime.now()))
            except (ValueError, KeyError, TypeError) as error:
                log.error("harvest queue: dropping a malformed message %r: %s", body, error)
                continue
            yield queue.FakeMethod(body), self, body


def consume(kind: str, stop: Callable[[], bool] = lambda: False) -> None:
    """Runs the `kind` ("gather" or "fetch") consumer until `stop()` says so."""
    if tk.config.get("ckan.harvest.mq.type", "redis") != "redis":
        # AMQP's consumers have no such timeout: ckanext-harvest's own serve.
        from ckanext.harvest import utils
        return utils.gather_consumer() if kind == "gather" else utils.fetch_consumer()
    connection = queue.get_connection()
    if kind == "gather":
        consumer = IdleSafeConsumer(connection, queue.get_gather_routing_key())
        callback = queue.gather_callback
    else:
        consumer = IdleSafeConsumer(connection, queue.get_fetch_routing_key())
        callback = queue.fetch_callback
    log.info("harvest %s consumer: waiting for messages", kind)
    for method, header, body in consumer.consume():
        if kind == "fetch" and _done(body):
            log.info("harvest fetch consumer: %s is done already: dropped", body)
            consumer.basic_ack(method.delivery_tag)
        else:
            callback(consumer, method, header, body)
        if stop():
            return


def _done(body: str) -> bool:
    """Is the message's object fetched and imported already (a resubmitted copy)?"""
    try:
        obj = HarvestObject.get(json.loads(body)["harvest_object_id"])
    except (ValueError, KeyError, TypeError, DatabaseError):
        model.Session.remove()
        return False   # ckanext-harvest's callback says what is wrong, or retries it
    try:
        return obj is not None and obj.state in DONE
    finally:
        model.Session.remove()   # the callback reads the object afresh


def housekeeping() -> list[dict]:
    """ckanext-harvest's harvest_jobs_run, as the site user: finished jobs marked finished,
    stalled ones (ckan.harvest.timeout) closed with an error. Returns the jobs still running."""
    _older_marks_readable()
    try:
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        context = {"user": site_user, "ignore_auth": True}
        tk.get_action("harvest_jobs_run")(dict(context), {})
        return tk.get_action("harvest_job_list")(dict(context), {"status": "Running"})
    finally:
        model.Session.remove()   # the next round reads what the consumers wrote since


def _older_marks_readable() -> None:
    """Marks of messages in work written by an earlier version of the consumer (a Unix time)
    rewritten in ckanext-harvest's format, which its housekeeping parses (it failed on them)."""
    if tk.config.get("ckan.harvest.mq.type", "redis") != "redis":
        return
    connection = queue.get_connection()
    for routing_key in (queue.get_gather_routing_key(), queue.get_fetch_routing_key()):
        for key in connection.keys(routing_key + ":*"):
            value = connection.get(key)
            try:
                stamp = float(value)
            except (TypeError, ValueError):
                continue   # already a date (or gone meanwhile)
            connection.set(key, str(datetime.datetime.fromtimestamp(stamp)), xx=True)


class Supervisor:
    """Keeps one process per consumer alive and runs the housekeeping."""

    def __init__(self, ini: str, interval: int, say: Callable[[str], None] = print):
        self.ini, self.interval, self.say = ini, interval, say
        self.children: dict[str, subprocess.Popen] = {}
        self.failures = {kind: 0 for kind in KINDS}
        self.restarts = {kind: 0 for kind in KINDS}
        self.stopping = False

    def _command(self, kind: str) -> list[str]:
        ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
        return [ckan, "-c", self.ini, "lngov", "harvest-consumer", kind]

    def _start(self, kind: str) -> None:
        self.children[kind] = subprocess.Popen(self._command(kind))
        self.say(f"harvest {kind} consumer: started (pid {self.children[kind].pid})")

    def _check(self) -> None:
        for kind in KINDS:
            child = self.children.get(kind)
            if child is not None and child.poll() is None:
                self.failures[kind] = 0
                continue
            if child is not None:
                self.failures[kind] += 1
                self.restarts[kind] += 1
                pause = min(60, 2 ** self.failures[kind])
                self.say(f"harvest {kind} consumer: exited with {child.returncode}; starting "
                         f"it again in {pause} s (restart {self.restarts[kind]})")
                time.sleep(pause)
            self._start(kind)

    def stop(self, *_) -> None:
        self.stopping = True

    def run(self, rounds: int | None = None) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        next_housekeeping = 0.0
        try:
            while not self.stopping and (rounds is None or rounds > 0):
                self._check()
                if time.monotonic() >= next_housekeeping:
                    try:
                        running = housekeeping()
                        if running:
                            self.say(json.dumps({"running_jobs": [
                                {"id": j["id"], "source": j["source_id"],
                                 "stats": j.get("stats")} for j in running]},
                                ensure_ascii=False))
                    except Exception as error:   # noqa: BLE001 - the next round tries again
                        self.say(f"harvest housekeeping failed: {error}")
                    next_housekeeping = time.monotonic() + self.interval
                    rounds = None if rounds is None else rounds - 1
                time.sleep(1)
        finally:
            for child in self.children.values():
                if child.poll() is None:
                    child.terminate()
            for child in self.children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
