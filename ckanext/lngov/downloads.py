"""Files of conditionally open entries (有条件开放) are not served to the public.

Their metadata is public; their files are for those the department grants use on
application (the dataset page says how), its own members and sysadmins. The check runs
before CKAN's download views, so every way to a file (dataset and resource download URLs,
any filename) goes through it.
"""
from __future__ import annotations

from flask import Blueprint, abort, request

import ckan.authz as authz
from ckan import model
from ckan.common import current_user

blueprint = Blueprint("lngov_downloads", __name__)


def may_download(pkg: model.Package, user_name: str | None) -> bool:
    if pkg.extras.get("open_attribute") != "conditional":
        return True
    if not user_name:
        return False
    return authz.is_sysadmin(user_name) or bool(pkg.owner_org) and \
        authz.has_user_permission_for_group_or_org(pkg.owner_org, user_name, "read")


@blueprint.before_app_request
def guard() -> None:
    # resource.download, dataset_resource.download and the like of every dataset type
    if not (request.endpoint or "").endswith("resource.download"):
        return
    resource = model.Resource.get((request.view_args or {}).get("resource_id") or "")
    pkg = resource.package if resource is not None else None
    if pkg is None:
        return  # CKAN's own view answers 404
    user = None if current_user.is_anonymous else current_user.name
    if not may_download(pkg, user):
        from ckan.plugins.toolkit import _
        abort(403, _("This entry is conditionally open (有条件开放): its files are provided "
                     "by the department on application. See the entry's page for how to "
                     "apply."))
