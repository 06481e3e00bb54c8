"""The data requests' pages, each over the actions (actions.py), which decide who may do
what: /data-requests (public list and search), /data-requests/new, /data-requests/<id> (with
the department's answer form) and the follow / unfollow buttons."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan.common import current_user

from ckanext.lngov import forms
from ckanext.lngov.access import department_editor
from ckanext.lngov.applications import reasons
from ckanext.lngov.data_requests.store import OPEN, STATES

blueprint = Blueprint("lngov_requests", __name__)


def _departments() -> list[dict[str, Any]]:
    return tk.get_action("organization_list")({"user": ""}, {"all_fields": True,
                                                             "limit": 1000})


def index():
    args = {k: request.args.get(k) or None for k in ("q", "state", "owner_org")}
    try:
        page = max(int(request.args.get("page") or 1), 1)
    except ValueError:
        page = 1
    try:
        found = tk.get_action("lngov_data_request_list")(
            forms.context(), {**args, "limit": 20, "offset": (page - 1) * 20})
    except (tk.ValidationError, tk.ObjectNotFound):
        found, args = {"count": 0, "results": []}, {**args, "invalid": True}
    return tk.render("lngov/requests/index.html", {
        "found": found, "args": args, "page_number": page, "departments": _departments(),
        "states": STATES})


def new():
    if not current_user.is_authenticated:
        return forms.login_first()
    data = {"title": request.args.get("title", ""), "description": "",
            "owner_org": request.args.get("owner_org", "")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("title", "description", "owner_org")}
        answer = forms.submit(
            "lngov_data_request_create", data,
            done=lambda made: tk.h.url_for("lngov_requests.read", request_id=made["id"]),
            success=lambda _: tk._("Your data request is published. The department will "
                                   "answer it here."))
        if not isinstance(answer, dict):
            return answer
        errors = answer
    return tk.render("lngov/requests/new.html", {"data": data, "errors": errors,
                                                 "departments": _departments()})


def read(request_id: str):
    try:
        found = tk.get_action("lngov_data_request_show")(forms.context(), {"id": request_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answer = forms.submit(
            "lngov_data_request_answer", {"id": request_id, **{
                k: request.form.get(k) or None for k in ("state", "answer", "package_id",
                                                         "reason_code")}},
            done=lambda _: tk.h.url_for("lngov_requests.read", request_id=request_id),
            refused=tk._("Only the department's editors answer its data requests"))
        if not isinstance(answer, dict):
            return answer
        errors = answer
    answers = found["state"] == OPEN and current_user.is_authenticated and \
        department_editor(current_user.name, found["owner_org"])
    return tk.render("lngov/requests/read.html", {
        "request_dict": found, "errors": errors, "form": request.form, "answers": answers,
        "reasons": [(code, reasons.label(code)) for code in reasons.codes()]})


def follow_view(request_id: str, follow: bool = True):
    """The follow / unfollow button (a form posting here)."""
    if not current_user.is_authenticated:
        return forms.login_first(tk.h.url_for("lngov_requests.read", request_id=request_id))
    action = "lngov_data_request_follow" if follow else "lngov_data_request_unfollow"
    try:
        tk.get_action(action)(forms.context(), {"id": request_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    if follow:
        tk.h.flash_success(tk._("You follow this data request: its answer will be mailed to "
                                "you."))
    return tk.redirect_to(tk.h.url_for("lngov_requests.read", request_id=request_id))


def unfollow_view(request_id: str):
    return follow_view(request_id, follow=False)


blueprint.add_url_rule("/data-requests", view_func=index)
blueprint.add_url_rule("/data-requests/new", view_func=new, methods=["GET", "POST"])
blueprint.add_url_rule("/data-requests/<request_id>", view_func=read, methods=["GET", "POST"])
blueprint.add_url_rule("/data-requests/<request_id>/follow", view_func=follow_view,
                       endpoint="follow",
                       methods=["POST"])
blueprint.add_url_rule("/data-requests/<request_id>/unfollow", view_func=unfollow_view,
                       endpoint="unfollow",
                       methods=["POST"])
