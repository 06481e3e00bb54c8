"""Every page's scripts in a real browser: a sweep of every registered GET page route (the
rules test_sweep.py enumerates), in Chinese and English, as an anonymous visitor and as a
department editor, with the real identifiers of a public entry with a table preview, a
conditionally open entry and the editor's own private entry; every page and every iframe it
embeds (the table preview, the embedded views) must run without a console error, an uncaught
exception, a CSP violation, a failed request or a 4xx/5xx sub-resource.

The table preview (datatables_view) on its own: its rows shown in both languages and on a
phone (screenshots in docs/screenshots/), and embedded on another site as CKAN's Embed
dialog tells. CSP violations in production: the report endpoint (security.py)."""
from __future__ import annotations

import io
import json
import logging
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.routing import Rule
from werkzeug.test import Client

from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import PASSWORD, PHONE, open_page, screenshot
from tests.commands import run_jobs
from tests.test_sweep import FIXED_ARGS, _rules

LANGUAGES = {"zh": "", "en": "/en"}
VIEWERS = ("anonymous", "editor")
ROWS = [("沈阳市", "9070000", "中心城市"), ("大连市", "7450000", "沿海开放城市"),
        ("鞍山市", "3330000", "钢铁之都")]
TABLE = "城市,人口,说明\n" + "".join(",".join(r) + "\n" for r in ROWS)
# GET routes a sweep must not follow: logging out ends the editor's session; ckanext-harvest's
# /harvest/delete|clear|refresh/<id> and .../job/<id>/abort act, so the portal answers their
# GET with 405 (guard.ACTING_ROUTES, tests/test_harvest_routes.py); /testing/... are CKAN's
# and ckanext-activity's pages for their developers (the primer of components, a dashboard
# of fake activities).
SKIPPED = re.compile(r"^(user\.logout|user\.logged_out|user\.logged_out_page|"
                     r"harvester\.(delete|clear|refresh|job_abort))$")


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    dept = catalog.department(name="bsweep-dept", title="辽宁省统计局 bsweep",
                              title_en="Liaoning Statistics Bureau bsweep", image_url="")
    editor = factories.User(password=PASSWORD, image_url="")
    call_action("organization_member_create", {"user": admin["name"]}, id=dept["id"],
                username=editor["name"], role="editor")
    token = call_action("api_token_create", {"user": editor["name"]}, user=editor["name"],
                        name="bsweep")["token"]
    entries = {}
    for kind, fields in (
            ("public", {}),
            ("conditional", dict(share_type="conditional", share_scope="仅限统计部门",
                                 share_conditions="统计用途", share_basis="《统计法》")),
            ("own", dict(private=True))):
        pkg = catalog.create(admin, **catalog.entry(
            dept["id"], name=f"bsweep-{kind}", title=f"辽宁省城市人口统计（{kind}）", **fields))
        res = call_action("resource_create", {"user": admin["name"]}, package_id=pkg["id"],
                          name="城市人口", url="cities.csv", format="CSV",
                          upload=FileStorage(io.BytesIO(TABLE.encode()), "cities.csv"))
        entries[kind] = dict(id=pkg["id"], name=pkg["name"], resource_id=res["id"])
    run_jobs()   # the portal's table loader: DataStore rows and the table preview
    for kind, e in entries.items():
        views = call_action("resource_view_list", {"user": admin["name"]}, id=e["resource_id"])
        e["view_id"] = next((v["id"] for v in views if v["view_type"] == "datatables_view"),
                            None)
    assert entries["public"]["view_id"], "the loader made no table preview"
    request = call_action("lngov_data_request_create", {"user": editor["name"]},
                          owner_org=dept["name"], title="沈阳市逐月人口数据",
                          description="用于人口研究，CSV，每月更新")
    return dict(admin=admin, dept=dept, editor=editor, token=token, entries=entries,
                request=request)


# --- the routes, with real identifiers ------------------------------------------------------

def _values(rule: Rule, world, viewer: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Argument values of the rule: one set for each entry the viewer may see (the public
    and conditional entries; the editor's own private one for the editor)."""
    kinds = ["public", "conditional"] + (["own"] if viewer == "editor" else [])
    endpoint = rule.endpoint
    for kind in kinds:
        e = world["entries"][kind]
        values = {}
        for arg in rule.arguments:
            if arg in (rule.defaults or {}):
                continue
            if arg in FIXED_ARGS:
                values[arg] = FIXED_ARGS[arg]
            elif "resource" in arg:
                values[arg] = e["resource_id"]
            elif "view" in arg and e["view_id"]:
                values[arg] = e["view_id"]
            elif endpoint.startswith(("organization.", "group.")) and arg == "id":
                values[arg] = world["dept"]["name"]
            elif endpoint.startswith(("user.", "activity.user", "dashboard.")):
                values[arg] = world["editor"]["name"]
            elif "request" in endpoint:
                values[arg] = world["request"]["id"]
            else:
                values[arg] = e["name"]
        yield kind, values
        if not any(a in values for a in ("id", "package_id", "dataset_id")) or \
                endpoint.startswith(("organization.", "user.", "group.")) or \
                "request" in endpoint:
            return   # one address: the rule names no entry


def _addresses(client: Client, world, viewer: str) -> tuple[list[str], set[str], list[str]]:
    """(the addresses that answer the viewer a page, those of them that name the
    conditional or own entry, those left out and why)."""
    adapter = client.application._wsgi_app.url_map.bind("localhost")
    headers = {"Authorization": world["token"]} if viewer == "editor" else {}
    pages, left_out, seen, others = [], [], set(), set()
    views = client.application._wsgi_app.view_functions
    for rule in _rules(client):
        if SKIPPED.match(rule.endpoint) or rule.rule.startswith("/testing/"):
            continue
        for kind, values in _values(rule, world, viewer):
            try:
                url = adapter.build(rule.endpoint, values, append_unknown=False)
            except Exception:   # noqa: BLE001 - a converter that refuses the value
                continue
            # One visit for one view of one object: the dataset routes CKAN registers again
            # for each dataset type (/harvest/<entry>/resource/<id>) show the same page.
            view = views[rule.endpoint]
            shown = (getattr(view, "view_class", view), tuple(sorted(values.items())))
            if url in pages or shown in seen:
                continue
            seen.add(shown)
            got = client.get(url, headers=headers)
            media = got.headers.get("Content-Type", "")
            if got.status_code == 200 and media.startswith("text/html") \
                    and not got.headers.get("Content-Disposition"):
                pages.append(url)
                if kind != "public" and any(v in values.values() for v in (
                        world["entries"][kind]["name"], world["entries"][kind]["resource_id"])):
                    others.add(url)
            else:
                left_out.append(f"{url} {got.status_code} {media.split(';')[0]}")
    return pages, others, left_out


def _frame_problems(page) -> list[str]:
    """Every frame's CSP violations and uncaught errors (tests/browser.py's WATCH runs in
    each), and what the page's listeners saw in any frame."""
    found = list(page.problems)
    page.problems.clear()
    for frame in page.frames:
        try:
            found += [f"{p} (frame {frame.url})" if frame != page.main_frame else p
                      for p in frame.evaluate("window.__problems || []")]
        except Exception:   # noqa: BLE001 - a frame that went away meanwhile
            pass
    return found


def _sweep(page, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        problems = _visit(page, url)
        if problems and all(p.startswith("failed ") for p in problems):
            # A request the browser gave up once (a stylesheet aborted while the server was
            # busy) is seen again, or it was the machine's, not the page's.
            problems = _visit(page, url)
        found += [f"{url}: {p}" for p in problems]
    return found


def _visit(page, url: str) -> list[str]:
    """What went wrong while the page loaded (the main document's own status was checked;
    what it loads must all answer < 400)."""
    try:
        response = page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
    except Exception as error:   # noqa: BLE001 - a page that does not load is a problem
        return [str(error).splitlines()[0]]
    problems = [p for p in _frame_problems(page) if p != f"{response.status} {response.url}"]
    if response.status >= 400:
        problems.append(f"{response.status} (the page itself)")
    return problems


@pytest.fixture(scope="module")
def client(make_app_session, world) -> Client:
    return Client(make_app_session)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_every_page_runs_its_scripts_in_both_languages(browser, world, client, viewer):
    urls, others, left_out = _addresses(client, world, viewer)
    # The pages that hold the iframes: the resource pages of the entries with a preview.
    assert any(f"/resource/{world['entries']['public']['resource_id']}" in u for u in urls)
    assert any("/view/" in u for u in urls)
    found, started = [], time.monotonic()
    for lang, prefix in LANGUAGES.items():
        page = open_page(browser, world["editor"] if viewer == "editor" else None)
        # Every route in both languages; in English with the public entry only (the same
        # templates, to keep the sweep to a few minutes).
        found += [f"[{lang}] {p}" for p in _sweep(page, [prefix + u for u in urls
                                                       if lang == "zh" or u not in others])]
        page.context.close()
    print(f"\nbrowser sweep ({viewer}): {len(urls)} pages x {len(LANGUAGES)} languages in "
          f"{time.monotonic() - started:.0f} s; not pages: {len(left_out)}\n"
          + "\n".join(urls) + "\n-- left out:\n" + "\n".join(left_out))
    assert not found, "\n".join(found)


# --- the table preview ----------------------------------------------------------------------

def _preview_rows(page) -> list[list[str]]:
    frame = page.frame_locator("iframe[src*='/view/']").first
    frame.locator("#dtprv tbody tr td").first.wait_for(timeout=20_000)
    return [r.locator("td").all_inner_texts()
            for r in frame.locator("#dtprv tbody tr").all()]


@pytest.mark.parametrize("lang,viewport,shot", [
    ("zh", None, "resource-desktop-zh"), ("en", None, "resource-desktop-en"),
    ("zh", PHONE, "resource-phone-zh")])
def test_the_table_preview_shows_the_rows(browser, world, lang, viewport, shot):
    e = world["entries"]["public"]
    page = open_page(browser, viewport=viewport)
    page.goto(f"{LANGUAGES[lang]}/dataset/{e['name']}/resource/{e['resource_id']}")
    page.wait_for_load_state("networkidle")
    rows = _preview_rows(page)
    for city, people, _ in ROWS:
        assert any(city in " ".join(r) and people in " ".join(r) for r in rows), rows
    page.wait_for_timeout(500)   # the table's columns settle
    found = _frame_problems(page)
    assert found == [], "\n".join(found)
    screenshot(page, shot)
    page.context.close()


class _Embedding(BaseHTTPRequestHandler):
    """Another site: a page that embeds the view as CKAN's Embed dialog writes it."""
    snippet = ""

    def do_GET(self):   # noqa: N802 - the stdlib's name
        body = f"<!doctype html><title>embed</title>{self.snippet}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_view_embedded_on_another_site_shows_the_rows(browser, world):
    e = world["entries"]["public"]
    page = open_page(browser)
    page.goto(f"/dataset/{e['name']}/resource/{e['resource_id']}")
    page.wait_for_load_state("networkidle")
    page.click("[data-module=resource-view-embed]")
    snippet = page.locator(".modal.show textarea").input_value()
    assert "<iframe" in snippet and f"/view/{e['view_id']}" in snippet
    assert _frame_problems(page) == []
    page.context.close()
    _Embedding.snippet = snippet
    # Another origin served over http from a loopback server (a page of a public site would
    # meet Chromium's local network access checks when it frames a loopback portal).
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Embedding)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        context = browser.new_context()
        other = context.new_page()
        other.problems = []
        other.on("console", lambda m: other.problems.append(f"console {m.text}")
                 if m.type == "error" else None)
        other.on("response", lambda r: other.problems.append(f"{r.status} {r.url}")
                 if r.status >= 400 else None)
        other.on("requestfailed", lambda r: other.problems.append(f"failed {r.url}"))
        other.goto(f"http://localhost:{server.server_port}/")
        other.wait_for_load_state("networkidle")
        rows = _preview_rows(other)
        assert any("沈阳市" in " ".join(r) for r in rows), rows
        assert other.problems == []
        context.close()
    finally:
        server.shutdown()


# --- CSP violations reported in production ---------------------------------------------------

# Addresses of this run's own (the limits are counted in Redis, across runs).
ADDRESS = f"10.{random.randrange(256)}.{random.randrange(256)}.2"
REPORT = {"csp-report": {"document-uri": "https://data.ln.gov.cn/dataset/x",
                         "violated-directive": "script-src-elem",
                         "effective-directive": "script-src-elem",
                         "blocked-uri": "inline", "source-file": "https://data.ln.gov.cn/x",
                         "line-number": 12}}


def test_every_page_asks_browsers_to_report_violations(client):
    got = client.get("/dataset/")
    assert "report-uri /csp-report" in got.headers["Content-Security-Policy"]
    assert "Reporting-Endpoints" not in got.headers   # the Reporting API: secure pages only
    secure = client.get("/dataset/", base_url="https://localhost")
    assert secure.headers["Reporting-Endpoints"] == 'csp="/csp-report"'
    assert "report-to csp" in secure.headers["Content-Security-Policy"]


def test_a_violation_a_browser_reports_is_logged(client, caplog):
    with caplog.at_level(logging.WARNING, logger="ckanext.lngov.security"):
        got = client.post("/csp-report", data=json.dumps(REPORT),
                          content_type="application/csp-report",
                          environ_base={"REMOTE_ADDR": ADDRESS})
        assert got.status_code == 204
        # The Reporting API's shape (report-to), a list of reports.
        got = client.post("/csp-report", content_type="application/reports+json",
                          environ_base={"REMOTE_ADDR": ADDRESS}, data=json.dumps([{
                              "type": "csp-violation", "url": "https://data.ln.gov.cn/y",
                              "body": {"documentURL": "https://data.ln.gov.cn/y",
                                       "effectiveDirective": "script-src-elem",
                                       "blockedURL": "inline"}}]))
        assert got.status_code == 204
    logged = [r.getMessage() for r in caplog.records if "CSP violation" in r.getMessage()]
    assert any("script-src-elem" in m and "/dataset/x" in m for m in logged), logged
    assert any("https://data.ln.gov.cn/y" in m for m in logged), logged
    assert client.post("/csp-report", data=b"\xff{", content_type="application/csp-report",
                       environ_base={"REMOTE_ADDR": ADDRESS}).status_code == 400


def test_a_browser_that_reports_too_much_is_told_to_wait(client, caplog):
    from ckan.plugins import toolkit as tk

    limit = tk.config.get("ckanext.lngov.security.csp_reports_per_minute")
    answers = [client.post("/csp-report", data=json.dumps(REPORT),
                           content_type="application/csp-report",
                           environ_base={"REMOTE_ADDR": f"{ADDRESS}0"}).status_code
               for _ in range(limit + 3)]
    assert answers[:limit] == [204] * limit and answers[-1] == 429
    # Another address is still heard.
    assert client.post("/csp-report", data=json.dumps(REPORT),
                       content_type="application/csp-report",
                       environ_base={"REMOTE_ADDR": f"{ADDRESS}1"}).status_code == 204
