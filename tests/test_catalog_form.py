"""The same rules through the web form: a real POST of /dataset/new with its CSRF token.
A refused entry comes back with the field's error, the form keeps what was typed, and
nothing is written; an accepted one is created."""
from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from ckan import model
from ckan.tests import factories
from ckanext.scheming.helpers import scheming_get_dataset_schema

from tests import catalog
from tests.test_catalog_rules import ACCEPTED, REFUSED


def form_fields(entry: dict) -> list[tuple[str, str]]:
    """A catalog entry as the browser posts it (repeated keys, data_items-0-name, ...)."""
    out: list[tuple[str, str]] = []
    for key, value in entry.items():
        if key == "data_items":
            for i, item in enumerate(value):
                out += [(f"data_items-{i}-{k}", str(v)) for k, v in item.items()]
        elif isinstance(value, list):
            out += [(key, v) for v in value]
        else:
            out.append((key, str(value)))
    return out


def label(field: str) -> str:
    schema = scheming_get_dataset_schema("dataset")
    found = next(f for f in schema["dataset_fields"] if f["field_name"] == field)
    return found["label"]["zh_Hans_CN"]


@pytest.fixture
def editor(clean_db, clean_index):
    user = factories.UserWithToken()
    org = catalog.department()
    sysadmin = factories.Sysadmin()
    from ckan.tests.helpers import call_action
    call_action("organization_member_create", {"user": sysadmin["name"]}, id=org["id"],
                username=user["name"], role="editor")
    return user, org


def post_form(app, user, fields):
    headers = {"Authorization": user["token"]}
    page = app.get("/dataset/new", headers=headers).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    return app.post("/dataset/new", headers=headers, follow_redirects=False,
                    data=MultiDict(fields + [("_csrf_token", token), ("save", "continue")]))


@pytest.mark.parametrize("overrides", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_form_accepts(app, editor, overrides):
    user, org = editor
    entry = catalog.entry(org["id"], **overrides)
    res = post_form(app, user, form_fields(entry))
    assert res.status_code == 302, res.body[:2000]
    pkg = model.Package.by_name(entry["name"])
    assert pkg is not None and pkg.extras["resource_code"] == entry["resource_code"]
    assert pkg.private is (entry["open_attribute"] == "closed")


@pytest.mark.parametrize("field, overrides", REFUSED.values(), ids=REFUSED.keys())
def test_form_refuses(app, editor, field, overrides):
    user, org = editor
    entry = catalog.entry(org["id"], title="表单填写的名称", **overrides)
    res = post_form(app, user, form_fields(entry))
    assert res.status_code == 200
    body = res.body
    errors = re.search(r'class="error-explanation.*?</div>', body, re.S)
    assert errors, "no error summary"
    if field != "secret":  # the classified flag has no form field of its own
        assert label(field) in errors.group(0), errors.group(0)[:1000]
    assert 'value="表单填写的名称"' in body  # what was typed is kept
    assert model.Session.query(model.Package).count() == 0


@pytest.mark.parametrize("path, texts", [
    ("/dataset/new", ["信息资源代码", "信息资源分类", "基础信息资源", "不予开放",
                      "不予开放的信息资源仅本部门可见"]),
    ("/en/dataset/new", ["Resource code", "Classification", "Base information resource",
                         "Not open", "Closed resources stay private"]),
])
def test_form_is_labelled_in_the_visitors_language(app, editor, path, texts):
    user, _ = editor
    page = app.get(path, headers={"Authorization": user["token"]}).body
    for text in texts:
        assert text in page, text


@pytest.mark.parametrize("suffix, accepted", [("good", True), ("bad", False)])
def test_department_form_checks_the_credit_code(app, clean_db, suffix, accepted):
    user = factories.SysadminWithToken()
    headers = {"Authorization": user["token"]}
    good = catalog.credit_code(777)
    code = good if accepted else good[:17] + ("0" if good[17] != "0" else "1")
    page = app.get("/organization/new", headers=headers).body
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    res = app.post("/organization/new", headers=headers, follow_redirects=False, data={
        "_csrf_token": token, "name": "ln-test-dept", "title": "辽宁省测试厅",
        "credit_code": code, "save": ""})
    exists = model.Session.query(model.Group).filter_by(name="ln-test-dept").count() == 1
    assert exists is accepted
    if not accepted:
        assert res.status_code == 200 and "统一社会信用代码校验码不正确" in res.body
