"""The exchange platform over real HTTP: auth, paging, incremental sync, entries, files, DCAT."""
from __future__ import annotations

import collections
import datetime as dt
import hashlib
import json
from urllib.parse import quote

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckanext.lngov.catalog.validators import RESOURCE_CODE as CODE, lngov_credit_code
from ckanext.lngov.catalog.codes import CODES_FILE
from ckanext.lngov.demo.files import load_catalog, load_yaml
from sample_platform.catalog import Catalog

from .conftest import OTHER_TOKEN, TOKEN

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CODES = load_yaml(CODES_FILE)
DB_ITEM = {c["value"]: (c["classification"], c["item"]) for c in CODES["base_theme_db"]}


def enc(code: str) -> str:
    return quote(code, safe="")


def sync(server, limit=100, **params):
    """Follow next_cursor to the end; the items and the number of pages."""
    items, pages, cursor = [], 0, None
    while True:
        query = dict(params, limit=limit)
        if cursor:
            query = {"cursor": cursor, "limit": limit}
        response = server.get("/api/v1/catalog/entries", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages


@pytest.fixture(scope="module")
def listing(platform):
    return sync(platform, limit=97)[0]


@pytest.fixture(scope="module")
def details(platform, listing):
    out = {}
    for item in listing:
        response = platform.get(f"/api/v1/catalog/entries/{enc(item['resource_code'])}")
        assert response.status_code == 200, response.text
        out[item["resource_code"]] = response.json()
    return out


# ---------------------------------------------------------------------- auth

@pytest.mark.parametrize("path", ["/api/v1/catalog/entries",
                                  "/api/v1/catalog/entries/101002%2F000001",
                                  "/api/v1/files/c1c061cb8ce104ef42bb"])
@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic dGVzdDp0ZXN0", "Bearer", f"Token {TOKEN}"])
def test_missing_or_bad_token_is_401(platform, path, header):
    headers = {"Authorization": header} if header else {}
    response = platform.get(path, token=None, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["error"]["code"] == "unauthorized" and body["error"]["message"]


def test_every_consumer_token_works(platform):
    for token in (TOKEN, OTHER_TOKEN):
        assert platform.get("/api/v1/catalog/entries?limit=1", token=token).status_code == 200


# ---------------------------------------------------------------------- listing

def test_full_listing_pages_in_stable_order(platform, listing):
    assert len(listing) == 500
    keys = [(i["modified"], i["resource_code"]) for i in listing]
    assert keys == sorted(keys)
    assert len({i["resource_code"] for i in listing}) == 500
    assert {i["state"] for i in listing} == {"active"}
    first = platform.get("/api/v1/catalog/entries").json()
    assert len(first["items"]) == 100 and first["next_cursor"]
    assert first["items"] == listing[:100]


def test_same_cursor_gives_same_page(platform):
    cursor = platform.get("/api/v1/catalog/entries?limit=50").json()["next_cursor"]
    a = platform.get("/api/v1/catalog/entries", params={"cursor": cursor, "limit": 50}).json()
    b = platform.get("/api/v1/catalog/entries", params={"cursor": cursor, "limit": 50}).json()
    assert a == b and len(a["items"]) == 50


def test_last_page_has_null_cursor(platform):
    page = platform.get("/api/v1/catalog/entries?limit=500").json()
    assert len(page["items"]) == 500 and page["next_cursor"] is None


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=abc", "limit=1.5", "limit=-1",
                                   "cursor=not-a-cursor", "changed_since=yesterday",
                                   "changed_since=2026-02-30T00:00:00Z", "unknown=1",
                                   "limit=1&limit=2"])
def test_bad_parameters_are_400(platform, query):
    response = platform.get(f"/api/v1/catalog/entries?{query}")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message"}


def test_changed_since(platform, listing):
    pivot = listing[250]["modified"]
    expected = [i for i in listing if i["modified"] >= pivot]
    items, _ = sync(platform, limit=40, changed_since=pivot)
    assert items == expected
    # the same instant in another offset, and a fraction of a second later
    when = dt.datetime.strptime(pivot, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    shanghai = when.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    assert sync(platform, limit=500, changed_since=shanghai)[0] == expected
    later = (when + dt.timedelta(milliseconds=1)).isoformat().replace("+00:00", "Z")
    assert sync(platform, limit=500, changed_since=later)[0] == [i for i in listing if i["modified"] > pivot]
    future = platform.get("/api/v1/catalog/entries", params={"changed_since": "2099-01-01T00:00:00Z"}).json()
    assert future == {"items": [], "next_cursor": None}


# ---------------------------------------------------------------------- entries

def test_demo_entry_in_full(platform):
    departments, entries = load_catalog()
    demo = next(e for e in entries if e["resource_code"] == "101002/000001")
    dept = next(d for d in departments if d["name"] == demo["owner_org"])
    response = platform.get("/api/v1/catalog/entries/101002%2F000001")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    entry = response.json()
    for key in ("resource_code", "title", "title_en", "classification", "base_theme_db", "provider_office",
                "format_category", "format_types", "update_cycle", "share_type", "share_methods",
                "usage_purposes", "open_attribute", "related_codes", "domain", "contact_email", "license_id"):
        assert entry[key] == demo[key], key
    # The release date follows today (the catalog's rule for every entry), not the demo's.
    assert entry["release_date"] == platform.catalog.entries["101002/000001"]["release_date"]
    assert dt.date.fromisoformat(entry["release_date"]) < platform.catalog.today
    assert [i["name"] for i in entry["data_items"]] == [i["name"] for i in demo["data_items"]]
    assert entry["provider"] == {"credit_code": dept["credit_code"], "name": dept["title"],
                                 "name_en": dept["title_en"]}
    assert entry["secret"] == "非涉密" and entry["state"] == "active"
    assert 1 <= len(entry["distributions"]) <= 2


def test_unknown_and_malformed_codes(platform):
    assert platform.get("/api/v1/catalog/entries/101002%2F999999").status_code == 404
    assert platform.get("/api/v1/catalog/entries/401002%2F000001").status_code == 400
    assert platform.get("/api/v1/catalog/entries/abc").json()["error"]["code"] == "invalid_resource_code"
    assert platform.get("/api/v1/files/ffffffffffffffffffff").status_code == 404
    assert platform.get("/api/v1/files/xyz").status_code == 400


def test_files_match_size_and_checksum(platform, details):
    seen = collections.Counter()
    for entry in list(details.values()):
        for dist in entry["distributions"]:
            if dist["kind"] != "file" or seen[dist["format"]] >= 6:
                continue
            seen[dist["format"]] += 1
            response = platform.get(dist["download_path"])
            assert response.status_code == 200
            body = response.content
            assert len(body) == dist["byte_size"] == int(response.headers["Content-Length"])
            assert hashlib.sha256(body).hexdigest() == dist["checksum"]["value"]
            assert response.headers["Content-Type"].split(";")[0] == dist["media_type"]
            header = [i["name"] for i in entry["data_items"]]
            if dist["format"] == "CSV":
                assert body.startswith(b"\xef\xbb\xbf")
                assert body.decode("utf-8-sig").splitlines()[0].split(",")[: 2] == header[:2]
            elif dist["format"] == "XLSX":
                assert body[:2] == b"PK"
            else:
                data = json.loads(body)
                assert data["resource_code"] == entry["resource_code"]
                assert list(data["rows"][0]) == header
    assert set(seen) == {"CSV", "XLSX", "JSON"}


def test_closed_entries_have_no_distributions(platform, details):
    closed = [e for e in details.values() if e["open_attribute"] not in ("open", "conditional")
              or e["secret"] == "涉密"]
    assert closed and all(e["distributions"] == [] for e in closed)


# ---------------------------------------------------------------------- coverage and rules

def test_catalog_coverage(details):
    entries = list(details.values())
    assert len(entries) == 500
    assert {e["classification"] for e in entries} == {"1", "2", "3"}
    assert {b for e in entries for b in e["base_theme_db"]} == set(DB_ITEM)
    assert {e["share_type"] for e in entries} == {"unconditional", "conditional", "none"}
    assert {m for e in entries for m in e["share_methods"]} == {"query", "download", "interface"}
    departments, _ = load_catalog()
    assert {e["provider"]["credit_code"] for e in entries} == {d["credit_code"] for d in departments}
    attrs = collections.Counter(e["open_attribute"] for e in entries)
    assert attrs["open"] and attrs["conditional"] and attrs["closed"] and attrs["unknown"] and attrs[None]
    secret = [e for e in entries if e["secret"] == "涉密"]
    assert 1 <= len(secret) <= 25
    not_openable = [e for e in entries if e["open_attribute"] not in ("open", "conditional") or e in secret]
    assert 0.28 <= len(not_openable) / len(entries) <= 0.40
    kinds = collections.Counter((d["kind"], d["format"]) for e in entries for d in e["distributions"])
    assert {("file", "CSV"), ("file", "XLSX"), ("file", "JSON"), ("api", "API")} <= set(kinds)
    openable = [e for e in entries if e not in not_openable]
    assert all(1 <= len(e["distributions"]) <= 2 for e in openable)


def test_catalog_rules_hold(details):
    fits = {c["value"]: set(c["categories"]) for c in CODES["format_types"]}
    for code, e in details.items():
        assert CODE.match(code) and code[0] == e["classification"], code
        if e["classification"] in ("1", "2"):
            dbs = [b for b in e["base_theme_db"] if DB_ITEM[b] == (e["classification"], code[1:3])]
            assert dbs, f"{code}: 项 {code[1:3]} names no database of {e['base_theme_db']}"
        if e["share_type"] == "none":
            assert e["share_basis"] and e["open_attribute"] == "closed", code
        if e["share_type"] == "conditional":
            assert e["share_scope"] and e["share_conditions"], code
        if e["open_attribute"] == "conditional":
            assert e["open_conditions"], code
        assert all(e["format_category"] in fits[t] for t in e["format_types"]), code
        names = [i["name"] for i in e["data_items"]]
        assert len(names) == len(set(names)), code
        assert lngov_credit_code(e["provider"]["credit_code"]) == e["provider"]["credit_code"]
        assert dt.date.fromisoformat(e["release_date"]) < dt.datetime.now(dt.timezone.utc).date()
        assert all(CODE.match(r) for r in e["related_codes"])


def test_generation_is_deterministic():
    a, b, c = Catalog(300, seed=3), Catalog(300, seed=3), Catalog(300, seed=4)
    assert [(k, a.entries[k]["modified"]) for k in a.order] == [(k, b.entries[k]["modified"]) for k in b.order]
    assert a.order != c.order
    code = next(k for k in a.order[100:] if a.detail(k)["distributions"])
    assert a.detail(code) == b.detail(code)


def test_release_dates_follow_today_most_on_time_some_overdue():
    from ckanext.lngov.catalog import freshness

    today = dt.date(2027, 3, 15)
    a, b = Catalog(500, seed=2, today=today), Catalog(500, seed=2, today=today)
    later = Catalog(500, seed=2, today=today + dt.timedelta(days=40))
    assert [a.entries[k]["release_date"] for k in a.order] == \
        [b.entries[k]["release_date"] for k in b.order]
    status = collections.Counter(freshness.status(e, today) for e in a.entries.values())
    regular = status["on_time"] + status["overdue"]
    assert 0.05 < status["overdue"] / regular < 0.3, status
    assert all(dt.date.fromisoformat(e["release_date"]) < today for e in a.entries.values())
    # Another day: the same entries on time and overdue, their dates moved with it.
    assert [freshness.status(e, today) for e in a.entries.values()] == \
        [freshness.status(e, today + dt.timedelta(days=40)) for e in later.entries.values()]


def test_large_catalog_starts_fast():
    import time
    started = time.monotonic()
    catalog = Catalog(10000)
    assert time.monotonic() - started < 15
    assert len(catalog.entries) == 10000 and all(CODE.match(k) for k in catalog.entries)


# ---------------------------------------------------------------------- DCAT

def test_dcat_feed_pages_and_content(platform, details):
    expected = {c for c, e in details.items() if e["state"] == "active" and e["secret"] != "涉密"
                and e["open_attribute"] in ("open", "conditional")}
    url, seen, pages = f"{platform.url}/dcat/catalog.ttl?page=1", [], 0
    while url:
        response = platform.get(url[len(platform.url):], token=None)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
        g = Graph().parse(data=response.text, format="turtle")
        pages += 1
        paging = next(g.subjects(RDF.type, HYDRA.PagedCollection))
        assert int(g.value(paging, HYDRA.totalItems)) == len(expected)
        for ds in g.subjects(RDF.type, DCAT.Dataset):
            code = str(g.value(ds, DCTERMS.identifier))
            seen.append(code)
            assert g.value(ds, DCTERMS.title) is not None and g.value(ds, DCTERMS.description) is not None
            publisher = g.value(ds, DCTERMS.publisher)
            assert str(g.value(publisher, DCTERMS.identifier)) == details[code]["provider"]["credit_code"]
            urls = {str(u) for d in g.objects(ds, DCAT.distribution) for u in g.objects(d, DCAT.downloadURL)}
            files = {platform.url + d["download_path"] for d in details[code]["distributions"] if d["kind"] == "file"}
            assert urls == files
        nxt = g.value(paging, HYDRA.nextPage)
        url = str(nxt) if nxt is not None else None
    assert sorted(seen) == sorted(expected) and pages == -(-len(expected) // 50)


def test_dcat_download_url_serves_the_file(platform, details):
    g = Graph().parse(data=platform.get("/dcat/catalog.ttl?page=2", token=None).text, format="turtle")
    url = str(next(g.objects(None, DCAT.downloadURL)))
    did = url.rsplit("/", 1)[1]
    dist = next(d for e in details.values() for d in e["distributions"] if d["id"] == did)
    body = platform.get(url[len(platform.url):]).content
    assert hashlib.sha256(body).hexdigest() == dist["checksum"]["value"]


@pytest.mark.parametrize("page,status", [("0", 400), ("x", 400), ("999", 404)])
def test_dcat_bad_pages(platform, page, status):
    assert platform.get(f"/dcat/catalog.ttl?page={page}", token=None).status_code == status


def test_openapi_document_is_served(platform):
    assert platform.get("/openapi.yaml", token=None).text.startswith("openapi: 3.0")


def test_unknown_route_is_json_404(platform):
    response = platform.get("/api/v1/nothing")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert isinstance(URIRef, type)
