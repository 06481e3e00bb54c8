"""Two CKAN web nodes (uWSGI, as `make front` runs them) sharing PostgreSQL, Redis, Solr, the
file storage and the ini's secrets, behind the caching front: a login or a CSRF token made on
one is valid on the other; a change made on either is what the next anonymous request through
the front gets; failed logins are counted per visitor, not per front."""
from __future__ import annotations

import pytest
import requests
from requests.adapters import HTTPAdapter

import ckan.plugins.toolkit as tk

from ckanext.lngov.serving import cache
from tests import catalog
from tests.cluster import api, ckan_node, free_port, script


@pytest.fixture(scope="module")
def nodes(sysadmin_module, tmp_path_factory):
    """Two web nodes from one ini (the tests', behind one proxy), and the front before them."""
    ini = tmp_path_factory.mktemp("nodes") / "ckan-front.ini"
    ini.write_text("[DEFAULT]\ndebug = false\n\n[app:main]\n"
                   f"use = config:{tk.config['__file__']}\nckanext.lngov.proxy_count = 1\n")
    with ckan_node(str(ini)) as one, ckan_node(str(ini)) as two:
        port = free_port()
        env = {"LNGOV_FRONT_PORT": str(port),
               "LNGOV_FRONT_UPSTREAMS": f"{one.split('//')[1]} {two.split('//')[1]}",
               "LNGOV_FRONT_DIR": str(tmp_path_factory.mktemp("front") / "front"),
               "LNGOV_CACHE_GENERATION_FILE": cache.generation_file(),
               "LNGOV_STORAGE_PATH": tk.config["ckan.storage_path"]}
        script("front.sh", "start", env=env)
        try:
            yield {"one": one, "two": two, "front": f"http://127.0.0.1:{port}"}
        finally:
            script("front.sh", "stop", env=env)


@pytest.fixture
def user(nodes, sysadmin_module):
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()   # failed logins counted by earlier tests start again
    for key in redis.scan_iter("lngov-login:*"):
        redis.delete(key)
    name = f"node-user-{free_port()}"
    password = "correct-horse-battery"
    api(nodes["one"], "user_create", sysadmin_module["token"], name=name, password=password,
        email=f"{name}@example.com")
    return {"name": name, "password": password}


class FromAddress(HTTPAdapter):
    """Connections from another loopback address (127.0.0.0/8): another visitor."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _csrf(page: str) -> str:
    return page.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_login_on_one_node_is_valid_on_the_other(nodes, user):
    session = requests.Session()
    # The form (and its CSRF token) from the first node, the login posted to the second.
    form = session.get(nodes["one"] + "/user/login", timeout=60)
    done = session.post(nodes["two"] + "/user/login", data={
        "login": user["name"], "password": user["password"], "_csrf_token": _csrf(form.text)},
        allow_redirects=False, timeout=60)
    assert done.status_code == 302, done.text[:300]
    for node in ("one", "two"):
        page = session.get(nodes[node] + "/dashboard/datasets", allow_redirects=False,
                           timeout=60)
        assert page.status_code == 200, node
        assert user["name"] in page.text, node
    # A form of the second node, posted with the session to the first: CSRF holds across.
    form = session.get(nodes["two"] + "/user/edit/" + user["name"], timeout=60)
    assert form.status_code == 200
    token = _csrf(form.text)
    refused = session.post(nodes["one"] + "/user/edit/" + user["name"], data={
        "name": user["name"], "email": f"{user['name']}@example.com", "fullname": "新名字",
        "_csrf_token": "not-the-token", "old_password": user["password"]},
        allow_redirects=False, timeout=60)
    assert refused.status_code == 400
    accepted = session.post(nodes["one"] + "/user/edit/" + user["name"], data={
        "name": user["name"], "email": f"{user['name']}@example.com", "fullname": "新名字",
        "_csrf_token": token, "old_password": user["password"], "save": ""},
        allow_redirects=False, timeout=60)
    assert accepted.status_code in (200, 302), accepted.text[:300]
    assert "新名字" in session.get(nodes["two"] + "/user/" + user["name"], timeout=60).text


def test_through_the_front_both_nodes_answer_and_a_login_holds(nodes, user):
    session = requests.Session()
    form = session.get(nodes["front"] + "/user/login", timeout=60)
    done = session.post(nodes["front"] + "/user/login", data={
        "login": user["name"], "password": user["password"], "_csrf_token": _csrf(form.text)},
        allow_redirects=False, timeout=60)
    assert done.status_code == 302
    # Many signed-in requests: the front spreads them over both nodes (round robin), and
    # every one of them knows the visitor.
    for _ in range(6):
        page = session.get(nodes["front"] + "/dashboard/datasets", timeout=60)
        assert page.status_code == 200 and user["name"] in page.text
        assert page.headers["X-Cache-Status"] == "BYPASS"


@pytest.mark.parametrize("change", ["edit", "withdrawal", "made private"])
def test_a_change_on_either_node_shows_on_the_next_anonymous_request(nodes, sysadmin_module,
                                                                     change):
    token = sysadmin_module["token"]
    org = catalog.department()
    title = f"营口市港口吞吐量{free_port()}"
    entry = api(nodes["one"], "package_create", token, **catalog.entry(org["id"], title=title))
    paths = [f"/dataset/{entry['name']}", f"/api/3/action/package_show?id={entry['name']}",
             f"/dataset/?organization={org['name']}"]
    for path in paths:
        requests.get(nodes["front"] + path, timeout=60)
        assert requests.get(nodes["front"] + path, timeout=60).headers["X-Cache-Status"] == "HIT"
    # The change is made on the second node; the front may ask either.
    if change == "edit":
        api(nodes["two"], "package_patch", token, id=entry["id"], title=title + "（更正）")
    elif change == "withdrawal":
        api(nodes["two"], "package_delete", token, id=entry["id"])
    else:
        api(nodes["two"], "package_patch", token, id=entry["id"], private=True)
    for _ in range(2):   # whichever node answers
        page, show, search = (requests.get(nodes["front"] + p, timeout=60) for p in paths)
        if change == "edit":
            assert title + "（更正）" in page.text
            assert show.json()["result"]["title"] == title + "（更正）"
            assert title + "（更正）" in search.text
        else:
            assert page.status_code == 404 and show.status_code == 404
            assert search.status_code == 200 and title not in search.text


def test_failed_logins_are_counted_per_visitor_behind_the_front(nodes, user):
    limit = tk.config.get("ckanext.lngov.login.max_failures_per_address")
    others = [f"nobody-{i}" for i in range(limit + 1)]

    def attempt(address: str, login: str, forged: str = "") -> int:
        session = requests.Session()
        session.mount("http://", FromAddress(address))
        form = session.get(nodes["front"] + "/user/login", timeout=60)
        headers = {"X-Forwarded-For": forged} if forged else {}
        return session.post(nodes["front"] + "/user/login", data={
            "login": login, "password": "wrong", "_csrf_token": _csrf(form.text)},
            headers=headers, allow_redirects=False, timeout=60).status_code

    # One visitor trying many accounts is stopped, whatever address it claims to be ...
    answers = [attempt("127.0.0.7", login, forged=f"198.51.100.{i}")
               for i, login in enumerate(others)]
    assert answers[-1] == 429, answers
    # ... but not the next visitor, though both reach CKAN through the same front.
    assert attempt("127.0.0.9", user["name"]) != 429
