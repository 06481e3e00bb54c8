"""Chinese first: CKAN's scripts get their translations on Chinese pages, the extension's
catalog completes and corrects CKAN's and the other extensions' strings (and keeps doing so
through scripts/i18n-update.sh), and no page of the portal shows one of their strings left in
English. The pages are every registered route the sweep can fill, not a hand-kept list."""
from __future__ import annotations

import re
import shutil
from typing import Iterable

import polib
import pytest
import requests
from lxml import html as lxml_html
from werkzeug.test import Client

import ckan
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.lngov import translations
from sample_platform.tests.conftest import LiveServer
from tests import catalog
from tests.harvesting import harvest, make_source

# Visible English that is the same in Chinese: names of formats, standards and products.
SAME_IN_CHINESE = {"API", "CKAN API", "CSV", "DCAT", "DataStore", "English", "JSON", "URL",
                   "XLSX", "Turtle"}
# Elements whose whole text is one message even when it holds links or emphasis.
BLOCKS = {"p", "li", "td", "th", "dd", "dt", "label", "small", "span", "h1", "h2", "h3", "h4"}
# Attributes whose text people see or hear (screen readers).
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt", "data-bs-title")
# Routes that are no page (the API, files, dumps) or that act on a GET (ckanext-harvest's
# delete, clear, refresh and abort; logging out): the sweep would change what it reads.
NOT_PAGES = re.compile(r"^(api|static|webassets|util|_debug_toolbar|lngov_i18n)\b|\.static$|"
                       r"download|dump|delete|clear|refresh|abort|logout|purge|follow")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def english_msgids() -> dict[str, re.Pattern | None]:
    """CKAN's, ckanext-harvest's, ckanext-dcat's and scheming's msgids that are English words
    on a page: plain ones for exact comparison, those with placeholders as patterns (when
    they keep enough words of their own to be recognised)."""
    found: dict[str, re.Pattern | None] = {}
    ids = translations.upstream_msgids()
    for message_id in {m for i in ids for m in ([i] if isinstance(i, str) else i)}:
        text = _norm(re.sub(r"<[^>]+>", " ", message_id))
        if not re.search(r"[A-Za-z]{3,}", text) or text in SAME_IN_CHINESE or re.match(
                r"^(https?://|\S+@)", text):   # example addresses, the same in Chinese
            continue
        parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}", text)
        if len(parts) == 1:
            found[text] = None
        elif len(re.findall(r"[A-Za-z]{3,}", " ".join(parts))) >= 3:
            found[text] = re.compile("^" + ".+?".join(map(re.escape, parts)) + "$")
    return found


def _shown_texts(page: bytes) -> Iterable[str]:
    for element in lxml_html.fromstring(page).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        for text in (element.text, element.tail):
            if text and _norm(text):
                yield _norm(text)
        if element.tag in BLOCKS and len(element):
            yield _norm(element.text_content())
        for attribute in SHOWN_ATTRIBUTES:
            if _norm(element.get(attribute) or ""):
                yield _norm(element.get(attribute))
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            if _norm(element.get("value") or ""):
                yield _norm(element.get("value"))


def left_in_english(page: bytes, english: dict[str, re.Pattern | None]) -> set[str]:
    patterns = [p for p in english.values() if p is not None]
    return {text for text in _shown_texts(page)
            if text in english or any(p.match(text) for p in patterns)}


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    dept = catalog.department(name="i18n-dept", title="辽宁省测试厅")
    editor = factories.User(name="i18n-editor")
    call_action("organization_member_create", {"user": admin["name"]}, id=dept["id"],
                username=editor["name"], role="editor")
    pkg = catalog.create(admin, **catalog.entry(dept["id"], name="i18n-entry"))
    res = call_action("resource_create", {"user": admin["name"]}, package_id=pkg["id"],
                      name="全省数据", url="http://example.com/data.csv", format="CSV")
    platform = LiveServer(entries=20, seed=3).start()
    source = make_source(platform, name="i18n-exchange")
    job, _counts, objects = harvest(source)
    yield dict(admin=admin, dept=dept, editor=editor, pkg=pkg, res=res, source=source,
               job=job, object=next(iter(objects.values())))
    platform.stop()


def _arguments(endpoint: str, world) -> dict[str, str]:
    """Values for a route's arguments: the world's objects, by the blueprint that names them."""
    blueprint = endpoint.split(".")[0]
    named = {"harvester": world["source"].name, "harvest": world["source"].name,
             "organization": world["dept"]["name"],
             "group": world["dept"]["name"], "user": world["editor"]["name"]}
    ids = {"harvester.job_show": world["job"].id, "harvester.object_show": world["object"].id,
           "harvester.job_abort": world["job"].id}
    return {"id": ids.get(endpoint) or named.get(blueprint, world["pkg"]["name"]),
            "source": world["source"].name, "resource_id": world["res"]["id"],
            "type": "dataset", "dataset_type": "dataset"}


def _pages(app, world) -> list[str]:
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or NOT_PAGES.search(rule.endpoint):
            continue
        values = _arguments(rule.endpoint, world)
        needed = set(rule.arguments) - set(rule.defaults or {})
        if not needed <= set(values):
            continue
        try:
            path = rule.build({k: values[k] for k in needed}, append_unknown=False)[1]
        except Exception:   # a converter that refuses the value: not a page we can fill
            continue
        if not path.startswith(("/en/", "/zh_Hans_CN/")):
            paths.add(path)
    return sorted(paths)


def test_chinese_pages_leave_no_string_of_ckan_or_its_extensions_in_english(
        make_app_session, world, english_msgids):
    client = Client(make_app_session)
    headers = {"Authorization": world["admin"]["token"]}
    pages = _pages(make_app_session, world)
    journeys = {"/", "/dataset/", "/dataset/i18n-entry", "/organization/", "/about",
                "/user/login", "/dataset/new", "/harvest/", f"/harvest/{world['source'].name}",
                f"/harvest/{world['source'].name}/job/{world['job'].id}"}
    assert journeys <= set(pages), journeys - set(pages)
    found, seen = {}, 0
    for path in pages:
        for auth in (headers, {}):
            response = client.get(path, headers=auth)
            if response.status_code >= 500:
                pytest.fail(f"{path}: {response.status_code}")
            if response.mimetype != "text/html" or not response.data.strip():
                continue  # (an empty answer, e.g. a file the front sends, says nothing)
            seen += 1
            english = left_in_english(response.data, english_msgids)
            if english:
                found[path] = sorted(english)
    assert seen > 40
    assert not found, "\n".join(f"{path}: {texts}" for path, texts in found.items())


def test_the_sweep_recognises_a_string_left_in_english(english_msgids):
    page = ("<html><body><p>Reharvest</p><p>重新采集</p><p>3 harvest sources found</p>"
            "<input type=submit value='Job Report'><a title='Not yet'>尚未开始</a>"
            "<p>辽宁省 CSV</p></body></html>").encode()
    assert left_in_english(page, english_msgids) == {
        "Reharvest", "3 harvest sources found", "Job Report", "Not yet"}


def test_scripts_get_their_translations_under_the_page_s_language_tag(live_server):
    """main.js asks /api/i18n/<html lang, first hyphen made _>; every string of CKAN's own
    scripts is translated there, CKAN's and the portal's corrections alike."""
    scripts = {e.msgid for e in polib.pofile(f"{ckan.__path__[0]}/i18n/ckan.pot")
               if any(f.startswith(("ckan/public/base/javascript", "ckan/public-midnight-blue"))
                      and f.endswith(".js") for f, _line in e.occurrences)}
    assert len(scripts) >= 25
    for tag in ("zh-Hans-CN", "zh_Hans-CN", "zh_Hans_CN"):
        response = requests.get(f"{live_server}/api/i18n/{tag}", timeout=30)
        assert response.status_code == 200, tag
        served = response.json()
        assert served[""]["lang"] == "zh_Hans_CN"
        assert scripts - set(served) == set(), tag
        assert served["Close"] == [None, "关闭"]        # one of the portal's completions
    english = requests.get(f"{live_server}/api/i18n/en", timeout=30)
    assert english.status_code == 200
    assert requests.get(f"{live_server}/api/i18n/xx-Nope", timeout=30).status_code == 400


def test_the_catalog_corrects_only_strings_that_ckan_or_an_extension_has():
    own, catalog_ = translations.read(translations.POT), translations.read()
    upstream = translations.upstream_msgids()
    corrections = translations.corrections(catalog_, own)
    assert len(corrections) > 300
    assert [m.id for m in corrections if m.id not in upstream] == []
    assert all(m.string and (isinstance(m.string, str) or all(m.string))
               for m in corrections)
    wrong = {"Log in": "登录", "Follow": "关注", "read more": "阅读更多", "Field": "字段",
             "Value": "值", "Welcome to CKAN": "欢迎访问", "Job Report": "任务报告",
             "Reharvest": "重新采集", "Creative Commons Attribution": "知识共享署名许可（CC BY）"}
    assert {k: catalog_[k].string for k in wrong} == wrong


def test_updating_the_catalog_keeps_the_corrections(tmp_path):
    """scripts/i18n-update.sh extracts only the extension's messages; its update step
    (translations.update) must not drop CKAN's msgids as obsolete."""
    pot, po = tmp_path / "x.pot", tmp_path / "x.po"
    shutil.copy(translations.POT, pot)
    shutil.copy(translations.PO, po)
    before = {m.id: m.string for m in translations.read()}
    translations.update(str(pot), str(po))
    assert {m.id: m.string for m in translations.read(str(po))} == before


def test_chinese_pages_say_it_in_chinese(app, world):
    """The strings that were wrong or English on the journeys, as the pages show them."""
    login = app.get("/user/login").body
    assert "登录" in login and "登陆" not in login
    source = app.get(f"/harvest/admin/{world['source'].name}",
                     headers={"Authorization": world["admin"]["token"]}).body
    assert "重新采集" in source and "Reharvest" not in source
    job = app.get(f"/harvest/{world['source'].name}/job/{world['job'].id}",
                  headers={"Authorization": world["admin"]["token"]}).body
    assert "任务报告" in job and "Job Report" not in job
