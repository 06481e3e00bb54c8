"""The Content-Security-Policy (security.py) in a real browser: the pages that people use run
no inline script that the policy would block, and the controls that CKAN and ckanext-scheming
wired with inline handlers or javascript: links still work. Playwright drives Debian's
chromium against the portal over real HTTP."""
from __future__ import annotations

import pytest

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import PASSWORD, open_page, screenshot

SCREENSHOTS = {"/dataset/new": "dataset-form", "/dataset/csp-entry/resource/new":
               "resource-form"}


@pytest.fixture(scope="module")
def editor(sysadmin_module):
    user = factories.User(password=PASSWORD, image_url="")   # no third-party avatar
    dept = catalog.department(name="csp-dept", title="辽宁省测试厅", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=user["name"], role="editor")
    pkg = catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="csp-entry"))
    return dict(user=user, dept=dept, pkg=pkg)


@pytest.fixture
def page(browser, editor):
    page = open_page(browser, editor["user"])
    yield page
    page.context.close()


def _violations(page) -> list[str]:
    return [p for p in page.evaluate("window.__problems") if p.startswith("CSP ")]


@pytest.mark.parametrize("path", ["/", "/dataset/", "/dataset/csp-entry",
                                  "/dataset/new", "/dataset/csp-entry/resource/new",
                                  "/organization/csp-dept", "/harvest", "/user/login"])
@pytest.mark.parametrize("lang", ["", "/en"])
def test_pages_break_no_rule_of_the_policy(page, path, lang):
    response = page.goto(lang + path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    assert response.headers["content-security-policy"]
    assert _violations(page) == [], "\n".join(_violations(page))
    if path in SCREENSHOTS:   # the forms whose templates the portal rewrote for the policy
        screenshot(page, f"{SCREENSHOTS[path]}-{'en' if lang else 'zh'}")


def test_the_multiple_text_field_adds_a_value_without_inline_script(page):
    page.goto("/en/dataset/new")
    page.wait_for_load_state("networkidle")
    fields = page.locator("fieldset[name=related_codes] input[name=related_codes]")
    before = fields.count()
    page.click("[data-lngov-multiple-add=related_codes]")
    assert fields.count() == before + 1
    assert _violations(page) == [], "\n".join(_violations(page))


def test_the_resource_url_field_s_buttons_work_without_inline_script(page):
    page.goto("/en/dataset/csp-entry/resource/new")
    page.wait_for_load_state("networkidle")
    page.click("#resource-link-button")
    assert page.is_checked("#resource-url-link")
    assert page.evaluate("document.activeElement.id") == "field-resource-url"
    page.fill("#field-resource-url", "http://example.com/data.csv")
    page.click(".select-type:has(#field-resource-url) .btn-remove-url")
    assert page.is_checked("#resource-url-none")
    assert page.input_value("#field-resource-url") == ""
    assert _violations(page) == [], "\n".join(_violations(page))
