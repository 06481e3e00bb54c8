"""The portal's pages over HTTP: home, search, the entry page, freshness (R1), statistics,
English names, sitemap and robots.txt, views and downloads. Public entries only, always."""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

import ckan.plugins.toolkit as tk
from ckan.tests.helpers import call_action

from ckanext.lngov.catalog import freshness
from tests import pages
from tests.commands import run_jobs


@pytest.fixture(scope="module")
def world(sysadmin_module):
    return pages.build(sysadmin_module)


def _anon_search(**params):
    return call_action("package_search", {"user": "", "ignore_auth": False}, **params)


# Freshness (R1)

@pytest.mark.parametrize("cycle, last, due", [
    ("realtime", "2024-03-01", "2024-03-04"), ("daily", "2024-03-01", "2024-03-04"),
    ("weekly", "2024-03-01", "2024-03-11"), ("monthly", "2024-01-31", "2024-03-07"),
    ("quarterly", "2024-01-01", "2024-04-16"), ("halfyearly", "2024-01-31", "2024-08-31"),
    ("yearly", "2023-06-30", "2024-08-30"), ("irregular", "2023-06-30", None)])
def test_due_dates_follow_the_update_cycle_and_its_grace(cycle, last, due):
    pkg = {"update_cycle": cycle, "release_date": last}
    assert freshness.due_date(pkg) == (dt.date.fromisoformat(due) if due else None)


def test_overdue_is_the_day_after_the_due_date():
    pkg = {"update_cycle": "weekly", "release_date": "2024-03-01"}
    assert not freshness.is_overdue(pkg, dt.date(2024, 3, 11))
    assert freshness.is_overdue(pkg, dt.date(2024, 3, 12))
    assert freshness.status({"update_cycle": "irregular", "release_date": "2020-01-01"}) is None


def test_the_freshness_facet_counts_against_now(world, app):
    result = app.get("/api/3/action/package_search",
                     params={"facet.field": json.dumps(["freshness", "organization"])}
                     ).json["result"]
    # pg-traffic (real time, 2024) is overdue; pg-population (monthly, 10 days ago) and
    # pg-freight (yearly, 30 days ago) are on time; pg-notices (irregular) is neither.
    assert result["facets"]["freshness"] == {"overdue": 1, "on_time": 2}
    labels = {i["name"]: i["display_name"] for i in result["search_facets"]["freshness"]["items"]}
    assert labels == {"overdue": "逾期未更新", "on_time": "按期更新"}
    overdue = _anon_search(fq='freshness:"overdue"')
    assert [d["name"] for d in overdue["results"]] == ["pg-traffic"]
    assert _anon_search(fq='freshness:"nonsense"')["count"] == 0


def test_the_index_holds_the_due_date_not_a_flag(world):
    found = call_action("package_search", fq="name:pg-traffic", fl="lngov_due_date")
    assert found["results"][0]["lngov_due_date"].startswith("2024-03-04")


def test_the_search_page_filters_by_freshness_and_file_format(world, app):
    body = app.get("/dataset/?freshness=overdue").body
    assert "辽宁省道路实时路况" in body and "辽宁省人口统计表" not in body
    assert "逾期未更新" in body and "更新及时性" in body
    body = app.get("/dataset/?vocab_file_formats=CSV").body
    assert "辽宁省人口统计表" in body and "辽宁省道路实时路况" not in body


# Search

def test_file_formats_come_from_the_files(world):
    result = _anon_search(**{"facet.field": json.dumps(["vocab_file_formats"])})
    assert result["facets"]["vocab_file_formats"] == {"CSV": 1, "API": 1, "XLSX": 1}


def test_results_show_open_attribute_department_cycle_and_last_update(world, app):
    body = app.get("/dataset/").body
    item = body[body.index("辽宁省货运企业名录") - 2000:body.index("辽宁省货运企业名录") + 3000]
    assert "有条件开放" in item and "辽宁省交通运输厅" in item and "每年" in item
    assert pages.days_ago(30) in item
    # A conditional entry's formats are not offered as downloads
    assert "lngov-format-locked" in item and "申请" in item
    assert not re.search(r'<a [^>]*data-format="xlsx"', item)
    open_item = body[body.index("辽宁省人口统计表"):body.index("辽宁省人口统计表") + 3000]
    assert re.search(r'<a [^>]*data-format="csv"', open_item)


@pytest.mark.parametrize("sort, first", [
    ("release_date desc, metadata_modified desc", "pg-population"),
    ("metadata_created desc", "pg-notices"),
    ("title_string asc", None)])
def test_search_orders(world, app, sort, first):
    result = _anon_search(sort=sort)
    names = [d["name"] for d in result["results"]]
    if first:
        assert names[0] == first
    else:
        titles = [d["title"] for d in result["results"]]
        assert titles == sorted(titles)
    assert app.get("/dataset/", params={"sort": sort}).status_code == 200


def test_facets_never_count_hidden_entries(world):
    fields = ["organization", "vocab_file_formats", "freshness", "open_attribute"]
    result = _anon_search(**{"facet.field": json.dumps(fields)})
    assert result["count"] == 4
    assert result["facets"]["organization"] == {"pg-gat": 2, "pg-jtt": 2}


# The entry page

def test_the_entry_page_has_a_summary_card(world, app):
    body = app.get("/dataset/pg-population").body
    card = body[body.index("lngov-summary"):body.index("lngov-actions")]
    for text in ("101001001/", "辽宁省公安厅", "人口管理处", "无条件开放", "每月",
                 pages.days_ago(10), 'data-lngov-freshness="on_time"', "CSV"):
        assert text in card, text
    assert "/dataset/pg-population.ttl" in body and "/dataset/pg-population.jsonld" in body
    assert re.search(r'class="btn btn-primary lngov-download" href="[^"]*/download', body)
    # the data items: one compact table
    table = body[body.index('class="table table-sm table-striped lngov-data-items"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 3 and "数值型" in table
    # department-only fields stay hidden
    assert "无条件共享" not in body and "工作参考" not in body


def test_an_overdue_entry_says_so(world, app):
    body = app.get("/dataset/pg-traffic").body
    assert 'data-lngov-freshness="overdue"' in body and "2024-03-04" in body


def test_a_conditional_entry_s_licence_and_notice_say_what_it_allows(world, app):
    body = app.get("/dataset/pg-freight").body
    assert 'data-lngov-licence="conditional"' in body
    assert 'data-lngov-licence="open"' not in body
    assert "不适用开放许可" in body or "没有开放许可" in body
    assert "经部门审核的企业可申请使用" in body
    assert "lngov-download" not in body


# English names

def test_english_pages_show_english_names(world, app):
    body = app.get("/en/dataset/").body
    assert "Liaoning population table" in body and "Resident population by district." in body
    assert "Liaoning Public Security Department" in body
    assert "辽宁省交通运输厅" in body          # no English name: the Chinese one
    found = call_action("package_search", **{"facet.field": '["organization"]'})
    departments = {i["name"]: i["display_name"]
                   for i in found["search_facets"]["organization"]["items"]}
    assert departments == {"pg-gat": "辽宁省公安厅", "pg-jtt": "辽宁省交通运输厅"}
    facet = BeautifulSoup(body, "html.parser").select(
        'nav[aria-label="Filter by: Departments"] .item-label')
    assert sorted(a.get_text(strip=True) for a in facet) == [
        "Liaoning Public Security Department", "辽宁省交通运输厅"]
    body = app.get("/en/dataset/pg-population").body
    assert "<title>Liaoning population table" in body
    assert "Liaoning Public Security Department" in body and "District" in body
    assert "<title>辽宁省人口统计表" in app.get("/dataset/pg-population").body


def test_department_pages_show_freshness_and_english_names(world, app):
    body = app.get("/organization/pg-jtt").body
    assert "更新及时性" in body and "1 个目录逾期未更新" in body
    assert "没有逾期未更新的目录" in app.get("/organization/pg-gat").body
    body = app.get("/en/organization/").body
    assert "Liaoning Public Security Department" in body
    body = app.get("/en/organization/pg-gat").body
    assert "<title>Liaoning Public Security Department" in body


# Home, statistics, sitemap

def test_home_replaces_ckan_s_placeholder(world, app):
    body = app.get("/").body
    assert "欢迎來到CKAN" not in body and "热门标签" not in body
    counts = body[body.index('class="lngov-counts"'):]
    counts = re.findall(r"<strong>(\d+)</strong>", counts[:counts.index("</ul>")])
    assert counts == ["4", "2", "2", "1", "0"]  # entries, departments, files, APIs, downloads
    for link in ('href="/developer"', 'href="/catalog.ttl"', 'href="/statistics"',
                 "vocab_base_theme_db=theme-07", "classification=1", "domain=transport"):
        assert link in body, link
    assert pages.HIDDEN_TITLE not in body and pages.DELETED_TITLE not in body


def test_statistics_count_public_entries_only(world, app):
    figures = app.get("/statistics.json").json
    assert figures["counts"]["entries"] == 4
    assert figures["overdue"] == 1
    by_dept = {d["name"]: d for d in figures["departments"]}
    assert set(by_dept) == {"pg-gat", "pg-jtt"}
    assert by_dept["pg-jtt"]["api"] == 50 and by_dept["pg-jtt"]["on_time"] == 50
    assert by_dept["pg-gat"]["machine_readable"] == 50
    body = app.get("/statistics").body
    assert 'data-lngov-chart="bar"' in body and "<th scope=\"row\">辽宁省公安厅</th>" in body
    assert pages.HIDDEN_TITLE not in body


def test_home_figures_follow_an_entry_made_private_and_public_again(world, app, sysadmin_module):
    """The public entries' listing behind the home page's figures is kept between views
    (stats.public_ids) until the next change: a change is seen by the very next view."""
    def figures():
        return app.get("/statistics.json").json["counts"]

    user = {"user": sysadmin_module["name"]}
    before = figures()
    call_action("package_patch", user, id="pg-traffic", private=True)
    try:
        hidden = figures()
        assert hidden["entries"] == before["entries"] - 1
        assert hidden["apis"] == before["apis"] - 1  # the traffic entry's API
    finally:
        call_action("package_patch", user, id="pg-traffic", private=False)
    assert figures() == before


def test_home_page_figures_follow_an_entry_made_private_and_public_again(
        world, app, sysadmin_module):
    """The home page's catalog figures (counts, entry points, newest) are kept per cache
    generation (serving/memory.py): the next view after a change shows it."""
    def home():
        body = app.get("/").body
        counts = body[body.index('class="lngov-counts"'):]
        return body, re.findall(r"<strong>(\d+)</strong>", counts[:counts.index("</ul>")])

    user = {"user": sysadmin_module["name"]}
    body, before = home()
    assert "辽宁省户政公告" in body and home()[1] == before
    call_action("package_patch", user, id="pg-notices", private=True)
    try:
        body, hidden = home()
        assert int(hidden[0]) == int(before[0]) - 1  # entries
        assert "辽宁省户政公告" not in body
    finally:
        call_action("package_patch", user, id="pg-notices", private=False)
    body, again = home()
    assert again == before and "辽宁省户政公告" in body


def test_an_anonymous_entry_follows_its_changes_at_once(world, app, sysadmin_module):
    """An anonymous visitor's package_show and package_search are kept per cache generation
    (serving/memory.py; package_show after the visitor's right to read the entry is checked on the
    database): a change, or the entry made private, is seen by the very next request, on
    the API and on the pages."""
    user = {"user": sysadmin_module["name"]}

    def shown(status=200):
        return app.get("/api/3/action/package_show", query_string={"id": "pg-notices"},
                       status=status).json

    before = shown()["result"]
    assert shown()["result"] == before
    assert json.dumps(before["notes"])[1:-1] in app.get("/dataset/pg-notices").body
    call_action("package_patch", user, id="pg-notices", notes="今年的户政公告汇编。")
    try:
        assert shown()["result"]["notes"] == "今年的户政公告汇编。"
        page = app.get("/dataset/pg-notices").body
        assert "今年的户政公告汇编。" in page
        # the schema.org data too (serving/memory.py, for anonymous visitors), where JSON escapes it
        assert json.dumps("今年的户政公告汇编。")[1:-1] in page
        # the search results' summaries too (markdown_extract, remembered by text)
        assert "今年的户政公告汇编。" in app.get("/dataset/", query_string={"q": "户政公告"}).body
        def searched(**headers):
            found = app.get("/api/3/action/package_search", headers=headers,
                            query_string={"q": "户政公告", "include_private": "true"})
            return [d["name"] for d in found.json["result"]["results"]]

        assert searched() == searched() == ["pg-notices"]
        call_action("package_patch", user, id="pg-notices", private=True)
        assert shown(404)["success"] is False
        # an anonymous search kept before the change is not answered again...
        assert searched() == []
        assert "辽宁省户政公告" not in app.get("/dataset/", query_string={"q": "户政公告"}).body
        # ...nor is it what a signed-in sysadmin gets
        assert searched(Authorization=sysadmin_module["token"]) == ["pg-notices"]
        app.get("/dataset/pg-notices", status=404)
        # while the sysadmin still reads it from the database
        assert app.get("/api/3/action/package_show", query_string={"id": "pg-notices"},
                       headers={"Authorization": sysadmin_module["token"]}
                       ).json["result"]["private"] is True
    finally:
        call_action("package_patch", user, id="pg-notices", private=False, notes=before["notes"])
    assert shown()["result"]["notes"] == before["notes"]


def test_an_entry_is_kept_apart_for_each_language(world, app):
    """The licence's name is given in the page's language: what a node keeps for an English
    page is not what a Chinese page shows."""
    for _ in range(2):
        english = app.get("/en/dataset/pg-population").body
        chinese = app.get("/dataset/pg-population").body
        assert "Creative Commons Attribution" in english
        assert "知识共享署名许可（CC BY）" in chinese
        assert "Creative Commons Attribution<" not in chinese


def test_kept_department_and_resource_pages_follow_changes(world, app, sysadmin_module):
    """Anonymous department, resource and search pages are kept whole per cache generation
    (serving/whole_pages.py): an edit, an entry made private and a file renamed are seen by
    the very next anonymous request; nothing a signed-in visitor sees is given to anyone
    else; each language is kept apart."""
    user = {"user": sysadmin_module["name"]}
    resource = f"/dataset/pg-population/resource/{world['resource']['id']}"
    signed_in = {"Authorization": sysadmin_module["token"]}

    def get(path, status=200, **headers):
        return app.get(path, headers=headers, status=status)

    search = "/dataset/?q=" + quote("户政公告")
    for path in ("/organization/pg-gat", "/en/organization/pg-gat", resource, search):
        first, again = get(path), get(path)
        assert "X-Lngov-Kept" not in first.headers or first.body == again.body
        assert again.headers.get("X-Lngov-Kept") == "1" and again.body == first.body
    assert "辽宁省户政公告" in get("/organization/pg-gat").body
    assert pages.HIDDEN_TITLE not in get("/organization/pg-gat").body
    # each language its own page
    assert "<title>Liaoning Public Security Department" in get("/en/organization/pg-gat").body
    assert "<title>辽宁省公安厅" in get("/organization/pg-gat").body
    # a signed-in visitor's page is drawn for them (the closed entry listed), never kept
    mine = get("/organization/pg-gat", **signed_in)
    assert "X-Lngov-Kept" not in mine.headers and pages.HIDDEN_TITLE in mine.body
    assert pages.HIDDEN_TITLE not in get("/organization/pg-gat").body
    try:
        call_action("package_patch", user, id="pg-notices", title="辽宁省户政公告汇编")
        page = get("/organization/pg-gat")
        assert "X-Lngov-Kept" not in page.headers and "辽宁省户政公告汇编" in page.body
        assert "辽宁省户政公告汇编" in get(search).body
        call_action("package_patch", user, id="pg-notices", private=True)
        get("/organization/pg-gat")
        assert "辽宁省户政公告" not in get("/organization/pg-gat").body
        get(search)
        assert "辽宁省户政公告" not in get(search).body
        assert "辽宁省户政公告" in get(search, **signed_in).body
        call_action("resource_patch", user, id=world["resource"]["id"], name="人口统计（新）")
        assert "人口统计（新）" in get(resource).body
        call_action("package_patch", user, id="pg-population", private=True)
        get(resource, status=404)
        assert "人口统计（新）" in get(resource, **signed_in).body
        get(resource, status=404)
        assert "辽宁省人口统计表" not in get("/organization/pg-gat").body
    finally:
        call_action("resource_patch", user, id=world["resource"]["id"], name="人口统计")
        call_action("package_patch", user, id="pg-population", private=False)
        call_action("package_patch", user, id="pg-notices", private=False, title="辽宁省户政公告")
        run_jobs()  # the renamed file screened again (privacy.py): then it is served again
    assert "人口统计（新）" not in get(resource).body
    body = get("/organization/pg-gat").body
    assert "辽宁省户政公告" in body and "辽宁省户政公告汇编" not in body


def test_a_department_s_follower_count_follows_a_follow(world, app):
    """The follower count a department page shows is kept per cache generation
    (logic/action.py group_follower_count): a follow renews the generation."""
    from ckan.tests import factories

    def count():
        return app.get("/api/3/action/organization_show",
                       query_string={"id": "pg-jtt"}).json["result"]["num_followers"]

    before = count()
    assert count() == before
    follower = factories.User()
    call_action("follow_group", {"user": follower["name"]}, id="pg-jtt")
    assert count() == before + 1
    call_action("unfollow_group", {"user": follower["name"]}, id="pg-jtt")
    assert count() == before


def test_sitemap_lists_public_entries_only(world, app):
    res = app.get("/sitemap.xml")
    assert res.headers["Content-Type"].startswith("application/xml")
    for name in world["public"]:
        assert f"/dataset/{name}<" in res.body
    for name in world["hidden"]:
        assert name not in res.body
    robots = app.get("/robots.txt").body
    assert "Sitemap: http://test.ckan.net/sitemap.xml" in robots


# Views and downloads

def test_views_and_real_downloads_are_counted(world, app):
    before = app.get("/statistics.json").json["counts"]["downloads"]
    app.get("/dataset/pg-population")
    res = app.get(f"/dataset/pg-population/resource/{world['resource']['id']}/download/"
                  "population.csv")
    assert res.status_code == 200 and res.data == pages.CSV
    figures = app.get("/statistics.json").json
    assert figures["counts"]["downloads"] == before + 1
    gat = next(d for d in figures["departments"] if d["name"] == "pg-gat")
    assert gat["downloads"] >= 1 and gat["views"] >= 1
    body = app.get("/").body
    popular = body[body.index("最多下载"):]
    assert "辽宁省人口统计表" in popular[:3000]


# Identity

LINKED_HOSTS = ("beian.miit.gov.cn", "opendefinition.org", "creativecommons.org",
                "opendatacommons.org")


def _outside(url: str) -> bool:
    return url.startswith(("http:", "https:", "//")) and not url.startswith(
        tk.config["ckan.site_url"])


PUBLIC_PAGES = ["/", "/dataset/", "/dataset/pg-population", "/organization/",
                "/organization/pg-gat", "/about", "/developer", "/statistics", "/user/login"]


@pytest.mark.ckan_config("ckanext.lngov.site.sponsor.zh", "测试主办单位")
@pytest.mark.ckan_config("ckanext.lngov.site.sponsor.en", "Test Sponsor Office")
@pytest.mark.ckan_config("ckanext.lngov.site.code", "2101234567")
@pytest.mark.ckan_config("ckanext.lngov.site.icp", "辽ICP备12345678号")
@pytest.mark.parametrize("prefix, sponsor", [("", "主办单位：测试主办单位"),
                                             ("/en", "Sponsor: Test Sponsor Office")])
def test_every_page_carries_the_portal_s_identity_and_nothing_third_party(
        world, app, prefix, sponsor):
    for path in PUBLIC_PAGES:
        html = BeautifulSoup(app.get(prefix + path).body, "html.parser")
        footer = html.select_one("footer").get_text(" ", strip=True)
        assert sponsor in footer and "2101234567" in footer and "辽ICP备12345678号" in footer
        assert html.select_one('header img[src$="/lngov/logo.svg"]'), path
        # Nothing loaded from outside the portal (no CDN, no Gravatar: blocked or slow in
        # China) and no link out but the ICP filing system and licence texts (no share links).
        loaded = [t["src"] for t in html.select("[src]")] + [
            t["href"] for t in html.select("link[href]") if "stylesheet" in t.get("rel", [])]
        assert not [u for u in loaded if _outside(u)], path
        linked = {t["href"] for t in html.select("a[href]") if _outside(t["href"])}
        assert all(any(host in u for host in LINKED_HOSTS) for u in linked), (path, linked)
        assert "ckan-logo" not in str(html.select_one("header")), path
