"""Views and downloads, counted by the server as they happen.

A view is a successful GET of an entry's page; a download is a successful GET of one of
its files through CKAN's download routes (the bytes were sent, or the visitor was sent on
to an external file), so nothing depends on the visitor's browser running a script. The
counts live in lngov_usage (one row per entry and kind, migration a1c0de000003) and are
read in bulk: one query for any number of entries.
"""
from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa
from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.dcat.views import accepted_format

blueprint = Blueprint("lngov_usage", __name__)

VIEW, DOWNLOAD = "view", "download"
# An entry's page: CKAN's view, and the portal's content-negotiating route in front of it
# (dcat/views.py), which answers HTML unless RDF is asked for.
PAGE_ENDPOINTS = ("dataset.read", "lngov_dcat.dataset")
FRONT_COUNTS = "X-Lngov-Front-Counts"
FRONT_VIEW = "/_lngov/usage/view"
_COUNT = sa.text(
    "INSERT INTO lngov_usage (package_id, kind, count) VALUES (:id, :kind, 1) "
    "ON CONFLICT (package_id, kind) DO UPDATE SET count = lngov_usage.count + 1")


def _package_id(endpoint: str, args: dict[str, Any]) -> str | None:
    if endpoint.endswith("resource.download"):
        resource = model.Resource.get(args.get("resource_id") or "")
        return resource.package_id if resource is not None else None
    pkg = model.Package.get(args.get("id") or args.get("_id") or "")
    return pkg.id if pkg is not None else None


@blueprint.after_app_request
def count(response):
    endpoint = request.endpoint or ""
    if request.method != "GET" or response.status_code not in (200, 302):
        return response
    if endpoint.endswith("resource.download"):
        kind = DOWNLOAD
    elif endpoint in PAGE_ENDPOINTS and response.status_code == 200 \
            and response.mimetype == "text/html" and not request.headers.get(FRONT_COUNTS):
        kind = VIEW
    else:
        return response
    package_id = _package_id(endpoint, request.view_args or {})
    if package_id:
        with model.meta.engine.begin() as connection:
            connection.execute(_COUNT, {"id": package_id, "kind": kind})
    return response


@blueprint.route(FRONT_VIEW)
def front_view():
    """The front's copy of a request of an entry's page (/dataset/<name>, /en/dataset/<name>):
    a view if the page is the HTML one and the visitor may read the entry, as CKAN's own
    page would have answered 200."""
    path = request.headers.get("X-Original-URI", "").split("?", 1)[0].rstrip("/")
    parts = path.split("/")
    if parts[1:2] == ["en"]:
        parts = parts[1:]
    if len(parts) != 3 or parts[1] != "dataset" or accepted_format():
        return "", 204
    try:
        pkg = tk.get_action("package_show")({"for_view": True}, {"id": parts[2]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return "", 204
    with model.meta.engine.begin() as connection:
        connection.execute(_COUNT, {"id": pkg["id"], "kind": VIEW})
    return "", 204


def counts(package_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """package id -> {"view": n, "download": n} (zeros included), one query."""
    ids = list(package_ids)
    found = {i: {VIEW: 0, DOWNLOAD: 0} for i in ids}
    if not ids:
        return found
    rows = model.Session.execute(
        sa.text("SELECT package_id, kind, count FROM lngov_usage "
                "WHERE package_id = ANY(:ids)"), {"ids": ids})
    for package_id, kind, n in rows:
        found[package_id][kind] = int(n)
    return found


def all_counts(kind: str) -> dict[str, int]:
    """package id -> views or downloads, for every entry counted at least once (whatever its
    visibility: the caller keeps the public ones), one query."""
    rows = model.Session.execute(
        sa.text("SELECT package_id, count FROM lngov_usage WHERE kind = :kind AND count > 0"),
        {"kind": kind})
    return {package_id: int(n) for package_id, n in rows}


def resource_counts(package_ids: Iterable[str]) -> tuple[int, int]:
    """(files, APIs) among the active resources of these entries, one query."""
    ids = list(package_ids)
    if not ids:
        return 0, 0
    row = model.Session.execute(
        sa.text("SELECT count(*) FILTER (WHERE coalesce(resource_type, '') <> 'api'), "
                "count(*) FILTER (WHERE resource_type = 'api') FROM resource "
                "WHERE state = 'active' AND package_id = ANY(:ids)"), {"ids": ids}).one()
    return int(row[0]), int(row[1])
