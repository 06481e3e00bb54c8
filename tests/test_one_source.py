"""One data, one source (R2): a resource code belongs to one entry in the whole portal,
enforced by the database, reported with the entry that holds it."""
from __future__ import annotations

import concurrent.futures

import pytest
import requests
import sqlalchemy as sa

import ckan.logic as logic
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog

CODE = "101001001/000777"


@pytest.fixture
def sysadmin(clean_db, clean_index):
    return factories.SysadminWithToken()


def test_duplicate_names_the_holder(sysadmin):
    org = catalog.department()
    first = catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE,
                                                     title="辽宁省人口基础信息库"))
    with pytest.raises(logic.ValidationError) as raised:
        catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE))
    message = raised.value.error_dict["resource_code"][0]
    assert CODE in message and "辽宁省人口基础信息库" in message and first["name"] in message


@pytest.mark.parametrize("state", ["private", "draft", "deleted"])
def test_codes_of_private_draft_and_deleted_entries_stay_taken(sysadmin, state):
    org = catalog.department()
    fields = {"private": True} if state == "private" else {}
    if state == "draft":
        fields["state"] = "draft"
    first = catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE, **fields))
    if state == "deleted":
        call_action("package_delete", {"user": sysadmin["name"]}, id=first["id"])
    with pytest.raises(logic.ValidationError) as raised:
        catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE))
    assert "resource_code" in raised.value.error_dict


def test_another_departments_private_holder_is_not_revealed(sysadmin):
    hidden = catalog.department(title="辽宁省公安厅")
    catalog.create(sysadmin, **catalog.entry(hidden["id"], resource_code=CODE, private=True,
                                             title="不公开的户籍核查库"))
    editor = factories.User()
    mine = catalog.department()
    call_action("organization_member_create", {"user": sysadmin["name"]}, id=mine["id"],
                username=editor["name"], role="editor")
    with pytest.raises(logic.ValidationError) as raised:
        catalog.create(editor, **catalog.entry(mine["id"], resource_code=CODE))
    message = raised.value.error_dict["resource_code"][0]
    assert "辽宁省公安厅" in message
    assert "不公开的户籍核查库" not in message


def test_update_to_a_taken_code_is_refused_and_keeping_ones_own_is_not(sysadmin):
    org = catalog.department()
    catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE))
    other = catalog.create(sysadmin, **catalog.entry(org["id"]))
    with pytest.raises(logic.ValidationError):
        call_action("package_patch", {"user": sysadmin["name"]}, id=other["id"],
                    resource_code=CODE)
    kept = call_action("package_patch", {"user": sysadmin["name"]}, id=other["id"],
                       title="新名称")
    assert kept["resource_code"] == other["resource_code"]


def test_the_database_itself_refuses_a_second_holder(sysadmin):
    org = catalog.department()
    catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE))
    other = catalog.create(sysadmin, **catalog.entry(org["id"]))
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(sa.text(
            "UPDATE package SET extras = extras || jsonb_build_object('resource_code', :code) "
            "WHERE id = :id"), {"code": CODE, "id": other["id"]})
        model.Session.flush()
    model.Session.rollback()


def test_concurrent_creates_with_one_code_make_exactly_one_entry(sysadmin, live_server):
    org = catalog.department()
    payloads = [catalog.entry(org["id"], resource_code=CODE, name=f"twin-{i}")
                for i in range(8)]

    def post(payload):
        return requests.post(live_server + "/api/3/action/package_create", json=payload,
                             headers={"Authorization": sysadmin["token"]}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(post, payloads))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * 7, [r.text[:300] for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert "resource_code" in r.json()["error"]
    found = model.Session.execute(sa.text(
        "SELECT count(*) FROM package WHERE extras ->> 'resource_code' = :code"),
        {"code": CODE}).scalar()
    assert found == 1


def test_codes_are_looked_up_in_the_unique_index(sysadmin):
    """Who holds a code (each harvested entry asks twice) and which related codes are public
    (the DCAT dump, per chunk) are read from the unique index, not from every package: the
    queries carry the index's predicate, so PostgreSQL can use it at any catalog size."""
    from ckanext.lngov.catalog import uniqueness
    from ckanext.lngov.dcat import public

    org = catalog.department()
    entry = catalog.create(sysadmin, **catalog.entry(org["id"], resource_code=CODE))
    assert uniqueness.holder(CODE).id == entry["id"]
    assert public.public_ids_of_codes([CODE, "000/000"]) == {CODE: entry["id"]}
    query = model.Session.query(model.Package.id).filter(*uniqueness.holding([CODE]))
    sql = str(query.statement.compile(dialect=model.Session.bind.dialect,
                                      compile_kwargs={"literal_binds": True}))
    model.Session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in model.Session.execute(sa.text("EXPLAIN " + sql)))
    model.Session.rollback()
    assert uniqueness.INDEX in plan, plan
