"""The portal answers: web pages, the action API, and search over the real Solr."""
from __future__ import annotations

import requests

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog


def test_home_page_is_chinese_first(app):
    res = app.get("/")
    assert res.status_code == 200
    assert 'lang="zh' in res.body or "lang='zh" in res.body
    assert "辽宁省公共数据开放平台" in res.body


def test_english_pages(app):
    res = app.get("/en/dataset/")
    assert res.status_code == 200
    assert 'lang="en"' in res.body


def test_status_show_lists_the_portal_plugins(app):
    res = app.get("/api/3/action/status_show")
    assert res.status_code == 200
    result = res.json["result"]
    assert result["ckan_version"] == "2.12.0"
    for plugin in ("lngov", "scheming_datasets", "scheming_organizations", "dcat", "harvest",
                   "datastore", "activity"):
        assert plugin in result["extensions"]


def test_solr_is_a_real_solr_9_10_with_the_project_schema():
    from ckan.common import config
    from ckan.lib.search import check_solr_schema_version

    solr = config["solr_url"]
    info = requests.get(solr + "/admin/system", params={"wt": "json"}, timeout=10).json()
    assert info["lucene"]["solr-spec-version"].startswith("9.10.")
    # CKAN reads the schema over HTTP and accepts only ckan-2.12.
    assert check_solr_schema_version() is True
    fields = requests.get(solr + "/schema/fieldtypes/text", timeout=10).json()["fieldType"]
    index_chain = [f["class"] for f in fields["indexAnalyzer"]["filters"]]
    assert "solr.CJKBigramFilterFactory" in index_chain


def test_dataset_created_through_the_api_is_found_by_search(clean_db, clean_index):
    user = factories.Sysadmin()
    org = catalog.department()
    catalog.create(user, **catalog.entry(org["id"], name="ln-air-quality",
                                         title="辽宁省空气质量监测数据",
                                         notes="全省城市空气质量自动监测站小时数据"))
    result = call_action("package_search", q="空气质量")
    assert [d["name"] for d in result["results"]] == ["ln-air-quality"]
    assert call_action("package_search", q="水质")["count"] == 0


def test_search_over_real_http(live_server, clean_db, clean_index):
    user = factories.Sysadmin()
    org = catalog.department()
    catalog.create(user, **catalog.entry(org["id"], name="ln-population",
                                         title="辽宁省人口基础信息库",
                                         notes="全省户籍人口与常住人口的基础信息。"))
    res = requests.get(live_server + "/api/3/action/package_search", params={"q": "人口"},
                       timeout=30)
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True
    assert [d["name"] for d in body["result"]["results"]] == ["ln-population"]
    page = requests.get(live_server + "/dataset/", params={"q": "人口"}, timeout=30)
    assert page.status_code == 200
    assert "辽宁省人口基础信息库" in page.text


def test_the_committed_chinese_catalog_is_compiled_from_the_po():
    """The .mo ships in git (a plain `pip install` is Chinese too); it must say what the .po
    says, or the site would show old or missing translations."""
    import os

    from babel.messages import mofile, pofile

    import ckanext.lngov

    folder = os.path.join(os.path.dirname(ckanext.lngov.__file__), "i18n", "zh_Hans_CN",
                          "LC_MESSAGES")
    def as_key(value):   # plural entries: their ids and strings as tuples
        return value if isinstance(value, str) else tuple(value)

    def entries(messages):
        return {as_key(m.id): as_key(m.string) for m in messages
                if m.id and m.string and any(as_key(m.string))}

    with open(os.path.join(folder, "ckanext-lngov.po"), "rb") as f:
        po = entries(pofile.read_po(f))
    with open(os.path.join(folder, "ckanext-lngov.mo"), "rb") as f:
        mo = entries(mofile.read_mo(f))
    assert mo == po
