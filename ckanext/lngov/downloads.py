"""Files of conditionally open entries (有条件开放), and files the personal-information gate
holds back (privacy.py: not screened yet, or quarantined), are not served to the public.

Their metadata is public; their files are for those whose application the department
approved (applications/), its own members and sysadmins: the auth function
lngov_data_access (logic/auth.py), which the DataStore's auth functions also ask. The check
runs before CKAN's download views, so every way to a file (dataset and resource download
URLs, any filename) goes through it.
"""
from __future__ import annotations

from flask import Blueprint, abort, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user

from ckanext.lngov.access import in_department
from ckanext.lngov.tables import status

blueprint = Blueprint("lngov_downloads", __name__)


@blueprint.before_app_request
def guard() -> None:
    # resource.download, dataset_resource.download and the like of every dataset type
    if not (request.endpoint or "").endswith("resource.download"):
        return
    resource = model.Resource.get((request.view_args or {}).get("resource_id") or "")
    pkg = resource.package if resource is not None else None
    if pkg is None:
        return  # CKAN's own view answers 404
    user = "" if current_user.is_anonymous else current_user.name
    try:
        tk.check_access("lngov_data_access", {"user": user},
                        {"id": pkg.id, "resource_id": resource.id})
    except tk.NotAuthorized as error:
        abort(403, str(error))
    held = status.held_back(resource.id)
    if held and not in_department(user or None, pkg.owner_org):
        abort(403, tk._("This file is held back for review: it may contain personal "
                        "information.") if held == status.QUARANTINED else tk._(
            "This file is being screened for personal information: it is served once "
            "screened, in a moment."))
