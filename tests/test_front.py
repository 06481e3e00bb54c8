"""The caching front (scripts/front.sh: nginx before CKAN under uWSGI, as `make run` with
LNGOV_FRONT=1 serves the portal): anonymous pages, safe API reads, DCAT pages and assets come
from its cache; signed-in visitors and API tokens always reach CKAN; and after every kind of
change the next anonymous request gets the new state: withdrawal and making private answer
404, an edit shows the new text, everywhere the entry appears."""
from __future__ import annotations

import json
import time

import pytest
import requests

import ckan.plugins.toolkit as tk

from ckanext.lngov.serving import cache
from tests import catalog
from tests.cluster import api, ckan_node, free_port, script, wait_until
from tests.commands import run_jobs

# Where an entry's title shows, to anonymous visitors ({name} and {org} filled in).
SURFACES = [
    "/dataset/{name}",
    "/en/dataset/{name}",
    "/dataset/?organization={org}",
    "/api/3/action/package_show?id={name}",
    "/api/3/action/package_search?fq=organization:{org}",
    "/dataset/{name}.ttl",
    "/catalog.ttl",
    "/organization/{org}",
    "/",
]
PUBLIC_ONLY = ["/dataset/{name}", "/en/dataset/{name}", "/dataset/{name}.ttl",
               "/api/3/action/package_show?id={name}"]


@pytest.fixture(scope="module")
def node(sysadmin_module):
    """A CKAN web node under uWSGI, as `make run` serves the portal."""
    with ckan_node(tk.config["__file__"]) as url:
        yield url


@pytest.fixture(scope="module")
def front(node, tmp_path_factory):
    port = free_port()
    env = {"LNGOV_FRONT_PORT": str(port), "LNGOV_FRONT_UPSTREAMS": node.split("//")[1],
           "LNGOV_FRONT_DIR": str(tmp_path_factory.mktemp("front") / "front"),
           "LNGOV_CACHE_GENERATION_FILE": cache.generation_file(),
           "LNGOV_STORAGE_PATH": tk.config["ckan.storage_path"]}
    script("front.sh", "start", env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        script("front.sh", "stop", env=env)


def get(front: str, path: str, **kwargs) -> requests.Response:
    return requests.get(front + path, timeout=60, allow_redirects=False, **kwargs)


def warm(front: str, path: str) -> requests.Response:
    """Asks twice: the second answer comes from the front's cache."""
    get(front, path)
    answer = get(front, path)
    assert answer.headers["X-Cache-Status"] == "HIT", (path, answer.status_code)
    return answer


@pytest.fixture
def published(front, sysadmin_module):
    token = sysadmin_module["token"]
    org = api(front, "organization_create", token, **{
        "name": f"dept-{free_port()}", "title": "省统计局", "credit_code": catalog.credit_code(),
        "image_url": ""})
    title = f"铁岭市统计年鉴{free_port()}"
    entry = api(front, "package_create", token, **catalog.entry(org["id"], title=title))
    return {"name": entry["name"], "title": title, "id": entry["id"], "org": org["name"],
            "org_id": org["id"], "token": token}


def _fill(template: str, entry: dict) -> str:
    return template.format(**entry)


def shows(answer: requests.Response, text: str) -> bool:
    """TEXT is in the answer (in a JSON answer, also where it is \\u-escaped)."""
    if text in answer.text:
        return True
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        return text in json.dumps(answer.json(), ensure_ascii=False)
    return False


def test_anonymous_answers_come_from_the_cache_without_cookies(front, published):
    for path in SURFACES:
        answer = warm(front, _fill(path, published))
        assert answer.status_code == 200, path
        assert shows(answer, published["title"]), path
        assert "Set-Cookie" not in answer.headers, path
    # An asset (webassets keeps them in the storage): the front sends the file itself.
    page = get(front, "/").text
    asset = get(front, "/webassets/" + page.split('href="/webassets/', 1)[1].split('"', 1)[0])
    assert asset.status_code == 200 and asset.headers["X-Lngov-Sent-By"] == "front"


def test_signed_in_visitors_and_tokens_always_reach_ckan(front, published, sysadmin_module):
    path = _fill("/dataset/{name}", published)
    warm(front, path)
    with_token = get(front, path, headers={"Authorization": published["token"]})
    assert with_token.headers["X-Cache-Status"] == "BYPASS"
    # A real login through the front: its session cookie passes the cache by.
    session = requests.Session()
    login = session.get(front + "/user/login", timeout=60)
    assert login.headers["X-Cache-Status"] != "HIT"
    user = {"name": f"front-user-{free_port()}", "password": "correct-horse-battery"}
    api(front, "user_create", published["token"], email=f"{user['name']}@example.com", **user)
    csrf = login.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    done = session.post(front + "/user/login", data={
        "login": user["name"], "password": user["password"], "_csrf_token": csrf},
        allow_redirects=False, timeout=60)
    assert done.status_code == 302
    page = session.get(front + path, timeout=60)
    assert page.headers["X-Cache-Status"] == "BYPASS"
    assert user["name"] in page.text        # the header's user menu: not an anonymous page
    # What a signed-in visitor was answered is not kept for anyone.
    assert user["name"] not in get(front, path).text


def test_an_edit_shows_on_the_next_anonymous_request(front, published):
    for path in SURFACES:
        warm(front, _fill(path, published))
    new_title = published["title"] + "（修订）"
    api(front, "package_patch", published["token"], id=published["id"], title=new_title)
    for path in SURFACES:
        answer = get(front, _fill(path, published))
        assert answer.headers["X-Cache-Status"] != "HIT", path
        assert shows(answer, new_title), path


@pytest.mark.parametrize("change", ["withdrawal", "made private"])
def test_an_entry_no_longer_public_is_missing_on_the_next_anonymous_request(
        front, published, change):
    for path in SURFACES:
        warm(front, _fill(path, published))
    if change == "withdrawal":   # what the harvester does (harvest/exchange.py _withdraw)
        api(front, "package_delete", published["token"], id=published["id"])
    else:
        api(front, "package_patch", published["token"], id=published["id"], private=True)
    for path in SURFACES:
        answer = get(front, _fill(path, published))
        assert answer.status_code == (404 if path in PUBLIC_ONLY else 200), path
        assert not shows(answer, published["title"]), path
        if path not in PUBLIC_ONLY:    # (a 404 page links to itself in English)
            assert published["name"] not in answer.text, path
    # And it stays so: the 404 is what the front now keeps.
    assert warm(front, _fill("/dataset/{name}", published)).status_code == 404


def test_a_department_edit_shows_on_the_next_anonymous_request(front, published):
    for path in ("/organization/{org}", "/dataset/{name}", "/organization/"):
        warm(front, _fill(path, published))
    api(front, "organization_patch", published["token"], id=published["org_id"],
        title="辽宁省统计局（新）")
    for path in ("/organization/{org}", "/dataset/{name}", "/organization/"):
        assert "辽宁省统计局（新）" in get(front, _fill(path, published)).text, path


def test_a_new_datastore_table_shows_on_the_next_anonymous_request(front, published):
    resource = api(front, "resource_create", published["token"], package_id=published["id"],
                   name="统计表", url="http://example.com/data.csv", format="CSV")
    path = f"/api/3/action/datastore_search?resource_id={resource['id']}"
    assert warm(front, path).status_code == 404
    api(front, "datastore_create", published["token"], resource_id=resource["id"],
        force=True, fields=[{"id": "地区", "type": "text"}, {"id": "人口", "type": "int"}],
        records=[{"地区": "铁岭市", "人口": 2380000}])
    answer = get(front, path)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["result"]["records"][0]["地区"] == "铁岭市"
    api(front, "datastore_upsert", published["token"], resource_id=resource["id"], force=True,
        method="insert", records=[{"地区": "开原市", "人口": 510000}])
    assert "开原市" in get(front, path).text


def test_views_of_pages_from_the_cache_are_counted(front, published):
    from ckanext.lngov import usage

    def views() -> int:
        from ckan import model
        model.Session.remove()
        return usage.counts([published["id"]])[published["id"]]["view"]

    before = views()
    path = _fill("/dataset/{name}", published)
    answers = [get(front, path) for _ in range(3)] + [get(front, "/en" + path)]
    assert [a.headers["X-Cache-Status"] for a in answers[:3]] == ["MISS", "HIT", "HIT"]
    # Its RDF (content negotiation) is not a view, nor is a page of a hidden entry.
    get(front, path, headers={"Accept": "text/turtle"})
    wait_until(lambda: views() == before + 4, 10, "four views counted")
    api(front, "package_patch", published["token"], id=published["id"], private=True)
    assert get(front, path).status_code == 404
    time.sleep(1)
    assert views() == before + 4


def test_downloads_and_the_dump_are_sent_by_the_front_once_authorised(front, node, published):
    from ckanext.lngov.dcat import dump

    content = "地区,人口\n铁岭市,2380000\n".encode() * 2000
    answer = requests.post(front + "/api/3/action/resource_create", timeout=60,
                           headers={"Authorization": published["token"]},
                           data={"package_id": published["id"], "name": "人口表",
                                 "format": "CSV"},
                           files={"upload": ("population.csv", content, "text/csv")})
    assert answer.ok, answer.text[:300]
    resource = answer.json()["result"]
    run_jobs()  # the file screened (privacy.py): then it is served
    path = f"/dataset/{published['id']}/resource/{resource['id']}/download/population.csv"
    sent = get(front, path)
    assert sent.status_code == 200 and sent.content == content
    assert sent.headers["X-Lngov-Sent-By"] == "front"
    assert sent.headers["Content-Type"].startswith("text/csv")
    part = get(front, path, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == content[10:100]
    # A web node reached directly sends the file itself.
    direct = get(node, path)
    assert direct.status_code == 200 and direct.content == content
    assert "X-Lngov-Sent-By" not in direct.headers and "X-Sendfile" not in direct.headers
    part = get(node, path, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == content[10:100]
    # The dump, regenerated in-process here, is sent by the front too.
    dump.generate()
    catalog_dump = get(front, "/catalog/dump.ttl")
    assert catalog_dump.status_code == 200 and published["title"] in catalog_dump.text
    assert catalog_dump.headers["X-Lngov-Sent-By"] == "front"
    # Once the entry is private, the front sends nothing: CKAN refuses first.
    api(front, "package_patch", published["token"], id=published["id"], private=True)
    hidden = get(front, path)
    assert hidden.status_code == 404 and content[:20] not in hidden.content


def test_a_write_searchable_a_moment_later_is_not_kept_stale(front, published, sysadmin_module):
    """The harvester commits to PostgreSQL with Solr's commit deferred (its autoSoftCommit
    shows the change within 2 s): a search answered in between must not stay kept."""
    from ckan.tests.helpers import call_action

    from ckanext.lngov.harvest.exchange import deferred_solr_commit

    path = _fill("/api/3/action/package_search?fq=organization:{org}", published)
    warm(front, path)
    new_title = published["title"] + "（采集）"
    with deferred_solr_commit():
        call_action("package_patch", {"user": sysadmin_module["name"]}, id=published["id"],
                    title=new_title)
        get(front, path)    # answered at once: Solr may not show the change yet
    time.sleep(tk.config.get("ckanext.lngov.cache.index_delay") + 2)
    assert shows(get(front, path), new_title)


def test_negotiated_answers_are_kept_apart(front, published):
    """/dataset/<name> answers RDF to an Accept that prefers it (also application/* and
    text/*): such an answer is never given to a visitor who asked for the page."""
    path = _fill("/dataset/{name}", published)
    for accept, expected in (("application/*", "application/rdf+xml"),
                             ("text/*", "text/turtle"), ("text/turtle", "text/turtle")):
        for _ in range(2):
            answer = get(front, path, headers={"Accept": accept})
            assert answer.headers["Content-Type"].startswith(expected), accept
        for browser in ("", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"):
            page = get(front, path, headers={"Accept": browser} if browser else {})
            assert page.headers["Content-Type"].startswith("text/html"), (accept, browser)
    assert warm(front, path).headers["Content-Type"].startswith("text/html")
