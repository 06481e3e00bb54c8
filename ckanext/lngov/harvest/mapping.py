"""A platform entry as a catalog dataset.

The platform speaks the catalog's own field names and codes (sample_platform/openapi.yaml), so
the fields pass through and the catalog's validators judge them as they judge a form. Ids
are derived from the source and the platform's identifiers: the same entry is always the
same dataset and the same distribution the same resource, across jobs, withdrawals,
restorations and interrupted runs.
"""
from __future__ import annotations

import uuid
from typing import Any

from ckanext.lngov.catalog import codes
from ckanext.lngov.checksum import SHA256

from . import datastore

NAMESPACE = uuid.UUID("6d1b7f0e-3c1a-4f59-9a57-6c6e676f7601")

# The platform's fields that are the catalog's fields of the same name.
FIELDS = (
    "resource_code", "title", "title_en", "notes", "notes_en", "classification",
    "base_theme_db", "provider_office", "format_category", "format_types", "update_cycle",
    "release_date", "share_type", "share_scope", "share_conditions", "share_basis",
    "share_methods", "usage_purposes", "open_attribute", "open_conditions", "data_items",
    "related_codes", "domain", "contact_email", "contact_phone", "license_id", "secret",
)


def dataset_id(source_id: str, code: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{source_id}|{code}"))


def resource_id(source_id: str, distribution_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{source_id}|distribution|{distribution_id}"))


def dataset_name(code: str) -> str:
    return "ex-" + code.replace("/", "-")


def is_copied(entry: dict[str, Any], distribution: dict[str, Any]) -> bool:
    """Only an unconditionally open entry's files are copied and served to the public."""
    return codes.downloadable(entry) and distribution.get("kind") == "file"


def dataset(entry: dict[str, Any], source_id: str, owner_org: str,
            copies: dict[str, tuple[int, str]]) -> dict[str, Any]:
    """The dataset dict; `copies` maps resource ids to the (size, sha256) of their copy."""
    pkg = {k: entry[k] for k in FIELDS if entry.get(k) not in (None, "", [])}
    pkg.update(id=dataset_id(source_id, entry["resource_code"]), owner_org=owner_org,
               name=dataset_name(entry["resource_code"]), state="active")
    pkg["resources"] = [resource(entry, d, source_id, copies)
                        for d in entry.get("distributions") or []]
    return pkg


def resource(entry: dict[str, Any], distribution: dict[str, Any], source_id: str,
             copies: dict[str, tuple[int, str]]) -> dict[str, Any]:
    rid = resource_id(source_id, distribution["id"])
    res = {"id": rid, "name": distribution.get("title") or "", "format": distribution.get("format"),
           "mimetype": distribution.get("media_type")}
    if not codes.downloadable(entry):
        # 有条件开放: described, not served; the page tells how to apply.
        return res
    if distribution.get("kind") == "file":
        size, sha256 = copies[rid]
        res.update(url=_filename(entry, distribution), url_type="upload", size=size,
                   hash=sha256, hash_algorithm=SHA256)
        # Its table is loaded in the background (tables/load.py); a table already there
        # stays until the new one replaces it, so the flag stays too.
        res["datastore_active"] = datastore.exists(rid)
    elif distribution.get("endpoint_url"):
        res.update(url=distribution["endpoint_url"], resource_type="api")
    return res


def _filename(entry: dict[str, Any], distribution: dict[str, Any]) -> str:
    extension = (distribution.get("format") or "bin").lower()
    return f"{dataset_name(entry['resource_code'])}-{distribution['id'][:8]}.{extension}"
