"""The exchange platform's credential is the server's: never stored with a harvest source,
never in an answer; sources of earlier versions move theirs out; the rest of a source's
config is for its managers."""
from __future__ import annotations

import json

import pytest
import requests
from ckanext.harvest.model import HarvestSource
from ckanext.harvest.tests.factories import HarvestSourceObj
from sqlalchemy import text

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov.harvest import credentials
from sample_platform.tests.conftest import LiveServer
from tests import catalog
from tests.harvesting import harvest

SECRET = "old-version-secret-token-5f2c"


@pytest.fixture(scope="module")
def dept(sysadmin_module):
    return catalog.department(title="辽宁省大数据管理局 credentials")


def test_a_config_holding_a_token_is_refused_naming_where_it_belongs(
        sysadmin_module, dept, app):
    response = app.post("/api/3/action/harvest_source_create", json={
        "name": "with-token", "title": "with token", "url": "http://127.0.0.1:9/",
        "source_type": "lngov_exchange", "owner_org": dept["id"],
        "config": json.dumps({"token": SECRET})},
        headers={"Authorization": sysadmin_module["token"]}, status=409)
    message = json.dumps(response.json["error"], ensure_ascii=False)
    assert "ckanext.lngov.harvest.token.<source name>" in message
    assert "LNGOV_HARVEST_TOKEN_" in message
    assert SECRET not in message


def test_a_source_without_a_configured_token_says_so_in_its_job(sysadmin_module, dept):
    platform = LiveServer(entries=5, seed=3).start()
    try:
        source = HarvestSourceObj(url=platform.url, name="no-token-source", config="{}",
                                  source_type="lngov_exchange", owner_org=dept["id"])
        job, counts, objects = harvest(source)
        assert not objects and counts["listing_errors"] == 1
        report = tk.get_action("harvest_job_report")({"ignore_auth": True}, {"id": job.id})
        assert "ckanext.lngov.harvest.token.no-token-source" in report["gather_errors"][0][
            "message"]
    finally:
        platform.stop()


def test_an_old_source_moves_its_token_out_of_every_record(sysadmin_module, dept, tmp_path,
                                                            live_server):
    source = HarvestSourceObj(url="http://127.0.0.1:9/old-version", name="old-version-source",
                              config=json.dumps({"timeout": 20}),
                              source_type="lngov_exchange", owner_org=dept["id"])
    # As an earlier version stored it: in the source, its dataset and its activity.
    stored = json.dumps({"token": SECRET, "timeout": 20})
    model.Session.execute(text("UPDATE harvest_source SET config = :c WHERE id = :id"),
                          {"c": stored, "id": source.id})
    model.Session.execute(text("UPDATE package SET extras = extras || "
                               "jsonb_build_object('config', CAST(:c AS text)) WHERE id = :id"),
                          {"c": stored, "id": source.id})
    for activity_id, data in model.Session.execute(text(
            "SELECT id, data FROM activity WHERE object_id = :id"), {"id": source.id}).all():
        data = json.loads(data)
        data["package"].update(config=stored, token=SECRET)   # as harvest's schema shows it
        model.Session.execute(text("UPDATE activity SET data = :d WHERE id = :id"),
                              {"d": json.dumps(data), "id": activity_id})
    model.Session.commit()
    assert model.Session.execute(text("SELECT count(*) FROM activity WHERE object_id = :id "
                                      "AND data LIKE :s"),
                                 {"id": source.id, "s": f"%{SECRET}%"}).scalar() >= 1
    ini = tmp_path / "ckan.ini"
    ini.write_text("[DEFAULT]\ndebug = false\n\n[app:main]\nuse = config:x.ini\n")
    try:
        assert credentials.move_out(str(ini)) == ["old-version-source"]
        assert f"ckanext.lngov.harvest.token.old-version-source = {SECRET}" in ini.read_text()
        assert credentials.token("old-version-source") == SECRET
        model.Session.expire_all()
        assert json.loads(HarvestSource.get(source.id).config) == {"timeout": 20}
        for table, column in (("harvest_source", "config"), ("package", "extras::text"),
                              ("activity", "data")):
            assert model.Session.execute(text(
                f"SELECT count(*) FROM {table} WHERE {column} LIKE :s"),
                {"s": f"%{SECRET}%"}).scalar() == 0, table
        assert credentials.move_out(str(ini)) == []   # idempotent
        for path in ("/api/3/action/harvest_source_show?id=old-version-source",
                     "/api/3/action/package_search?fq=dataset_type:harvest",
                     "/api/3/action/package_activity_list?id=old-version-source"):
            assert SECRET not in requests.get(live_server + path, timeout=30).text
    finally:
        tk.config.pop(credentials.option("old-version-source"), None)


@pytest.mark.parametrize("who", ["anonymous", "other department"])
def test_a_source_s_config_is_for_its_managers(sysadmin_module, dept, live_server, who):
    HarvestSourceObj(url="http://127.0.0.1:9/config-source", name="config-source",
                     config=json.dumps({"timeout": 17.5}), source_type="lngov_exchange",
                     owner_org=dept["id"]) if not model.Package.get("config-source") else None
    headers = {}
    if who == "other department":
        user = factories.UserWithToken()
        other = catalog.department()
        call_action("organization_member_create", {"user": sysadmin_module["name"]},
                    id=other["id"], username=user["name"], role="editor")
        headers = {"Authorization": user["token"]}
    for path in ("/api/3/action/harvest_source_show?id=config-source",
                 "/api/3/action/package_show?id=config-source",
                 "/api/3/action/harvest_source_list",
                 "/api/3/action/package_search?fq=dataset_type:harvest&rows=100"):
        body = requests.get(live_server + path, headers=headers, timeout=30).text
        assert "17.5" not in body, path
    admin = {"Authorization": sysadmin_module["token"]}
    shown = requests.get(live_server + "/api/3/action/harvest_source_show",
                         params={"id": "config-source"}, headers=admin, timeout=30).json()
    assert json.loads(shown.get("result", shown)["config"]) == {"timeout": 17.5}, shown
