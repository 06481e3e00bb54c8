"""Harvesting the sample exchange platform over real HTTP: what is published and how, what
never is, and how the job is reported. Real services, the real platform, no mocks."""
from __future__ import annotations

import json

import pytest
import requests

from ckan import model
from ckan.tests.helpers import call_action

from ckanext.lngov.harvest import mapping
from ckanext.lngov.harvest.exchange import ineligibility
from tests import catalog
from tests.commands import run_ckan, run_jobs
from tests.harvesting import (anonymous_search, assert_public_surfaces, download, errors_of,
                              harvest, make_source, platform_fixture, sha256, source_entries)

ANONYMOUS = {"user": "", "ignore_auth": False}


platform = platform_fixture(120, 7)


@pytest.fixture(scope="module")
def source(sysadmin_module, platform):
    return make_source(platform)


@pytest.fixture(scope="module")
def harvested(source):
    return harvest(source)


@pytest.fixture(scope="module")
def entries(platform, harvested):
    return source_entries(platform)


def test_only_openable_entries_are_published(entries, harvested, live_server, platform, source):
    eligible = {code for code, e in entries.items() if ineligibility(e) is None}
    assert 0 < len(eligible) < len(entries)
    kinds = {ineligibility(e) for e in entries.values()} - {None}
    assert {"not open (不予开放)", "classified (涉密)"} <= kinds
    assert any(k.startswith("open attribute missing or unknown") for k in kinds)
    public = call_action("package_search", ANONYMOUS, rows=1000)["results"]
    assert {d["resource_code"] for d in public} == eligible
    everything = call_action("package_search", include_private=True, rows=1000)["results"]
    assert {d["resource_code"] for d in everything} == eligible  # not even privately
    _, counts, objects = harvested
    assert not any(o.errors for o in objects.values())
    assert counts["added"] == len(eligible)
    assert counts["not_open"] == len(entries) - len(eligible)
    assert assert_public_surfaces(live_server, platform, source) == eligible


def test_ineligible_objects_keep_only_code_and_reason(harvested, live_server):
    _, _, objects = harvested
    ineligible = [o for o in objects.values() if "ineligible" in json.loads(o.content)]
    assert ineligible
    for obj in ineligible:
        assert set(json.loads(obj.content)) == {"resource_code", "ineligible"}
        assert obj.package_id is None
        # and the harvest records are not public at all
        response = requests.get(live_server + "/api/3/action/harvest_object_show",
                                params={"id": obj.id}, timeout=30)
        assert response.status_code == 403


def test_each_object_records_its_stages(harvested, sysadmin_module):
    """The harvest object is the record of what happened: gathered, fetched, imported, in
    that order, and how it ended (the one-shot runner commits each object twice, not five
    or six times, with the same record as ckanext-harvest's own stage runner)."""
    context = {"user": sysadmin_module["name"]}
    _, _, objects = harvested
    for obj in objects.values():
        shown = call_action("harvest_object_show", context, id=obj.id)
        assert shown["state"] == "COMPLETE", (obj.guid, shown)
        stamps = [shown[k] for k in ("gathered", "fetch_started", "fetch_finished",
                                     "import_started", "import_finished")]
        assert all(stamps) and stamps == sorted(stamps), (obj.guid, stamps)
        outcome = shown["extras"]["outcome"]
        if "ineligible" in json.loads(obj.content):
            assert (outcome, shown["report_status"]) == ("not_open", "not modified")
        else:
            assert (outcome, shown["report_status"]) == ("added", "added")
            assert shown["current"] and shown["package_id"] == obj.package_id


def test_each_published_entry_has_its_activity(harvested, sysadmin_module):
    """The activity of a harvested entry holds the entry as it was published (the import
    hands the write's own answer to the activity instead of reading the dataset again: the
    same as a fresh internal read, department-only fields left out)."""
    from ckanext.lngov import visibility

    context = {"user": sysadmin_module["name"]}
    _, _, objects = harvested
    published = [o for o in objects.values() if o.package_id and o.state == "COMPLETE"
                 and "ineligible" not in json.loads(o.content)]
    assert published
    compared = 0
    for obj in published:
        activities = call_action("package_activity_list", context, id=obj.package_id)
        assert [a["activity_type"] for a in activities][-1] == "new package", obj.guid
        first = activities[-1]
        assert first["user_id"] == model.User.get("exchange-harvest").id
        recorded = call_action("activity_data_show", context, id=first["id"],
                               object_type="package")
        if recorded["metadata_modified"] != call_action(
                "package_show", context, id=obj.package_id)["metadata_modified"]:
            continue   # changed since (a table job, a later test)
        shown = visibility.strip(call_action(
            "package_show", {"ignore_auth": True, "user": "", "for_view": False},
            id=obj.package_id))
        assert recorded == json.loads(json.dumps(shown)), obj.guid
        assert not set(visibility.department_only_fields()) & set(recorded)
        compared += 1
    assert compared


def test_every_field_is_mapped_and_the_department_matched(entries, harvested, sysadmin_module):
    context = {"user": sysadmin_module["name"]}
    open_entry = next(e for e in entries.values()
                      if e and ineligibility(e) is None and e["open_attribute"] == "open"
                      and e["share_type"] == "conditional")
    pkg = call_action("package_show", context, id=mapping.dataset_name(open_entry["resource_code"]))
    for field in mapping.FIELDS:
        expected = open_entry.get(field)
        if field == "secret":   # checked (涉密 is refused), never stored
            assert not pkg.get("secret")
            continue
        if expected in (None, "", []):
            assert pkg.get(field) in (None, "", []), field
        elif field == "data_items":
            assert [{k: v for k, v in i.items() if v not in (None, "")} for i in pkg[field]] == \
                [{k: v for k, v in i.items() if v not in (None, "")} for i in expected]
        else:
            assert pkg[field] == expected, field
    org = call_action("organization_show", context, id=pkg["owner_org"])
    assert org["credit_code"] == open_entry["provider"]["credit_code"]
    assert org["title"] == open_entry["provider"]["name"]
    # Departments are matched, not duplicated: one per credit code.
    credit_codes = {e["provider"]["credit_code"] for e in entries.values()
                    if e and ineligibility(e) is None}
    orgs = call_action("organization_list", all_fields=True, include_extras=True)
    assert {o.get("credit_code") for o in orgs} >= credit_codes
    assert len([o for o in orgs if o.get("credit_code") in credit_codes]) == len(credit_codes)


def test_open_files_are_copies_checked_against_the_platform(entries, harvested, live_server,
                                                            source):
    public = anonymous_search(live_server)
    # The harvest did not wait for the tables: they are pending, and the worker loads them.
    from ckanext.lngov.tables import status
    pending = [r.id for r in model.Session.query(model.Resource).filter(
        model.Resource.format == "CSV", model.Resource.state == "active")
        if r.package.extras.get("open_attribute") == "open"]
    assert pending and all(status.get(rid)["state"] == "pending" for rid in pending)
    run_jobs()
    checked = 0
    for code, entry in entries.items():
        if code not in public or entry["open_attribute"] != "open":
            continue
        pkg = requests.get(live_server + "/api/3/action/package_show",
                           params={"id": public[code]["id"]}, timeout=30).json()["result"]
        by_id = {r["id"]: r for r in pkg["resources"]}
        for distribution in entry["distributions"]:
            resource = by_id[mapping.resource_id(source.id, distribution["id"])]
            if distribution["kind"] != "file":
                assert resource["url"] == distribution["endpoint_url"]
                continue
            body = download(live_server, pkg, resource)
            assert body.status_code == 200
            assert sha256(body.content) == distribution["checksum"]["value"] == resource["hash"]
            assert len(body.content) == distribution["byte_size"] == resource["size"]
            assert resource["hash_algorithm"].endswith("checksumAlgorithm_sha256")
            if distribution["format"] == "CSV":
                table = requests.get(live_server + "/api/3/action/datastore_search",
                                     params={"resource_id": resource["id"]}, timeout=30).json()
                assert table["success"] and table["result"]["total"] > 0
                header = body.content.decode("utf-8-sig").splitlines()[0].split(",")
                assert [f["id"] for f in table["result"]["fields"]][1:] == header
            checked += 1
    assert checked > 10


def test_conditional_entries_are_public_metadata_without_files(entries, harvested, live_server,
                                                               sysadmin_module):
    public = anonymous_search(live_server)
    conditional = [c for c, e in entries.items() if c in public
                   and e["open_attribute"] == "conditional" and e["distributions"]]
    assert conditional
    for code in conditional:
        pkg = requests.get(live_server + "/api/3/action/package_show",
                           params={"id": public[code]["id"]}, timeout=30).json()["result"]
        assert pkg["resources"]
        for resource in pkg["resources"]:
            assert not resource.get("url") and resource.get("url_type") in (None, "")
            assert requests.get(f"{live_server}/dataset/{pkg['name']}/resource/{resource['id']}"
                                f"/download/x", timeout=30).status_code in (403, 404)
        page = requests.get(f"{live_server}/dataset/{pkg['name']}", timeout=30).text
        assert "lngov-conditional" in page and "申请" in page
        page_en = requests.get(f"{live_server}/en/dataset/{pkg['name']}", timeout=30).text
        assert "on application" in page_en


def test_a_hand_published_conditional_file_is_not_served_to_the_public(
        sysadmin_module, live_server, create_with_upload):
    org = catalog.department()
    pkg = catalog.create(sysadmin_module, **catalog.entry(
        org["id"], open_attribute="conditional", open_conditions="仅限科研用途",
        name="conditional-by-hand"))
    resource = create_with_upload("a,b\n1,2\n", "data.csv", package_id=pkg["id"],
                                  context={"user": sysadmin_module["name"]})
    path = f"{live_server}/dataset/{pkg['name']}/resource/{resource['id']}/download/data.csv"
    refused = requests.get(path, timeout=30)
    assert refused.status_code == 403 and "有条件开放" in refused.text
    allowed = requests.get(path, headers={"Authorization": sysadmin_module["token"]}, timeout=30)
    assert allowed.status_code == 200 and allowed.content == b"a,b\n1,2\n"
    # and its DataStore table, if it has one, the same
    call_action("datastore_create", {"user": sysadmin_module["name"]}, resource_id=resource["id"],
                force=True, fields=[{"id": "a"}, {"id": "b"}], records=[{"a": "1", "b": "2"}])
    search = f"{live_server}/api/3/action/datastore_search?resource_id={resource['id']}"
    assert requests.get(search, timeout=30).status_code == 403
    assert requests.get(search, headers={"Authorization": sysadmin_module["token"]},
                        timeout=30).json()["result"]["total"] == 1


def test_the_job_report_shows_the_counts(source, harvested, app, sysadmin_module):
    job = harvested[0]
    shown = call_action("harvest_job_show", {"user": sysadmin_module["name"]}, id=job.id)
    assert shown["outcomes"]["added"] == harvested[1]["added"]
    page = app.get(f"/harvest/{source.name}/job/{job.id}",
                   headers={"Authorization": sysadmin_module["token"]})
    assert page.status_code == 200
    added = harvested[1]["added"]
    assert f'<tr data-outcome="added"><th scope="row">新增</th><td>{added}</td>' in page.body
    # one set of counts: not CKAN's badges beside them, which count each refusal as an error
    assert 'data-diff="error"' not in page.body


def test_the_command_runs_a_job_with_progress_and_counts(source, harvested, platform):
    code = next(c for c, e in platform.catalog.entries.items() if e["state"] == "active"
                and platform.catalog.openable(e))
    platform.control("touch", resource_code=code, title="命令行更新的标题")
    result = run_ckan("lngov", "harvest", source.name)
    assert result.returncode == 0, result.stderr
    assert f"[1/1] {code} updated" in result.stdout
    assert "added 0, updated 1, unchanged 0, withdrawn 0, refused 0" in result.stdout
    missing = run_ckan("lngov", "harvest", "nope")
    assert missing.returncode != 0 and "no harvest source nope" in missing.stderr


def test_a_code_published_by_hand_is_neither_duplicated_nor_overwritten(
        sysadmin_module, platform, source, entries, harvested):
    code, entry = next((c, e) for c, e in entries.items()
                       if e and ineligibility(e) is None and c.startswith("3"))
    # The code is free again (its harvested dataset purged) and a department publishes it by hand.
    call_action("dataset_purge", {"user": sysadmin_module["name"]}, id=mapping.dataset_name(code))
    by_hand = catalog.create(sysadmin_module, **catalog.entry(
        catalog.department()["id"], resource_code=code, classification="3",
        base_theme_db=[], name="by-hand", title="手工发布的目录"))
    platform.control("touch", resource_code=code)
    _, counts, objects = harvest(source)
    assert counts["refused"] == 1
    errors = errors_of(objects[code])
    assert "by-hand" in errors and "手工发布的目录" in errors and entry["title"] in errors
    shown = call_action("package_show", {"user": sysadmin_module["name"]}, id=by_hand["id"])
    assert shown["title"] == "手工发布的目录"
    found = call_action("package_search", include_private=True, rows=1000,
                        fq=f'extras_resource_code:"{code}"')["results"]
    assert [d["name"] for d in found] == ["by-hand"]


def test_a_file_with_personal_information_is_held_back_and_named_in_the_job_report(
        sysadmin_module, platform, source, entries, harvested, live_server, app):
    from ckanext.lngov.tables import status

    code, entry, distribution = next(
        (c, e, d) for c, e in entries.items() if e and ineligibility(e) is None
        and e["open_attribute"] == "open" for d in e["distributions"]
        if d["kind"] == "file" and d["format"] == "CSV")
    # The platform's file gains a column holding a valid resident ID number in its 2nd row.
    filename, body = platform.catalog.file(distribution["id"])
    lines = body.decode("utf-8-sig").splitlines()
    lines = [lines[0] + ",联系人身份证", lines[1] + ",11010519491231002X",
             *(line + "," for line in lines[2:])]
    with platform.catalog.lock:
        platform.catalog._files[distribution["id"]] = (
            filename, ("\ufeff" + "\r\n".join(lines) + "\r\n").encode())
    platform.control("touch", resource_code=code)
    job, counts, objects = harvest(source)
    assert counts["updated"] == 1 and counts["error"] == 0
    run_jobs()   # the table job screens the file: quarantined
    rid = mapping.resource_id(source.id, distribution["id"])
    assert status.get(rid)["state"] == status.QUARANTINED
    # The entry is published; its file is not.
    name = mapping.dataset_name(code)
    pkg = requests.get(f"{live_server}/api/3/action/package_show", params={"id": name},
                       timeout=30).json()["result"]
    resource = next(r for r in pkg["resources"] if r["id"] == rid)
    assert download(live_server, pkg, resource).status_code == 403
    assert requests.get(f"{live_server}/datastore/dump/{rid}/xlsx", timeout=30).status_code == 404

    # The job's report names the entry, the file, the column and the row.
    admin = {"Authorization": sysadmin_module["token"]}
    report = requests.get(f"{live_server}/api/3/action/harvest_job_report",
                          params={"id": job.id}, headers=admin, timeout=30).json()["result"]
    [problem] = [p for p in report["object_errors"].values() if p["guid"] == code]
    [error] = problem["errors"]
    assert error["type"] == "Import"
    assert resource["url"].rsplit("/", 1)[-1] in error["message"]
    assert "联系人身份证" in error["message"] and "公民身份号码" in error["message"]
    assert "行 2" in error["message"] and "11010519491231002X" not in error["message"]
    shown = requests.get(f"{live_server}/api/3/action/harvest_job_show", params={"id": job.id},
                         headers=admin, timeout=30).json()["result"]
    assert shown["outcomes"]["updated"] == 1 and shown["outcomes"]["held_back"] == 1
    page = app.get(f"/harvest/{source.name}/job/{job.id}", headers=admin)
    assert page.status_code == 200
    assert '<tr data-outcome="held_back"><th scope="row">个人信息暂扣的文件</th><td>1</td>' \
        in page.body
    assert code in page.body and "联系人身份证" in page.body
    assert "11010519491231002X" not in page.body
    # Screened once: running the jobs again adds nothing to the report.
    run_jobs()
    again = requests.get(f"{live_server}/api/3/action/harvest_job_report",
                         params={"id": job.id}, headers=admin, timeout=30).json()["result"]
    assert again == report
