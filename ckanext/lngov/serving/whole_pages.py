"""Whole pages a web node keeps in its own memory for anonymous visitors: a resource page
(`/dataset/<name>/resource/<id>`), a department page (`/organization/<name>`, with its
search, facets and page) and a search page (`/dataset/?q=…`), the page kinds that draw the
most for what they show.

The same rules as the caching front's (serving/cache.py), for a node reached directly:

* only a GET without CKAN's session or remember-me cookie and without an API token (the
  front's own test of a signed-in visitor), whose answer CKAN marked as one the front may
  keep (`X-Accel-Expires`: 200, an anonymous visitor, no `Set-Cookie` left), an HTML page of
  one of ENDPOINTS;
* kept by the request as sent (path with its language prefix, query string, host and
  scheme), the site's today (freshness badges and overdue counts), and under the cache
  generation: every committed change of entries, files, departments or tables makes each
  kept page out of date at once, on every node; a page drawn while a change was committed
  is not kept;
* at most `ckanext.lngov.cache.ttl` seconds (what may change without a new generation, such
  as a department's service clock, is as old at most as the front would show it);
* sent back as it went out, headers and all (one marked `X-Lngov-Kept: 1`).

Nothing kept depends on who asks: only anonymous answers are kept, and only anonymous
requests are answered from them.
"""
from __future__ import annotations

import re
import time
import zlib
from http.cookies import CookieError, SimpleCookie
from typing import Any, Callable, Iterable

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

from ckanext.lngov import workdays
from ckanext.lngov.serving import cache, memory

blueprint = Blueprint("lngov_whole_pages", __name__)

ENDPOINTS = frozenset({"dataset_resource.read", "resource.read", "organization.read",
                       "dataset.search"})
HEADER = "X-Lngov-Kept"
_ENDPOINT = "lngov.whole_pages.endpoint"
# Requests that may be one of ENDPOINTS' pages (the endpoint itself decides, afterwards).
_CANDIDATE = re.compile(
    r"^(/[A-Za-z_]+)?/(organization/[^/]+|dataset/[^/]+/resource/[^/]+|dataset)/?$")
_LARGEST = 2 << 20


@blueprint.after_app_request
def note_endpoint(response):
    """The endpoint, for the WSGI wrapper below (which runs outside Flask's request)."""
    request.environ[_ENDPOINT] = request.endpoint
    return response


def _signed_in(environ: dict[str, Any]) -> bool:
    if environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_X_CKAN_API_KEY"):
        return True
    header = environ.get("HTTP_COOKIE")
    if not header:
        return False
    try:
        cookies = SimpleCookie(header)
    except CookieError:
        return True
    names = (tk.config.get("SESSION_COOKIE_NAME") or "ckan",
             tk.config.get("REMEMBER_COOKIE_NAME") or "remember_token")
    return any(name in cookies for name in names)


def _key(environ: dict[str, Any]) -> tuple[str, ...] | None:
    """The key of an anonymous visitor's request that may be a kept page, else None."""
    if environ.get("REQUEST_METHOD") != "GET" \
            or not _CANDIDATE.match(environ.get("PATH_INFO") or "") or _signed_in(environ):
        return None
    return ("page", environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""), environ.get("HTTP_X_FORWARDED_HOST", ""),
            environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""), environ.get("HTTP_HX_REQUEST", ""),
            workdays.today().isoformat())


def _keepable(environ: dict[str, Any], status: str, headers: list[tuple[str, str]]) -> bool:
    names = {name.lower(): value for name, value in headers}
    return (status.startswith("200 ") and environ.get(_ENDPOINT) in ENDPOINTS
            and cache.HEADER.lower() in names and "set-cookie" not in names
            and names.get("content-type", "").startswith("text/html"))


def install(app: Any) -> Any:
    """Wraps the Flask app's WSGI callable (outside serving/cache.py's, which takes away the
    Set-Cookie of what the front may keep)."""
    inner = app.wsgi_app
    if not tk.config.get("ckanext.lngov.cache.whole_pages"):
        return app

    def wsgi_app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = _key(environ)
        if key is None:
            return inner(environ, start_response)
        generation, kept = memory.looked_up(key, "pages")
        if generation is None:
            return inner(environ, start_response)
        if kept is not None and time.monotonic() - kept[0] < tk.config.get(
                "ckanext.lngov.cache.ttl"):
            _, status, headers, body = kept
            start_response(status, [*headers, (HEADER, "1")])
            return [zlib.decompress(body)]
        answer: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            answer.update(status=status, headers=list(headers))
            return start_response(status, headers, exc_info)

        result = inner(environ, start)
        if not answer or not _keepable(environ, answer["status"], answer["headers"]):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        if len(body) <= _LARGEST:
            memory.keep(key, (time.monotonic(), answer["status"], tuple(answer["headers"]),
                              zlib.compress(body, 1)), "pages", generation)
        return [body]

    app.wsgi_app = wsgi_app
    return app
