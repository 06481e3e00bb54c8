"""The demo catalog `make run` loads: realistic, complete, accepted by every rule, each public
entry with a real file, and loading it twice changes nothing."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.lngov.catalog import codes
from ckanext.lngov.demo import load
from ckanext.lngov.tables import status
from tests.commands import run_jobs

SYSADMIN = {"ignore_auth": True}


@pytest.fixture(scope="module")
def loaded(sysadmin_module):
    first = load.load(say=lambda _: None)
    everything = call_action("package_search", {"user": sysadmin_module["name"]},
                             include_private=True, rows=1000)["results"]
    return sysadmin_module, first, {d["name"]: d for d in everything}


def test_everything_loaded(loaded):
    _, counts, found = loaded
    assert counts["entries created"] == len(load.entries()) >= 60
    assert set(found) == {e["name"] for e in load.entries()}
    departments = {d["owner_org"] for d in found.values()}
    assert len(departments) >= 8


def test_coverage_of_the_codes(loaded):
    _, _, found = loaded
    full = [call_action("package_show", {"user": loaded[0]["name"]}, id=name)
            for name in found]
    assert {e["classification"] for e in full} == set(codes.values("classification"))
    assert {db for e in full for db in e["base_theme_db"]} == set(codes.values("base_theme_db"))
    assert {e["share_type"] for e in full} == set(codes.values("share_type"))
    assert {m for e in full for m in e["share_methods"]} == set(codes.values("share_methods"))
    assert {e["open_attribute"] for e in full} == {"open", "conditional", "closed"}
    for e in full:
        assert e["private"] is (e["open_attribute"] == "closed"), e["name"]


def test_public_entries_have_real_files(loaded, app):
    sysadmin, _, found = loaded
    public = [d for d in found.values() if not d["private"]]
    assert public
    run_jobs()  # each table screened (privacy.py) and loaded
    for pkg in public:
        full = call_action("package_show", {"user": sysadmin["name"]}, id=pkg["id"])
        assert full["resources"], pkg["name"]
        resource = full["resources"][0]
        assert resource["url_type"] == "upload"
        path = "/dataset/{}/resource/{}/download/{}".format(
            pkg["name"], resource["id"], resource["url"].rsplit("/", 1)[-1])
        anonymous = app.get(path)
        if full["open_attribute"] == "conditional":   # on application only
            assert anonymous.status_code == 403, pkg["name"]
        else:
            # held back only if screening found something (tables/status.py says what)
            assert anonymous.status_code == 200, (pkg["name"], status.get(resource["id"]))
        body = app.get(path, headers={"Authorization": sysadmin["token"]}).data
        columns = [item["name"] for item in full["data_items"]]
        if resource["format"].upper() == "CSV":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(body)).active
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
        assert rows[0] == columns, pkg["name"]
        assert len(rows) > 5


def test_loading_twice_changes_nothing(loaded):
    _, _, found = loaded
    before = {(p.name, p.metadata_modified) for p in model.Session.query(model.Package)}
    again = load.load(say=lambda _: None)
    assert again["entries created"] == 0 and again["departments created"] == 0
    after = {(p.name, p.metadata_modified) for p in model.Session.query(model.Package)}
    assert after == before


def test_the_demo_s_first_harvest_reports_no_conflict(loaded):
    """make run: the hand-published demo, then a harvest of the sample platform started
    --without-demo-entries. The job ends clean: no one-data-one-source conflict with the
    hand-published entries (with them the platform gave 60), no error."""
    from sample_platform.tests.conftest import LiveServer
    from tests.harvesting import harvest, make_source

    platform = LiveServer(entries=120, seed=0, demo_entries=False).start()
    try:
        _job, counts, _objects = harvest(make_source(platform, name="demo-exchange"))
    finally:
        platform.stop()
    assert counts["refused"] == counts["error"] == counts["listing_errors"] == 0, counts
    assert counts["added"] > 0
    codes = {e["resource_code"] for e in load.entries()}
    assert not codes & set(platform.catalog.entries)
