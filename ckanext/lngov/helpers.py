"""Template helpers of the portal."""
from __future__ import annotations

import functools
import json
from typing import Any

from flask import g

import ckan.plugins.toolkit as tk

from ckanext.lngov import lang, search, usage
from ckanext.lngov.access import department_editor, in_department
from ckanext.lngov.catalog import codes, freshness
from ckanext.lngov.dcat import public
from ckanext.lngov.harvest import record
from ckanext.lngov.pages import stats
from ckanext.lngov.serving import memory, once
from ckanext.lngov.tables import examples, status


def lngov_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming choices of a field from the code list it names (lngov_codes: LIST)."""
    return codes.choices(field["lngov_codes"])


def lngov_navigation() -> list[dict[str, Any]]:
    """The main navigation, with the entry of the current page marked (the longest path
    that the request's path starts with)."""
    # The developer and statistics pages are the portal's own blueprints.
    navigation = (("/", tk._("Home")), ("/dataset/", tk._("Data catalog")),
                  ("/organization/", tk._("Departments")), ("/developer", tk._("Developers")),
                  ("/data-requests", tk._("Data requests")),
                  ("/statistics", tk._("Statistics")), ("/about", tk._("About")))
    here = tk.request.path
    if lang.current() != tk.config["ckan.locale_default"]:
        here = here.removeprefix("/" + lang.current()) or "/"
    current = max((path for path, _label in navigation
                   if here == path or (path != "/" and (here == path.rstrip("/") or
                                                        here.startswith(path.rstrip("/") + "/")))),
                  key=len, default=None)
    return [{"href": tk.h.url_for(path), "label": label, "current": path == current}
            for path, label in navigation]


def lngov_languages() -> list[dict[str, Any]]:
    """The language switch: the current page in each offered language, one click away."""
    here = lang.current()
    names = {"zh_Hans_CN": "中文", "en": "English"}
    return [{"href": tk.h.url_for(tk.h.current_url(), locale=locale),
             "label": names.get(locale, locale), "current": locale == here,
             "lang": tk.h.unix_locale_to_bcp47(locale)}
            for locale in tk.aslist(tk.config["ckan.locales_offered"])]


def lngov_site() -> dict[str, str]:
    """The footer's declared identity (sponsor, operator, site code, ICP filing) in the
    page's language."""
    suffix = "en" if lang.current() == "en" else "zh"
    get = tk.config.get
    return {"sponsor": get(f"ckanext.lngov.site.sponsor.{suffix}"),
            "operator": get(f"ckanext.lngov.site.operator.{suffix}"),
            "code": get("ckanext.lngov.site.code"), "icp": get("ckanext.lngov.site.icp"),
            "icp_url": get("ckanext.lngov.site.icp_url"),
            "privacy_email": get("ckanext.lngov.site.privacy_email")}


def lngov_local_time(value: Any) -> str:
    """A timestamp (UTC, as CKAN stores it) in the site's zone (ckan.display_timezone), the
    same form in every language: 2026-12-03 03:00 (GMT+08:00)."""
    from ckan.lib.formatters import localised_nice_date

    if isinstance(value, str):
        value = tk.h.date_str_to_datetime(value)
    return localised_nice_date(value, show_date=True, with_hours=True,
                               format="yyyy-MM-dd HH:mm (ZZZZ)")


def lngov_job_outcomes(job_id: str) -> dict[str, int]:
    """A harvest job's outcome counts (harvest/record.py), for the pages that show a job
    without harvest_job_show (the source's dashboard, the job list)."""
    return record.counts(job_id)


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
    return search.file_formats((r.get("format"), r.get("resource_type"))
                               for r in pkg.get("resources") or [])


def lngov_home() -> dict[str, Any]:
    """What the home page shows: counts, entry points, newest and most downloaded."""
    return stats.home(lang.current())


def lngov_overdue(department: str) -> int:
    """How many public entries of a department (by name) are overdue."""
    return stats.overdue_count(f'organization:"{department}"')


def lngov_usage(pkg: dict[str, Any]) -> dict[str, int]:
    """Views and downloads of one entry."""
    return usage.counts([pkg["id"]])[pkg["id"]]


def lngov_pager(page: Any, **kwargs: Any) -> Any:
    """CKAN's pager whose arrow links say where they lead: CKAN draws them as bare icons,
    links without a name for a screen reader (axe-core: link-name)."""
    from dominate import tags

    def arrow(icon: str, text: str) -> Any:
        return tags.span(tags.i(cls=f"fa-solid {icon}", aria_hidden="true"),
                         tags.span(text, cls="visually-hidden"))

    return page.pager(symbol_previous=arrow("fa-chevron-left", tk._("Previous page")),
                      symbol_next=arrow("fa-chevron-right", tk._("Next page")), **kwargs)


def lngov_table_status(resource_id: str) -> dict[str, Any] | None:
    """The load record of a resource's table (tables/status.py), if it has one."""
    return once.per_request(("table_status", resource_id), lambda: status.get(resource_id))


def lngov_held_back(resource_id: str) -> str | None:
    """Why the public cannot download the resource's file yet (tables/status.py held_back:
    quarantined, or pending its screening), or None."""
    return once.per_request(("held_back", resource_id), lambda: status.held_back(resource_id))


def lngov_api_examples(resource_id: str) -> dict[str, dict[str, str]]:
    """The Data API panel's examples for the table of a resource (tables/examples.py)."""
    return examples.examples(resource_id)


def lngov_my_applications(package_id: str) -> list[dict[str, Any]]:
    """The signed-in user's applications for an entry, newest first (none for visitors)."""
    from ckan.common import current_user

    if not current_user.is_authenticated:
        return []
    try:
        apps = tk.get_action("lngov_application_list")(
            {"user": current_user.name}, {"package_id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return []
    return sorted((a for a in apps if a["user_id"] == current_user.id),
                  key=lambda a: a["submitted"], reverse=True)


def lngov_can_download(pkg: dict[str, Any], res: dict[str, Any] | None = None) -> bool:
    """May the signed-in user get the entry's files (or the file `res`)? The department, and
    an approved applicant (logic/auth.py lngov_data_access)."""
    from ckan.common import current_user

    if not current_user.is_authenticated:
        return False
    try:
        return tk.check_access("lngov_data_access", {"user": current_user.name},
                               {"id": pkg["id"], "resource_id": (res or {}).get("id")})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False


def lngov_service_clock(owner_org: str) -> dict[str, Any] | None:
    """The department's service clock (applications/clock.py), None if it has no
    conditionally open entry and no application."""
    try:
        found = tk.get_action("lngov_service_clock")({"user": ""}, {"owner_org": owner_org})
    except (tk.ObjectNotFound, tk.ValidationError):
        return None
    return found[0] if found else None


def lngov_department_editor(owner_org: str | None) -> bool:
    """Does the signed-in user answer the department's applications?"""
    from ckan.common import current_user

    return current_user.is_authenticated and department_editor(current_user.name, owner_org)


def lngov_in_department(owner_org: str | None) -> bool:
    from ckan.common import current_user

    return current_user.is_authenticated and in_department(current_user.name, owner_org)


@tk.chained_helper
def markdown_extract(next_helper: Any, text: Any, extract_length: int = 190) -> Any:
    """CKAN's plain-text extract of a Markdown text, remembered by text and length: a search
    page asks it twice for each of its results (CKAN's result snippet and the portal's), and
    each call builds a Markdown parser, renders and cleans the HTML. A pure function of its
    arguments: what it is asked about decides the answer, nothing else."""
    if not isinstance(text, str) or not text or not isinstance(extract_length, int):
        return next_helper(text, extract_length=extract_length)
    return _markdown_extract(next_helper, str(text), extract_length)


@functools.lru_cache(maxsize=4096)
def _markdown_extract(next_helper: Any, text: str, extract_length: int) -> Any:
    return next_helper(text, extract_length=extract_length)


@tk.chained_helper
def structured_data(next_helper: Any, dataset_dict: Any, profiles: Any = None) -> Any:
    """ckanext-dcat's schema.org data of an entry page, kept per cache generation for
    anonymous visitors (serving/memory.py: by entry, last change, language and profiles): drawing it
    loads the DCAT profiles and builds and serializes an RDF graph, a third of an entry
    page's time. Signed-in visitors' pages draw it each time (their entry may hold the
    department's fields)."""
    from ckan.common import current_user

    if current_user.is_authenticated or not isinstance(dataset_dict, dict) \
            or not dataset_dict.get("id") or not dataset_dict.get("metadata_modified"):
        return next_helper(dataset_dict, profiles=profiles)
    key = ("structured_data", dataset_dict["id"], dataset_dict["metadata_modified"],
           lang.current(), json.dumps(profiles))
    return memory.recent(key, lambda: next_helper(dataset_dict, profiles=profiles))


@tk.chained_helper
def render_markdown(next_helper: Any, data: Any, auto_link: bool = True,
                    allow_html: bool = False) -> Any:
    """CKAN's Markdown rendering, remembered by its arguments (an LRU, as markdown_extract):
    a resource page renders the same descriptions several times, each with a new parser."""
    if not isinstance(data, str) or not data:
        return next_helper(data, auto_link=auto_link, allow_html=allow_html)
    return _render_markdown(next_helper, str(data), bool(auto_link), bool(allow_html))


@functools.lru_cache(maxsize=2048)
def _render_markdown(next_helper: Any, data: str, auto_link: bool, allow_html: bool) -> Any:
    return next_helper(data, auto_link=auto_link, allow_html=allow_html)


# Asked more than once by one page with the same arguments (serving/once.py): the
# permission checks of a page's buttons, a department's follower and member counts (its
# sidebar and its header).

@tk.chained_helper
def check_access(next_helper: Any, action: str, data_dict: Any = None) -> Any:
    try:
        key = ("check_access", action, json.dumps(data_dict, sort_keys=True, default=str))
    except (TypeError, ValueError):
        return next_helper(action, data_dict)
    return once.per_request(key, lambda: next_helper(action, data_dict))


@tk.chained_helper
def follow_count(next_helper: Any, obj_type: str, obj_id: str) -> Any:
    return once.per_request(("follow_count", obj_type, obj_id),
                            lambda: next_helper(obj_type, obj_id))


@tk.chained_helper
def member_count(next_helper: Any, group: str) -> Any:
    return once.per_request(("member_count", group), lambda: next_helper(group))


def _anonymous_per_generation(key: tuple[Any, ...], compute: Any) -> Any:
    """An anonymous visitor's answer about the public catalog, kept per cache generation
    (serving/memory.py); a signed-in visitor's asked each time."""
    from ckan.common import current_user

    if current_user.is_authenticated:
        return compute()
    return memory.recent(key, compute)


@tk.chained_helper
def datastore_dictionary(next_helper: Any, resource_id: Any,
                         include_columns: Any = None) -> Any:
    """The DataStore's data dictionary of a table shown on a resource page (the DataStore's
    tables renew the cache generation when they change, serving/cache.py)."""
    if not isinstance(resource_id, str):
        return next_helper(resource_id, include_columns)
    return _anonymous_per_generation(
        ("datastore_dictionary", resource_id, json.dumps(include_columns)),
        lambda: next_helper(resource_id, include_columns))


@tk.chained_helper
def resource_view_get_fields(next_helper: Any, resource: Any) -> Any:
    """The fields of a table, for a resource page's view filters (a DataStore search)."""
    if not isinstance(resource, dict) or not isinstance(resource.get("id"), str):
        return next_helper(resource)
    return _anonymous_per_generation(
        ("resource_view_get_fields", resource["id"], bool(resource.get("datastore_active"))),
        lambda: next_helper(resource))


def get_helpers() -> dict[str, Any]:
    return {"markdown_extract": markdown_extract, "structured_data": structured_data,
            "render_markdown": render_markdown, "check_access": check_access,
            "follow_count": follow_count, "member_count": member_count,
            "datastore_dictionary": datastore_dictionary,
            "resource_view_get_fields": resource_view_get_fields,
            "lngov_choices": lngov_choices, "lngov_is_public": codes.is_public,
            "lngov_navigation": lngov_navigation, "lngov_languages": lngov_languages,
            "lngov_site": lngov_site, "lngov_job_outcomes": lngov_job_outcomes,
            "lngov_local_time": lngov_local_time,
            "lngov_text": lngov_text, "lngov_label": lngov_label,
            "lngov_freshness": lngov_freshness, "lngov_file_formats": lngov_file_formats,
            "lngov_downloadable": codes.downloadable, "lngov_home": lngov_home,
            "lngov_is_english": is_english, "lngov_usage": lngov_usage,
            "lngov_overdue": lngov_overdue, "lngov_pager": lngov_pager,
            "lngov_table_status": lngov_table_status, "lngov_api_examples": lngov_api_examples,
            "lngov_held_back": lngov_held_back,
            "lngov_my_applications": lngov_my_applications,
            "lngov_department_editor": lngov_department_editor,
            "lngov_can_download": lngov_can_download,
            "lngov_service_clock": lngov_service_clock,
            "lngov_in_department": lngov_in_department}
