"""The Content-Security-Policy (security.py) in a real browser: the pages that people use run
no inline script that the policy would block, and the controls that CKAN and ckanext-scheming
wired with inline handlers or javascript: links still work. Playwright drives Debian's
chromium against the portal over real HTTP."""
from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "docs", "screenshots")
SCREENSHOTS = {"/dataset/new": "dataset-form", "/dataset/csp-entry/resource/new":
               "resource-form"}
PASSWORD = "correct-horse-battery"
# Collects the browser's CSP violation reports before any page script runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' +
                    e.sourceFile + ':' + e.lineNumber));
"""


@pytest.fixture(scope="module")
def editor(sysadmin_module):
    user = factories.User(password=PASSWORD, image_url="")   # no third-party avatar
    dept = catalog.department(name="csp-dept", title="辽宁省测试厅", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=user["name"], role="editor")
    pkg = catalog.create(sysadmin_module, **catalog.entry(dept["id"], name="csp-entry"))
    return dict(user=user, dept=dept, pkg=pkg)


@pytest.fixture(scope="module")
def browser(live_server):
    # The browser asks for the portal by its ckan.site_url, where CKAN's scripts call the API
    # (the same origin, as in production), and reaches the live server there.
    site = urlparse(tk.config["ckan.site_url"]).hostname
    server = urlparse(live_server).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", f"--host-resolver-rules=MAP {site} {server}"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, editor):
    context = browser.new_context(base_url=tk.config["ckan.site_url"])
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.goto("/en/user/login")
    page.fill("#field-login", editor["user"]["name"])
    page.fill("#field-password", PASSWORD)
    page.click("form.form-horizontal button[type=submit], button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")
    yield page
    context.close()


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp")


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
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        page.screenshot(path=os.path.join(
            SCREENSHOT_DIR, f"{SCREENSHOTS[path]}-{'en' if lang else 'zh'}.png"), full_page=True)


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
