"""Keeping the portal equal to the platform's openable entries, job after job: the no-change
job writes nothing, a change updates in place, and whatever stops being eligible is withdrawn
from every public surface in the same job."""
from __future__ import annotations

import os

import pytest
import requests

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.lngov import storage
from tests.commands import run_jobs
from tests.harvesting import (anonymous_search, assert_public_surfaces, download, harvest,
                              make_source, platform_fixture)


platform = platform_fixture(80, 11)


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    source = make_source(platform)
    harvest(source)
    return source


def _open_with_file(platform, public, skip=()):
    return next(c for c, e in platform.catalog.entries.items()
                if c in public and c not in skip and e["open_attribute"] == "open"
                and any(d["kind"] == "file" for d in e["distributions"]))


def _solr_index_version() -> int:
    from ckan.lib.search.common import make_connection

    conn = make_connection()
    response = requests.get(conn.url + "/admin/luke", params={"show": "index", "wt": "json",
                                                              "numTerms": 0}, timeout=30)
    return response.json()["index"]["version"]


def _storage_snapshot() -> dict[str, float]:
    from ckan.lib.uploader import get_storage_path

    root = os.path.join(get_storage_path(), "resources")
    return {os.path.join(d, f): os.stat(os.path.join(d, f)).st_mtime_ns
            for d, _, names in os.walk(root) for f in names}


def test_a_job_when_nothing_changed_writes_nothing_and_lists_once(source, platform):
    activities = model.Session.execute(model.meta.metadata.tables["activity"].select()).fetchall()
    packages = {(p.id, p.metadata_modified) for p in model.Session.query(model.Package)}
    version, stored = _solr_index_version(), _storage_snapshot()
    requests.post(platform.url + "/_control/requests", timeout=10)   # reset the counters

    job, counts, objects = harvest(source)

    assert objects == {}
    assert counts["added"] == counts["updated"] == counts["withdrawn"] == counts["error"] == 0
    served = requests.get(platform.url + "/_control/requests", timeout=10).json()
    assert served == {"list_entries": 1}
    model.Session.expire_all()
    assert model.Session.execute(
        model.meta.metadata.tables["activity"].select()).fetchall() == activities
    assert {(p.id, p.metadata_modified) for p in model.Session.query(model.Package)} == packages
    assert _solr_index_version() == version
    assert _storage_snapshot() == stored


def test_a_changed_entry_is_updated_in_place(source, platform, live_server, sysadmin_module):
    public = anonymous_search(live_server)
    code = _open_with_file(platform, public)
    before = call_action("package_show", id=public[code]["id"])
    activity_before = call_action("package_activity_list", id=before["id"])
    requests.post(platform.url + "/_control/requests", timeout=10)
    platform.control("touch", resource_code=code, title="更新后的标题（测试）")

    _, counts, objects = harvest(source)

    assert set(objects) == {code} and counts["updated"] == 1
    after = call_action("package_show", id=before["id"])
    assert after["title"] == "更新后的标题（测试）" and after["name"] == before["name"]
    assert len(call_action("package_activity_list", id=before["id"])) == len(activity_before) + 1
    # the files did not change, so they were not copied again
    served = requests.get(platform.url + "/_control/requests", timeout=10).json()
    assert served == {"list_entries": 1, "get_entry": 1}
    assert anonymous_search(live_server)[code]["title"] == "更新后的标题（测试）"


@pytest.mark.parametrize("change", [
    ("withdraw", {}), ("delete", {}), ("open_attribute", {"value": "closed"}),
    ("open_attribute", {"value": "unknown"}), ("open_attribute", {"value": None})])
def test_what_stops_being_eligible_is_withdrawn_everywhere(change, source, platform,
                                                           live_server, sysadmin_module):
    public = anonymous_search(live_server)
    code = _open_with_file(platform, public)
    pkg = requests.get(live_server + "/api/3/action/package_show",
                       params={"id": public[code]["id"]}, timeout=30).json()["result"]
    resource = next(r for r in pkg["resources"] if r.get("url_type") == "upload")
    run_jobs()  # screened (privacy.py), then served
    assert download(live_server, pkg, resource).status_code == 200
    action, body = change
    platform.control(action, resource_code=code, **body)

    _, counts, objects = harvest(source)

    assert counts["withdrawn"] == 1 and set(objects) == {code}
    assert code not in assert_public_surfaces(live_server, platform, source)
    assert download(live_server, pkg, resource).status_code in (403, 404)
    assert not storage.exists(resource["id"])
    assert pkg["name"] not in requests.get(
        live_server + "/api/3/action/organization_activity_list",
        params={"id": pkg["owner_org"], "limit": 100}, timeout=30).text
    # the department's sysadmin still finds the record of it, withdrawn
    assert call_action("package_show", {"user": sysadmin_module["name"]},
                       id=pkg["id"])["state"] == "deleted"


def test_a_restored_entry_comes_back_as_the_same_dataset(source, platform, live_server):
    public = anonymous_search(live_server)
    code = _open_with_file(platform, public)
    pkg_id = public[code]["id"]
    platform.control("withdraw", resource_code=code)
    harvest(source)
    assert code not in anonymous_search(live_server)
    platform.control("restore", resource_code=code)

    _, counts, _ = harvest(source)

    assert counts["added"] == 1
    back = anonymous_search(live_server)[code]
    assert back["id"] == pkg_id
    pkg = requests.get(live_server + "/api/3/action/package_show", params={"id": pkg_id},
                       timeout=30).json()["result"]
    run_jobs()  # screened (privacy.py), then served
    for resource in pkg["resources"]:
        if resource.get("url_type") == "upload":
            assert download(live_server, pkg, resource).status_code == 200


def test_open_becoming_conditional_keeps_the_metadata_and_stops_the_files(
        source, platform, live_server):
    public = anonymous_search(live_server)
    code = _open_with_file(platform, public)
    pkg = requests.get(live_server + "/api/3/action/package_show",
                       params={"id": public[code]["id"]}, timeout=30).json()["result"]
    resource = next(r for r in pkg["resources"] if r.get("url_type") == "upload")
    platform.control("open_attribute", resource_code=code, value="conditional")

    _, counts, _ = harvest(source)

    assert counts["updated"] == 1
    assert anonymous_search(live_server)[code]["open_attribute"] == "conditional"
    assert download(live_server, pkg, resource).status_code in (403, 404)
    assert not storage.exists(resource["id"])
    table = requests.get(live_server + "/api/3/action/datastore_search",
                         params={"resource_id": resource["id"]}, timeout=30)
    assert table.status_code in (403, 404)
    assert_public_surfaces(live_server, platform, source)
