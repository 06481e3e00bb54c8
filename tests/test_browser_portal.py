"""The portal's journeys in a real browser, in Chinese and in English: an editor publishes a
catalog entry through the form (adding and removing data items) and edits it; one click
switches the language; a sysadmin starts a harvest from the web UI and sees its counts; the
pages of the portal's identity, forms and harvest administration run without a failed
request or a script error, pass axe-core without a serious or critical violation, and do not
scroll sideways on a phone."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import (PASSWORD, PHONE, open_page, problems, screenshot,
                           serious_axe_violations, sideways_scroll, visit)
from tests.harvesting import make_source, platform_fixture

CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")
LANGUAGES = {"zh": "", "en": "/en"}

platform = platform_fixture(24, 31)


@pytest.fixture(scope="module")
def world(sysadmin_module, platform):
    admin = factories.Sysadmin(password=PASSWORD, image_url="")
    editor = factories.User(password=PASSWORD, image_url="")
    dept = catalog.department(name="journey-dept", title="辽宁省测试厅",
                              title_en="Liaoning Test Department", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    pkg = catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="journey-entry"))
    source = make_source(platform, name="journey-exchange")
    # The consumers of the harvest queues, as `make run` starts them (after the source: they
    # inherit its token from the environment).
    consumers = subprocess.Popen(
        [CKAN, "-c", tk.config["__file__"], "lngov", "harvest-consumers", "--interval", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield dict(admin=admin, editor=editor, dept=dept, pkg=pkg, source=source)
    consumers.terminate()
    consumers.wait(timeout=30)


def _fill_entry(page, code: str) -> None:
    """The catalog fields of a valid, openly published spreadsheet entry."""
    page.fill("#field-resource_code", code)
    page.fill("#field-notes", "浏览器测试：全省测试数据的基础信息。")
    page.select_option("#field-classification", "1")
    page.check("#field-base_theme_db-base-01")
    page.fill("#field-provider_office", "数据管理处")
    page.select_option("#field-format_category", "sheet")
    page.select_option("#field-format_types", ["xlsx"])
    page.select_option("#field-update_cycle", "monthly")
    page.fill("#field-release_date", "2024-01-31")
    page.select_option("#field-share_type", "unconditional")
    page.check("#field-share_methods-download")
    page.check("#field-usage_purposes-reference")
    page.select_option("#field-open_attribute", "open")
    page.select_option("#field-domain", "social-security")
    page.fill("#field-contact_email", "data@test.ln.gov.cn")


def link_file_and_finish(page, name: str, url: str, title: str) -> None:
    """The form's stage two: a file by link, then finish (on the entry's page)."""
    page.click("#resource-link-button")
    page.fill("#field-resource-url", url)
    page.fill("#field-name", title)
    page.click("button[name=save][value=go-metadata]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/").endswith(f"/dataset/{name}"), page.url


ITEM_NAMES = """() => Array.from(document.querySelectorAll(
  'input[name^="data_items-"][name$="-name"]')).map(e => e.value)"""


def _data_items(page, expected: list[str] | None = None) -> list[str]:
    """The names of the data items the form will send; with `expected`, once they are those
    (scheming's remove empties the group after a short animation)."""
    deadline = time.monotonic() + 5
    while expected is not None and page.evaluate(ITEM_NAMES) != expected \
            and time.monotonic() < deadline:
        page.wait_for_timeout(100)    # (wait_for_function would eval, which the CSP refuses)
    return page.evaluate(ITEM_NAMES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_editor_publishes_and_edits_an_entry_through_the_form(browser, world, lang):
    prefix, name = LANGUAGES[lang], f"journey-form-{lang}"
    page = open_page(browser, world["editor"])
    visit(page, f"{prefix}/dataset/new")
    page.fill("#field-title", f"浏览器测试信息库（{lang}）")
    page.click(".slug-preview button")           # the URL's edit button: a script's
    page.fill("#field-name", name)
    _fill_entry(page, "101001001/0007" + ("01" if lang == "zh" else "02"))
    # Data items: the first is there; add two (the script's "add"), remove the middle one.
    page.fill("#field-data_items-0-name", "姓名")
    page.select_option("#field-data_items-0-data_type", "C")
    page.fill("#field-data_items-0-length", "50")
    add = page.locator("a[name=repeating-add]")
    add.click()
    add.click()
    page.fill("#field-data_items-1-name", "将被移除")
    page.select_option("#field-data_items-1-data_type", "D")
    page.fill("#field-data_items-2-name", "出生日期")
    page.select_option("#field-data_items-2-data_type", "D")
    assert _data_items(page) == ["姓名", "将被移除", "出生日期"]
    page.locator(".scheming-subfield-group").nth(1).locator(".btn-repeating-remove").click()
    assert _data_items(page, ["姓名", "出生日期"]) == ["姓名", "出生日期"]
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    assert f"/dataset/{name}/resource/new" in page.url, page.locator(
        ".error-explanation").all_inner_texts()
    link_file_and_finish(page, name, "http://example.com/journey.csv", "全省测试数据")
    entry = call_action("package_show", {"ignore_auth": True}, id=name)
    assert [i["name"] for i in entry["data_items"]] == ["姓名", "出生日期"]
    assert entry["owner_org"] == world["dept"]["id"]
    # Editing it: a new title, a data item less.
    visit(page, f"{prefix}/dataset/edit/{name}")
    assert _data_items(page) == ["姓名", "出生日期"]
    page.fill("#field-title", "浏览器测试信息库（已修改）")
    page.locator(".scheming-subfield-group").nth(1).locator(".btn-repeating-remove").click()
    _data_items(page, ["姓名"])
    page.click("button[name=save]")
    page.wait_for_load_state("networkidle")
    entry = call_action("package_show", {"ignore_auth": True}, id=name)
    assert entry["title"] == "浏览器测试信息库（已修改）"
    assert [i["name"] for i in entry["data_items"]] == ["姓名"]
    assert problems(page) == []
    if lang == "zh":
        visit(page, f"/dataset/edit/{name}")
        screenshot(page, "dataset-edit-zh")
    page.context.close()


def test_one_click_switches_the_language_and_back(browser, world):
    page = open_page(browser)
    visit(page, "/dataset/journey-entry")
    assert page.get_attribute("html", "lang") == "zh-Hans-CN"
    page.click(".lngov-languages a[lang=en]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/en/dataset/journey-entry")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator(".masthead .nav-link", has_text="Data catalog").count() == 1
    page.click(".lngov-languages a[lang=zh-Hans-CN]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/dataset/journey-entry") and "/en/" not in page.url
    assert page.locator(".masthead .nav-link", has_text="数据目录").count() == 1
    assert problems(page) == []
    page.context.close()


def _job_page_counts(page) -> dict[str, int]:
    return {row.get_attribute("data-outcome"): int(row.locator("td").inner_text())
            for row in page.locator("table.lngov-outcomes tr").all()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sysadmin_starts_a_harvest_from_the_web_ui_and_sees_its_counts(
        browser, world, platform, lang):
    prefix, source = LANGUAGES[lang], world["source"]
    # Something for the job to do, whichever language's test runs first: one entry changes.
    code = next(c for c, e in platform.catalog.entries.items() if e["state"] == "active"
                and platform.catalog.openable(e))
    platform.control("touch", resource_code=code, title=f"网页启动的采集（{lang}）")
    page = open_page(browser, world["admin"])
    visit(page, f"{prefix}/harvest/admin/{source.name}")
    page.click("a[href$='/harvest/refresh/%s']" % source.id)
    page.locator(".modal.show .btn-primary").click()   # CKAN's confirm-action dialog
    page.wait_for_load_state("networkidle")
    flash = page.locator(".flash-messages, .alert").first.inner_text()
    assert ("采集即将开始" if lang == "zh" else "Harvest will start shortly") in flash
    deadline = time.monotonic() + 240
    while True:
        visit(page, f"{prefix}/harvest/{source.name}/job/last")
        if page.locator("[data-status=Finished]").count():
            break
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(2)
    counts = _job_page_counts(page)
    job = call_action("harvest_job_list", {"ignore_auth": True}, source_id=source.id)[0]
    outcomes = call_action("harvest_job_show", {"ignore_auth": True}, id=job["id"])["outcomes"]
    assert counts == outcomes
    if counts["added"]:      # the source's first job: every entry, each with one outcome
        assert counts["added"] + counts["not_open"] == len(platform.catalog.entries)
    else:                    # a later one: only what changed
        assert counts["updated"] == 1
    assert counts["error"] == counts["refused"] == counts["listing_errors"] == 0
    heading = page.locator(".lngov-job h1").inner_text()
    assert heading == ("任务报告" if lang == "zh" else "Job Report")
    # Times in the site's zone, written by the server (not the browser's UTC).
    times = page.locator(".lngov-job-details time").all_inner_texts()
    assert len(times) == 3 and all(t.endswith("(GMT+08:00)") for t in times), times
    assert problems(page) == []
    screenshot(page, f"harvest-job-{lang}")
    page.context.close()


PAGES = ["/", "/dataset/", "/dataset/journey-entry", "/organization/",
         "/organization/journey-dept", "/about", "/user/login", "/dataset/new",
         "/harvest/", "/harvest/admin/journey-exchange", "/harvest/journey-exchange/job"]
SCREENSHOTS = {"/about": "about", "/user/login": "login", "/organization/": "departments"}


@pytest.mark.ckan_config("ckan.datasets_per_page", 1)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_search_page_s_facets_and_pager_pass_axe(browser, world, sysadmin_module, lang):
    # One entry a page, so that the pager shows its arrows (CKAN draws them as bare icons).
    if call_action("package_search", rows=0)["count"] < 2:
        catalog.create(sysadmin_module, **catalog.entry(world["dept"]["id"], name="journey-more"))
    page = open_page(browser)
    visit(page, LANGUAGES[lang] + "/dataset/")
    assert page.locator(".pagination a.page-link").count() >= 2
    assert page.locator(".nav-facet a").count() >= 1
    assert serious_axe_violations(page) == []
    assert problems(page) == []
    page.context.close()


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_work_pass_axe_and_fit_a_phone(browser, world, path, lang):
    user = world["admin"] if path.startswith(("/dataset/new", "/harvest")) else None
    for viewport in (None, PHONE):
        page = open_page(browser, user, viewport=viewport)
        visit(page, LANGUAGES[lang] + path)
        assert problems(page) == [], (path, viewport)
        assert serious_axe_violations(page) == [], (path, viewport)
        if viewport:
            assert sideways_scroll(page) == 0, path
        if path in SCREENSHOTS:
            screenshot(page, f"{SCREENSHOTS[path]}-{lang}{'-phone' if viewport else ''}")
        page.context.close()


def test_the_data_api_dialog_opens_as_a_dialog(browser, world, sysadmin_module):
    """CKAN's Data API button (a script's modal) on a file with DataStore rows."""
    res = call_action("resource_create", {"user": sysadmin_module["name"]},
                      package_id=world["pkg"]["id"], name="表格", url="http://example.com/t.csv",
                      format="CSV")
    call_action("datastore_create", {"user": sysadmin_module["name"]}, resource_id=res["id"],
                force=True, fields=[{"id": "a"}], records=[{"a": "1"}])
    for prefix in LANGUAGES.values():
        page = open_page(browser)
        visit(page, f"{prefix}/dataset/journey-entry/resource/{res['id']}")
        page.click("[data-module=api-info]")
        dialog = page.locator(".modal.show")
        dialog.wait_for()
        assert dialog.locator("code, pre").count() > 0
        assert page.url.endswith(res["id"])      # a dialog over the page, not a raw page
        assert problems(page) == []
        page.context.close()
