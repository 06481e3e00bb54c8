"""No uploaded file runs as the portal, in a real browser (ckanext/lngov/serving/files.py): a
department editor, signed in, uploads through the resource form a script, an HTML page and
an SVG image that load it, and opens each download link, from a web node directly and
through the caching front (nginx sending the file itself): the page's title stays, no
request is made, nothing runs. Text and images still show in the browser, inertly.

The control: the same HTML, answered as the portal answered it before (inline, text/html,
the pages' policy), does run in this harness; so a file that ran would fail the test."""
from __future__ import annotations

import os
import tempfile
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

import ckan.plugins.toolkit as tk
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import PASSWORD, open_page, problems, screenshot
from tests.cluster import caching_front, ckan_node

RAN = "lngov-ran"   # every planted script asks for an address with this in it
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082")


def script_body() -> bytes:
    return (f"document.title = '{RAN}-js'; window.lngovRan = true;"
            f" fetch('/api/3/action/status_show?{RAN}=js');").encode()


def html_body(js: str) -> bytes:
    return (f"<!doctype html><html><head><title>{RAN}-html</title>"
            f"<script src='{js}'></script>"
            f"<script>document.title='{RAN}-inline'; fetch('/api/3/action/status_show?{RAN}=html')"
            f"</script></head><body><img src='/x.png' onerror=\"fetch('/?{RAN}=img')\">"
            f"</body></html>").encode()


def svg_body(js: str) -> bytes:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'"
            f" onload=\"fetch('/?{RAN}=svg-onload')\"><script xlink:href='{js}'/>"
            f"<script>fetch('/api/3/action/status_show?{RAN}=svg')</script>"
            f"<text y='20'>map</text></svg>").encode()


def text_body() -> bytes:
    return f"辽宁省数据说明 <script>fetch('/?{RAN}=txt')</script>".encode()


@pytest.fixture(scope="module")
def world(sysadmin_module):
    editor = factories.User(password=PASSWORD, image_url="")
    dept = catalog.department(name="files-browser-dept", title="辽宁省文件浏览测试厅", image_url="")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    entry = catalog.create(sysadmin_module, **catalog.entry(
        dept["id"], name="files-browser-entry", title="浏览器文件测试",
        format_category="other", format_types=["other"], data_items=[]))
    return dict(editor=editor, dept=dept, entry=entry)


def _upload_in_the_form(page, entry_name: str, filename: str, body: bytes) -> dict:
    """Uploads FILENAME through the resource form as the signed-in user; the resource."""
    page.goto(f"/en/dataset/{entry_name}/resource/new")
    page.wait_for_load_state("networkidle")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, filename)
        with open(path, "wb") as f:
            f.write(body)
        page.set_input_files("#field-resource-upload", path)
        page.fill("#field-name", filename)
        page.locator("button[name=save]").last.click()
        page.wait_for_load_state("networkidle")
    made = [r for r in call_action("package_show", id=entry_name)["resources"]
            if r["name"] == filename]
    assert made, f"{filename} not uploaded: {page.url}"
    return made[-1]


def _path(resource: dict) -> str:
    return urlparse(resource["url"]).path


@pytest.fixture(scope="module")
def uploads(browser, world):
    page = open_page(browser, world["editor"])
    try:
        js = _upload_in_the_form(page, world["entry"]["name"], "tool.js", script_body())
        files = {"tool.js": js}
        for name, body in (("report.html", html_body(_path(js))),
                           ("map.svg", svg_body(_path(js))), ("notes.txt", text_body()),
                           ("chart.png", PNG)):
            files[name] = _upload_in_the_form(page, world["entry"]["name"], name, body)
        assert problems(page) == []
    finally:
        page.context.close()
    return files


def _watch(page) -> list[str]:
    """The addresses the page asks for from now on."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    return asked


def _open_as_download(page, url: str) -> None:
    """Opens URL by its address as a visitor does (a link, a typed address); the browser
    saves it, the page it was on stays."""
    with page.expect_download() as saved:
        try:
            page.goto(url)
        except PlaywrightError as error:  # Playwright reports a download as an aborted goto
            assert "Download is starting" in str(error) or "ERR_ABORTED" in str(error), error
    assert saved.value.suggested_filename == url.rsplit("/", 1)[-1]


def _nothing_ran(page, asked: list[str], title: str) -> None:
    page.wait_for_timeout(500)
    assert page.title() == title
    assert [u for u in asked if RAN in u] == []
    assert page.evaluate("window.lngovRan === undefined")


def _opens_nothing_that_runs(browser, world, uploads, label: str, **context) -> list[str]:
    page = open_page(browser, world["editor"], **context)
    served = []   # (address, headers) of every download the browser received
    page.on("response", lambda r: served.append((r.url, r.headers))
            if "/download/" in r.url else None)
    entry = world["entry"]["name"]
    try:
        resource_page = f"/dataset/{entry}/resource/{uploads['report.html']['id']}"
        page.goto(resource_page)
        page.wait_for_load_state("networkidle")
        title = page.title()
        asked = _watch(page)
        # The page's own download button, then each file's address typed in.
        with page.expect_download():
            page.click("a.resource-url-analytics.btn")
        _nothing_ran(page, asked, title)
        for name in ("report.html", "map.svg", "tool.js"):
            _open_as_download(page, _path(uploads[name]))
            _nothing_ran(page, asked, title)
            assert page.url.endswith(resource_page)
        # A script of the portal's pages that loads the file by <script src> runs nothing:
        # it is not served as JavaScript (nosniff).
        page.goto(resource_page)
        page.wait_for_load_state("networkidle")
        problems(page)
        console = []
        page.on("console", lambda m: console.append(m.text))
        loaded = page.evaluate("""src => new Promise(done => {
            const s = document.createElement('script');
            s.src = src;
            s.onload = () => done('ran');
            s.onerror = () => done('refused');
            document.head.appendChild(s);
        })""", _path(uploads["tool.js"]))
        assert loaded == "refused"
        assert any("MIME type" in m and "not executable" in m for m in console), console
        _nothing_ran(page, asked, title)
        problems(page)   # the refusal is the console error this step expects
        # Text and images are shown, inertly, the markup as text.
        text = page.goto(_path(uploads["notes.txt"]))
        assert "sandbox" in text.headers["content-security-policy"]
        assert page.inner_text("body") == text_body().decode()   # the markup as text
        _nothing_ran(page, asked, page.title())
        screenshot(page, f"file-text-{label}")
        image = page.goto(_path(uploads["chart.png"]))
        assert image.headers["content-type"] == "image/png"
        assert page.evaluate("document.images[0].naturalWidth") == 1
        found = [p for p in problems(page)
                 if not (p.startswith("failed ") and "/download/" in p)]
        assert found == [], found
    finally:
        page.context.close()
    # What the browser was sent, by whichever server sent the bytes.
    for url, headers in served:
        assert headers["content-security-policy"].startswith("sandbox;"), url
        assert "default-src 'none'" in headers["content-security-policy"], url
        assert headers["x-content-type-options"] == "nosniff", url
        if url.endswith((".html", ".svg", ".js")):
            assert headers["content-type"] == "application/octet-stream", url
            assert headers["content-disposition"].startswith("attachment"), url
    return [headers.get("x-lngov-sent-by", "ckan") for _, headers in served]


def test_no_uploaded_file_runs_on_a_web_node(browser, world, uploads):
    sent_by = _opens_nothing_that_runs(browser, world, uploads, "node")
    assert sent_by and set(sent_by) == {"ckan"}


@pytest.fixture(scope="module")
def front(sysadmin_module, tmp_path_factory):
    """A web node under uWSGI and the caching front before it (scripts/front.sh)."""
    with ckan_node(tk.config["__file__"]) as node, \
            caching_front(str(tmp_path_factory.mktemp("front")), node) as url:
        yield url


def test_no_uploaded_file_runs_through_the_caching_front(browser, front, world, uploads):
    # The portal's address reached through the front (nginx takes the proxy's form of a
    # request as any other, by its Host).
    sent_by = _opens_nothing_that_runs(browser, world, uploads, "front",
                                       proxy={"server": front})
    # nginx sent the files itself (X-Accel-Redirect), with CKAN's policy passed on
    assert sent_by and set(sent_by) == {"front"}


def test_the_control_the_same_files_served_as_before_run(browser, world, uploads):
    """As the portal served them before (inline, with the types they claim, under the pages'
    own policy): the HTML's <script src> runs the uploaded script here, so the tests above
    would see a file that ran."""
    page = open_page(browser, world["editor"])
    try:
        asked = _watch(page)
        site = tk.config["ckan.site_url"]
        policy = tk.config["ckanext.lngov.security.csp"]
        for name, body, media in (
                ("report.html", html_body(_path(uploads["tool.js"])), "text/html"),
                ("tool.js", script_body(), "application/javascript")):
            page.route(site + _path(uploads[name]), lambda route, _request, body=body, media=media:
                       route.fulfill(status=200, body=body, headers={
                           "Content-Type": media, "Content-Security-Policy": policy}))
        page.goto(site + _path(uploads["report.html"]))
        page.wait_for_timeout(500)
        assert page.title() == f"{RAN}-js"
        assert any(RAN in u for u in asked)
    finally:
        page.context.close()


def test_the_editor_is_told_when_a_file_does_not_fit_the_entry(browser, world, sysadmin_module):
    sheet = catalog.create(sysadmin_module, **catalog.entry(
        world["dept"]["id"], name="files-browser-sheet", title="表格条目"))
    for prefix, message in (("", "不属于本条目声明的信息资源格式"),
                            ("/en", "is not one this entry declares")):
        page = open_page(browser, world["editor"])
        try:
            page.goto(f"{prefix}/dataset/{sheet['name']}/resource/new")
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "tool.js")
                with open(path, "wb") as f:
                    f.write(script_body())
                page.set_input_files("#field-resource-upload", path)
                page.locator("button[name=save]").last.click()
                page.wait_for_load_state("networkidle")
            assert message in page.inner_text("body")
            screenshot(page, f"upload-refused-{'en' if prefix else 'zh'}")
            page.goto(f"{prefix}/dataset/{sheet['name']}/resource/new")
            page.click("#resource-link-button")
            page.fill("#field-resource-url", "javascript:alert(1)")
            page.locator("button[name=save]").last.click()
            page.wait_for_load_state("networkidle")
            assert ("地址须为完整的网址" if not prefix else "full web address") in \
                page.inner_text("body")
            screenshot(page, f"link-refused-{'en' if prefix else 'zh'}")
            assert page.title() and page.evaluate("window.lngovRan === undefined")
            assert [p for p in problems(page) if "CSP" in p or "error" in p] == []
        finally:
            page.context.close()
