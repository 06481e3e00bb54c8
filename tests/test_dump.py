"""The complete catalog dump: one static file per format, regenerated in the background after
each write (one job however many writes queue while none has started), a withdrawal's before
the table loads waiting, served with its modification time."""
from __future__ import annotations

import datetime
import email.utils
import os

import pytest
from rdflib.namespace import RDF

from ckan.lib import jobs
from ckan.tests.helpers import call_action
from ckanext.dcat.profiles import DCAT

from ckanext.lngov.dcat import dump
from ckanext.lngov.tables import status
from tests import catalog, rdf
from tests.commands import run_ckan, run_jobs
from tests.test_tables import csv_bytes, upload


@pytest.fixture(scope="module")
def entries(sysadmin_module):
    dept = catalog.department()
    made = [catalog.create(sysadmin_module, **catalog.entry(dept["id"])) for _ in range(7)]
    return sysadmin_module, made


@pytest.fixture
def no_jobs():
    rdf.clear_jobs()
    yield
    rdf.clear_jobs()


def _queued():
    return rdf.dump_jobs()


def test_writes_queue_one_regeneration(entries, no_jobs):
    admin, made = entries
    for n in range(20):
        call_action("package_patch", {"user": admin["name"]}, id=made[n % 7]["id"],
                    title=f"批量更新 {n}")
    assert len(_queued()) == 1
    assert rdf.run_jobs() == 1
    # A write after the job started queues the next one.
    call_action("package_patch", {"user": admin["name"]}, id=made[0]["id"], title="再次更新")
    assert len(_queued()) == 1


def test_dump_is_the_whole_catalog_in_each_format(entries, no_jobs, app):
    dump.generate()
    paged = rdf.get_graph(app, "/catalog.nt", "nt")
    expected = set(paged.subjects(RDF.type, DCAT.Dataset))
    assert len(expected) == 7
    shapes = set()
    for fmt in rdf.FORMATS:
        response = app.get(f"/catalog/dump.{fmt}")
        # a file is never served as XML (serving/files.py): RDF/XML goes as an attachment
        assert response.headers["Content-Type"].startswith(
            "application/octet-stream" if fmt == "rdf" else rdf.MEDIA[fmt])
        graph = rdf.parse(response.data, fmt)
        assert set(graph.subjects(RDF.type, DCAT.Dataset)) == expected
        assert set(graph.objects(None, DCAT.dataset)) == expected
        shapes.add(repr(sorted(rdf.shape_of(graph)[1].items())))
        mtime = os.path.getmtime(dump.path(fmt))
        assert email.utils.parsedate_to_datetime(
            response.headers["Last-Modified"]).timestamp() == int(mtime)
        again = app.get(f"/catalog/dump.{fmt}",
                        headers={"If-Modified-Since": response.headers["Last-Modified"]})
        assert again.status_code == 304
    assert len(shapes) == 1
    assert not rdf.severities(rdf.validate_dcat_ap(rdf.parse(
        app.get("/catalog/dump.ttl").data, "ttl")), "Violation")


def test_dump_follows_edits_by_one_job(entries, no_jobs, app):
    admin, made = entries
    dump.generate()
    call_action("package_patch", {"user": admin["name"]}, id=made[1]["id"],
                title="更新后的名称")
    assert "更新后的名称" in app.get(f"/dataset/{made[1]['name']}.ttl").body
    assert "更新后的名称" not in app.get("/catalog/dump.ttl").body  # until the job runs
    assert rdf.run_jobs() == 1
    assert "更新后的名称" in app.get("/catalog/dump.ttl").body


def test_missing_dump_is_scheduled_not_an_error(entries, no_jobs, app):
    for fmt in rdf.FORMATS:
        if dump.path(fmt).exists():
            dump.path(fmt).unlink()
    app.get("/catalog/dump.jsonld", status=503)
    assert len(_queued()) == 1
    rdf.run_jobs()
    assert app.get("/catalog/dump.jsonld").status_code == 200
    app.get("/catalog/dump.xyz", status=404)


def test_a_withdrawal_leaves_the_dump_before_the_table_loads_waiting(entries, no_jobs, app):
    """The portal's worker takes a withdrawal's dump before a harvest's queued table loads
    (worker.py): the first job the real worker runs removes the entry from the dump."""
    admin, made = entries
    dept = catalog.department()
    loads = [upload(admin, dept, csv_bytes())[1]["id"] for _ in range(3)]
    assert all(status.get(rid)["state"] == status.PENDING for rid in loads)
    rdf.run_jobs()   # the additions' dump, queued behind the loads
    withdrawn = made[3]
    assert withdrawn["name"] in app.get("/catalog/dump.ttl").body
    call_action("package_patch", {"user": admin["name"]}, id=withdrawn["id"], private=True)

    done = run_ckan("lngov", "worker", "--burst", "--max-jobs", "1")
    assert done.returncode == 0, done.stderr

    assert withdrawn["name"] not in app.get("/catalog/dump.ttl").body
    assert all(status.get(rid)["state"] == status.PENDING for rid in loads)
    run_jobs()   # and the loads follow
    assert all(status.get(rid)["state"] == status.LOADED for rid in loads)


def test_the_worker_runs_scheduled_jobs(entries, no_jobs, app):
    """The portal's worker runs rq's scheduler as `ckan jobs worker` does: jobs scheduled for
    later (CKAN's DataStore schedules its record counts and last_modified patches) run."""
    for fmt in rdf.FORMATS:
        if dump.path(fmt).exists():
            dump.path(fmt).unlink()
    jobs.get_queue().enqueue_in(datetime.timedelta(seconds=0), dump.run_job)

    done = run_ckan("lngov", "worker", "--burst")
    assert done.returncode == 0, done.stderr

    assert app.get("/catalog/dump.ttl").status_code == 200


def test_the_dump_reads_the_catalog_in_chunks_each_entry_once(entries):
    """Chunks follow one another by id (each after the last id of the one before), so every
    public entry comes exactly once whatever the chunk size."""
    from ckanext.lngov.dcat import catalog as dcat_catalog

    count, rows = dcat_catalog.search(0, 1000)
    public = {row["id"] for row in rows}
    assert count == len(public) > 3  # the module's entries (one withdrawn by a test above)
    for size in (1, 3, count - 1, count, 50):
        chunks = list(dcat_catalog.all_fragments(chunk_size=size))[1:]  # [0]: the record
        links = [line for chunk in chunks for text in chunk["nt"]
                 for line in text.splitlines() if str(DCAT.dataset) in line]
        assert len(links) == len(set(links)) == count, (size, links)
        assert {line.split("/dataset/")[-1].split(">")[0] for line in links} == public
