"""Every rule of the catalog (CATALOG-FIELDS.md, Rules 1-7) through the action API: an entry
that keeps it is accepted, one that breaks it is refused with an error on the field, and a
refused call writes nothing."""
from __future__ import annotations

import datetime

import pytest

import ckan.logic as logic
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog

TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()

ACCEPTED = {
    "open entry": {},
    "conditional sharing with scope and conditions": dict(
        share_type="conditional", share_scope="省直部门", share_conditions="用于户籍核验"),
    "not shared, with basis, closed": dict(
        share_type="none", share_basis="《中华人民共和国个人信息保护法》第二十八条",
        open_attribute="closed"),
    "conditionally open with conditions": dict(
        open_attribute="conditional", open_conditions="企业凭统一社会信用代码申请"),
    "theme resource": dict(classification="2", base_theme_db=["theme-07"],
                           resource_code="207001/000001"),
    "department resource without databases": dict(
        classification="3", base_theme_db=[], resource_code="305012/000127"),
    "sub-category digits in the code": dict(resource_code="10100100102/000009"),
    "released today": dict(release_date=TODAY.isoformat()),
    "files": dict(format_category="file", format_types=["csv", "json"], data_items=[]),
    "self-describing": dict(format_category="self", format_types=["json"], data_items=[]),
    "related codes": dict(related_codes=["101001001/000001", "207001/000001"]),
    "length optional for dates": dict(data_items=[{"name": "日期", "data_type": "D"}]),
}

REFUSED = {
    # Rule 1
    "not shared without basis": ("share_basis", dict(share_type="none", open_attribute="closed")),
    "conditional sharing without scope": ("share_scope", dict(
        share_type="conditional", share_conditions="用于核验")),
    "conditional sharing without conditions": ("share_conditions", dict(
        share_type="conditional", share_scope="省直部门")),
    # Rule 2
    "conditionally open without conditions": ("open_conditions", dict(
        open_attribute="conditional")),
    # Rule 4
    "not shared but open": ("open_attribute", dict(
        share_type="none", share_basis="《保守国家秘密法》")),
    # Rule 5: codes
    "unknown classification": ("classification", dict(classification="4")),
    "unknown update cycle": ("update_cycle", dict(update_cycle="hourly")),
    "unknown share method": ("share_methods", dict(share_methods=["fax"])),
    "unknown open attribute": ("open_attribute", dict(open_attribute="public")),
    "unknown domain": ("domain", dict(domain="sports")),
    "share methods missing": ("share_methods", dict(share_methods=[])),
    # Rule 5: dates
    "not a real date": ("release_date", dict(release_date="2023-02-30")),
    "date in the future": ("release_date", dict(
        release_date=(TODAY + datetime.timedelta(days=1)).isoformat())),
    "date not CCYY-MM-DD": ("release_date", dict(release_date="2023/06/30")),
    # Rule 5: formats and data items
    "format type of another category": ("format_types", dict(format_types=["pdf"])),
    "spreadsheet without data items": ("format_category", dict(data_items=[])),
    "duplicate data item names": ("data_items", dict(data_items=[
        {"name": "姓名", "data_type": "C", "length": 10},
        {"name": "姓名", "data_type": "C", "length": 20}])),
    "character item without length": ("data_items", dict(data_items=[
        {"name": "姓名", "data_type": "C"}])),
    "unknown data type": ("data_items", dict(data_items=[
        {"name": "姓名", "data_type": "X", "length": 5}])),
    "length not a number": ("data_items", dict(data_items=[
        {"name": "姓名", "data_type": "C", "length": "长"}])),
    # Rule 6: the resource code
    "malformed code": ("resource_code", dict(resource_code="ABC/1")),
    "sequence not 6 digits": ("resource_code", dict(resource_code="101001001/0001")),
    "code of another classification": ("resource_code", dict(resource_code="201001001/000001")),
    "item names no database": ("resource_code", dict(resource_code="109001001/000001")),
    "code's database not chosen": ("resource_code", dict(resource_code="102001001/000001")),
    "base resource without databases": ("base_theme_db", dict(base_theme_db=[])),
    "database of another class": ("base_theme_db", dict(base_theme_db=["base-01", "theme-01"])),
    "malformed related code": ("related_codes", dict(related_codes=["101/1"])),
    # Rule 7
    "classified": ("secret", dict(secret="涉密")),
    # other required fields
    "no provider office": ("provider_office", dict(provider_office="")),
    "bad email": ("contact_email", dict(contact_email="not-an-email")),
    "bad phone": ("contact_phone", dict(contact_phone="call me")),
    "unknown licence": ("license_id", dict(license_id="my-own-licence")),
}


@pytest.fixture
def sysadmin(clean_db, clean_index):
    return factories.Sysadmin()


@pytest.fixture
def org():
    return catalog.department()


@pytest.mark.parametrize("overrides", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted(sysadmin, org, overrides):
    created = catalog.create(sysadmin, **catalog.entry(org["id"], **overrides))
    shown = call_action("package_show", {"user": sysadmin["name"]}, id=created["id"])
    for field, value in overrides.items():
        if field == "data_items":
            continue
        assert shown[field] == value, field


@pytest.mark.parametrize("field, overrides", REFUSED.values(), ids=REFUSED.keys())
def test_refused_on_create(sysadmin, org, field, overrides):
    with pytest.raises(logic.ValidationError) as raised:
        catalog.create(sysadmin, **catalog.entry(org["id"], **overrides))
    assert field in raised.value.error_dict, raised.value.error_dict
    assert model.Session.query(model.Package).count() == 0
    assert call_action("package_search", include_private=True)["count"] == 0


@pytest.mark.parametrize("field, overrides", REFUSED.values(), ids=REFUSED.keys())
def test_refused_on_update_changes_nothing(sysadmin, org, field, overrides):
    created = catalog.create(sysadmin, **catalog.entry(org["id"]))
    with pytest.raises(logic.ValidationError) as raised:
        call_action("package_update", {"user": sysadmin["name"]},
                    **catalog.entry(org["id"], **{"id": created["id"], "name": created["name"],
                                                 "resource_code": created["resource_code"],
                                                 **overrides}))
    assert field in raised.value.error_dict, raised.value.error_dict
    after = call_action("package_show", id=created["id"])
    assert after["metadata_modified"] == created["metadata_modified"]
    indexed = call_action("package_search", q=f'name:"{created["name"]}"')["results"][0]
    assert indexed["metadata_modified"] == created["metadata_modified"]


def test_classified_field_is_never_stored(sysadmin, org):
    created = catalog.create(sysadmin, **catalog.entry(org["id"], secret="非涉密"))
    assert not call_action("package_show", id=created["id"]).get("secret")


@pytest.mark.parametrize("user_kind", ["sysadmin", "editor"])
def test_closed_entry_is_private_whatever_the_request(sysadmin, org, user_kind):
    user = sysadmin if user_kind == "sysadmin" else factories.User()
    if user_kind == "editor":
        call_action("organization_member_create", {"user": sysadmin["name"]}, id=org["id"],
                    username=user["name"], role="editor")
    closed = dict(share_type="none", share_basis="《中华人民共和国保守国家秘密法》",
                  open_attribute="closed")
    created = catalog.create(user, **catalog.entry(org["id"], private=False, **closed))
    assert created["private"] is True
    # Editing it public again, through package_patch, is overruled.
    patched = call_action("package_patch", {"user": user["name"]}, id=created["id"],
                          private=False)
    assert patched["private"] is True
    # An open entry edited to closed becomes private.
    opened = catalog.create(user, **catalog.entry(org["id"]))
    assert opened["private"] is False
    patched = call_action("package_patch", {"user": user["name"]}, id=opened["id"], **closed)
    assert patched["private"] is True


def test_closed_entries_cannot_be_bulk_published(sysadmin, org):
    closed = catalog.create(sysadmin, **catalog.entry(
        org["id"], share_type="none", share_basis="《保守国家秘密法》", open_attribute="closed"))
    with pytest.raises(logic.ValidationError) as raised:
        call_action("bulk_update_public", {"user": sysadmin["name"]},
                    datasets=[closed["id"]], org_id=org["id"])
    assert closed["name"] in raised.value.error_dict["datasets"][0]
    assert call_action("package_show", {"user": sysadmin["name"]},
                       id=closed["id"])["private"] is True


def test_department_credit_code_check_character(sysadmin):
    good = catalog.credit_code(4242)
    assert catalog.department(credit_code=good)["credit_code"] == good
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(logic.ValidationError) as raised:
        catalog.department(credit_code=bad)
    assert "credit_code" in raised.value.error_dict
    with pytest.raises(logic.ValidationError) as raised:
        catalog.department(credit_code="12345")
    assert "credit_code" in raised.value.error_dict


def _post(app, path, token, data):
    return app.post(path, json=data, headers={"Authorization": token}, status=409)


def test_refusal_over_http_in_chinese_by_default_and_english_on_request(app, clean_db):
    user = factories.SysadminWithToken()
    org = catalog.department()
    bad = catalog.entry(org["id"], share_type="none", open_attribute="closed")
    zh = _post(app, "/api/3/action/package_create", user["token"], bad).json
    assert zh["success"] is False
    assert zh["error"]["__type"] == "Validation Error"
    assert "不予共享依据" in zh["error"]["share_basis"][0]
    en = _post(app, "/en/api/3/action/package_create", user["token"], bad).json
    assert en["error"]["share_basis"][0].startswith("Required for a resource that is not shared")
    assert model.Session.query(model.Package).count() == 0


def test_one_department_per_credit_code(sysadmin):
    code = catalog.credit_code(5151)
    catalog.department(credit_code=code, title="辽宁省公安厅")
    with pytest.raises(logic.ValidationError) as raised:
        catalog.department(credit_code=code)
    assert "辽宁省公安厅" in raised.value.error_dict["credit_code"][0]
