"""The language of the current request, as a CKAN locale."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

DEFAULT = "zh_Hans_CN"


def current() -> str:
    """zh_Hans_CN or en; the portal's default outside a request (jobs, CLI)."""
    try:
        return tk.h.lang() or DEFAULT
    except (RuntimeError, TypeError, AttributeError):
        return DEFAULT
