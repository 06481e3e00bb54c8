"""How the portal queries Solr: Chinese-aware free-text search.

The index (config/solr/configsets/ckan_zh/conf/schema.xml) splits Chinese text into
overlapping character bigrams. A Chinese query has no spaces, so a query such as 辽宁人口 is
one "word" that the analyzer turns into the bigrams 辽宁 宁人 人口. CKAN's stock parameters
(dismax, q.op=AND) would then either match any one bigram (dismax) or demand all of them,
宁人 included (edismax), and so miss 辽宁省人口基础信息库. Here free-text queries go to edismax
with the bigrams joined by OR under CKAN's own minimum-should-match (mm), which solrconfig's
sow=false applies to the analysed bigrams: most of them must match, not all, not one.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov.catalog import codes

# q.op is not a parameter package_search passes on, so it travels as a local parameter of
# the query; CKAN's own q.op=AND still applies to every fq (facet filters). Solr reads local
# params in q only under the lucene parser (SOLR-11501); edismax takes qf, mm and tie from
# the request as CKAN sets them. CKAN passes the prefix on because config/ckan.ini lists
# edismax in ckan.search.solr_allowed_query_parsers.
OUTER_PARSER = "lucene"
LOCAL_PARAMS = "{!edismax q.op=OR}"


def is_free_text(q: str | None) -> bool:
    """True for a plain user query: CKAN sends these to dismax, and so do we to edismax.

    Fielded (``name:x``), match-all and local-params queries go to Solr as CKAN sends them.
    """
    if not q or not q.strip() or q.strip() in ('""', "''"):
        return False
    return ":" not in q and "{!" not in q


def solr_params(search_params: dict[str, Any]) -> dict[str, Any]:
    """Rewrite package_search parameters for the Chinese-aware index (before_dataset_search)."""
    if "defType" in search_params or not is_free_text(search_params.get("q")):
        return search_params
    search_params["defType"] = OUTER_PARSER
    search_params["q"] = LOCAL_PARAMS + search_params["q"]
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
    return pkg_dict


def facet_titles() -> dict[str, str]:
    """Facet field -> its title, in the request's language."""
    return {
        "classification": tk._("Classification"),
        "vocab_base_theme_db": tk._("Base and theme databases"),
        "organization": tk._("Departments"),
        "format_category": tk._("Format category"),
        "vocab_format_types": tk._("Formats"),
        "update_cycle": tk._("Update cycle"),
        "open_attribute": tk._("Open attribute"),
        "domain": tk._("Domain"),
    }


def label_facets(search_results: dict[str, Any], lang: str) -> dict[str, Any]:
    """Show facet items by their labels in the current language, not their codes."""
    for field, facet in (search_results.get("search_facets") or {}).items():
        list_name = FACETS.get(field)
        if not list_name:
            continue
        for item in facet.get("items", []):
            item["display_name"] = codes.label(list_name, item["name"], lang)
    return search_results
