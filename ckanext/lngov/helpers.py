"""Template helpers of the portal."""
from __future__ import annotations

from typing import Any

from flask import g

from ckanext.lngov import lang, usage
from ckanext.lngov.catalog import codes, freshness
from ckanext.lngov.dcat import public
from ckanext.lngov.pages import stats


def lngov_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming choices of a field from the code list it names (lngov_codes: LIST)."""
    return codes.choices(field["lngov_codes"])


def is_english() -> bool:
    return lang.current().startswith("en")


def _department_names() -> dict[str, dict[str, Any]]:
    """Every department's names by id and by name: one query per request."""
    found = getattr(g, "_lngov_departments", None)
    if found is None:
        from ckan import model

        rows = model.Session.query(model.Group.id).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
        by_id = public.departments(row[0] for row in rows)
        found = {**by_id, **{d["name"]: d for d in by_id.values()}}
        g._lngov_departments = found
    return found


def lngov_text(obj: dict[str, Any] | str | None, field: str = "title") -> str:
    """A field of an entry or a department in the page's language: under /en/ its English
    twin (title_en, notes_en) where there is one, else the Chinese. A department may be
    given by id or name, or as an entry's embedded organization (which lacks title_en)."""
    if not obj:
        return ""
    if isinstance(obj, str):
        obj = _department_names().get(obj) or {"title": obj}
    if is_english():
        english = obj.get(field + "_en")
        if not english and obj.get("is_organization") and field == "title":
            english = (_department_names().get(obj.get("id") or "") or {}).get("title_en")
        if english:
            return english
    return obj.get(field) or (obj.get("name") or "" if field == "title" else "")


def lngov_label(list_name: str, value: str | None) -> str:
    """A code's label in the page's language."""
    return codes.label(list_name, value, lang.current()) if value else ""


def lngov_freshness(pkg: dict[str, Any]) -> dict[str, Any]:
    """last_update, due_date (dates or None) and status (overdue / on_time / None)."""
    return {"last_update": freshness.last_update(pkg), "due_date": freshness.due_date(pkg),
            "status": freshness.status(pkg)}


def lngov_file_formats(pkg: dict[str, Any]) -> list[str]:
    """The formats of an entry's files and APIs, as the file-format facet names them."""
    found: list[str] = []
    for resource in pkg.get("resources") or []:
        fmt = (resource.get("format") or "").upper()
        name = "API" if resource.get("resource_type") == "api" or fmt == "API" else fmt
        if name and name not in found:
            found.append(name)
    return found


def lngov_downloadable(pkg: dict[str, Any]) -> bool:
    """Whether the public may download the entry's files here (无条件开放 only)."""
    return pkg.get("open_attribute") == "open"


def lngov_home() -> dict[str, Any]:
    """What the home page shows: counts, entry points, newest and most downloaded."""
    return stats.home(lang.current())


def lngov_overdue(department: str) -> int:
    """How many public entries of a department (by name) are overdue."""
    return stats.overdue_count(f'organization:"{department}"')


def lngov_usage(pkg: dict[str, Any]) -> dict[str, int]:
    """Views and downloads of one entry."""
    return usage.counts([pkg["id"]])[pkg["id"]]


def get_helpers() -> dict[str, Any]:
    return {"lngov_choices": lngov_choices, "lngov_is_public": public.is_public,
            "lngov_text": lngov_text, "lngov_label": lngov_label,
            "lngov_freshness": lngov_freshness, "lngov_file_formats": lngov_file_formats,
            "lngov_downloadable": lngov_downloadable, "lngov_home": lngov_home,
            "lngov_is_english": is_english, "lngov_usage": lngov_usage,
            "lngov_overdue": lngov_overdue}
