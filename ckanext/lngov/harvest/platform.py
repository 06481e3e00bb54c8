"""The exchange platform's catalog interface (sample_platform/openapi.yaml), as harvested.

Every failure becomes a PlatformError whose message says what was asked and what went wrong,
for the harvest object's error record: 5xx, timeouts, refused connections, truncated or
malformed JSON, answers of the wrong shape.
"""
from __future__ import annotations

import hashlib
from typing import Any, BinaryIO, Iterator
from urllib.parse import quote

import requests

LISTING = "/api/v1/catalog/entries"
PAGE_SIZE = 500
CHUNK = 64 * 1024


class PlatformError(Exception):
    """The platform could not give a usable answer."""


class Gone(PlatformError):
    """The entry no longer exists at the source (404 or 410)."""


class ChecksumMismatch(PlatformError):
    """A file's bytes are not the ones the platform's checksum describes."""


class Platform:
    def __init__(self, url: str, token: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _request(self, path: str, stream: bool = False, **params) -> requests.Response:
        what = f"GET {path}"
        try:
            response = self.session.get(self.url + path, params=params or None,
                                        timeout=self.timeout, stream=stream)
        except requests.Timeout:
            raise PlatformError(f"{what}: no answer within {self.timeout:g} s")
        except requests.RequestException as error:
            raise PlatformError(f"{what}: {type(error).__name__}: {error}")
        if response.status_code in (404, 410):
            raise Gone(f"{what}: {response.status_code} (no longer at the source)")
        if response.status_code >= 400:
            raise PlatformError(f"{what}: HTTP {response.status_code} {_reason(response)}")
        return response

    def _json(self, path: str, **params) -> Any:
        response = self._request(path, **params)
        try:
            return response.json()
        except ValueError:
            raise PlatformError(f"GET {path}: the answer is not valid JSON (truncated or "
                                f"malformed, {len(response.content)} bytes)")

    def listing(self, changed_since: str | None = None) -> Iterator[list[dict[str, Any]]]:
        """Pages of listing items (resource_code, modified, state, open_attribute)."""
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor
            elif changed_since:
                params["changed_since"] = changed_since
            page = self._json(LISTING, **params)
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list) or not all(
                    isinstance(i, dict) and isinstance(i.get("resource_code"), str)
                    and isinstance(i.get("modified"), str) for i in items):
                raise PlatformError(f"GET {LISTING}: the answer is not a listing page")
            yield items
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def entry(self, code: str) -> dict[str, Any]:
        path = f"{LISTING}/{quote(code, safe='')}"
        entry = self._json(path)
        if not isinstance(entry, dict) or entry.get("resource_code") != code:
            raise PlatformError(f"GET {path}: the answer is not the entry {code}")
        return entry

    def download(self, distribution: dict[str, Any], out: BinaryIO) -> tuple[int, str]:
        """Writes a file distribution's bytes to `out`; (size, sha256) once both match the
        platform's description of it."""
        path = distribution["download_path"]
        response = self._request(path, stream=True)
        digest, size = hashlib.sha256(), 0
        try:
            for chunk in response.iter_content(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        except requests.RequestException as error:
            raise PlatformError(f"GET {path}: the transfer broke off: {error}")
        expected = (distribution.get("checksum") or {}).get("value")
        if digest.hexdigest() != expected or size != distribution.get("byte_size"):
            raise ChecksumMismatch(
                f"GET {path}: file 「{distribution.get('title')}」 does not match its checksum "
                f"(SHA-256 {digest.hexdigest()}, {size} bytes; the platform gives {expected}, "
                f"{distribution.get('byte_size')} bytes): not published")
        return size, digest.hexdigest()


def _reason(response: requests.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.reason or ""
