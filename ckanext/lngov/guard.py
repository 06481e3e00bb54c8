"""Every request gets a clear answer, in the visitor's language, that gives nothing away.

- Input CKAN cannot take (NUL characters, which PostgreSQL refuses mid-query; overlong
  URLs) is refused before any view or action runs: 400 / 414.
- A route about a dataset the visitor may not read answers as one about a dataset that does
  not exist (404 "Dataset not found"), before the view runs, whatever the view would have
  checked first (editing, deleting, views of its resources...). The actions do the same
  through the package_show auth function (logic/auth.py).
- ckanext-harvest's routes that act (delete, clear, refresh a source, abort a job) act on
  POST only, where CKAN checks its CSRF token: on a plain GET, a link or an image on another
  site would act for whoever is signed in (405).
- Errors that CKAN's views let through (an action's NotFound, NotAuthorized or
  ValidationError raised where the view does not expect it) become 404 / 403 / 400 pages or
  API errors instead of 500s.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import logic, model
from ckan.lib import base
from flask import Response, request
from sqlalchemy import exc as sa_exc

from ckanext.lngov.logic import auth

log = logging.getLogger(__name__)

# URL arguments that name a dataset in the routes of a dataset type (/dataset/<id>/...).
DATASET_ARGS = ("id", "package_id", "dataset_id", "_id")
# The dataset types (dataset, harvest...), i.e. the URL prefixes of their routes: found in
# install(), from the blueprints CKAN registers per type (<type> and <type>_resource).
DATASET_TYPES: set[str] = set()


# ckanext-harvest's routes that act though GET reaches them (its buttons use CKAN's
# confirm-action module, which posts).
ACTING_ROUTES = frozenset({"harvester.delete", "harvester.refresh", "harvester.clear",
                           "harvester.job_abort"})


def _is_api() -> bool:
    return request.path.startswith(("/api/", "/en/api/", "/zh_Hans_CN/api/"))


def error(status: int, message: str) -> Any:
    """An error in the form of the route: CKAN's API error, or its error page."""
    if _is_api():
        kind = {400: "Validation Error", 403: "Authorization Error", 404: "Not Found Error",
                414: "Validation Error"}.get(status, "Error")
        body = {"help": request.url_root + "api/3/action/help_show",
                "success": False, "error": {"__type": kind, "message": message}}
        return Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json")
    names = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
             414: "URI Too Long"}
    return base.render("error_document_template.html", {
        "code": status, "content": message, "name": names.get(status, "Error"),
        "show_login_redirect_link": False}), status


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_bad_input() -> Any:
    """before_request: input no view or action can take."""
    limit = tk.config.get("ckanext.lngov.max_url_length")
    # uWSGI passes the whole address as REQUEST_URI, but drops QUERY_STRING past 32 KB.
    length = max(len(request.full_path.encode("utf-8")),
                 len(str(request.environ.get("REQUEST_URI") or "").encode("utf-8")))
    if length > limit:
        return error(414, tk._("The address is too long (more than {limit} bytes). Shorten "
                               "the search or send it as POST to the API.").format(limit=limit))
    if "\x00" in request.path or _has_nul(request.args.to_dict(flat=False)) or \
            _has_nul(request.form.to_dict(flat=False)):
        return error(400, tk._("The request contains a NUL character, which no field may "
                               "hold."))
    if request.mimetype == "application/json" and _has_nul(request.get_json(silent=True)):
        return error(400, tk._("The request contains a NUL character, which no field may "
                               "hold."))
    return None


def refuse_anonymous_writes() -> Any:
    """before_request: an anonymous call of an action that needs a login is refused before
    the action runs, whatever its identifiers name. (Otherwise an action that looks its
    dataset up before checking rights would answer 404 for a missing entry and 403 for a
    closed one.)"""
    if request.endpoint != "api.action" or tk.current_user.is_authenticated:
        return None
    name = (request.view_args or {}).get("logic_function", "")
    if auth.requires_login(name):
        return error(403, tk._("Access denied: Action {0} requires an authenticated "
                               "user").format(name))
    return None


def refuse_acting_gets() -> Any:
    """before_request: a route that acts, asked by GET, is refused before its view runs."""
    if request.endpoint in ACTING_ROUTES and request.method != "POST":
        return error(405, tk._("This action is taken with the page's button, not by opening "
                               "a link."))
    return None


def hide_unreadable_datasets() -> Any:
    """before_request: a dataset route for a dataset the visitor may not read is a 404."""
    rule = request.url_rule
    if rule is None or _is_api() or not request.view_args:
        return None
    prefix = rule.rule.strip("/").split("/", 1)[0]
    if prefix not in DATASET_TYPES:
        return None
    for arg in DATASET_ARGS:
        value = request.view_args.get(arg)
        if not isinstance(value, str):
            continue
        pkg = model.Package.get(value)
        if pkg is None or prefix not in (pkg.type, "dataset"):
            continue    # /harvest/<id> of a catalog entry: the harvest views' own answer
        try:
            tk.check_access("package_show", {"user": tk.current_user.name
                                             if tk.current_user.is_authenticated else ""},
                            {"id": pkg.id})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            return error(404, tk._("Dataset not found"))
    return None


def uniform_not_found(response: Response) -> Response:
    """after_request: every API 404 says the same "Not found", whatever was not found and
    whichever check found it missing (the action's lookup, or the auth function for a
    dataset the user may not read), so that a message cannot tell the two apart."""
    if response.status_code != 404 or not _is_api() or response.mimetype != "application/json":
        return response
    try:
        body = json.loads(response.get_data())
        body["error"] = {"__type": "Not Found Error", "message": tk._("Not found")}
    except (ValueError, TypeError, KeyError):
        return response
    response.set_data(json.dumps(body, ensure_ascii=False))
    return response


def bad_parameters(e: Exception) -> Any:
    """Exceptions that CKAN's actions and views raise on parameters they did not check
    (missing keys, wrong types, values PostgreSQL refuses): the caller's error, a 400."""
    log.warning("bad parameters for %s: %s: %s", request.path, type(e).__name__, e,
                exc_info=e)
    return error(400, tk._("The request's parameters are missing or not valid."))


def not_found(e: Exception) -> Any:
    return error(404, tk._("Not found"))


def not_authorized(e: Exception) -> Any:
    return error(403, tk._("Not authorized to see this page"))


def invalid(e: Exception) -> Any:
    return error(400, tk._("The request is not valid: {message}").format(
        message=getattr(e, "error_summary", None) or tk._("invalid input")))


def install(app: Any) -> Any:
    """IMiddleware: the checks run after CKAN has identified the user."""
    DATASET_TYPES.update(name for name in app.blueprints
                         if f"{name}_resource" in app.blueprints)
    app.before_request(refuse_bad_input)
    app.before_request(hide_unreadable_datasets)
    app.before_request(refuse_anonymous_writes)
    app.before_request(refuse_acting_gets)
    for rule in list(app.url_map.iter_rules()):
        if rule.endpoint in ACTING_ROUTES and "POST" not in rule.methods:
            app.add_url_rule(rule.rule, endpoint=rule.endpoint, methods=["POST"])
    app.register_error_handler(logic.NotFound, not_found)
    app.register_error_handler(logic.NotAuthorized, not_authorized)
    app.register_error_handler(logic.ValidationError, invalid)
    for kind in (KeyError, TypeError, ValueError, AttributeError, sa_exc.StatementError,
                 UnicodeError):
        app.register_error_handler(kind, bad_parameters)
    app.after_request(uniform_not_found)
    return app
