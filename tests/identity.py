"""The unified identity's test harness: the real provider of the tests' environment
(scripts/identity.sh, node-oidc-provider on LNGOV_IDENTITY_PORT), its staff records (the
users file it reads again when it changes), and a visitor who signs in through it over real
HTTP: the portal in one requests session, the provider in another (its own cookies: its
sign-in session), as a browser keeps them apart."""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests

import ckan.plugins.toolkit as tk

ROOT = Path(__file__).resolve().parent.parent
USERS = ROOT / ".lngov" / "test" / "identity" / "users.json"   # scripts/identity.sh's copy
PASSWORD = "lngov-demo"
# The demo departments' 统一社会信用代码 (ckanext/lngov/demo/departments.yaml), which the
# provider's department claim names.
DRC, STATS, HC, DOT = ("11210000001201365N", "112100000012148526", "112100000012120807",
                       "11210000001210755W")


def issuer() -> str:
    return os.environ["LNGOV_IDENTITY_ISSUER"]


def _up() -> bool:
    try:
        return requests.get(issuer() + "/.well-known/openid-configuration",
                            timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def identity_provider() -> str:
    """The tests' provider, started by its script if it is not running (scripts/test.sh
    starts it with the other services)."""
    if not _up():
        subprocess.run(["bash", str(ROOT / "scripts" / "identity.sh"), "start"], check=True,
                       env=dict(os.environ, LNGOV_ENV="test"))
    assert _up(), "the identity provider did not start (.lngov/test/log/identity.log)"
    return issuer()


@pytest.fixture
def staff(identity_provider) -> Iterator:
    """set(records): the provider's staff records for this test (restored after it)."""
    kept = USERS.read_text(encoding="utf-8")

    def set_records(*records: dict) -> None:
        USERS.write_text(json.dumps({"users": list(records)}, ensure_ascii=False),
                         encoding="utf-8")
        # the provider reads the file again when its modification time changes
        stamp = time.time_ns()
        os.utime(USERS, ns=(stamp, stamp))

    yield set_records
    USERS.write_text(kept, encoding="utf-8")
    os.utime(USERS)


def person(username: str | None = None, **fields) -> dict:
    """A staff record of its own subject (so tests do not meet each other's accounts)."""
    username = username or f"p{uuid.uuid4().hex[:10]}"
    return {"sub": f"sub-{uuid.uuid4().hex}", "username": username, "password": PASSWORD,
            "name": "测试人员", "email": f"{username}@test.ln.gov.cn", **fields}


def site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


class Visitor:
    """A browser's two sides: the portal (at the live server) and the provider."""

    def __init__(self, portal_url: str) -> None:
        self.base = portal_url
        self.portal = requests.Session()
        self.provider = requests.Session()

    def start(self, prefix: str = "") -> str:
        """/user/identity/login: the provider's authorization address it redirects to."""
        answer = self.portal.get(f"{self.base}{prefix}/user/identity/login",
                                 allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text[:500]
        location = answer.headers["Location"]
        assert location.startswith(issuer() + "/"), location
        return location

    def at_provider(self, url: str, username: str | None, password: str = PASSWORD,
                    cancel: bool = False, until: str | None = None) -> str:
        """Follows the provider from `url`, signing in (or cancelling) on its login page,
        until it sends the visitor back to the portal (or to `until`); returns that
        address."""
        until = until or site()
        answer = self.provider.get(url, allow_redirects=False, timeout=30)
        for _ in range(10):
            if answer.is_redirect:
                location = urljoin(answer.url, answer.headers["Location"])
                if location.startswith(until):
                    return location
                answer = self.provider.get(location, allow_redirects=False, timeout=30)
                continue
            assert answer.status_code == 200, answer.text[:500]
            uid = re.search(r'action="/interaction/([\w-]+)/login"', answer.text)
            assert uid, answer.text[:500]
            step = "abort" if cancel else "login"
            answer = self.provider.post(
                f"{issuer()}/interaction/{uid.group(1)}/{step}", allow_redirects=False,
                timeout=30, data={"username": username or "", "password": password})
        raise AssertionError("the provider did not send the visitor back")

    def back(self, callback: str) -> requests.Response:
        """The provider's answer delivered to the portal."""
        assert callback.startswith(site()), callback
        return self.portal.get(self.base + callback[len(site()):], allow_redirects=False,
                               timeout=30)

    def sign_in(self, username: str, prefix: str = "") -> requests.Response:
        return self.back(self.at_provider(self.start(prefix), username))

    def signed_in(self) -> bool:
        return self.portal.get(f"{self.base}/dashboard/datasets", allow_redirects=False,
                               timeout=30).status_code == 200


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def with_query(url: str, **changes: str | None) -> str:
    """`url` with query parameters changed (None: removed)."""
    params = query(url)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return url.split("?", 1)[0] + "?" + urlencode(params)
