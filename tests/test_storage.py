"""Resource files go through CKAN's uploader API (ckanext/lngov/storage.py): the harvester's
copies, their DataStore tables, downloads and withdrawal work the same on a file-keeper
storage (CKAN 2.12's `ckan.files.storage.*`, what an object store plugs into) as on the
classic `ckan.storage_path`."""
from __future__ import annotations

import io

import pytest
import requests

from ckan.lib import uploader

from ckanext.lngov import storage
from tests.commands import work_jobs
from tests.harvesting import (anonymous_search, assert_public_surfaces, download, harvest,
                              make_source, platform_fixture, sha256)

platform = platform_fixture(30, 31)


@pytest.fixture
def file_keeper(ckan_config, monkeypatch, tmp_path, reset_storages):
    """CKAN's default storage as a file-keeper filesystem storage under tmp_path; resources
    then live in its `resources` storage, as CKAN 2.12 derives it. A new version of a file
    replaces the old at the same location, so the storage allows overwriting
    (`overwrite_existing`, which CKAN's own re-uploads need too)."""
    with monkeypatch.context() as patch:
        patch.setitem(ckan_config, "ckan.files.storage.default.type", "ckan:fs")
        patch.setitem(ckan_config, "ckan.files.storage.default.path", str(tmp_path))
        patch.setitem(ckan_config, "ckan.files.storage.default.initialize", True)
        patch.setitem(ckan_config, "ckan.files.storage.default.overwrite_existing", True)
        reset_storages()
        yield tmp_path
    reset_storages()


@pytest.fixture(params=["classic", "file_keeper"])
def kind(request):
    if request.param == "file_keeper":
        request.getfixturevalue("file_keeper")
    return request.param


def test_a_file_stored_is_read_back_and_removed(kind):
    expected = {"classic": "ResourceUpload", "file_keeper": "FKResourceUpload"}[kind]
    assert type(uploader.get_resource_uploader({})).__name__ == expected
    rid = "5a1e0c4e-0000-4000-8000-00000000c0de"
    assert not storage.exists(rid)
    with pytest.raises(FileNotFoundError):
        with storage.opened(rid):
            pass
    storage.store(rid, io.BytesIO("地区,人口\n沈阳市,920\n".encode()), "table.csv")
    assert storage.exists(rid)
    with storage.opened(rid) as f:
        assert f.read().decode() == "地区,人口\n沈阳市,920\n"
    storage.store(rid, io.BytesIO(b"v2"), "table.csv")  # a new version replaces the old
    with storage.opened(rid) as f:
        assert f.read() == b"v2"
    storage.remove(rid)
    assert not storage.exists(rid)
    storage.remove(rid)  # removing what is gone is no error


def test_the_harvester_copies_serves_and_withdraws_through_a_file_keeper_storage(
        sysadmin_module, platform, file_keeper, live_server):
    source = make_source(platform, name="exchange-fk")
    _, counts, _ = harvest(source)
    assert counts["added"] > 0 and counts["error"] == 0
    stored = {p.name for p in (file_keeper / "resources").rglob("*") if p.is_file()}
    work_jobs()  # the tables, read from the file-keeper storage by the background job
    public = anonymous_search(live_server)
    checked = tabled = 0
    for code, found in public.items():
        pkg = requests.get(live_server + "/api/3/action/package_show",
                           params={"id": found["id"]}, timeout=30).json()["result"]
        for resource in pkg["resources"]:
            if resource.get("url_type") != "upload":
                continue
            assert resource["id"][6:] in stored  # in the file-keeper storage, nowhere else
            got = download(live_server, pkg, resource)
            assert got.status_code == 200 and sha256(got.content) == resource["hash"]
            checked += 1
            if resource.get("datastore_active"):
                rows = requests.get(live_server + "/api/3/action/datastore_search",
                                    params={"resource_id": resource["id"]}, timeout=30)
                assert rows.json()["result"]["total"] > 0
                tabled += 1
    assert checked > 0 and tabled > 0

    code = next(c for c in public if any(
        d["kind"] == "file" for d in platform.catalog.entries[c]["distributions"])
        and platform.catalog.entries[c]["open_attribute"] == "open")
    pkg = requests.get(live_server + "/api/3/action/package_show",
                       params={"id": public[code]["id"]}, timeout=30).json()["result"]
    resource = next(r for r in pkg["resources"] if r.get("url_type") == "upload")
    platform.control("withdraw", resource_code=code)
    _, counts, _ = harvest(source)
    assert counts["withdrawn"] == 1
    assert not storage.exists(resource["id"])
    assert not any(p.name == resource["id"][6:] for p in (file_keeper / "resources").rglob("*"))
    assert download(live_server, pkg, resource).status_code in (403, 404)
    assert code not in assert_public_surfaces(live_server, platform, source)
