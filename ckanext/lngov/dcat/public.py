"""What of the catalog is public, as the RDF profiles and the endpoints read it.

A public entry is as catalog/codes.py `is_public` has it: active, non-private, open or
conditionally open. Of a public entry, the department-only fields (visibility.py) never are.

`context_for(entries)` gathers, in two queries for a whole page, what an entry's RDF needs
beyond its own dict: its department's public fields, and which related codes name public
entries (a relation to a non-public entry is left out).
"""
from __future__ import annotations

import copy
import json
from typing import Any, Iterable

from ckan import model

from ckanext.lngov import links, visibility
from ckanext.lngov.catalog.codes import OPEN_ATTRIBUTES
from ckanext.lngov.catalog.uniqueness import holding

# Solr filter of the public entries (catalog/codes.py is_public), whoever searches and however
# CKAN is configured.
PUBLIC_FQ = ("+capacity:public +state:active +dataset_type:dataset"
             f" +open_attribute:({' OR '.join(OPEN_ATTRIBUTES)})")
ORG_FIELDS = ("id", "name", "title", "title_en", "credit_code")
CONTEXT_KEY = "_lngov_public"  # where context_for puts its findings in an entry dict


def public_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """A copy of the entry without any department-only field, nor an address the link rule
    refuses (links.py)."""
    return links.withhold(visibility.strip(copy.deepcopy(entry)))


def departments(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The public fields of the departments (organizations) with these ids."""
    ids = set(ids)
    if not ids:
        return {}
    group = model.Group
    rows = model.Session.query(group.id, group.name, group.title,
                               group.extras["title_en"].astext,
                               group.extras["credit_code"].astext).filter(group.id.in_(ids))
    return {row[0]: dict(zip(("id", "name", "title", "title_en", "credit_code"), row))
            for row in rows}


def public_ids_of_codes(codes: Iterable[str]) -> dict[str, str]:
    """resource code -> id of the public entry that holds it (codes of others are left out)."""
    codes = set(codes)
    if not codes:
        return {}
    code = model.Package.extras["resource_code"].astext
    rows = (model.Session.query(code, model.Package.id)
            .filter(*holding(codes),
                    model.Package.extras["open_attribute"].astext.in_(OPEN_ATTRIBUTES),
                    model.Package.state == "active", model.Package.private.is_(False),
                    model.Package.type == "dataset"))
    return dict(rows)


def code_of_public_id(package_id: str) -> str | None:
    """The resource code of a public entry (for reading relations back)."""
    pkg = model.Package.get(package_id)
    if not pkg or pkg.state != "active" or pkg.private or pkg.type != "dataset":
        return None
    extras = pkg.extras
    if extras.get("open_attribute") not in OPEN_ATTRIBUTES:
        return None
    return extras.get("resource_code")


def context_for(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each entry (in order): {"department": {...}, "related_ids": [...]}."""
    orgs = departments(e["owner_org"] for e in entries if e.get("owner_org"))
    related = public_ids_of_codes(c for e in entries for c in e.get("related_codes") or [])
    return [{"department": orgs.get(e.get("owner_org")) or {},
             "related_ids": [related[c] for c in e.get("related_codes") or [] if c in related]}
            for e in entries]


def context_for_ids(ids: list[str]) -> dict[str, dict[str, Any]]:
    """context_for of the active, non-private entries with these ids, read from the
    database in one query: {id: {"department", "related_ids"}}."""
    if not ids:
        return {}
    rows = (model.Session.query(model.Package.id, model.Package.owner_org,
                                model.Package.extras["related_codes"].astext)
            .filter(model.Package.id.in_(ids), model.Package.state == "active",
                    model.Package.private.is_(False)))
    entries = []
    for package_id, owner_org, related in rows:
        try:
            codes = json.loads(related) if related else []
        except ValueError:
            codes = []
        entries.append({"id": package_id, "owner_org": owner_org,
                        "related_codes": codes if isinstance(codes, list) else []})
    return {e["id"]: found for e, found in zip(entries, context_for(entries))}


def with_context(entry: dict[str, Any], found: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entry's public fields with what context_for found (looked up if not given)."""
    public = public_fields(entry)
    public[CONTEXT_KEY] = found if found is not None else context_for([entry])[0]
    return public
