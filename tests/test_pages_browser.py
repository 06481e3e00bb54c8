"""The portal's pages in a real browser (Playwright driving Debian's chromium), in Chinese
and in English: a citizen's journey from the home page to a downloaded file, a developer
running the developer page's examples, the phone layout, accessibility (axe-core), and no
failed request or script error. Writes the screenshots of docs/screenshots/."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

import ckan.plugins.toolkit as tk

from tests import pages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
SCREENSHOT_DIR = os.path.join(ROOT, "docs", "screenshots")
LANGS = {"zh": "", "en": "/en"}
PAGES = {"home": "/", "search": "/dataset/", "dataset": "/dataset/pg-population",
         "developer": "/developer", "statistics": "/statistics"}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def world(sysadmin_module):
    return pages.build(sysadmin_module)


@pytest.fixture(scope="module")
def browser(live_server):
    site = urlparse(tk.config["ckan.site_url"]).hostname
    server = urlparse(live_server).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", f"--host-resolver-rules=MAP {site} {server}"])
        yield browser
        browser.close()


class Watched:
    """A page with its failed requests and console errors collected."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(base_url=tk.config["ckan.site_url"],
                                           accept_downloads=True, **options)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self._add(
            f"console: {m.text} ({m.location.get('url')})"))
        self.page.on("pageerror", lambda e: self._add(f"script error: {e}"))
        self.page.on("requestfailed", lambda r: self._add(f"failed: {r.url} {r.failure}"))
        self.page.on("response", lambda r: r.status >= 400 and self._add(
            f"HTTP {r.status}: {r.url}"))

    def _add(self, problem: str) -> None:
        self.problems.append(problem)

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response.status == 200, (path, response.status)
        self.page.wait_for_load_state("networkidle")
        return response


@pytest.fixture
def watched(browser):
    made: list[Watched] = []

    def make(**options) -> Watched:
        made.append(Watched(browser, **options))
        return made[-1]
    yield make
    for w in made:
        w.context.close()


# The elements reaching past the right edge of the screen, for the failure message.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 8).slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _no_sideways_scroll(page, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width, page.evaluate(WIDE))


def _shot(page, name: str) -> None:
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, name + ".png"), full_page=True)


@pytest.mark.parametrize("lang", LANGS)
def test_a_citizen_finds_an_entry_and_downloads_its_csv(world, watched, lang, tmp_path):
    w = watched()
    page, prefix = w.page, LANGS[lang]
    w.goto(prefix + "/")
    page.fill("#lngov-home-q", "人口")
    with page.expect_navigation():
        page.click(".lngov-home-search button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/dataset" in page.url and "q=" in page.url
    for facet in ("vocab_file_formats=CSV", "freshness=on_time"):
        page.click(f"a[href*='{facet}']")
        page.wait_for_load_state("networkidle")
        page.wait_for_url(f"**{facet}**")
    title = "Liaoning population table" if lang == "en" else "辽宁省人口统计表"
    results = page.locator(".dataset-list .dataset-item")
    assert results.count() == 1
    assert title in results.first.inner_text()
    with page.expect_navigation():
        results.first.locator(".dataset-heading a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().startswith(title)
    with page.expect_download() as download:
        page.click(".lngov-download[data-format=csv]")
    target = tmp_path / "file.csv"
    download.value.save_as(target)
    assert target.read_bytes() == pages.CSV
    assert w.problems == [], "\n".join(w.problems)


def _run(lang: str, code: str, site: str, live: str) -> str:
    code = code.replace(site, live)
    if lang == "shell":
        command = ["bash", "-c", code]
    elif lang == "python":
        command = [sys.executable, "-c", code]
    else:
        with tempfile.NamedTemporaryFile("w", suffix=".mjs", delete=False) as f:
            f.write(code)
        command = ["node", f.name]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (code, done.stderr)
    return done.stdout


@pytest.mark.parametrize("lang", LANGS)
def test_a_developer_runs_the_developer_page_s_examples(world, watched, live_server, lang):
    w = watched()
    w.goto(LANGS[lang] + "/developer")
    examples = w.page.eval_on_selector_all(
        "code[data-lngov-example]",
        "els => els.map(e => [e.dataset.lngovExample, e.dataset.lang, e.textContent])")
    site = tk.config["ckan.site_url"].rstrip("/")
    fresh, code = world["fresh"], world["fresh"]["resource_code"]
    expected = {   # what each example's output must show
        "search-curl": ['"success": true', '"pg-population"', '"freshness"'],
        "search-python": ["pg-population 辽宁省人口统计表 monthly", "辽宁省公安厅 1"],
        "show-curl": ['"success": true', code],
        "show-js": [f"{code} 辽宁省人口统计表 open", "CSV http"],
        "datastore-curl": ['"success": true', "和平区", "沈河区"],
        "datastore-python": ["total: 1", "'区县': '和平区'"],
        "sql-js": ["1 和平区", "2 沈河区"],
        "catalog-curl": ["dcat:Dataset", "hydra:"],
        "negotiation-curl": ["dcat:Dataset", "辽宁省人口统计表"],
        "dcat-python": [fresh["id"]],
    }
    assert sorted(e[0] for e in examples) == sorted(expected)
    assert all("Authorization" not in e[2] for e in examples)
    for name, lang_, text in examples:
        assert site in text, name   # the page fills in the portal's own address
        output = _run(lang_, text, site, live_server)
        for wanted in expected[name]:
            assert wanted in output, (name, wanted, output[:2000])
    assert w.problems == [], "\n".join(w.problems)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_pages_on_desktop_and_phone(world, watched, lang, name):
    path = LANGS[lang] + PAGES[name]
    desktop = watched(viewport={"width": 1280, "height": 900})
    desktop.goto(path)
    if name == "statistics":   # ECharts drew every chart from its table, under the CSP
        charts = desktop.page.locator("table[data-lngov-chart]").count()
        assert charts >= 8
        assert desktop.page.get_attribute("html", "data-lngov-charts") == str(charts)
    _shot(desktop.page, f"{name}-desktop-{lang}")
    phone = watched(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(path)
    _no_sideways_scroll(phone.page, path)
    if phone.page.locator(".wrapper > .secondary").count():
        # content first: the results or the entry before the facets and side boxes
        primary = phone.page.locator(".wrapper > .primary").bounding_box()
        secondary = phone.page.locator(".wrapper > .secondary").bounding_box()
        assert primary["y"] < secondary["y"], path
    _shot(phone.page, f"{name}-phone-{lang}")
    problems = desktop.problems + phone.problems
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", LANGS)
def test_no_serious_accessibility_violation(world, browser, lang, name):
    # bypass_csp only so that the test can inject axe-core; the pages themselves are
    # checked under the policy above.
    context = browser.new_context(base_url=tk.config["ckan.site_url"], bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(LANGS[lang] + PAGES[name])
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=AXE)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)
    finally:
        context.close()


def test_the_resource_page_does_not_scroll_sideways_on_a_phone(world, watched):
    phone = watched(viewport=PHONE, is_mobile=True)
    phone.goto(f"/dataset/pg-population/resource/{world['resource']['id']}")
    _no_sideways_scroll(phone.page, "resource page")
