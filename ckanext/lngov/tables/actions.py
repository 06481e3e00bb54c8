"""The open tables' action: lngov_table_release (its auth function in auth.py)."""
from __future__ import annotations

import datetime
import sys
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.lngov.logic import own_functions
from ckanext.lngov.tables import load, status


def lngov_table_release(context, data_dict):
    """Releases a file the personal-information gate holds back (privacy.py), after a
    sysadmin's review: recorded (who, when, what was found), then loaded and served.

    :param id: the resource's id
    """
    tk.check_access("lngov_table_release", context, data_dict)
    resource_id = str((data_dict or {}).get("id") or "")
    record = status.get(resource_id)
    if not record or record["state"] != status.QUARANTINED:
        raise tk.ValidationError({"id": [tk._("This file is not held back for review.")]})
    release = {"by": context.get("user") or "", "hash": record.get("hash"),
               "at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
               "findings": record.get("findings") or []}
    status.put(resource_id, status.PENDING, hash=record.get("hash"), release=release)
    load.later(resource_id)
    model.Session.commit()
    return status.get(resource_id)


def get_actions() -> dict[str, Any]:
    return own_functions(sys.modules[__name__])
