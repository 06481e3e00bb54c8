"""ckanext-dcat's actions, for the public catalog only.

Its actions search with the caller's rights (and `ckan.search.default_include_private`), so
a department's member would get the department's private entries in the catalog. These
chained versions answer from the public catalog (catalog.py) whoever calls, in the
portal's profile.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov.dcat import catalog, writers


def _format(data_dict: dict[str, Any]) -> str:
    fmt = writers.normal_format(data_dict.get("format") or "rdf")
    if not fmt:
        raise tk.ValidationError({"format": ["use ttl, rdf, jsonld or nt"]})
    return fmt


def _page(data_dict: dict[str, Any]) -> int:
    try:
        page = int(data_dict.get("page") or 1)
    except (TypeError, ValueError):
        page = 0
    if page < 1:
        raise tk.ValidationError({"page": ["a positive integer"]})
    return page


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_show(original_action, context, data_dict):
    tk.check_access("dcat_catalog_show", context, data_dict)
    return _catalog_page(data_dict)


def _catalog_page(data_dict: dict[str, Any]):
    try:
        return catalog.catalog_page(_format(data_dict), _page(data_dict),
                                    data_dict.get("modified_since"))
    except catalog.BadRequest as e:
        raise tk.ValidationError({"modified_since": [str(e)]})


@tk.side_effect_free
@tk.chained_action
def dcat_catalog_search(original_action, context, data_dict):
    tk.check_access("dcat_catalog_search", context, data_dict)
    return _catalog_page(data_dict)


@tk.side_effect_free
@tk.chained_action
def dcat_dataset_show(original_action, context, data_dict):
    tk.check_access("dcat_dataset_show", context, data_dict)
    return catalog.dataset_document(tk.get_or_bust(data_dict, "id"), _format(data_dict))


def get_actions() -> dict[str, Any]:
    return {"dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search,
            "dcat_dataset_show": dcat_dataset_show}
