"""The addresses of resources: only the schemes CKAN declares (`ckan.valid_url_schemes`, in
config/ckan.ini: http, https and ftp), absolute, with a host.

`lngov_link_scheme` is the one rule, a validator of the resource's url (schemas/dataset.yaml),
so that the web form, the Action API and the harvest (which creates its datasets through the
same actions) refuse ``javascript:``, ``data:``, ``file:`` or a relative address alike. An
upload's url is its file name, which CKAN turns into the portal's own download address:
the rule does not apply to it.

A record stored before the rule, or behind its back, is reported by `ckan lngov links`
(`bad_links`) and withheld until fixed (`withhold`): the pages and the API no longer show its
address (after_dataset_show, but the edit form, where the editor fixes it), and DCAT and
schema.org (dcat/public.py's public_fields) leave it out.
"""
from __future__ import annotations

from typing import Any, Iterator
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk
from ckan import model


def schemes() -> list[str]:
    return [s.lower() for s in tk.aslist(tk.config.get("ckan.valid_url_schemes"))]


def allowed(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in schemes() and bool(parts.hostname)


def _is_link(resource: dict[str, Any]) -> bool:
    return resource.get("url_type") != "upload"


def lngov_link_scheme(key, data, errors, context):
    """A linked resource's address is absolute, with a declared scheme."""
    url = data.get(key)
    if errors[key] or not isinstance(url, str) or not url:
        return
    if data.get(key[:-1] + ("url_type",)) == "upload":
        return
    if not allowed(url):
        errors[key].append(tk._("The address must be a full web address starting with one "
                                "of {schemes} (for example https://example.com/data.csv)"
                                ).format(schemes=" ".join(f"{s}://" for s in schemes())))


def withhold(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The entry without the addresses the rule refuses (their resources stay, unlinked)."""
    for resource in pkg_dict.get("resources") or []:
        url = resource.get("url")
        if url and _is_link(resource) and not allowed(url):
            resource.pop("url")
    return pkg_dict


def for_viewer(context: dict[str, Any], pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """What package_show answers: withheld, but for the edit form (where it is fixed)."""
    return pkg_dict if context.get("for_edit") else withhold(pkg_dict)


def bad_links() -> Iterator[dict[str, Any]]:
    """Every resource of an undeleted entry whose stored address the rule refuses."""
    rows = (model.Session.query(model.Resource.id, model.Resource.url,
                                model.Resource.url_type, model.Package.name,
                                model.Package.state)
            .join(model.Package, model.Package.id == model.Resource.package_id)
            .filter(model.Resource.state == "active", model.Package.state != "deleted",
                    model.Resource.url != "")
            .order_by(model.Package.name, model.Resource.position))
    for rid, url, url_type, name, state in rows:
        if url_type != "upload" and not allowed(url):
            yield {"dataset": name, "state": state, "resource_id": rid, "url": url,
                   "scheme": _scheme(url)}


def _scheme(url: str) -> str:
    try:
        return urlsplit(url).scheme
    except ValueError:
        return ""


# Schemes that run or read something where the address is opened, never a resource's.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "filesystem"})


def problems(config: Any) -> list[str]:
    """What in the configuration would let an address run (contracts.py)."""
    unsafe = sorted(set(s.lower() for s in tk.aslist(config.get("ckan.valid_url_schemes")))
                    & UNSAFE_SCHEMES)
    if unsafe:
        return [f"ckan.valid_url_schemes must not include {' '.join(unsafe)}: resource "
                "addresses with it would run or read in the visitor's browser (links.py)"]
    return []


def _in_activity(up_func, context, data_dict):
    """An activity's copy of an entry (its history pages, the activity API) withheld alike:
    activity_show's {"data": {"package": ...}}, activity_data_show's {"package": ...} or,
    with object_type, the entry itself."""
    result = up_func(context, data_dict)
    for found in (result, (result or {}).get("data") if isinstance(result, dict) else None):
        if isinstance(found, dict):
            if isinstance(found.get("package"), dict):
                withhold(found["package"])
            elif isinstance(found.get("resources"), list):
                withhold(found)
    return result


def get_actions() -> dict[str, Any]:
    """CKAN's activity readers, chained (logic/action.py chains them through these)."""
    return {"activity_show": _in_activity, "activity_data_show": _in_activity}
