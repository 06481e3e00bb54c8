"""Arbitrary values for every field of a catalog entry: package_create and package_update
answer with success or a validation error, never a server error, and a refused call
changes nothing in the database or the search index."""
from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import ckan.logic as logic
from ckan import model
from ckan.tests.helpers import call_action

from tests import catalog

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.sampled_from([float("inf"), float("nan"), -0.0, 1e308]),
    st.floats(allow_nan=True), st.text(max_size=40),
    st.sampled_from(["", " ", "1", "closed", "none", "conditional", "sheet", "2023-02-30",
                     "101001001/000001", "涉密", "[]", '["base-01"]', "x" * 300]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)

FIELDS = list(catalog.entry("org").keys()) + [
    "share_scope", "share_conditions", "share_basis", "open_conditions", "related_codes",
    "title_en", "notes_en", "secret", "private", "data_items"]

# One to four fields of a valid entry replaced by arbitrary values.
changes = st.dictionaries(st.sampled_from(sorted(set(FIELDS) - {"owner_org"})), values,
                          min_size=1, max_size=4)
item_changes = st.lists(st.dictionaries(
    st.sampled_from(["name", "name_en", "data_type", "length", "description"]), values,
    max_size=5), max_size=3)


@pytest.fixture(scope="module")
def setting(sysadmin_module):
    org = catalog.department()
    existing = catalog.create(sysadmin_module, **catalog.entry(org["id"], name="existing"))
    return sysadmin_module, org, existing


def _snapshot(pkg_id):
    db = model.Session.query(model.Package).count(), call_action(
        "package_show", {"user": ""}, id=pkg_id)["metadata_modified"]
    index = call_action("package_search", q="*:*", include_private=True, rows=1000)
    return db, sorted((d["id"], d["metadata_modified"]) for d in index["results"])


def _call(action, user, data):
    try:
        return call_action(action, {"user": user["name"]}, **data)
    except logic.ValidationError:
        model.Session.rollback()
        return None


settings.register_profile("catalog", max_examples=120, deadline=None, derandomize=True,
                          database=None,
                          suppress_health_check=list(HealthCheck))


@settings(settings.get_profile("catalog"))
@given(changes=changes, items=item_changes)
def test_create_answers_validation_error_or_success(setting, changes, items):
    sysadmin, org, existing = setting
    before = _snapshot(existing["id"])
    data = catalog.entry(org["id"], **changes)
    if items:
        data["data_items"] = items
    created = _call("package_create", sysadmin, data)
    if created is None:
        assert _snapshot(existing["id"]) == before
    else:
        call_action("package_delete", {"user": sysadmin["name"]}, id=created["id"])
        call_action("dataset_purge", {"user": sysadmin["name"]}, id=created["id"])


@settings(settings.get_profile("catalog"))
@given(changes=changes)
def test_update_answers_validation_error_or_success(setting, changes):
    sysadmin, org, existing = setting
    current = call_action("package_show", {"user": sysadmin["name"]}, id=existing["id"])
    before = _snapshot(existing["id"])
    data = dict(catalog.entry(org["id"], id=existing["id"], name="existing",
                              resource_code=existing["resource_code"]), **changes)
    data["id"] = existing["id"]
    updated = _call("package_update", sysadmin, data)
    if updated is None:
        assert _snapshot(existing["id"]) == before
    else:
        # Put it back for the next example.
        restore = {k: v for k, v in current.items() if k not in ("organization",)}
        call_action("package_update", {"user": sysadmin["name"]}, **restore)
