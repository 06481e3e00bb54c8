"""Helpers of the harvesting tests: running a job, and looking at the portal as the public
does, over real HTTP, after it."""
from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import quote

import pytest
import requests
from ckanext.harvest.tests.factories import HarvestSourceObj

from ckanext.lngov.harvest import credentials, mapping, run
from ckanext.lngov.harvest.exchange import ineligibility
from sample_platform.tests.conftest import TOKEN, LiveServer
from tests import catalog


def platform_fixture(entries: int, seed: int):
    """A test module's own exchange platform of `entries` entries (a live server), as the
    module's `platform` fixture: `platform = platform_fixture(80, 11)`."""
    @pytest.fixture(scope="module")
    def platform():
        server = LiveServer(entries=entries, seed=seed).start()
        yield server
        server.stop()
    return platform


def make_source(platform, name: str = "exchange", **config):
    """A harvest source of the platform; its token in the environment, as on a server
    (harvest/credentials.py), so forked workers and consumer processes have it too."""
    from types import SimpleNamespace

    os.environ[credentials.env_var(name)] = TOKEN
    admins = catalog.department(title="辽宁省大数据管理局")
    source = HarvestSourceObj(url=platform.url, name=name,
                              config=json.dumps(config),
                              source_type="lngov_exchange", owner_org=admins["id"])
    # A plain record: the tests' sessions come and go, the source's id stays.
    return SimpleNamespace(id=source.id, name=name, url=platform.url)


def harvest(source):
    """One job, as `ckan lngov harvest` runs it: (job, outcome counts, objects by code)."""
    from types import SimpleNamespace

    from ckan import model
    from ckanext.harvest.model import HarvestObject

    from ckanext.harvest.model import HarvestSource

    job, counts = run.run(HarvestSource.get(source.id))
    objects = {o.guid: SimpleNamespace(
        id=o.id, guid=o.guid, content=o.content, package_id=o.package_id, state=o.state,
        errors=[e.message for e in o.errors])
        for o in model.Session.query(HarvestObject).filter_by(harvest_job_id=job.id)}
    return SimpleNamespace(id=job.id, source_id=job.source_id), counts, objects


def errors_of(obj) -> str:
    return " | ".join(obj.errors)


def source_entries(platform) -> dict[str, dict | None]:
    """Every entry as the platform gives it now (None: deleted)."""
    out = {}
    for code in platform.catalog.entries:
        response = platform.get("/api/v1/catalog/entries/" + quote(code, safe=""))
        out[code] = response.json() if response.status_code == 200 else None
    return out


def eligible_codes(platform) -> set[str]:
    return {c for c, e in source_entries(platform).items() if e and ineligibility(e) is None}


def anonymous_search(url: str) -> dict[str, dict]:
    response = requests.get(url + "/api/3/action/package_search",
                            params={"rows": 1000, "q": "*:*"}, timeout=30)
    response.raise_for_status()
    return {d["resource_code"]: d for d in response.json()["result"]["results"]
            if d.get("resource_code")}


def assert_public_surfaces(url: str, platform, source) -> set[str]:
    """Nothing that is not eligible now is visible to the public: search, API, pages, DCAT,
    files, DataStore, activity, harvest records. Returns the codes the public sees."""
    eligible = eligible_codes(platform)
    seen = anonymous_search(url)
    assert set(seen) <= eligible, set(seen) - eligible
    catalog_ttl = requests.get(url + "/catalog.ttl", timeout=60).text
    org_activity = requests.get(url + "/api/3/action/recently_changed_packages_activity_list",
                                params={"limit": 100}, timeout=30).text
    for code, entry in platform.catalog.entries.items():
        if code in eligible:
            continue
        name = mapping.dataset_name(code)
        assert code not in catalog_ttl, code
        assert name not in org_activity, code
        for path in (f"/api/3/action/package_show?id={name}", f"/dataset/{name}",
                     f"/api/3/action/package_activity_list?id={name}"):
            assert requests.get(url + path, timeout=30).status_code == 404, (code, path)
        for distribution in entry["distributions"]:
            rid = mapping.resource_id(source.id, distribution["id"])
            for path in (f"/dataset/{name}/resource/{rid}/download/x.csv",
                         f"/api/3/action/resource_show?id={rid}",
                         f"/api/3/action/datastore_search?resource_id={rid}"):
                assert requests.get(url + path, timeout=30).status_code == 404, (code, path)
    objects = requests.get(url + "/api/3/action/harvest_object_list",
                           params={"source_id": source.id}, timeout=30)
    assert objects.status_code == 403
    return set(seen)


def download(url: str, pkg: dict, resource: dict) -> requests.Response:
    return requests.get(f"{url}/dataset/{pkg['name']}/resource/{resource['id']}/download/"
                        f"{resource['url'].rsplit('/', 1)[-1]}", timeout=30)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
