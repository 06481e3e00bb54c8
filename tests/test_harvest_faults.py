"""The platform misbehaves (sample_platform /_control/mode) or the harvesting
process dies: every job finishes, says what went wrong per entry, keeps what was published,
publishes nothing ineligible, and the next job converges."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import requests

from ckan import model
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.lngov.harvest import mapping, run
from tests.commands import ckan_command, run_jobs
from tests.harvesting import (anonymous_search, assert_public_surfaces, download,
                              eligible_codes, errors_of, harvest, make_source,
                              platform_fixture, sha256)



platform = platform_fixture(60, 5)


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    source = make_source(platform, timeout=1)
    _, counts, _ = harvest(source)
    assert counts["added"] > 30 and counts["error"] == 0
    return source


@pytest.fixture(autouse=True)
def _well_behaved_after(platform):
    yield
    platform.control("mode", mode="none")


def _public_snapshot(url: str) -> dict[str, str]:
    return {code: d["metadata_modified"] for code, d in anonymous_search(url).items()}


def _converges(source, platform, url) -> None:
    platform.control("mode", mode="none")
    _, counts, objects = harvest(source)
    assert counts["error"] == counts["refused"] == counts["listing_errors"] == 0, \
        {c: errors_of(o) for c, o in objects.items() if o.errors}
    assert assert_public_surfaces(url, platform, source) == eligible_codes(platform)


def _open_code(platform, url, skip=()):
    public = anonymous_search(url)
    return next(c for c, e in platform.catalog.entries.items() if c in public and c not in skip
                and e["open_attribute"] == "open"
                and any(d["kind"] == "file" for d in e["distributions"]))


@pytest.mark.parametrize("mode", ["5xx", "truncated", "malformed", "slow"])
def test_a_failing_listing_ends_the_job_cleanly(mode, source, platform, live_server):
    code = _open_code(platform, live_server)
    platform.control("touch", resource_code=code, title=f"列表故障后的标题 {mode}")
    before = _public_snapshot(live_server)
    platform.control("mode", mode=mode, seconds=3)

    job, counts, objects = harvest(source)

    assert counts["listing_errors"] == 1 and objects == {}
    message = model.Session.query(HarvestJob).get(job.id).gather_errors[0].message
    assert "Listing the platform failed" in message
    assert {"5xx": "HTTP 503", "truncated": "not valid JSON", "malformed": "not valid JSON",
            "slow": "no answer within 1 s"}[mode] in message
    assert _public_snapshot(live_server) == before     # everything published stays intact
    _converges(source, platform, live_server)
    assert anonymous_search(live_server)[code]["title"] == f"列表故障后的标题 {mode}"


@pytest.mark.parametrize("mode,expected", [
    ("5xx", "HTTP 503"), ("truncated", "not valid JSON"), ("malformed", "not valid JSON"),
    ("slow", "no answer within 1 s")])
def test_a_failing_entry_is_an_error_of_that_entry_only(mode, expected, source, platform,
                                                        live_server):
    victim = _open_code(platform, live_server)
    other = _open_code(platform, live_server, skip={victim})
    platform.control("touch", resource_code=victim, title=f"故障期间的标题 {mode}")
    platform.control("touch", resource_code=other, title=f"其他条目照常更新 {mode}")
    platform.control("mode", mode=mode, resource_code=victim, seconds=3, on="entry")

    _, counts, objects = harvest(source)

    assert counts["error"] == 1 and counts["updated"] == 1
    assert expected in errors_of(objects[victim])
    public = anonymous_search(live_server)
    assert public[victim]["title"] != f"故障期间的标题 {mode}"   # the published version stays
    assert public[other]["title"] == f"其他条目照常更新 {mode}"
    _converges(source, platform, live_server)              # the error is retried
    assert anonymous_search(live_server)[victim]["title"] == f"故障期间的标题 {mode}"


def test_an_entry_breaking_the_catalog_rules_is_refused_with_field_and_message(
        source, platform, live_server):
    victim = _open_code(platform, live_server)
    platform.control("touch", resource_code=victim, title="违反规则的版本")
    platform.control("mode", mode="invalid_entry", resource_code=victim)

    _, counts, objects = harvest(source)

    assert counts["refused"] == 1
    assert "share_basis" in errors_of(objects[victim]) and "不予共享" in errors_of(objects[victim])
    assert anonymous_search(live_server)[victim]["title"] != "违反规则的版本"
    _converges(source, platform, live_server)
    assert anonymous_search(live_server)[victim]["title"] == "违反规则的版本"


def test_one_refused_entry_of_a_batch_is_undone_alone(source, platform, live_server):
    # Three changed entries, one batch of the run (run.BATCH), the middle one breaking a
    # catalog rule: CKAN's refusal rolls back the batch's transaction, the run redoes the
    # batch entry by entry; the refused entry is recorded alone, the others published.
    first = _open_code(platform, live_server)
    victim = _open_code(platform, live_server, skip={first})
    last = _open_code(platform, live_server, skip={first, victim})
    for code in (first, victim, last):
        platform.control("touch", resource_code=code, title=f"批次中的新版本 {code}")
    platform.control("mode", mode="invalid_entry", resource_code=victim)

    job, counts, objects = harvest(source)

    assert run.BATCH >= 3 and len(objects) == 3
    assert counts["refused"] == 1 and counts["updated"] == 2, counts
    assert "share_basis" in errors_of(objects[victim])
    assert objects[victim].state == "ERROR"
    public = anonymous_search(live_server)
    assert public[first]["title"] == f"批次中的新版本 {first}"
    assert public[last]["title"] == f"批次中的新版本 {last}"
    assert public[victim]["title"] != f"批次中的新版本 {victim}"
    # the refused entry's current object is still the one of its published version
    current = model.Session.query(HarvestObject).filter_by(guid=victim, current=True).one()
    assert current.harvest_job_id != job.id
    _converges(source, platform, live_server)
    assert anonymous_search(live_server)[victim]["title"] == f"批次中的新版本 {victim}"


def test_a_file_failing_its_checksum_is_not_published(source, platform, live_server):
    # An entry comes back at the source (withdrawn, then restored): its files are copied anew.
    code = _open_code(platform, live_server)
    platform.control("withdraw", resource_code=code)
    harvest(source)
    assert code not in anonymous_search(live_server)
    platform.control("restore", resource_code=code)
    platform.control("mode", mode="bad_checksum", resource_code=code)

    _, counts, objects = harvest(source)

    assert counts["error"] == 1
    assert "does not match its checksum" in errors_of(objects[code])
    assert code not in anonymous_search(live_server)
    assert model.Package.get(mapping.dataset_id(source.id, code)).state == "deleted"
    assert_public_surfaces(live_server, platform, source)   # the entry's files are not served
    _converges(source, platform, live_server)
    assert code in anonymous_search(live_server)


def _job_objects(job_id: str) -> dict[str, str]:
    model.Session.expire_all()
    return {o.guid: o.state for o in model.Session.query(HarvestObject).filter_by(
        harvest_job_id=job_id)}


def test_a_killed_job_leaves_nothing_half_published_and_the_next_completes_it(
        source, platform, live_server):
    # Enough changes for a job that takes a while: entries become open, others change.
    closed = [c for c, e in platform.catalog.entries.items()
              if e["state"] == "active" and e["open_attribute"] == "closed"][:6]
    for code in closed:
        platform.control("open_attribute", resource_code=code, value="open")
    touched = list(anonymous_search(live_server))[:14]
    for code in touched:
        platform.control("touch", resource_code=code, title=f"中断测试 {code}")
    platform.control("mode", mode="slow", seconds=0.3)
    before_jobs = {j.id for j in model.Session.query(HarvestJob)}
    process = subprocess.Popen(ckan_command("lngov", "harvest", source.name),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    job_id = None
    while time.monotonic() < deadline:
        model.Session.expire_all()
        job = model.Session.query(HarvestJob).filter(~HarvestJob.id.in_(before_jobs)).first()
        if job is not None:
            job_id = job.id
            states = _job_objects(job_id)
            if sum(s == "COMPLETE" for s in states.values()) >= 5:
                break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    states = _job_objects(job_id)
    assert 5 <= sum(s == "COMPLETE" for s in states.values()) < len(states)

    # Whatever the public sees is whole: every file of it downloadable and right.
    platform.control("mode", mode="none")
    run_jobs()  # each table screened (privacy.py) and loaded
    for code, found in anonymous_search(live_server).items():
        pkg = requests.get(live_server + "/api/3/action/package_show",
                           params={"id": found["id"]}, timeout=30).json()["result"]
        for resource in pkg["resources"]:
            if resource.get("url_type") == "upload":
                body = download(live_server, pkg, resource)
                assert body.status_code == 200, code
                assert sha256(body.content) == resource["hash"], code
    assert_public_surfaces(live_server, platform, source)

    # The next job closes the dead one and completes its work.
    job, counts, objects = harvest(source)
    dead = model.Session.query(HarvestJob).get(job_id)
    assert dead.status == "Finished"
    assert "Interrupted" in dead.gather_errors[0].message
    assert counts["error"] == counts["refused"] == 0
    public = anonymous_search(live_server)
    assert set(closed) <= set(public)
    assert all(public[c]["title"] == f"中断测试 {c}" for c in touched)
    _converges(source, platform, live_server)
