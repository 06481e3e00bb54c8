"""The portal's pages: /developer, /statistics (its figures also as /statistics.json),
/privacy (the privacy notice), /sitemap.xml. Every figure and every listed entry is public
(pages/stats.py)."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, make_response

import ckan.plugins.toolkit as tk
from ckan.lib.helpers import url_for

from ckanext.lngov import lang
from ckanext.lngov.helpers import lngov_text
from ckanext.lngov.pages import stats

blueprint = Blueprint("lngov_pages", __name__)


def _site() -> str:
    return tk.config["ckan.site_url"].rstrip("/")


def _example_entries() -> dict[str, Any]:
    """Real public entries for the examples: one with a DataStore table, if any, and one
    more to show."""
    tabled = stats.public_search(rows=1, fq="res_extras_datastore_active:true",
                                 sort="metadata_created asc")["results"]
    anyone = stats.public_search(rows=1, sort="metadata_created asc")["results"]
    entry = (tabled or anyone or [None])[0]
    resource = next((r for r in (entry or {}).get("resources") or []
                     if r.get("datastore_active")), None)
    column = None
    if resource:
        try:
            info = tk.get_action("datastore_search")(
                {"user": "", "ignore_auth": False}, {"resource_id": resource["id"],
                                                      "limit": 1})
            column = next((f["id"] for f in info["fields"] if f["id"] != "_id"), None)
        except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
            resource = None
    return {"entry": entry, "resource": resource, "column": column}


def developer():
    found = _example_entries()
    return tk.render("lngov/developer.html", {"site": _site(), **found})


def figures() -> dict[str, Any]:
    entries = stats.public_entries()
    departments = stats.departments(entries)
    for d in departments:
        d["label"] = lngov_text(d["name"])
    # applications answered per department (applications/clock.py): figures only
    clock = tk.get_action("lngov_service_clock")({"user": ""}, {})
    for d in clock:
        d["label"] = lngov_text(d["name"])
    return {"counts": stats.home_counts(), "distributions": stats.distributions(lang.current()),
            "growth": stats.growth(entries), "departments": departments,
            "overdue": stats.overdue_count(), "service_clock": clock}


def statistics():
    return tk.render("lngov/statistics.html", {"figures": figures()})


def statistics_json() -> Response:
    response = make_response(json.dumps(figures(), ensure_ascii=False))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def privacy():
    """The privacy notice: what personal data the portal keeps, why, how long, the rights."""
    return tk.render("lngov/privacy.html", {
        "confirm_hours": tk.config.get("ckanext.lngov.accounts.confirm_hours"),
        "login_minutes": max(1, tk.config.get("ckanext.lngov.login.window") // 60)})


def sitemap() -> Response:
    """Every public entry's page (zh and en) and the portal's own pages."""
    site = _site()
    pages = [url_for("home.index"), url_for("dataset.search"),
             url_for("lngov_pages.developer"), url_for("lngov_pages.statistics"),
             url_for("lngov_pages.privacy"), url_for("lngov_requests.index")]
    urls = [(site + p, None) for p in pages]
    for e in stats.public_entries(("name", "metadata_modified")):
        urls.append((f"{site}/dataset/{e['name']}", e.get("metadata_modified")))
        urls.append((f"{site}/en/dataset/{e['name']}", e.get("metadata_modified")))
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for loc, modified in urls:
        body.append(f"<url><loc>{_xml(loc)}</loc>"
                    + (f"<lastmod>{modified[:10]}</lastmod>" if modified else "") + "</url>")
    body.append("</urlset>")
    response = make_response("\n".join(body) + "\n")
    response.headers["Content-Type"] = "application/xml; charset=utf-8"
    return response


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


blueprint.add_url_rule("/developer", view_func=developer)
blueprint.add_url_rule("/statistics", view_func=statistics)
blueprint.add_url_rule("/statistics.json", view_func=statistics_json)
blueprint.add_url_rule("/privacy", view_func=privacy)
blueprint.add_url_rule("/sitemap.xml", view_func=sitemap)
