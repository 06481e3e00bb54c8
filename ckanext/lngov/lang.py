"""The language of the current request, as a CKAN locale, and the JavaScript translations
asked for by the language tag the page gives."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk
from ckan.lib.i18n import get_locales_from_config
from ckan.views import api

DEFAULT = "zh_Hans_CN"
_CATALOGS = {"ckan": "ckan", "ckanext-lngov": "ckanext.lngov"}   # domain: its package


def site_translations(domain: str = "ckanext-lngov"):
    """The translations of the site's language (ckan.locale_default), the portal's or CKAN's
    (domain "ckan"). A background job has no request, hence no language: what it stores
    for everyone to read (a view's title, a harvest report's line) is in the site's."""
    import importlib
    import os

    from babel.support import Translations

    package = importlib.import_module(_CATALOGS[domain])
    return Translations.load(os.path.join(os.path.dirname(package.__file__), "i18n"),
                             [tk.config["ckan.locale_default"]], domain)


def current() -> str:
    """zh_Hans_CN or en; the portal's default outside a request (jobs, CLI)."""
    try:
        return tk.h.lang() or DEFAULT
    except (RuntimeError, TypeError, AttributeError):
        return DEFAULT


def posix_locale(tag: str) -> str | None:
    """The offered CKAN locale of a language tag, None if none is offered: zh_Hans_CN for
    itself, for the BCP 47 tag that base.html writes into <html lang> (zh-Hans-CN) and for
    what CKAN's client.js makes of that tag (zh_Hans-CN: it replaces the first hyphen only)."""
    key = tag.replace("-", "_").lower()
    return next((locale for locale in get_locales_from_config() if locale.lower() == key),
                None)


# CKAN's main.js asks /api/i18n/<the page's lang attribute, first hyphen made _>, but CKAN's
# view knows only POSIX locales and answers 400 for zh_Hans-CN, so no page module ever starts
# on a Chinese page. Plugin blueprints are registered before CKAN's own, so this rule wins.
js_translations = Blueprint("lngov_i18n", __name__)


@js_translations.route("/api/i18n/<lang>")
@js_translations.route("/api/<int(min=1, max=2):ver>/i18n/<lang>")
def i18n_js_translations(lang: str, ver: int = api.API_REST_DEFAULT_VERSION):
    return api.i18n_js_translations(posix_locale(lang) or lang, ver)
