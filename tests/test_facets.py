"""Search facets of the catalog, labelled in the visitor's language, and catalog fields in
the search index."""
from __future__ import annotations

import json

import pytest

from ckan.tests.helpers import call_action

from tests import catalog


@pytest.fixture(scope="module")
def entries(sysadmin_module):
    police = catalog.department(name="ln-gat", title="辽宁省公安厅")
    transport = catalog.department(name="ln-jtt", title="辽宁省交通运输厅")
    made = [
        catalog.create(sysadmin_module, **catalog.entry(
            police["id"], name="population", resource_code="101001001/000001",
            provider_office="户政管理处")),
        catalog.create(sysadmin_module, **catalog.entry(
            transport["id"], name="roads", classification="2", base_theme_db=["theme-07"],
            resource_code="207001/000001", update_cycle="yearly", domain="transport",
            format_category="file", format_types=["csv"], data_items=[],
            open_attribute="conditional", open_conditions="企业申请")),
        catalog.create(sysadmin_module, **catalog.entry(
            transport["id"], name="dept-roads", classification="3", base_theme_db=[],
            resource_code="305012/000127", update_cycle="yearly", domain="transport")),
    ]
    return made


FACETS = {
    "classification": {"1": 1, "2": 1, "3": 1},
    "vocab_base_theme_db": {"base-01": 1, "theme-07": 1},
    "organization": {"ln-gat": 1, "ln-jtt": 2},
    "vocab_format_types": {"xlsx": 2, "et": 2, "csv": 1},
    "update_cycle": {"monthly": 1, "yearly": 2},
    "open_attribute": {"open": 2, "conditional": 1},
    "format_category": {"sheet": 2, "file": 1},
    "domain": {"social-security": 1, "transport": 2},
}


@pytest.mark.parametrize("field, counts", FACETS.items(), ids=FACETS.keys())
def test_facet_counts(entries, field, counts):
    result = call_action("package_search", {"user": "", "ignore_auth": False},
                         **{"facet.field": json.dumps([field])})
    assert result["facets"][field] == counts


def test_facet_filter(entries):
    result = call_action("package_search", fq='vocab_base_theme_db:"theme-07"')
    assert [d["name"] for d in result["results"]] == ["roads"]


@pytest.mark.parametrize("path, labels", [
    ("/dataset/", ["基础信息资源", "主题信息资源", "交通主题库", "每年", "有条件开放",
                   "信息资源分类"]),
    ("/en/dataset/", ["Base information resource", "Transport", "Yearly",
                      "Conditionally open", "Classification"]),
])
def test_facets_on_the_search_page_are_labelled(entries, app, path, labels):
    page = app.get(path).body
    for label in labels:
        assert label in page, label


@pytest.mark.parametrize("q, name", [
    ("101001001/000001", "population"),
    ("305012/000127", "dept-roads"),
    ("户政管理处", "population"),
])
def test_code_and_office_are_searchable(entries, q, name):
    assert [d["name"] for d in call_action("package_search", q=q)["results"]] == [name]
