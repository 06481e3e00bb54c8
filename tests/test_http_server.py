"""The portal as visitors reach it: through uWSGI (config/uwsgi.ini, as `make run` serves it)
over real HTTP. Overlong addresses and NUL bytes get a clear 4xx in the visitor's language,
never a dropped connection; every answer carries the security headers; cookies are HttpOnly
and SameSite; repeated failed logins are stopped."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests

import ckan.plugins.toolkit as tk
from ckan.tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(sysadmin_module):
    from ckan.lib.redis import connect_to_redis

    redis = connect_to_redis()   # failed logins counted by earlier runs start again
    for key in redis.scan_iter("lngov-login:*"):
        redis.delete(key)
    port = _free_port()
    uwsgi = os.path.join(os.path.dirname(sys.executable), "uwsgi")
    process = subprocess.Popen(
        [uwsgi, "--ini", os.path.join(ROOT, "config", "uwsgi.ini"),
         "--http-socket", f"127.0.0.1:{port}", "--processes", "1", "--threads", "2"],
        env={**os.environ, "CKAN_INI": tk.config["__file__"]},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if requests.get(url + "/api/3/action/status_show", timeout=15).ok:
                break
        except (requests.ConnectionError, requests.Timeout):   # still starting (a busy machine)
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("uWSGI did not start")
        time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)


def _raw_get(url: str, path: str) -> bytes:
    """A GET as it leaves a browser, whatever its length: the raw answer, b'' if dropped."""
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
                     f"Accept-Language: zh-CN\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


@pytest.mark.parametrize("characters", [1000, 3000, 6500])
def test_an_overlong_search_gets_a_414_in_chinese(server, characters):
    # 3,000 URL-encoded Chinese characters: the 27 KB address that was dropped.
    answer = _raw_get(server, "/dataset/?q=" + quote("人口" * (characters // 2)))
    assert answer.startswith(b"HTTP/1.1 414"), answer[:200]
    assert "地址过长".encode() in answer


def test_a_search_of_ordinary_length_is_served(server):
    answer = _raw_get(server, "/dataset/?q=" + quote("人口" * 200))
    assert answer.startswith(b"HTTP/1.1 200"), answer.decode(errors="replace")[-4000:]


@pytest.mark.parametrize("path", ["/dataset/%00", "/api/3/action/package_show?id=%00",
                                  "/dataset/?q=%00"])
def test_a_nul_byte_gets_a_400(server, path):
    response = requests.get(server + path, headers={"Accept-Language": "zh-CN"}, timeout=30)
    assert response.status_code == 400
    assert "NUL" in response.text


def test_a_solr_syntax_error_is_a_clear_409_without_internals(server):
    response = requests.get(server + "/api/3/action/package_search",
                            params={"fq": "title:("}, timeout=30)
    assert response.status_code == 409
    error = response.json()["error"]
    assert "q" in error and "permission_labels" not in response.text \
        and "site_id" not in response.text


@pytest.mark.parametrize("path", ["/", "/dataset/", "/api/3/action/status_show",
                                  "/user/login", "/catalog.ttl"])
def test_every_answer_carries_the_security_headers(server, path):
    headers = requests.get(server + path, timeout=60).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp
    if headers["Content-Type"].startswith("text/html"):   # the pages' policy
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    else:   # every other answer is sandboxed and runs nothing (serving/files.py)
        assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def _login(server: str, session: requests.Session, login: str, password: str):
    page = session.get(server + "/user/login", timeout=30).text
    token = page.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    return session.post(server + "/user/login", data={
        "login": login, "password": password, "_csrf_token": token},
        allow_redirects=False, timeout=30)


def test_the_session_cookie_is_httponly_and_samesite(server):
    user = factories.User(password="correct-horse-battery")
    session = requests.Session()
    response = _login(server, session, user["name"], "correct-horse-battery")
    assert response.status_code == 302
    cookies = response.raw.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_the_production_settings_send_cookies_over_https_only():
    from ckan.cli import CKANConfigLoader

    production = CKANConfigLoader(os.path.join(ROOT, "config", "production.ini")).get_config()
    for option in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE",
                   "ckanext.lngov.security.hsts"):
        assert tk.asbool(production[option]), option
    assert production["ckan.site_url"].startswith("https://")
    for option in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY"):
        assert tk.asbool(production[option]), option
    assert production["REMEMBER_COOKIE_SAMESITE"] == production["SESSION_COOKIE_SAMESITE"] \
        == "Lax"


def test_repeated_failed_logins_are_stopped_even_with_the_right_password(server):
    user = factories.User(password="correct-horse-battery")
    limit = tk.config.get("ckanext.lngov.login.max_failures")
    session = requests.Session()
    for _ in range(limit):
        assert _login(server, session, user["name"], "wrong").status_code == 200
    blocked = _login(server, session, user["name"], "correct-horse-battery")
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.text
    # The lock is the account's: another account from the same address still logs in.
    other = factories.User(password="correct-horse-battery")
    assert _login(server, requests.Session(), other["name"],
                  "correct-horse-battery").status_code == 302
