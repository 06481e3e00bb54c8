"""Who may call the open tables' action (actions.py)."""
from __future__ import annotations

import sys
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.lngov.logic import own_functions


def lngov_table_release(context, data_dict):
    """Releasing a file held back for personal information is a sysadmin's review (sysadmins
    pass before any auth function)."""
    return {"success": False, "msg": tk._("Only sysadmins may release a file held back for "
                                          "review")}


def get_auth_functions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
