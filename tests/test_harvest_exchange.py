"""Harvesting the sample exchange platform over real HTTP (first slice of issue 4): the
openable entries are published through the catalog's rules, nothing else is, and an entry
withdrawn at the source is withdrawn from the portal."""
from __future__ import annotations

import json

import pytest
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from ckan.tests.helpers import call_action

from ckanext.lngov.harvest.exchange import LngovExchangeHarvester, ineligibility
from harvesters.tests.conftest import TOKEN, LiveServer
from tests import catalog

ANONYMOUS = {"user": "", "ignore_auth": False}


@pytest.fixture(scope="module")
def platform():
    server = LiveServer(entries=90, seed=3).start()
    yield server
    server.stop()


def run_harvest(source):
    return run_harvest_job(HarvestJobObj(source=source, run=False), LngovExchangeHarvester())


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    admins = catalog.department(name="ln-dsjj", title="辽宁省大数据管理局")
    return HarvestSourceObj(url=platform.url, config=json.dumps({"token": TOKEN}),
                            source_type="lngov_exchange", owner_org=admins["id"])


@pytest.fixture(scope="module")
def harvested(source):
    return run_harvest(source)


def _source_entries(platform):
    return {code: platform.get("/api/v1/catalog/entries/" + code.replace("/", "%2F")).json()
            for code in platform.catalog.entries}


def test_only_openable_entries_are_published(platform, harvested):
    entries = _source_entries(platform)
    eligible = {code for code, e in entries.items() if ineligibility(e) is None}
    assert 0 < len(eligible) < len(entries)
    public = call_action("package_search", ANONYMOUS, rows=1000)["results"]
    assert {d["resource_code"] for d in public} == eligible
    everything = call_action("package_search", include_private=True, rows=1000)["results"]
    assert {d["resource_code"] for d in everything} == eligible  # not even privately
    errors = {guid: r["errors"] for guid, r in harvested.items() if r["errors"]}
    assert not errors


def test_ineligible_objects_keep_no_content(platform, harvested):
    from ckanext.harvest.model import HarvestObject

    for guid, result in harvested.items():
        obj = HarvestObject.get(result["obj_id"])
        content = json.loads(obj.content)
        if "ineligible" in content:
            assert set(content) == {"resource_code", "ineligible"}


def test_withdrawn_at_the_source_is_withdrawn(platform, source, harvested):
    public = call_action("package_search", ANONYMOUS, rows=1000)["results"]
    victim = public[0]["resource_code"]
    platform.control("withdraw", resource_code=victim)
    run_harvest(source)
    codes = {d["resource_code"] for d in call_action("package_search", ANONYMOUS,
                                                     rows=1000)["results"]}
    assert victim not in codes and len(codes) == len(public) - 1


def test_a_code_published_by_hand_is_neither_duplicated_nor_overwritten(
        sysadmin_module, platform, source, harvested):
    entries = _source_entries(platform)
    code, entry = next((c, e) for c, e in entries.items()
                       if ineligibility(e) is None and c.startswith("3"))
    # The code is free again (its harvested dataset purged) and a department publishes it by hand.
    call_action("dataset_purge", {"user": sysadmin_module["name"]},
                id="ex-" + code.replace("/", "-"))
    by_hand = catalog.create(sysadmin_module, **catalog.entry(
        catalog.department()["id"], resource_code=code, classification="3",
        base_theme_db=[], name="by-hand", title="手工发布的目录"))
    results = run_harvest(source)
    errors = " ".join(str(e) for e in results[code]["errors"])
    assert "by-hand" in errors and "手工发布的目录" in errors and entry["title"] in errors
    shown = call_action("package_show", {"user": sysadmin_module["name"]}, id=by_hand["id"])
    assert shown["title"] == "手工发布的目录"
    found = call_action("package_search", include_private=True, rows=1000,
                        fq=f'extras_resource_code:"{code}"')["results"]
    assert [d["name"] for d in found] == ["by-hand"]
