"""Loads the demo catalog (departments.yaml, catalog.yaml) through CKAN's actions, so every
entry passes the same rules as any other, with each public entry's data file uploaded.

Loading twice changes nothing: departments and entries that exist (by name) are left as
they are.
"""
from __future__ import annotations

import io
import mimetypes
from typing import Any, Callable

from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk

from ckanext.lngov.demo import files

ORG_FIELDS = ("name", "title", "title_en", "credit_code", "description")


def departments() -> list[dict[str, Any]]:
    return files.load_catalog()[0]


def entries() -> list[dict[str, Any]]:
    return files.load_catalog()[1]


def _exists(action: str, name: str, context: dict[str, Any]) -> bool:
    try:
        tk.get_action(action)(dict(context), {"id": name})
        return True
    except tk.ObjectNotFound:
        return False


def _entry_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as package_create takes it: fields that do not apply are left out."""
    return {k: v for k, v in entry.items() if k != "resources" and v not in ("", None)}


def _upload(entry: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    filename, data = files.make_file(entry, resource)
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return dict(
        name=resource["name"], description=resource.get("description", ""),
        format=resource["format"], url=filename,
        upload=FileStorage(stream=io.BytesIO(data), filename=filename, content_type=mimetype),
    )


def load(say: Callable[[str], None] = print) -> dict[str, int]:
    """Creates what is missing; returns counts of what was created and kept."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    context = {"user": site_user, "ignore_auth": True}
    counts = {"departments created": 0, "entries created": 0, "files uploaded": 0,
              "kept": 0}
    for dept in departments():
        if _exists("organization_show", dept["name"], context):
            counts["kept"] += 1
            continue
        tk.get_action("organization_create")(
            dict(context), {k: dept[k] for k in ORG_FIELDS if k in dept})
        counts["departments created"] += 1
        say(f"  department {dept['name']} {dept['title']}")
    all_entries = entries()
    for n, entry in enumerate(all_entries, 1):
        prefix = f"[{n}/{len(all_entries)}] {entry['name']}"
        if _exists("package_show", entry["name"], context):
            counts["kept"] += 1
            say(f"{prefix}: exists, kept")
            continue
        pkg = tk.get_action("package_create")(dict(context), _entry_fields(entry))
        counts["entries created"] += 1
        for resource in entry.get("resources") or []:
            tk.get_action("resource_create")(
                dict(context), dict(_upload(entry, resource), package_id=pkg["id"]))
            counts["files uploaded"] += 1
        say(f"{prefix}: created ({entry['open_attribute']}, "
            f"{len(entry.get('resources') or [])} file)")
    return counts
