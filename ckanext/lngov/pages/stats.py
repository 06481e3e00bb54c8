"""What the public catalog holds and how it is used: the home page's counts and the
statistics page. Only public entries count: every query runs as an anonymous visitor
(public capacity, public permission labels), whoever looks. Each figure comes from a
package_search facet or one listing of the public entries, never one query per entry.
"""
from __future__ import annotations

import collections
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov import search, usage
from ckanext.lngov.catalog import codes, freshness
from ckanext.lngov.dcat import public
from ckanext.lngov.serving.memory import per_generation

# Formats a program reads without a person (the 开放数林 index's 机器可读): tables, trees, APIs.
MACHINE_READABLE = ("CSV", "XLSX", "XLS", "JSON", "XML", "API")
PAGE = 1000


def _anonymous() -> dict[str, Any]:
    return {"user": "", "ignore_auth": False, "auth_user_obj": None}


def public_search(**params: Any) -> dict[str, Any]:
    """package_search as an anonymous visitor sees it."""
    params["include_private"] = False
    params["fq"] = f"{public.PUBLIC_FQ} {params.get('fq') or ''}".strip()
    return tk.get_action("package_search")(_anonymous(), params)


def facet_counts(fields: list[str], fq: str = "") -> tuple[int, dict[str, dict[str, int]]]:
    """(number of public entries, field -> value -> count) for one filter."""
    result = public_search(fq=fq, rows=0, **{"facet.field": fields, "facet.limit": -1})
    return result["count"], result["facets"]


def public_entries(fields: tuple[str, ...] = ("id", "name", "organization", "release_date",
                                              "metadata_created")) -> list[dict[str, Any]]:
    """Stored fields of every public entry (a page of PAGE entries per query)."""
    found: list[dict[str, Any]] = []
    while True:
        result = public_search(fl=",".join(fields), rows=PAGE, start=len(found),
                               sort="metadata_created asc", **{"facet": "false"})
        found.extend(result["results"])
        if not result["results"] or len(found) >= result["count"]:
            return found


def public_ids() -> frozenset[str]:
    """Ids of every public entry, listed once per cache generation (serving/memory.py). The
    home page needs them on every view; listing them costs one search per PAGE entries (11
    at 10,500 entries)."""
    return per_generation("public_ids", lambda: frozenset(
        e["id"] for e in public_entries(("id",))))


def _catalog_counts() -> dict[str, int]:
    """Entries, departments, files and APIs of the public catalog (kept per generation)."""
    def compute() -> dict[str, int]:
        total, facets = facet_counts(["organization"])
        files, apis = usage.resource_counts(public_ids())
        return {"entries": total, "departments": len(facets.get("organization", {})),
                "files": files, "apis": apis}
    return per_generation("catalog_counts", compute)


def _public_downloads() -> dict[str, int]:
    """Public entry id -> downloads, for the entries downloaded at least once: counted now
    (views and downloads change without a new generation), the listing of public entries
    kept per generation."""
    public = public_ids()
    return {i: n for i, n in usage.all_counts(usage.DOWNLOAD).items() if i in public}


def home_counts() -> dict[str, int]:
    """Entries, departments, files, APIs and downloads of the public catalog."""
    return {**_catalog_counts(), "downloads": sum(_public_downloads().values())}


def labelled(list_name: str, counts: dict[str, int], lang: str) -> list[dict[str, Any]]:
    return [{"value": value, "label": codes.label(list_name, value, lang),
             "count": counts[value]} for value in codes.values(list_name) if counts.get(value)]


def _home_catalog(lang: str) -> dict[str, Any]:
    """The home page's figures that only the public catalog decides (kept per generation)."""
    def compute() -> dict[str, Any]:
        _, facets = facet_counts(["classification", "vocab_base_theme_db", "domain",
                                  "organization"])
        return {
            "classification": labelled("classification", facets.get("classification", {}),
                                       lang),
            "databases": labelled("base_theme_db", facets.get("vocab_base_theme_db", {}), lang),
            "domains": labelled("domain", facets.get("domain", {}), lang),
            "departments": sorted(facets.get("organization", {}).items(),
                                  key=lambda kv: (-kv[1], kv[0])),
            "newest": public_search(rows=6, sort="metadata_created desc")["results"],
        }
    return per_generation(("home", lang), compute)


def _popular(top: list[str]) -> list[dict[str, Any]]:
    """The public entries of these ids, in this order (kept per generation and ids)."""
    def compute() -> list[dict[str, Any]]:
        found = public_search(rows=len(top), fq="id:(" + " OR ".join(
            f'"{i}"' for i in top) + ")")["results"]
        return sorted(found, key=lambda e: top.index(e["id"]))
    return per_generation(("popular", tuple(top)), compute) if top else []


def home(lang: str) -> dict[str, Any]:
    """The home page's figures: counts, entry points, newest and most downloaded. What the
    catalog alone decides is kept per cache generation; the downloads are counted on each
    view (one query over the entries downloaded at least once)."""
    downloads = _public_downloads()
    top = sorted(downloads, key=lambda i: (-downloads[i], i))[:6]
    return {**_home_catalog(lang),
            "counts": {**_catalog_counts(), "downloads": sum(downloads.values())},
            "popular": _popular(top)}


def distributions(lang: str) -> dict[str, list[dict[str, Any]]]:
    """Entries by classification, database, domain, format and open attribute."""
    fields = [f for f in search.FACETS if f in ("classification", "vocab_base_theme_db",
                                                 "domain", "open_attribute", "format_category")]
    _, facets = facet_counts(fields + [search.FILE_FORMATS])
    found = {field: labelled(search.FACETS[field], facets.get(field, {}), lang)
             for field in fields}
    formats = facets.get(search.FILE_FORMATS, {})
    found[search.FILE_FORMATS] = [{"value": f, "label": f, "count": n} for f, n in
                                  sorted(formats.items(), key=lambda kv: (-kv[1], kv[0]))]
    return found


def growth(entries: list[dict[str, Any]]) -> dict[str, list]:
    """Public entries by year of release (发布日期) and, cumulatively, by month the portal
    first published them (metadata_created)."""
    by_year: collections.Counter = collections.Counter(
        (e.get("release_date") or "")[:4] for e in entries if e.get("release_date"))
    by_month: collections.Counter = collections.Counter(
        (e.get("metadata_created") or "")[:7] for e in entries)
    months, total, cumulative = sorted(m for m in by_month if m), 0, []
    for month in months:
        total += by_month[month]
        cumulative.append(total)
    years = sorted(by_year)
    return {"years": years, "released": [by_year[y] for y in years],
            "months": months, "published": cumulative}


def departments(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per department: entries, machine-readable share, on-time share (among entries with a
    regular update cycle), API share, views and downloads: a self-check in the style of the
    开放数林 index."""
    fmt = " OR ".join(f'"{f}"' for f in MACHINE_READABLE)
    total, all_facets = facet_counts(["organization"])
    per = {"entries": all_facets.get("organization", {})}
    for key, fq in (("machine_readable", f"{search.FILE_FORMATS}:({fmt})"),
                    ("api", f'{search.FILE_FORMATS}:"{search.API}"'),
                    ("on_time", f'{freshness.FACET_FIELD}:"{freshness.ON_TIME}"'),
                    ("overdue", f'{freshness.FACET_FIELD}:"{freshness.OVERDUE}"')):
        per[key] = facet_counts(["organization"], fq)[1].get("organization", {})
    used = usage.counts(e["id"] for e in entries)
    views: collections.Counter = collections.Counter()
    downloads: collections.Counter = collections.Counter()
    for e in entries:
        views[e.get("organization")] += used[e["id"]][usage.VIEW]
        downloads[e.get("organization")] += used[e["id"]][usage.DOWNLOAD]
    rows = []
    for org, n in per["entries"].items():
        regular = per["on_time"].get(org, 0) + per["overdue"].get(org, 0)
        rows.append({
            "name": org, "entries": n,
            "machine_readable": _share(per["machine_readable"].get(org, 0), n),
            "api": _share(per["api"].get(org, 0), n),
            "on_time": _share(per["on_time"].get(org, 0), regular) if regular else None,
            "overdue": per["overdue"].get(org, 0),
            "views": views[org], "downloads": downloads[org]})
    return sorted(rows, key=lambda r: (-r["entries"], r["name"]))


def _share(part: int, whole: int) -> int:
    """A percentage, rounded."""
    return round(100 * part / whole) if whole else 0


def overdue_count(fq: str = "") -> int:
    fq = (fq + f' {freshness.FACET_FIELD}:"{freshness.OVERDUE}"').strip()
    return public_search(fq=fq, rows=0)["count"]
