"""The browser tests' harness (a pytest plugin, tests/conftest.py): Playwright for Python
driving Debian's chromium (its own browser download is not available here) against the live
server over real HTTP, pages that record every problem a visitor's browser would meet (CSP
violations, script errors, console errors, failed requests), axe-core from npm, screenshots
into docs/screenshots/."""
from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

import ckan.plugins.toolkit as tk

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT_DIR = os.path.join(ROOT, "docs", "screenshots")
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Collects the browser's CSP violation reports and uncaught errors before any page script runs.
WATCH = """
window.__problems = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__problems.push('CSP ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' '
                         + e.sourceFile + ':' + e.lineNumber));
window.addEventListener('error', e => window.__problems.push('error ' + e.message));
"""


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


def open_page(browser: Browser, user: dict | None = None, viewport: dict | None = None,
              **context_options) -> Page:
    """A page of a fresh context, logged in as `user` if given; page.problems lists what
    went wrong (failed requests and console errors as they come, see problems())."""
    context = browser.new_context(base_url=tk.config["ckan.site_url"],
                                  viewport=viewport or DESKTOP, **context_options)
    context.add_init_script(WATCH)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.text}")
            if m.type == "error" else None)
    page.on("requestfailed", lambda r: page.problems.append(f"failed {r.url}"))
    page.on("response", lambda r: page.problems.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    if user:
        page.goto("/en/user/login")
        page.fill("#field-login", user["name"])
        page.fill("#field-password", PASSWORD)
        page.click("form.form-horizontal button[type=submit], button.btn-primary[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "/user/login" not in page.url, "login failed"
    return page


def problems(page: Page) -> list[str]:
    """Everything that went wrong on the page so far (and forgets it)."""
    found = page.problems + page.evaluate("window.__problems || []")
    page.problems.clear()
    page.evaluate("window.__problems = []")
    return found


def visit(page: Page, path: str) -> Page:
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    return page


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page's current address, checked in
    a context of its own that bypasses the CSP only to inject axe (same cookies)."""
    context = page.context.browser.new_context(
        base_url=tk.config["ckan.site_url"], viewport=page.viewport_size, bypass_csp=True,
        storage_state=page.context.storage_state())
    try:
        checked = context.new_page()
        checked.goto(page.url)
        checked.wait_for_load_state("networkidle")
        checked.add_script_tag(path=AXE)
        violations = checked.evaluate("async () => (await axe.run()).violations")
    finally:
        context.close()
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:5])
            for v in violations if v["impact"] in ("serious", "critical")]


def sideways_scroll(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scroll)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def screenshot(page: Page, name: str) -> None:
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)
