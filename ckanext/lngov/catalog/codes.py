"""The catalog's code lists (codes.yaml), for everything that needs them.

Schema choices, validators, facet labels, the DCAT mapping and the harvester all read the
lists through this module, so a code is added or renamed in codes.yaml alone.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

CODES_FILE = Path(__file__).with_name("codes.yaml")

# The open attributes (开放属性: codes.yaml's open_attribute), named once for the code, and
# the two that may be published at all.
OPEN, CONDITIONAL, CLOSED = "open", "conditional", "closed"
OPEN_ATTRIBUTES = (OPEN, CONDITIONAL)
# CKAN's locale names for the two languages of the portal.
LANGS = {"zh": "zh_Hans_CN", "en": "en"}


@functools.lru_cache(maxsize=None)
def _lists() -> dict[str, list[dict[str, Any]]]:
    with CODES_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def names() -> list[str]:
    """The names of the code lists."""
    return list(_lists())


def entries(list_name: str) -> list[dict[str, Any]]:
    """The codes of a list, in display order, each a dict (value, zh, en, ...)."""
    return _lists()[list_name]


def values(list_name: str) -> list[str]:
    return [e["value"] for e in entries(list_name)]


def entry(list_name: str, value: str) -> dict[str, Any] | None:
    return next((e for e in entries(list_name) if e["value"] == value), None)


def label(list_name: str, value: str, lang: str = "zh_Hans_CN") -> str:
    """The label of a code in a CKAN locale (zh_Hans_CN or en); the code itself if unknown."""
    found = entry(list_name, value)
    if not found:
        return value
    return found["en"] if lang.startswith("en") else found["zh"]


def choices(list_name: str) -> list[dict[str, Any]]:
    """A list as ckanext-scheming choices, labelled in both languages."""
    return [
        {"value": e["value"], "label": {locale: e[key] for key, locale in LANGS.items()}}
        for e in entries(list_name)
    ]


def database_for_item(classification: str, item: str) -> dict[str, Any] | None:
    """The base (class 1) or theme (class 2) database a resource code's 项 names."""
    return next(
        (e for e in entries("base_theme_db")
         if e["classification"] == classification and e["item"] == item),
        None,
    )


def is_public(entry: dict[str, Any]) -> bool:
    """A public entry: an active, non-private catalog entry whose open attribute is open or
    conditional. Closed (不予开放), private, draft and withdrawn (deleted) entries never are."""
    return (entry.get("state", "active") == "active" and not entry.get("private")
            and entry.get("type", "dataset") == "dataset"
            and entry.get("open_attribute") in OPEN_ATTRIBUTES)


def downloadable(entry: Any) -> bool:
    """Does the public get the entry's files (its dict, or a Package's extras)? Only an
    unconditionally open (无条件开放) entry's; a conditionally open one's go to those the
    department grants them (logic/auth.py lngov_data_access)."""
    return entry.get("open_attribute") == OPEN


def format_type_fits(format_type: str, category: str) -> bool:
    found = entry("format_types", format_type)
    return bool(found) and category in found["categories"]
