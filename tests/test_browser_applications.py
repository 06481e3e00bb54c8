"""The application journey in a real browser (R3): a member of the public applies from a
conditionally open entry's page, the department's editor finds it in the queue with its due
date, tries to refuse without a reason, approves it, and the applicant downloads the file,
which nobody else gets. In Chinese, with axe-core and without CSP or script problems."""
from __future__ import annotations

import io

import pytest
import requests
from werkzeug.datastructures import FileStorage

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import (PASSWORD, PHONE, open_page, problems, screenshot,
                           serious_axe_violations, sideways_scroll, visit)

CSV = "区县,企业数\n和平区,120\n".encode("utf-8")


@pytest.fixture(scope="module")
def world(sysadmin_module):
    editor = factories.User(password=PASSWORD, image_url="", email="editor@jtt.ln.gov.cn")
    applicant = factories.User(password=PASSWORD, image_url="", fullname="王小明",
                               email="wang@example.com")
    dept = catalog.department(name="apply-dept", title="辽宁省交通运输厅", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    pkg = catalog.create(sysadmin_module, **catalog.entry(
        dept["id"], name="apply-entry", title="辽宁省货运企业名录", open_attribute="conditional",
        open_conditions="经部门审核的企业可申请使用", format_category="file",
        format_types=["csv"]))
    resource = call_action("resource_create", {"user": sysadmin_module["name"]},
                           package_id=pkg["id"], name="企业名录", format="CSV", url="list.csv",
                           upload=FileStorage(io.BytesIO(CSV), "list.csv",
                                              content_type="text/csv"))
    return dict(editor=editor, applicant=applicant, dept=dept, pkg=pkg, resource=resource)


def test_apply_approve_download(browser, world, mailbox, live_server):
    # Anonymous visitors are asked to log in, and get no download button.
    page = visit(open_page(browser), "/dataset/apply-entry")
    assert page.locator("a.lngov-apply").inner_text().strip() == "登录后申请使用数据"
    assert page.locator("a.lngov-download").count() == 0
    page.context.close()

    # The applicant applies.
    page = visit(open_page(browser, world["applicant"]), "/dataset/apply-entry")
    page.click("a.lngov-apply")
    page.wait_for_load_state("networkidle")
    assert "/dataset/apply-entry/apply" in page.url
    assert problems(page) == [] and serious_axe_violations(page) == []
    screenshot(page, "application-form-zh")
    # nothing filled in: the form says what is missing
    page.click(".lngov-apply-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#error-purpose").is_visible()
    page.fill("#field-purpose", "物流行业运力研究，仅用于内部分析")
    page.check(f"#res-{world['resource']['id']}")
    page.click(".lngov-apply-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/applications/" in page.url
    assert page.locator(".lngov-app-state").get_attribute("data-state") == "pending"
    app_url = page.url
    visit(page, "/dataset/apply-entry")
    assert page.locator(".lngov-application-status").get_attribute("data-state") == "pending"
    assert page.locator("a.lngov-download").count() == 0
    assert problems(page) == []
    page.context.close()

    # The editor finds it in the department's queue, with its due date.
    page = visit(open_page(browser, world["editor"]), "/organization/apply-dept")
    page.click("a.lngov-queue-link")
    page.wait_for_load_state("networkidle")
    row = page.locator("table.lngov-queue tbody tr").first
    assert "辽宁省货运企业名录" in row.inner_text() and "王小明" in row.inner_text()
    assert row.locator(".lngov-due, .lngov-due-warning").count() == 1
    assert problems(page) == [] and serious_axe_violations(page) == []
    screenshot(page, "application-queue-zh")
    row.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == app_url
    assert problems(page) == [] and serious_axe_violations(page) == []
    screenshot(page, "application-answer-zh")
    # A refusal without a reason is refused.
    page.click("#refuse-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#error-reason_code").is_visible()
    assert page.locator(".lngov-app-state").get_attribute("data-state") == "pending"
    page.fill("#field-conditions", "不得向第三方提供")
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".lngov-app-state").get_attribute("data-state") == "approved"
    assert page.locator("#approve-form").count() == 0
    page.context.close()

    # The applicant downloads the file; on a phone the page still fits.
    page = visit(open_page(browser, world["applicant"], viewport=PHONE), "/dataset/apply-entry")
    assert page.locator(".lngov-application-status").get_attribute("data-state") == "approved"
    assert sideways_scroll(page) == 0
    with page.expect_download() as download:
        page.locator("a.lngov-download").first.click()
    with open(download.value.path(), "rb") as f:
        assert f.read() == CSV
    assert problems(page) == []
    page.context.close()

    # Nobody else: not anonymous, not another signed-in user.
    url = (f"{live_server}/dataset/apply-entry/resource/{world['resource']['id']}"
           "/download/list.csv")
    assert requests.get(url, timeout=30).status_code == 403
    other = factories.UserWithToken()
    assert requests.get(url, headers={"Authorization": other["token"]},
                        timeout=30).status_code == 403
    # Mails were sent at each step, to the applicant and the department.
    assert len(mailbox.to("wang@example.com")) == 2
    assert len(mailbox.to("editor@jtt.ln.gov.cn")) == 2
