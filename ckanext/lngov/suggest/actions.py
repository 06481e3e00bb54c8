"""The suggestions' action: lngov_suggest, what the search boxes ask while one types."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov import lang as languages
from ckanext.lngov.suggest import lookup

MAX_Q = 200
MAX_LIMIT = 20


def _limit(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise tk.ValidationError({"limit": [tk._("Must be a whole number from 1 to {n}").format(
            n=MAX_LIMIT)]})
    return limit


@tk.side_effect_free
def lngov_suggest(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Suggestions for a search box, from the public catalog only (whoever asks).

    :param q: what has been typed: Chinese, English, pinyin (renkou) or initials (rk)
    :param lang: ``zh`` or ``en``: the language of the titles and addresses (default: the
        request's)
    :param limit: entries suggested at most (default ckanext.lngov.search.suggestions)
    :returns: ``{"q", "entries": [{title, url, department}], "departments": [{title, url,
        count}], "themes": [{title, url, count}]}``
    """
    tk.check_access("lngov_suggest", context, data_dict)
    q = data_dict.get("q", "")
    if not isinstance(q, str) or len(q) > MAX_Q:
        raise tk.ValidationError({"q": [tk._("Must be text of at most {n} characters").format(
            n=MAX_Q)]})
    lang = data_dict.get("lang") or ("en" if languages.current() == "en" else "zh")
    if lang not in ("zh", "en"):
        raise tk.ValidationError({"lang": [tk._("Must be zh or en")]})
    return lookup.suggest(q, lang, _limit(data_dict.get("limit")))


def get_actions() -> dict[str, Any]:
    return {"lngov_suggest": lngov_suggest}
