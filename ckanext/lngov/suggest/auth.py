"""Who may ask for suggestions: anyone (they come from the public catalog only)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def lngov_suggest(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return {"success": True}


def get_auth_functions() -> dict[str, Any]:
    return {"lngov_suggest": lngov_suggest}
