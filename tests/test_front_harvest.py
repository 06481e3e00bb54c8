"""A harvest job behind the caching front: what it adds, updates and withdraws is what the
next anonymous request through the front gets, on every public surface (the harvest runs in
its own process in production, here in the tests' process: either way it commits, and the
commit renews the front's generation)."""
from __future__ import annotations

import time

import pytest
import requests

import ckan.plugins.toolkit as tk

from ckanext.lngov.harvest import mapping
from tests.harvesting import (anonymous_search, assert_public_surfaces, harvest, make_source,
                              platform_fixture)
from tests.test_front import front, node, warm  # noqa: F401 (the fixtures, and a helper)

platform = platform_fixture(30, 7)


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    source = make_source(platform)
    harvest(source)
    return source


def test_a_harvest_shows_through_the_front_on_the_next_anonymous_request(
        front, platform, source):  # noqa: F811
    public = anonymous_search(front)
    opened = [c for c, e in platform.catalog.entries.items()
              if c in public and e["open_attribute"] == "open"]
    edited, withdrawn = opened[:2]
    search = "/api/3/action/package_search?rows=1000&q=*:*"
    paths = [search, "/catalog.ttl", "/"] + [
        f"/dataset/{mapping.dataset_name(code)}" for code in (edited, withdrawn)] + [
        f"/api/3/action/package_show?id={mapping.dataset_name(code)}"
        for code in (edited, withdrawn)]
    # (the harvest renews the generation once more a moment after its writes: let it pass)
    time.sleep(tk.config.get("ckanext.lngov.cache.index_delay") + 1)
    for path in paths:
        warm(front, path)
    platform.control("touch", resource_code=edited, title="大连市港口货物吞吐量（采集更新）")
    platform.control("withdraw", resource_code=withdrawn)

    _, counts, _ = harvest(source)

    assert counts["updated"] == 1 and counts["withdrawn"] == 1
    now = requests.get(front + search, timeout=60)
    assert now.headers["X-Cache-Status"] != "HIT"
    found = {d["resource_code"]: d for d in now.json()["result"]["results"]}
    assert found[edited]["title"] == "大连市港口货物吞吐量（采集更新）"
    assert withdrawn not in found
    page = requests.get(front + f"/dataset/{mapping.dataset_name(edited)}", timeout=60)
    assert "大连市港口货物吞吐量（采集更新）" in page.text
    # Everything that is not eligible now is missing everywhere, through the front.
    assert withdrawn not in assert_public_surfaces(front, platform, source)
