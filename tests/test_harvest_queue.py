"""Harvest jobs started as the web UI starts them (harvest_job_create with run) go through
ckanext-harvest's queues and finish, with the outcomes the one-shot runner gives; the
consumers survive idle queues and are restarted when they die; a stalled job is closed and
says so. Real processes (`ckan lngov harvest-consumers`), real Redis, real HTTP."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import time

import psutil
import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.harvest import queues
from tests.commands import ckan_command
from tests.harvesting import (anonymous_search, assert_public_surfaces, eligible_codes,
                              harvest, make_source, platform_fixture)



def _ckan(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(ckan_command(*args),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            **kwargs)


platform = platform_fixture(40, 23)


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    return make_source(platform, name="queue-exchange")


@pytest.fixture(scope="module")
def supervisor(source, tmp_path_factory):
    # Started after the source, so that it inherits the source's token (environment). Its
    # output (and its consumers') goes to a file: a pipe nobody reads would fill and block it.
    log = tmp_path_factory.mktemp("supervisor") / "harvest-consumers.log"
    with open(log, "w") as out:
        process = subprocess.Popen(ckan_command("lngov", "harvest-consumers", "--interval", "2"),
                                   stdout=out, stderr=subprocess.STDOUT, text=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    finally:
        print(log.read_text()[-5000:])   # shown when the test fails


def _wait_finished(url: str, token: str, job_id: str, limit: float = 180) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = requests.get(url + "/api/3/action/harvest_job_show", params={"id": job_id},
                           headers={"Authorization": token}, timeout=30).json()["result"]
        if job["status"] == "Finished":
            return job
        time.sleep(1)
    raise AssertionError(f"job {job_id} still {job['status']} after {limit} s: {job}")


def test_housekeeping_runs_while_a_consumer_holds_a_message():
    """A consumer marks the message it works on as ckanext-harvest's own consumer does, so
    ckanext-harvest's housekeeping (harvest_jobs_run, resubmit_jobs) reads the mark and
    leaves a fresh one alone. (First in this module: no supervisor's consumer yet to take the
    message.)"""
    from ckanext.harvest import queue as harvest_queue

    connection = harvest_queue.get_connection()
    key = harvest_queue.get_fetch_routing_key()
    body = json.dumps({"harvest_object_id": "held-by-a-consumer"})
    connection.delete(key)   # what an earlier run left queued
    connection.rpush(key, body)
    consumer = queues.IdleSafeConsumer(connection, key)
    try:
        next(consumer.consume())
        mark = connection.get(consumer.persistance_key(body))
        queues.housekeeping()   # raised ValueError on a mark it could not parse
        # read as a fresh mark: kept, not resubmitted (a stale one would be deleted)
        assert connection.get(consumer.persistance_key(body)) == mark
        assert body not in connection.lrange(key, 0, -1)
    finally:
        connection.delete(consumer.persistance_key(body))


def test_a_job_started_from_the_web_ui_finishes_with_the_one_shot_outcomes(
        sysadmin_module, live_server, platform, source, supervisor):
    token = sysadmin_module["token"]
    # The source page's "Reharvest" (重新采集) button (it posts): harvest_job_create with run.
    response = requests.post(f"{live_server}/harvest/refresh/{source.id}",
                             headers={"Authorization": token}, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text
    jobs = requests.get(live_server + "/api/3/action/harvest_job_list",
                        params={"source_id": source.id}, headers={"Authorization": token},
                        timeout=30).json()["result"]
    assert len(jobs) == 1
    job = _wait_finished(live_server, token, jobs[0]["id"])

    eligible = eligible_codes(platform)
    not_open = len(platform.catalog.entries) - len(eligible)
    assert job["outcomes"]["added"] == len(eligible), (job["outcomes"], job.get("stats"))
    assert job["outcomes"]["not_open"] == not_open
    assert job["outcomes"]["error"] == 0 and job["outcomes"]["refused"] == 0
    assert set(anonymous_search(live_server)) == eligible
    assert_public_surfaces(live_server, platform, source)
    # The one-shot runner, after it, finds the portal as it would have left it: nothing to do.
    _, counts, objects = harvest(source)
    assert not objects and counts["added"] == counts["updated"] == counts["error"] == 0


def test_an_object_queued_again_once_done_is_not_imported_twice(source, supervisor):
    """ckanext-harvest's housekeeping queues again every WAITING object it does not find in
    the fetch queue, one a consumer has just taken but not begun included; the copy of a
    message for an object already done is dropped, so the job's record stays what it was
    (it said `updated` for an entry the job added)."""
    from ckanext.harvest import queue as harvest_queue
    from ckanext.harvest.model import HarvestObject

    obj = model.Session.query(HarvestObject).filter(
        HarvestObject.harvest_source_id == source.id, HarvestObject.state == "COMPLETE",
        HarvestObject.current == True).first()  # noqa: E712
    assert obj is not None, "the job before left no imported object"
    object_id, finished, state = obj.id, obj.import_finished, obj.state
    outcome = {e.key: e.value for e in obj.extras}["outcome"]
    model.Session.remove()
    connection, key = harvest_queue.get_connection(), harvest_queue.get_fetch_routing_key()
    body = json.dumps({"harvest_object_id": object_id})
    connection.rpush(key, body)   # as resubmit_objects sends it
    deadline = time.monotonic() + 60
    while body in connection.lrange(key, 0, -1) or connection.exists(f"{key}:{object_id}"):
        assert time.monotonic() < deadline, "the consumer did not take the message"
        time.sleep(0.5)
    time.sleep(2)   # (the mark is set a moment after the message leaves the queue)
    obj = HarvestObject.get(object_id)
    # (once the job is finished, ckanext-harvest's callback marks the copy's object ERROR)
    assert (obj.state, obj.import_finished, {e.key: e.value for e in obj.extras}["outcome"]) \
        == (state, finished, outcome)
    model.Session.remove()


def test_a_consumer_that_dies_is_started_again(supervisor):
    parent = psutil.Process(supervisor.pid)
    before = {c.pid for c in parent.children()}
    assert len(before) == 2
    victim = next(iter(before))
    psutil.Process(victim).kill()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = {c.pid for c in parent.children() if c.status() != psutil.STATUS_ZOMBIE}
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"the consumer {victim} was not replaced: {now}")


def test_the_consumers_survive_a_minute_of_idle_queues_where_ckanext_harvest_s_die(
        idle_consumers):
    ours, stock, started = idle_consumers
    time.sleep(max(0.0, started + 65 - time.monotonic()))
    assert [p.poll() for p in ours] == [None, None], [p.stdout.read() for p in ours]
    # The failure the portal's consumers avoid (ckan/ckanext-harvest#581): without it,
    # this test would not tell a fixed consumer from a broken one.
    assert stock.poll() is not None
    assert "TimeoutError" in stock.stdout.read()


def test_a_job_without_progress_is_closed_as_stalled_and_says_so(sysadmin_module, source):
    from ckanext.harvest.model import HarvestJob

    job = HarvestJob(source_id=source.id, status="Running")
    job.save()
    job.created = dt.datetime.utcnow() - dt.timedelta(
        minutes=int(tk.config.get("ckan.harvest.timeout")) + 5)
    job.save()
    job_id = job.id
    queues.housekeeping()
    shown = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job_id})
    assert shown["status"] == "Finished"
    report = tk.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job_id})
    assert any("timeout" in e["message"] for e in report["gather_errors"]), report
    model.Session.remove()
