"""The platform's HTTP interface (Starlette): sample_platform/openapi.yaml, /_control, /dcat."""
from __future__ import annotations

import asyncio
import base64
import bisect
import binascii
import datetime as dt
import hmac
import json
import re
import threading
from collections import Counter
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ckanext.lngov.catalog.validators import RESOURCE_CODE

from .catalog import OPENABLE, Catalog, stamp

OPENAPI_FILE = Path(__file__).resolve().parent / "openapi.yaml"
DIST_PATTERN = re.compile(r"^[0-9a-f]{20}$")
RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}
MODES = ("none", "5xx", "slow", "truncated", "malformed", "invalid_entry", "bad_checksum")
DEFAULT_TOKENS = ("lngov-dev-token",)
DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


class Misbehaviour:
    """The simulated fault: a mode, optionally for one resource code or for N requests."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.set("none")

    def set(self, mode: str, seconds: float = 0.0, resource_code: str | None = None,
            count: int | None = None, on: str | None = None) -> None:
        with self.lock:
            self.mode, self.seconds, self.resource_code, self.count = mode, seconds, resource_code, count
            self.on = on

    def state(self) -> dict:
        return dict(mode=self.mode, seconds=self.seconds, resource_code=self.resource_code,
                    count=self.count, on=self.on)

    def take(self, codes: set[str] | None, interface: str) -> tuple[str, float]:
        """The mode applying to a request of `interface` (listing, entry, file) concerning
        `codes` (None: any), counting it."""
        with self.lock:
            if self.mode == "none" or self.on not in (None, interface):
                return "none", 0.0
            if self.resource_code is not None and (codes is None or self.resource_code not in codes):
                return "none", 0.0
            mode, seconds = self.mode, self.seconds
            if self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.mode, self.seconds, self.resource_code, self.count = "none", 0.0, None, None
                    self.on = None
            return mode, seconds


# ---------------------------------------------------------------------- helpers

def encode_cursor(modified: str, code: str, since: str | None) -> str:
    raw = json.dumps({"m": modified, "c": code, "s": since}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str | None]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        modified, code, since = data["m"], data["c"], data["s"]
        assert isinstance(modified, str) and isinstance(code, str)
        assert since is None or isinstance(since, str)
        return modified, code, since
    except (ValueError, KeyError, TypeError, AssertionError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "invalid_cursor", "cursor is not one this server issued")


def parse_since(text: str) -> str:
    """An RFC 3339 date-time -> the platform's stamp (UTC, whole seconds, rounded up, so that
    `modified >= since` compares as strings)."""
    match = RFC3339.match(text)
    try:
        if not match:
            raise ValueError
        date, time, fraction, zone = match.groups()
        zone = "+00:00" if zone in ("Z", "z") else zone
        when = dt.datetime.fromisoformat(f"{date}T{time}{zone}")
        if fraction and int(fraction[1:]) > 0:
            when += dt.timedelta(seconds=1)
        when = when.astimezone(dt.timezone.utc)
        if when.year < 1000:
            return "0000"
        return stamp(when)
    except (ValueError, OverflowError):
        raise ApiError(400, "invalid_parameter", "changed_since must be an RFC 3339 date-time")


def parse_limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(text)


def json_bytes(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------------- app

def create_app(catalog: Catalog | None = None, tokens=DEFAULT_TOKENS, dcat_page_size: int = 100) -> Starlette:
    catalog = catalog or Catalog()
    tokens = tuple(t for t in tokens if t)
    fault = Misbehaviour()
    served: Counter[str] = Counter()    # requests per interface, for tests and benchmarks

    def authorize(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not any(
                hmac.compare_digest(token.strip().encode(), t.encode()) for t in tokens):
            raise ApiError(401, "unauthorized", "a valid bearer token is required (Authorization: Bearer <token>)")

    async def respond(interface: str, codes: set[str] | None, build) -> Response:
        mode, seconds = fault.take(codes, interface)
        if mode == "5xx":
            return error_response(503, "unavailable", "simulated failure of the exchange platform")
        if mode == "slow":
            await asyncio.sleep(seconds)
        response: Response = build(mode)
        if mode == "truncated" and response.media_type == "application/json":
            body = response.body[: max(1, len(response.body) // 2)]
            return Response(body, status_code=response.status_code, media_type="application/json")
        if mode == "malformed" and response.media_type == "application/json":
            return Response(b'{"items": [{"resource_code": "101001001/000001", "name": ,,]}<html>',
                            status_code=response.status_code, media_type="application/json")
        return response

    def guarded(handler, params: tuple[str, ...] = ()):
        async def endpoint(request: Request) -> Response:
            served[handler.__name__] += 1
            try:
                authorize(request)
                keys = [k for k, _ in request.query_params.multi_items()]
                unknown = sorted(set(keys) - set(params))
                if unknown:
                    raise ApiError(400, "invalid_parameter", f"unknown query parameter(s): {', '.join(unknown)}")
                if len(keys) != len(set(keys)):
                    raise ApiError(400, "invalid_parameter", "a query parameter is repeated")
                return await handler(request)
            except ApiError as exc:
                headers = {"WWW-Authenticate": 'Bearer realm="exchange-platform"'} if exc.status == 401 else None
                return error_response(exc.status, exc.code, exc.message, headers)
        return endpoint

    # ---------------------------------------------------------- public interface

    async def list_entries(request: Request) -> Response:
        query = request.query_params
        limit = parse_limit(query.get("limit"))
        since = parse_since(query["changed_since"]) if "changed_since" in query else None
        after = None
        if "cursor" in query:
            modified, code, cursor_since = decode_cursor(query["cursor"])
            after = (modified, code)
            if since is None:
                since = cursor_since
        with catalog.lock:
            keys = catalog.sorted_keys()
            start = 0
            if since is not None:
                start = bisect.bisect_left(keys, (since, ""))
            if after is not None:
                start = max(start, bisect.bisect_right(keys, after))
            page = keys[start:start + limit]
            items = [catalog.list_item(catalog.entries[c]) for _, c in page]
            more = start + limit < len(keys)
        next_cursor = encode_cursor(*page[-1], since) if page and more else None
        payload = {"items": items, "next_cursor": next_cursor}
        return await respond("listing", {i["resource_code"] for i in items},
                             lambda mode: Response(json_bytes(payload), media_type="application/json"))

    async def get_entry(request: Request) -> Response:
        code = request.path_params["resource_code"]
        if not RESOURCE_CODE.match(code):  # the catalog's rule; openapi.yaml publishes it
            raise ApiError(400, "invalid_resource_code", "resource_code must match ^[1-3]\\d{5}\\d*/\\d{6}$")
        entry = catalog.entries.get(code)
        if entry is None:
            raise ApiError(404, "not_found", f"no catalog entry {code}")
        if entry["state"] == "deleted":
            raise ApiError(410, "deleted", f"catalog entry {code} was deleted")
        detail = await asyncio.get_running_loop().run_in_executor(None, catalog.detail, code)

        def build(mode: str) -> Response:
            if mode == "invalid_entry":
                detail.update(share_type="none", share_basis="")   # breaks rule 1
            return Response(json_bytes(detail), media_type="application/json")
        return await respond("entry", {code}, build)

    async def get_file(request: Request) -> Response:
        did = request.path_params["distribution_id"]
        if not DIST_PATTERN.match(did):
            raise ApiError(400, "invalid_distribution_id", "distribution_id must be 20 hexadecimal digits")
        where = catalog.distributions.get(did)
        if where is None:
            raise ApiError(404, "not_found", f"no distribution {did}")
        code, k = where
        entry = catalog.entries[code]
        plan = entry["distributions"][k]
        if plan["kind"] != "file" or not catalog.openable(entry) or entry["state"] != "active":
            raise ApiError(404, "not_found", f"no file for distribution {did}")
        filename, body = await asyncio.get_running_loop().run_in_executor(None, catalog.file, did)

        def build(mode: str) -> Response:
            data = body + b"\n" if mode == "bad_checksum" else body
            return Response(data, media_type=plan["media_type"],
                            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
        return await respond("file", {code}, build)

    # ---------------------------------------------------------- control (loopback, no token)

    async def control(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if host not in LOOPBACK:
            return error_response(403, "forbidden", "the control interface answers on loopback only")
        action = request.path_params["action"]
        try:
            body = await request.json() if (await request.body()) else {}
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return error_response(400, "invalid_body", "the body must be a JSON object")
        if action == "mode":
            if request.method == "GET":
                return JSONResponse(fault.state())
            mode = body.get("mode", "none")
            if mode not in MODES:
                return error_response(400, "invalid_mode", f"mode must be one of {', '.join(MODES)}")
            code = body.get("resource_code")
            if code is not None and code not in catalog.entries:
                return error_response(404, "not_found", f"no catalog entry {code}")
            count = body.get("count")
            if count is not None and (not isinstance(count, int) or count < 1):
                return error_response(400, "invalid_count", "count must be a positive integer")
            on = body.get("on")
            if on not in (None, "listing", "entry", "file"):
                return error_response(400, "invalid_on", "on must be listing, entry or file")
            fault.set(mode, float(body.get("seconds", 2.0 if mode == "slow" else 0.0)), code, count, on)
            return JSONResponse(fault.state())
        if action == "summary":
            return JSONResponse(catalog.summary())
        if action == "requests":
            counts = dict(served)
            if request.method == "POST":
                served.clear()
            return JSONResponse(counts)
        if request.method != "POST":
            return error_response(405, "method_not_allowed", "use POST")
        code = body.get("resource_code")
        if code not in catalog.entries:
            return error_response(404, "not_found", f"no catalog entry {code}")
        if action == "touch":
            entry = catalog.touch(code, body.get("title"))
        elif action in ("withdraw", "delete", "restore"):
            entry = catalog.set_state(code, {"withdraw": "withdrawn", "delete": "deleted",
                                             "restore": "active"}[action])
        elif action == "open_attribute":
            value = body.get("value")
            if value not in (*OPENABLE, "closed", "unknown", None):
                return error_response(400, "invalid_value", "value: open, conditional, closed, unknown or null")
            entry = catalog.set_open_attribute(code, value)
        else:
            return error_response(404, "not_found", f"no control action {action}")
        return JSONResponse(catalog.list_item(entry))

    # ---------------------------------------------------------- DCAT-AP feed

    async def dcat_feed(request: Request) -> Response:
        from .dcat import render_page
        text = request.query_params.get("page", "1")
        if not re.fullmatch(r"[0-9]{1,6}", text) or int(text) < 1:
            return error_response(400, "invalid_parameter", "page must be a positive integer")
        base = str(request.base_url).rstrip("/")
        result = await asyncio.get_running_loop().run_in_executor(
            None, render_page, catalog, base, int(text), dcat_page_size)
        if result is None:
            return error_response(404, "not_found", "no such page")
        return Response(result, media_type="text/turtle")

    async def openapi(request: Request) -> Response:
        return Response(OPENAPI_FILE.read_bytes(), media_type="application/yaml")

    routes = [
        Route("/api/v1/catalog/entries", guarded(list_entries, ("changed_since", "cursor", "limit")), methods=["GET"]),
        Route("/api/v1/catalog/entries/{resource_code:path}", guarded(get_entry), methods=["GET"]),
        Route("/api/v1/files/{distribution_id}", guarded(get_file), methods=["GET"]),
        Route("/_control/{action}", control, methods=["GET", "POST"]),
        Route("/dcat/catalog.ttl", dcat_feed, methods=["GET"]),
        Route("/openapi.yaml", openapi, methods=["GET"]),
    ]
    async def http_error(request: Request, exc: HTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed"}
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"),
                              str(exc.detail), headers=exc.headers)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.catalog, app.state.fault, app.state.tokens = catalog, fault, tokens
    return app


__all__ = ["create_app", "Catalog", "MODES"]
