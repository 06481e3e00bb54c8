"""Who sees what: closed (不予开放) entries only by their department, and the
department-only fields only by its members and sysadmins, on every surface."""
from __future__ import annotations

import pytest

import ckan.logic as logic
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog

DEPARTMENT_ONLY = ("share_type", "share_scope", "share_conditions", "share_basis",
                   "share_methods", "usage_purposes")
SECRET_BASIS = "《中华人民共和国保守国家秘密法》第九条"
SHARE_SCOPE = "仅限省公安厅户政部门"


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    police = catalog.department(name="ln-gat", title="辽宁省公安厅")
    other = catalog.department(name="ln-mz", title="辽宁省民政厅")
    member = factories.UserWithToken()
    outsider = factories.UserWithToken()
    call_action("organization_member_create", {"user": admin["name"]}, id=police["id"],
                username=member["name"], role="member")
    call_action("organization_member_create", {"user": admin["name"]}, id=other["id"],
                username=outsider["name"], role="editor")
    closed = catalog.create(admin, **catalog.entry(
        police["id"], name="closed-entry", title="户籍核查比对库", private=False,
        share_type="none", share_basis=SECRET_BASIS, open_attribute="closed"))
    public = catalog.create(admin, **catalog.entry(
        police["id"], name="public-entry", title="户籍人口统计",
        share_type="conditional", share_scope=SHARE_SCOPE, share_conditions="核验用途"))
    return dict(admin=admin, police=police, member=member, outsider=outsider,
                closed=closed, public=public)


def _viewer(world, who):
    return {"anonymous": None, "outsider": world["outsider"], "member": world["member"],
            "sysadmin": world["admin"]}[who]


def _context(user):
    # call_action skips auth unless told not to.
    return {"user": user["name"] if user else "", "ignore_auth": False}


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_closed_entry_is_invisible_to_the_public_and_other_departments(world, who, app):
    user = _viewer(world, who)
    # Answered as for an entry that does not exist (docs/security.md): no 403, no id.
    with pytest.raises(logic.NotFound):
        call_action("package_show", _context(user), id="closed-entry")
    result = call_action("package_search", _context(user), q="户籍",
                         include_private=True,
                         **{"facet.field": '["organization", "open_attribute"]'})
    assert [d["name"] for d in result["results"]] == ["public-entry"]
    assert result["facets"]["organization"] == {"ln-gat": 1}
    assert "closed" not in result["facets"].get("open_attribute", {})
    headers = {"Authorization": user["token"]} if user else {}
    assert app.get("/dataset/closed-entry", headers=headers, status=404)
    page = app.get("/dataset/", query_string={"q": "户籍"}, headers=headers).body
    assert "户籍核查比对库" not in page
    org_page = app.get("/organization/ln-gat", headers=headers).body
    assert "户籍核查比对库" not in org_page and "户籍人口统计" in org_page
    auto = app.get("/api/2/util/dataset/autocomplete", query_string={"incomplete": "户籍"},
                   headers=headers).json
    assert [d["name"] for d in auto["ResultSet"]["Result"]] == ["public-entry"]
    activity = call_action("package_activity_list", _context(user), id="public-entry")
    assert activity  # the public entry's stream is there...
    for act in call_action("organization_activity_list", _context(user), id="ln-gat"):
        assert act["object_id"] != world["closed"]["id"]  # ...the closed one's is not
    with pytest.raises(logic.NotFound):
        call_action("package_activity_list", _context(user), id="closed-entry")


@pytest.mark.parametrize("who", ["member", "sysadmin"])
def test_department_sees_its_closed_entry(world, who):
    user = _viewer(world, who)
    shown = call_action("package_show", _context(user), id="closed-entry")
    assert shown["private"] is True and shown["share_basis"] == SECRET_BASIS
    names = {d["name"] for d in call_action("package_search", _context(user), q="户籍",
                                             include_private=True)["results"]}
    assert names == {"closed-entry", "public-entry"}


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_department_only_fields_are_stripped_for_others(world, who, app):
    user = _viewer(world, who)
    shown = call_action("package_show", _context(user), id="public-entry")
    for field in DEPARTMENT_ONLY:
        assert field not in shown
    headers = {"Authorization": user["token"]} if user else {}
    api = app.get("/api/3/action/package_show", query_string={"id": "public-entry"},
                  headers=headers).json["result"]
    assert not set(DEPARTMENT_ONLY) & set(api)
    page = app.get("/dataset/public-entry", headers=headers).body
    assert SHARE_SCOPE not in page and "有条件共享" not in page
    assert "共享范围" not in page  # not even the empty row
    activity = call_action("package_activity_list", _context(user), id="public-entry")
    for act in activity:
        shown = (act.get("data") or {}).get("package") or {}
        assert not set(DEPARTMENT_ONLY) & set(shown), act


@pytest.mark.parametrize("who", ["member", "sysadmin"])
def test_department_only_fields_are_shown_to_the_department(world, who, app):
    user = _viewer(world, who)
    shown = call_action("package_show", _context(user), id="public-entry")
    assert shown["share_scope"] == SHARE_SCOPE and shown["share_type"] == "conditional"
    page = app.get("/dataset/public-entry", headers={"Authorization": user["token"]}).body
    assert SHARE_SCOPE in page


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "sysadmin"])
def test_search_never_returns_or_matches_department_only_fields(world, who):
    user = _viewer(world, who)
    results = call_action("package_search", _context(user), q="name:public-entry")["results"]
    assert results and not set(DEPARTMENT_ONLY) & set(results[0])
    assert call_action("package_search", _context(user), q="户政部门")["count"] == 0


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_files_of_a_private_entry_cannot_be_downloaded(world, who, app, create_with_upload):
    resource = create_with_upload(
        "姓名,出生日期\n张三,1990-01-01\n", "closed.csv", package_id=world["closed"]["id"],
        context={"user": world["admin"]["name"]}, name="核查数据")
    user = _viewer(world, who)
    headers = {"Authorization": user["token"]} if user else {}
    url = f"/dataset/closed-entry/resource/{resource['id']}/download/closed.csv"
    assert app.get(url, headers=headers).status_code == 404
    with pytest.raises(logic.NotFound):
        call_action("resource_show", _context(user), id=resource["id"])
    # the department itself can
    member = {"Authorization": world["member"]["token"]}
    assert app.get(url, headers=member).status_code == 200
