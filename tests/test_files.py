"""No uploaded or harvested file can ever run as the portal (ckanext/lngov/serving/files.py), no
address runs either (links.py), and a department uploads the formats its entry declares
(catalog/uploads.py): over HTTP, against the real services. The browser's side:
tests/test_browser_files.py; every route's headers: tests/test_sweep.py."""
from __future__ import annotations

import io
import json

import pytest
import requests
from werkzeug.datastructures import FileStorage

from ckan import model
from ckan.lib.search import rebuild
from ckan.tests.helpers import call_action
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.lngov.serving import files as file_policy
from ckanext.lngov.dcat import dump
from tests import catalog
from tests.commands import run_ckan, run_jobs
from tests.harvesting import harvest, make_source, platform_fixture

SCRIPT = b"document.title = 'ran'; fetch('/api/3/action/status_show?ran=js');"
HTML = (b"<!doctype html><title>ran</title><script src='evil.js'></script>"
        b"<script>fetch('/api/3/action/status_show?ran=html')</script>")
SVG = (b"<svg xmlns='http://www.w3.org/2000/svg' onload=\"fetch('/?ran=svg')\">"
       b"<script>fetch('/api/3/action/status_show?ran=svg')</script></svg>")
XML = (b"<?xml version='1.0'?><root><h:script xmlns:h='http://www.w3.org/1999/xhtml'>"
       b"fetch('/api/3/action/status_show?ran=xml')</h:script></root>")
TEXT = "说明 <script>fetch('/api/3/action/status_show?ran=txt')</script>".encode()
JSON = json.dumps({"城市": "沈阳", "note": "<script>x</script>"}, ensure_ascii=False).encode()
CSV = "地区,说明\n沈阳市,<img src=x onerror=alert(1)>\n".encode()
POLICY = "sandbox"
# file name -> (bytes, type sent, attachment)
FILES = {
    "evil.js": (SCRIPT, "application/octet-stream", True),
    "evil.html": (HTML, "application/octet-stream", True),
    "evil.svg": (SVG, "application/octet-stream", True),
    "evil.xml": (XML, "application/octet-stream", True),
    "notes.txt": (TEXT, "text/plain", False),
    "data.json": (JSON, "application/json", False),
    "report.pdf": (b"%PDF-1.4\n%%EOF\n", "application/pdf", True),
}


def upload(user: dict, package_id: str, filename: str, body: bytes, **fields):
    return call_action("resource_create", {"user": user["name"]}, package_id=package_id,
                       name=filename, url=filename,
                       upload=FileStorage(io.BytesIO(body), filename), **fields)


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    dept = catalog.department(name="files-dept", title="辽宁省文件测试厅")
    # An entry of "other" formats takes any file: what is served must still not run.
    anything = catalog.create(admin, **catalog.entry(
        dept["id"], name="files-anything", format_category="other", format_types=["other"],
        data_items=[]))
    files = {name: upload(admin, anything["id"], name, body)
             for name, (body, _, _) in FILES.items()}
    # A CSV whose mimetype an API caller set to text/html.
    files["claims-html.csv"] = upload(admin, anything["id"], "claims-html.csv", CSV,
                                      mimetype="text/html", format="CSV")
    table = catalog.create(admin, **catalog.entry(
        dept["id"], name="files-table", format_category="sheet", format_types=["xlsx"],
        data_items=[{"name": "地区", "data_type": "C", "length": 20},
                    {"name": "说明", "data_type": "C", "length": 200}]))
    csv = upload(admin, table["id"], "table.csv", CSV, format="CSV")
    run_jobs()  # screened and loaded: then served
    dump.generate()
    return dict(admin=admin, dept=dept, anything=anything, files=files, table=table, csv=csv)


def _download(world, name: str) -> str:
    return (f"/dataset/{world['anything']['name']}/resource/{world['files'][name]['id']}"
            f"/download/{name}")


def _confined(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert csp.split(";")[0].strip() == POLICY and "default-src 'none'" in csp, csp
    assert "allow-scripts" not in csp and "script-src" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", [*FILES, "claims-html.csv"])
def test_a_file_is_sandboxed_and_an_active_one_is_an_attachment_of_no_type(world, app, name):
    body, sent_type, attachment = FILES.get(name, (CSV, "application/octet-stream", True))
    got = app.get(_download(world, name))
    assert got.status_code == 200 and got.data == body
    _confined(got)
    assert got.headers["Content-Type"].split(";")[0] == sent_type
    disposition = got.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment") == attachment, disposition
    if attachment:
        assert f'filename={name}' in disposition or f'filename="{name}"' in disposition
    # The same headers when the caching front sends the file (accel.py: X-Accel-Redirect).
    front = app.get(_download(world, name), headers={"X-Lngov-Accel": "/_lngov_storage/"})
    assert front.headers["X-Accel-Redirect"].startswith("/_lngov_storage/resources/")
    _confined(front)
    assert front.headers["Content-Type"].split(";")[0] == sent_type
    assert front.headers.get("Content-Disposition", "").startswith("attachment") == attachment


def test_a_text_file_names_its_charset_so_that_chinese_reads_as_chinese(world, app):
    assert app.get(_download(world, "notes.txt")).headers["Content-Type"] == \
        "text/plain; charset=utf-8"
    gb = upload(world["admin"], world["anything"]["id"], "gb.txt", "辽宁省说明".encode("gb18030"))
    got = app.get(f"/dataset/{world['anything']['name']}/resource/{gb['id']}/download/gb.txt")
    assert got.headers["Content-Type"] == "text/plain; charset=gb18030"
    assert got.data.decode("gb18030") == "辽宁省说明"


def test_the_download_without_a_file_name_and_a_range_keep_the_rule(world, app):
    path = _download(world, "evil.html").rsplit("/", 1)[0]
    got = app.get(path)
    assert got.status_code == 200 and got.data == HTML
    _confined(got)
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith("attachment")
    part = app.get(_download(world, "evil.html"), headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == HTML[:10]
    _confined(part)
    assert part.headers["Content-Type"] == "application/octet-stream"


def test_the_catalog_dump_is_sandboxed_and_its_xml_an_attachment(world, app):
    for fmt, sent_type, attachment in (("ttl", "text/turtle", False),
                                       ("jsonld", "application/ld+json", False),
                                       ("nt", "application/n-triples", False),
                                       ("rdf", "application/octet-stream", True)):
        got = app.get(f"/catalog/dump.{fmt}")
        assert got.status_code == 200, fmt
        _confined(got)
        assert got.headers["Content-Type"].split(";")[0] == sent_type, fmt
        disposition = got.headers.get("Content-Disposition", "")
        assert disposition.startswith("attachment") == attachment, (fmt, disposition)
        assert f"catalog.{fmt}" in disposition


def test_datastore_dumps_are_sandboxed_and_xml_is_an_attachment_of_no_type(world, app):
    rid = world["csv"]["id"]
    for query, sent_type in (("", "text/csv"), ("?format=tsv", "text/tab-separated-values"),
                             ("?format=json", "application/json"),
                             ("?format=xml", "application/octet-stream")):
        got = app.get(f"/datastore/dump/{rid}{query}")
        assert got.status_code == 200, query
        _confined(got)
        # CKAN 2.12 sends every dump as application/octet-stream (the Response's mimetype
        # wins over the Content-Type it names); an XML dump must never be anything else.
        assert got.headers["Content-Type"].split(";")[0] in (
            sent_type, "application/octet-stream"), query
        assert got.headers["Content-Disposition"].startswith("attachment"), query
        assert "onerror=alert(1)" in got.get_data(as_text=True)
    xlsx = app.get(f"/datastore/dump/{rid}/xlsx")
    _confined(xlsx)
    assert xlsx.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert xlsx.headers["Content-Disposition"] == f'attachment; filename="{rid}.xlsx"'


def test_the_table_preview_shows_markup_as_text(world, app):
    views = call_action("resource_view_list", id=world["csv"]["id"])
    view = next(v for v in views if v["view_type"] == "datatables_view")
    got = app.post(f"/datatables/ajax/{view['id']}", data={
        "draw": "1", "start": "0", "length": "10", "search[value]": "", "order[0][column]": "0",
        "order[0][dir]": "asc", "columns[0][data]": "_id", "columns[1][data]": "地区",
        "columns[2][data]": "说明"})
    assert got.status_code == 200
    _confined(got)
    # (datatables_view answers its JSON as text/html: not a page of a template, so sandboxed)
    cells = json.dumps(json.loads(got.data)["data"], ensure_ascii=False)
    assert "&lt;img src=x onerror=alert(1)&gt;" in cells and "<img" not in cells


def test_only_the_portal_s_pages_keep_the_page_policy(world, app):
    page = app.get(f"/dataset/{world['anything']['name']}")
    assert page.status_code == 200 and "sandbox" not in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for path in ("/api/3/action/status_show", f"/dataset/{world['anything']['name']}.rdf",
                 "/catalog.ttl", "/feeds/dataset.atom", "/sitemap.xml"):
        got = app.get(path)
        assert got.status_code == 200, path
        _confined(got)


def test_an_uploaded_department_image_is_sandboxed(world, app, sysadmin_module):
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
           b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
           b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    org = call_action("organization_patch", {"user": sysadmin_module["name"]},
                      id=world["dept"]["id"],
                      image_upload=FileStorage(io.BytesIO(png), "logo.png",
                                               content_type="image/png"))
    path = "/uploads/group/" + org["image_url"].rsplit("/", 1)[-1]
    got = app.get(path)
    assert got.status_code == 200 and got.data == png
    _confined(got)
    assert got.headers["Content-Type"] == "image/png"


def test_the_inline_and_attachment_types_are_passive_and_checked_at_start():
    from ckan.common import config

    assert file_policy.problems(config) == []
    bad = {"ckanext.lngov.files.csp": "sandbox allow-scripts; default-src 'self'",
           "ckanext.lngov.files.inline_types": "text/plain image/svg+xml text/html",
           "ckanext.lngov.files.attachment_types": "application/javascript"}
    found = " ".join(file_policy.problems(bad))
    assert "allow-scripts" in found and "image/svg+xml" in found and "text/html" in found
    assert "application/javascript" in found and "default-src 'none'" in found


# --- addresses --------------------------------------------------------------------------

REFUSED = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
           "file:///etc/passwd", "//evil.example.com/x.csv", "example.com/data.csv",
           "http:evil", "java\tscript:alert(1)"]
ACCEPTED = ["https://example.com/data.csv", "http://example.com/api?x=1",
            "ftp://ftp.example.com/pub/data.zip", "HTTPS://EXAMPLE.COM/A.CSV"]


@pytest.mark.parametrize("url", REFUSED)
def test_a_link_with_another_scheme_is_refused_by_the_api(world, url):
    from ckan.logic import ValidationError

    with pytest.raises(ValidationError) as refused:
        call_action("resource_create", {"user": world["admin"]["name"]},
                    package_id=world["table"]["id"], name="链接", url=url)
    assert "https://" in str(refused.value.error_dict["url"])


@pytest.mark.parametrize("url", ACCEPTED)
def test_a_link_with_a_declared_scheme_is_accepted(world, url):
    made = call_action("resource_create", {"user": world["admin"]["name"]},
                       package_id=world["table"]["id"], name="链接", url=url)
    assert made["url"] == url
    call_action("resource_delete", {"user": world["admin"]["name"]}, id=made["id"])


@pytest.mark.parametrize("prefix,message", [
    ("", "地址须为完整的网址"), ("/en", "The address must be a full web address")])
def test_the_api_s_error_is_translated(world, live_server, prefix, message):
    got = requests.post(f"{live_server}{prefix}/api/3/action/resource_create", timeout=30,
                        headers={"Authorization": world["admin"]["token"]},
                        json={"package_id": world["table"]["id"], "url": "javascript:alert(1)"})
    assert got.status_code == 409
    assert message in got.json()["error"]["url"][0]


@pytest.fixture
def stored_bad_link(world):
    """A resource whose address was stored before the rule (written past the validators)."""
    made = call_action("resource_create", {"user": world["admin"]["name"]},
                       package_id=world["table"]["id"], name="旧链接",
                       url="https://example.com/old.csv")
    model.Session.query(model.Resource).filter_by(id=made["id"]).update(
        {"url": "javascript:alert('stored')"})
    model.Session.commit()
    rebuild(world["table"]["id"])
    yield made
    call_action("resource_delete", {"user": world["admin"]["name"]}, id=made["id"])


def test_a_stored_bad_link_is_reported_and_withheld_until_fixed(world, app, stored_bad_link):
    marker = "alert('stored')"
    report = run_ckan("lngov", "links")
    assert report.returncode == 1, report.stdout + report.stderr
    assert stored_bad_link["id"] in report.stdout and "javascript" in report.stdout
    name = world["table"]["name"]
    shown = call_action("package_show", id=name)
    assert all(marker not in (r.get("url") or "") for r in shown["resources"])
    api = app.get(f"/api/3/action/resource_show?id={stored_bad_link['id']}").get_json()
    assert "url" not in api["result"]
    for path in (f"/dataset/{name}", f"/dataset/{name}/resource/{stored_bad_link['id']}",
                 f"/en/dataset/{name}/resource/{stored_bad_link['id']}",
                 f"/dataset/{name}.ttl", f"/dataset/{name}.jsonld", "/catalog.ttl",
                 f"/api/3/action/package_search?fq=name:{name}"):
        got = app.get(path)
        assert got.status_code == 200, path
        assert marker not in got.get_data(as_text=True), path
    # The search's copy of the entry (the index's validated_data_dict) too.
    found = app.get(f"/api/3/action/package_search?fq=name:{name}").get_json()["result"]
    assert found["count"] == 1 and stored_bad_link["id"] in json.dumps(found)
    # An activity's copy of the entry holding it (its history pages, the activity API).
    from ckanext.activity.model import Activity

    activity = model.Session.query(Activity).filter_by(object_id=world["table"]["id"]).order_by(
        Activity.timestamp.desc()).first()
    data = json.loads(json.dumps(activity.data))
    data["package"]["resources"].append({**data["package"]["resources"][-1],
                                         "id": stored_bad_link["id"],
                                         "url": "javascript:alert('stored')"})
    activity.data = data
    model.Session.commit()
    for path in (f"/dataset/{name}/history/{activity.id}",
                 f"/dataset/{name}/resources/{stored_bad_link['id']}/history/{activity.id}",
                 f"/api/3/action/activity_show?id={activity.id}",
                 f"/api/3/action/activity_data_show?id={activity.id}"):
        got = app.get(path, headers={"Authorization": world["admin"]["token"]})
        assert got.status_code == 200, path
        assert marker not in got.get_data(as_text=True), path
    # schema.org (structured_data) is on the entry page, checked above; the dump too
    dump.generate()
    assert marker not in app.get("/catalog/dump.ttl").get_data(as_text=True)
    # No redirect to it either.
    download = app.get(f"/dataset/{name}/resource/{stored_bad_link['id']}/download")
    assert download.status_code == 404
    # The edit form shows it, for the editor to fix; saving it again is refused...
    form = app.get(f"/dataset/{name}/resource/{stored_bad_link['id']}/edit",
                   headers={"Authorization": world["admin"]["token"]})
    assert "javascript:alert(&#39;stored&#39;)" in form.get_data(as_text=True)
    # ...and once fixed, nothing is reported.
    call_action("resource_patch", {"user": world["admin"]["name"]}, id=stored_bad_link["id"],
                url="https://example.com/fixed.csv")
    assert run_ckan("lngov", "links").returncode == 0


# --- upload formats ---------------------------------------------------------------------

def _refused_upload(world, entry, filename, body=b"x"):
    from ckan.logic import ValidationError

    with pytest.raises(ValidationError) as refused:
        upload(world["admin"], entry["id"], filename, body)
    return " ".join(refused.value.error_dict["url"])


def test_uploads_follow_the_entry_s_declared_formats(world):
    sheet = world["table"]   # declares XLSX
    for name in ("more.csv", "more.xlsx", "more.xls", "more.json"):   # declared or exports
        upload(world["admin"], sheet["id"], name, CSV)
    for name in ("evil.js", "page.html", "image.svg", "report.pdf", "noextension"):
        message = _refused_upload(world, sheet, name)
        assert "XLSX" in message and ".csv" in message, message
    images = catalog.create(world["admin"], **catalog.entry(
        world["dept"]["id"], format_category="image", format_types=["png", "jpg"],
        data_items=[]))
    upload(world["admin"], images["id"], "map.png", b"\x89PNG")
    upload(world["admin"], images["id"], "map.JPEG", b"\xff\xd8")
    assert "PNG" in _refused_upload(world, images, "map.svg")
    pages = catalog.create(world["admin"], **catalog.entry(
        world["dept"]["id"], format_category="file", format_types=["html"], data_items=[]))
    upload(world["admin"], pages["id"], "notice.htm", HTML)   # declared: accepted, served safely


def test_the_upload_rule_s_error_is_translated(world, live_server):
    for prefix, text in (("", "不属于本条目声明的信息资源格式"),
                         ("/en", "is not one this entry declares")):
        got = requests.post(f"{live_server}{prefix}/api/3/action/resource_create", timeout=30,
                            headers={"Authorization": world["admin"]["token"]},
                            data={"package_id": world["table"]["id"], "name": "脚本"},
                            files={"upload": ("evil.js", SCRIPT, "text/javascript")})
        assert got.status_code == 409 and text in got.json()["error"]["url"][0], got.text


def test_a_stored_file_is_not_judged_again_when_the_entry_changes(world):
    admin = world["admin"]
    entry = catalog.create(admin, **catalog.entry(
        world["dept"]["id"], format_category="other", format_types=["other"], data_items=[]))
    upload(admin, entry["id"], "old.js", SCRIPT)
    # The entry now declares only XLSX; editing it does not fail on the file already there.
    call_action("package_patch", {"user": admin["name"]}, id=entry["id"],
                format_category="sheet", format_types=["xlsx"],
                data_items=[{"name": "地区", "data_type": "C", "length": 20}])
    call_action("package_patch", {"user": admin["name"]}, id=entry["id"], title="改过的标题")


# --- the harvest ------------------------------------------------------------------------

platform = platform_fixture(12, 41)


@pytest.fixture(scope="module")
def harvested(world, platform):
    """A harvest of a platform with an HTML file in an entry that declares HTML, and an API
    at a javascript: address."""
    catalog_ = platform.catalog
    open_codes = [c for c, e in catalog_.entries.items()
                  if catalog_.openable(e) and e.get("open_attribute") == "open"
                  and e["distributions"]]
    page_code, link_code = open_codes[:2]
    with catalog_.lock:
        entry = catalog_.entries[page_code]
        entry.update(format_category="file", format_types=["html"], data_items=[])
        plan = entry["distributions"][0]
        plan.update(kind="file", format="HTML", media_type="text/html")
        del entry["distributions"][1:]
        catalog_._files[plan["id"]] = ("page.html", HTML)
        catalog_._bump(entry)
        bad = catalog_.entries[link_code]
        bad["distributions"] = [dict(bad["distributions"][0], kind="api", format="API",
                                     media_type="application/json",
                                     endpoint_url="javascript:alert(1)")]
        catalog_._bump(bad)
    source = make_source(platform, name="files-exchange")
    job, _, objects = harvest(source)
    return dict(job=job, objects=objects, page_code=page_code, link_code=link_code)


def test_harvested_copies_and_links_follow_the_same_rules(harvested, app):
    objects, page_code, link_code = (harvested["objects"], harvested["page_code"],
                                     harvested["link_code"])
    assert objects[page_code].package_id, objects[page_code].errors
    # the link's entry is refused, with the rule's message
    assert objects[link_code].package_id is None
    assert "https://" in " ".join(objects[link_code].errors), objects[link_code].errors
    pkg = call_action("package_show", id=objects[page_code].package_id)
    resource = pkg["resources"][0]
    assert resource["url_type"] == "upload" and resource["mimetype"] == "text/html"
    got = app.get(f"/dataset/{pkg['name']}/resource/{resource['id']}/download/x.html")
    assert got.status_code == 200 and got.data == HTML
    _confined(got)
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["Content-Disposition"].startswith("attachment")


def test_a_harvest_object_shows_foreign_markup_as_text(harvested, app, sysadmin_module):
    job = HarvestJob.get(harvested["job"].id)
    obj = HarvestObject(guid="files-planted", job=job, source=job.source,
                        content="<html><script>fetch('/?ran=object')</script></html>")
    obj.save()
    got = app.get(f"/harvest/object/{obj.id}",
                  headers={"Authorization": sysadmin_module["token"]})
    assert got.status_code == 200 and b"<script>" in got.data
    _confined(got)
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in got.headers
