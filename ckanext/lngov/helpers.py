"""Template helpers of the portal."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov import lang
from ckanext.lngov.catalog import codes
from ckanext.lngov.dcat import public

def lngov_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming choices of a field from the code list it names (lngov_codes: LIST)."""
    return codes.choices(field["lngov_codes"])


def lngov_navigation() -> list[dict[str, Any]]:
    """The main navigation, with the entry of the current page marked (the longest path
    that the request's path starts with)."""
    # The developer and statistics pages are the portal's own blueprints.
    navigation = (("/", tk._("Home")), ("/dataset/", tk._("Data catalog")),
                  ("/organization/", tk._("Departments")), ("/developer", tk._("Developers")),
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
            "icp_url": get("ckanext.lngov.site.icp_url")}


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
    from ckanext.lngov.harvest import record

    return record.counts(job_id)


def get_helpers() -> dict[str, Any]:
    return {"lngov_choices": lngov_choices, "lngov_is_public": public.is_public,
            "lngov_navigation": lngov_navigation, "lngov_languages": lngov_languages,
            "lngov_site": lngov_site, "lngov_job_outcomes": lngov_job_outcomes,
            "lngov_local_time": lngov_local_time}
