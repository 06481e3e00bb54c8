"""How the portal queries Solr: Chinese-aware free-text search.

The index (config/solr/configsets/ckan_zh/conf/schema.xml) splits Chinese text into
overlapping character bigrams. A Chinese query has no spaces, so a query such as 辽宁人口 is
one "word" that the analyzer turns into the bigrams 辽宁 宁人 人口. CKAN's stock parameters
(dismax, q.op=AND) would then either match any one bigram (dismax) or demand all of them,
宁人 included (edismax), and so miss 辽宁省人口基础信息库. Here free-text queries go to edismax
with the bigrams joined by OR under CKAN's own minimum-should-match (mm), which solrconfig's
sow=false applies to the analysed bigrams: most of them must match, not all, not one.

A query is also searched with the words people use for the catalog's (terms/synonyms.py:
工商 for 市场监管), weighs English titles as Chinese ones (QUERY_FIELDS), and is ordered
with the exact title first and fresher, more used entries ahead among equals (ranking.py).
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable

import ckan.plugins.toolkit as tk

from ckanext.lngov import ranking
from ckanext.lngov.catalog import codes, freshness
from ckanext.lngov.terms import synonyms

# q.op is not a parameter package_search passes on, so it travels as a local parameter of
# the query; CKAN's own q.op=AND still applies to every fq (facet filters). Solr reads local
# params in q only under the lucene parser (SOLR-11501); edismax takes qf, mm and tie from
# the request as CKAN sets them. CKAN passes the prefix on because config/ckan.ini lists
# edismax in ckan.search.solr_allowed_query_parsers.
OUTER_PARSER = "lucene"
LOCAL_PARAMS = "{!edismax q.op=OR}"
# CKAN's query fields, with the English title weighed as the title (the English abstract is
# in `text`, as the Chinese one is).
QUERY_FIELDS = "name^4 title^4 extras_title_en^4 tags^2 groups^2 text"
# Queries longer than this are searched as typed (no synonyms, no ranking boost).
REWRITTEN_UP_TO = 100


def is_free_text(q: str | None) -> bool:
    """True for a plain user query: CKAN sends these to dismax, and so do we to edismax.

    Fielded (``name:x``), match-all and local-params queries go to Solr as CKAN sends them.
    """
    if not q or not q.strip() or q.strip() in ('""', "''"):
        return False
    return ":" not in q and "{!" not in q


def solr_params(search_params: dict[str, Any]) -> dict[str, Any]:
    """Rewrite package_search parameters for the Chinese-aware index (before_dataset_search)."""
    _freshness_params(search_params)
    if "defType" in search_params or not is_free_text(search_params.get("q")):
        return search_params
    query = search_params["q"]
    search_params["defType"] = OUTER_PARSER
    if len(query) > REWRITTEN_UP_TO:
        # A pasted paragraph: its rewritings and exact-title boost would make a query Solr
        # refuses; it is searched as typed.
        search_params["q"] = LOCAL_PARAMS + query
        return search_params
    search_params["q"] = LOCAL_PARAMS + synonyms.edismax_query(query)
    search_params.setdefault("qf", QUERY_FIELDS)
    search_params.setdefault("boost", ranking.boost(query))
    return search_params


# Facets of the catalog: (index field, code list). Single codes are indexed as they are
# stored (CKAN's dynamic string field); lists go to multi-valued vocab_* fields.
FACETS = {
    "classification": "classification",
    "vocab_base_theme_db": "base_theme_db",
    "format_category": "format_category",
    "vocab_format_types": "format_types",
    "update_cycle": "update_cycle",
    "open_attribute": "open_attribute",
    "domain": "domain",
}
MULTI_VALUED = {field: name for field, name in FACETS.items() if field.startswith("vocab_")}
# The files' own formats (CSV, XLSX, JSON, API...), from the resources: what a visitor gets,
# beside the catalog's format categories and types (which include storage types: Oracle, ET).
FILE_FORMATS = "vocab_file_formats"
API = "API"

# freshness:"overdue" as CKAN's search page writes a facet filter into fq
_FRESHNESS_FQ = re.compile(freshness.FACET_FIELD + r':"([^"]*)"')
_NOTHING = 'id:"-"'
_MARK = "lngov_freshness_facet"


def file_formats(resources: Iterable[tuple[str | None, str | None]]) -> list[str]:
    """The distinct formats of (format, resource type) pairs as the file-format facet names
    them: API for an API, the format in capitals for a file."""
    found: list[str] = []
    for fmt, kind in resources:
        name = API if kind == "api" or (fmt or "").upper() == API else (fmt or "").upper()
        if name and name not in found:
            found.append(name)
    return found


def _freshness_params(search_params: dict[str, Any]) -> None:
    """freshness:"overdue" / "on_time" filters become filters on the due date against NOW;
    a freshness facet asked for is counted after the search (freshness_facet)."""
    fq = search_params.get("fq")
    if isinstance(fq, str) and freshness.FACET_FIELD + ":" in fq:
        search_params["fq"] = _FRESHNESS_FQ.sub(
            lambda m: freshness.FILTERS.get(m.group(1), _NOTHING), fq)
    fields = search_params.get("facet.field")
    if isinstance(fields, list) and freshness.FACET_FIELD in fields:
        search_params["facet.field"] = [f for f in fields if f != freshness.FACET_FIELD]
        extras = search_params.get("extras")
        if not isinstance(extras, dict):
            extras = search_params["extras"] = {}
        extras[_MARK] = True


def freshness_counts(search_params: dict[str, Any]) -> dict[str, int]:
    """Overdue and on-time counts within the search just run: the same q and filters
    (permission labels included, so a visitor counts only what the visitor may see), one
    Solr request with a facet.query per value."""
    from ckan.lib.search.common import make_connection

    query = {key: search_params[key] for key in ("q", "fq", "defType", "qf", "mm", "tie",
                                                  "df", "q.op") if key in search_params}
    query.update({"rows": 0, "facet": "true", "facet.field": [],
                  "facet.query": list(freshness.FILTERS.values())})
    response = make_connection(decode_dates=False).search(**query)
    counted = response.facets.get("facet_queries", {})
    return {value: int(counted.get(solr_filter, 0))
            for value, solr_filter in freshness.FILTERS.items()}


def freshness_facet(search_results: dict[str, Any], search_params: dict[str, Any]) -> None:
    """The freshness facet in package_search's shape, when it was asked for."""
    extras = search_params.get("extras")
    if not (isinstance(extras, dict) and extras.pop(_MARK, False)):
        return
    counts = freshness_counts(search_params)
    labels = {freshness.OVERDUE: tk._("Overdue"), freshness.ON_TIME: tk._("Updated on time")}
    search_results.setdefault("facets", {})[freshness.FACET_FIELD] = {
        value: count for value, count in counts.items() if count}
    search_results.setdefault("search_facets", {})[freshness.FACET_FIELD] = {
        "title": freshness.FACET_FIELD,
        "items": [{"name": value, "display_name": labels[value], "count": count}
                  for value, count in counts.items() if count]}


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The catalog fields in the Solr document (before_dataset_index)."""
    for field, name in MULTI_VALUED.items():
        value = pkg_dict.pop(name, None)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = [value]
        if value:
            pkg_dict[field] = value
    formats = file_formats(zip(pkg_dict.get("res_format") or [],
                               pkg_dict.get("res_type") or []))
    if formats:
        pkg_dict[FILE_FORMATS] = formats
    due = freshness.index_value(pkg_dict)
    if due:
        pkg_dict[freshness.INDEX_FIELD] = due
    return pkg_dict


def facet_titles() -> dict[str, str]:
    """Facet field -> its title, in the request's language."""
    return {
        "classification": tk._("Classification"),
        "vocab_base_theme_db": tk._("Base and theme databases"),
        "organization": tk._("Departments"),
        FILE_FORMATS: tk._("File formats"),
        "format_category": tk._("Format category"),
        "vocab_format_types": tk._("Catalog format types"),
        "update_cycle": tk._("Update cycle"),
        freshness.FACET_FIELD: tk._("Freshness"),
        "open_attribute": tk._("Open attribute"),
        "domain": tk._("Domain"),
    }


def _english_department_names(facet: dict[str, Any]) -> None:
    """Departments by their English names where they have one (the facet holds names)."""
    from ckan import model

    group = model.Group
    names = [item["name"] for item in facet.get("items", [])]
    english = dict(model.Session.query(group.name, group.extras["title_en"].astext)
                   .filter(group.name.in_(names)))
    for item in facet.get("items", []):
        item["display_name"] = english.get(item["name"]) or item["display_name"]


def label_facets(search_results: dict[str, Any], search_params: dict[str, Any],
                 lang: str) -> dict[str, Any]:
    """Show facet items by their labels in the current language, not their codes."""
    freshness_facet(search_results, search_params)
    facets = search_results.get("search_facets") or {}
    if lang == "en" and facets.get("organization"):
        _english_department_names(facets["organization"])
    for field, facet in facets.items():
        list_name = FACETS.get(field)
        if not list_name:
            continue
        for item in facet.get("items", []):
            item["display_name"] = codes.label(list_name, item["name"], lang)
    return search_results
