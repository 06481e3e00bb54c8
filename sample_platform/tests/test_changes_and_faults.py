"""Simulated changes (incremental sync) and misbehaviour of the platform, over real HTTP."""
from __future__ import annotations

import hashlib
import json
import time

import pytest
import requests

from .test_platform import enc, sync


def _openable_with_file(server, skip=()):
    for code in server.catalog.order[70:]:
        entry = server.get(f"/api/v1/catalog/entries/{enc(code)}").json()
        files = [d for d in entry["distributions"] if d["kind"] == "file"]
        if files and code not in skip:
            return entry, files[0]
    raise AssertionError("no openable entry with a file")


def test_incremental_sync_sees_changes(fresh_platform):
    server = fresh_platform
    items, _ = sync(server, limit=50)
    watermark = max(i["modified"] for i in items)
    codes = [i["resource_code"] for i in items]
    touched, withdrawn, deleted, closed = codes[10], codes[20], codes[30], None
    for code in codes[40:]:
        entry = server.get(f"/api/v1/catalog/entries/{enc(code)}").json()
        if entry["distributions"]:
            closed = code
            break
    old_title = server.get(f"/api/v1/catalog/entries/{enc(touched)}").json()["title"]
    server.control("touch", resource_code=touched)
    server.control("withdraw", resource_code=withdrawn)
    server.control("delete", resource_code=deleted)
    server.control("open_attribute", resource_code=closed, value="closed")

    changed, pages = sync(server, limit=2, changed_since=watermark)
    # changed_since is inclusive: the entry at the watermark itself comes again first
    assert changed[0]["modified"] == watermark and pages == 3
    changed = changed[1:]
    assert [i["resource_code"] for i in changed] == [touched, withdrawn, deleted, closed]
    assert [i["state"] for i in changed] == ["active", "withdrawn", "deleted", "active"]
    assert changed[3]["open_attribute"] == "closed"
    assert all(i["modified"] > watermark for i in changed)

    entry = server.get(f"/api/v1/catalog/entries/{enc(touched)}").json()
    assert entry["title"] != old_title and entry["modified"] == changed[0]["modified"]
    assert server.get(f"/api/v1/catalog/entries/{enc(withdrawn)}").json()["state"] == "withdrawn"
    gone = server.get(f"/api/v1/catalog/entries/{enc(deleted)}")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "deleted"
    assert server.get(f"/api/v1/catalog/entries/{enc(closed)}").json()["distributions"] == []

    # full listing keeps the tombstones; restore brings the deleted entry back
    assert len(sync(server, limit=200)[0]) == 200
    server.control("restore", resource_code=deleted)
    again, _ = sync(server, changed_since=changed[-1]["modified"])
    assert [(i["resource_code"], i["state"]) for i in again][-1] == (deleted, "active")
    assert server.get(f"/api/v1/catalog/entries/{enc(deleted)}").status_code == 200


def test_cursor_stays_valid_while_entries_change(fresh_platform):
    server = fresh_platform
    first = server.get("/api/v1/catalog/entries", params={"limit": 30}).json()
    all_codes = set(server.catalog.entries)
    early = first["items"][5]["resource_code"]
    ahead = sync(server, limit=200)[0][150]["resource_code"]
    server.control("touch", resource_code=early, title="改名后的资源")
    server.control("touch", resource_code=ahead)
    seen = [i["resource_code"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = server.get("/api/v1/catalog/entries", params={"cursor": cursor, "limit": 30}).json()
        seen += [i["resource_code"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert set(seen) == all_codes
    assert seen[-2:] == [early, ahead]       # changed entries move to the end
    assert seen.count(early) == 2 and seen.count(ahead) == 1


def test_control_rejects_bad_requests(fresh_platform):
    url = f"{fresh_platform.url}/_control"
    assert requests.post(f"{url}/mode", json={"mode": "chaos"}).status_code == 400
    assert requests.post(f"{url}/touch", json={"resource_code": "101002/999999"}).status_code == 404
    assert requests.post(f"{url}/open_attribute", json={"resource_code": "101002/000001",
                                                        "value": "maybe"}).status_code == 400
    assert requests.get(f"{url}/summary").json()["entries"] == 200


def test_5xx_for_n_requests(fresh_platform):
    server = fresh_platform
    server.control("mode", mode="5xx", count=2)
    for _ in range(2):
        response = server.get("/api/v1/catalog/entries")
        assert response.status_code == 503 and response.json()["error"]["code"] == "unavailable"
    assert server.get("/api/v1/catalog/entries").status_code == 200
    assert requests.get(f"{server.url}/_control/mode").json()["mode"] == "none"


def test_auth_comes_before_faults(fresh_platform):
    fresh_platform.control("mode", mode="5xx")
    assert fresh_platform.get("/api/v1/catalog/entries", token="nope").status_code == 401


def test_slow(fresh_platform):
    fresh_platform.control("mode", mode="slow", seconds=1.0, count=1)
    started = time.monotonic()
    assert fresh_platform.get("/api/v1/catalog/entries?limit=1").status_code == 200
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    fresh_platform.get("/api/v1/catalog/entries?limit=1")
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("mode", ["truncated", "malformed"])
def test_broken_json(fresh_platform, mode):
    server = fresh_platform
    full = server.get("/api/v1/catalog/entries?limit=20").content
    server.control("mode", mode=mode)
    for path in ("/api/v1/catalog/entries?limit=20", "/api/v1/catalog/entries/101002%2F000001"):
        response = server.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        with pytest.raises(ValueError):
            json.loads(response.content)
    if mode == "truncated":
        assert full.startswith(server.get("/api/v1/catalog/entries?limit=20").content)


def test_fault_limited_to_one_entry(fresh_platform):
    server = fresh_platform
    target, other = server.catalog.order[3], server.catalog.order[4]
    server.control("mode", mode="5xx", resource_code=target)
    assert server.get(f"/api/v1/catalog/entries/{enc(target)}").status_code == 503
    assert server.get(f"/api/v1/catalog/entries/{enc(other)}").status_code == 200
    # a listing page carrying the entry fails, one without it does not
    server.control("mode", mode="none")
    listing = sync(server, limit=200)[0]
    position = [i["resource_code"] for i in listing].index(target)
    server.control("mode", mode="5xx", resource_code=target)
    with_target = {"changed_since": listing[position]["modified"], "limit": 1}
    assert server.get("/api/v1/catalog/entries", params=with_target).status_code == 503
    if position + 1 < len(listing) and listing[position + 1]["modified"] > listing[position]["modified"]:
        without = {"changed_since": listing[position + 1]["modified"], "limit": 1}
        assert server.get("/api/v1/catalog/entries", params=without).status_code == 200


def test_invalid_entry(fresh_platform):
    server = fresh_platform
    target, other = server.catalog.order[1], server.catalog.order[2]
    server.control("mode", mode="invalid_entry", resource_code=target)
    broken = server.get(f"/api/v1/catalog/entries/{enc(target)}").json()
    assert broken["share_type"] == "none" and broken["share_basis"] == ""   # breaks rule 1
    fine = server.get(f"/api/v1/catalog/entries/{enc(other)}").json()
    assert fine["share_type"] != "none" or fine["share_basis"]


def test_bad_checksum(fresh_platform):
    server = fresh_platform
    entry, dist = _openable_with_file(server)
    other, other_dist = _openable_with_file(server, skip={entry["resource_code"]})
    server.control("mode", mode="bad_checksum", resource_code=entry["resource_code"])
    body = server.get(dist["download_path"]).content
    assert hashlib.sha256(body).hexdigest() != dist["checksum"]["value"]
    good = server.get(other_dist["download_path"]).content
    assert hashlib.sha256(good).hexdigest() == other_dist["checksum"]["value"]
    server.control("mode", mode="none")
    body = server.get(dist["download_path"]).content
    assert hashlib.sha256(body).hexdigest() == dist["checksum"]["value"]
