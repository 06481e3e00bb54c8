"""Public data requests (数据需求): a signed-in user asks a department for data that is not
open yet; the request is public with its status (open, answered, opened as entry X,
declined with a reason from applications/reasons.yaml), never with who asked; the
department's editors answer it. Signed-in users follow a request; its followers and the
requester are mailed its answer. Who follows is nobody else's business: the public sees only
how many do. The tables lngov_data_request (migration a1c0de000005) and
lngov_data_request_follower (a1c0de000006); the actions lngov_data_request_* in
logic/action.py, their auth in logic/auth.py."""
from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, request

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.common import current_user

from ckanext.lngov.applications import notify, reasons

OPEN, ANSWERED, OPENED, DECLINED = "open", "answered", "opened", "declined"
STATES = (OPEN, ANSWERED, OPENED, DECLINED)
_COLUMNS = ("id, user_id, owner_org, title, description, state, answer, package_id, "
            "reason_code, created, answered")


def insert(*, user_id: str, owner_org: str, title: str, description: str) -> str:
    request_id = str(uuid.uuid4())
    model.Session.execute(sa.text(
        "INSERT INTO lngov_data_request (id, user_id, owner_org, title, description, state, "
        "created) VALUES (:id, :user_id, :owner_org, :title, :description, 'open', :now)"),
        {"id": request_id, "user_id": user_id, "owner_org": owner_org, "title": title,
         "description": description, "now": datetime.datetime.now(datetime.timezone.utc)})
    return request_id


def get(request_id: str) -> dict[str, Any] | None:
    try:
        uuid.UUID(str(request_id))
    except ValueError:
        return None
    row = model.Session.execute(sa.text(
        f"SELECT {_COLUMNS} FROM lngov_data_request WHERE id = :id"),
        {"id": request_id}).mappings().first()
    return dict(row) if row else None


def answer(request_id: str, state: str, text: str | None, package_id: str | None,
           reason_code: str | None) -> None:
    model.Session.execute(sa.text(
        "UPDATE lngov_data_request SET state = :state, answer = :answer, "
        "package_id = :package_id, reason_code = :reason_code, answered = :now "
        "WHERE id = :id"),
        {"id": request_id, "state": state, "answer": text, "package_id": package_id,
         "reason_code": reason_code, "now": datetime.datetime.now(datetime.timezone.utc)})


def search(*, q: str | None = None, owner_org: str | None = None, state: str | None = None,
           user_id: str | None = None, limit: int = 100, offset: int = 0
           ) -> tuple[int, list[dict[str, Any]]]:
    where, params = [], {"limit": limit, "offset": offset}
    if q:
        where.append("(title ILIKE :q OR description ILIKE :q OR answer ILIKE :q)")
        params["q"] = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
    if owner_org:
        where.append("owner_org = :org")
        params["org"] = owner_org
    if state:
        where.append("state = :state")
        params["state"] = state
    if user_id:
        where.append("user_id = :user_id")
        params["user_id"] = user_id
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    total = model.Session.execute(sa.text(
        f"SELECT count(*) FROM lngov_data_request {clause}"), params).scalar()
    rows = model.Session.execute(sa.text(
        f"SELECT {_COLUMNS} FROM lngov_data_request {clause} "
        "ORDER BY created DESC, id LIMIT :limit OFFSET :offset"), params).mappings()
    return int(total or 0), [dict(r) for r in rows]


# --- followers ------------------------------------------------------------------------------

def add_follower(request_id: str, user_id: str) -> None:
    model.Session.execute(sa.text(
        "INSERT INTO lngov_data_request_follower (request_id, user_id, created) "
        "VALUES (:r, :u, :now) ON CONFLICT DO NOTHING"),
        {"r": request_id, "u": user_id, "now": datetime.datetime.now(datetime.timezone.utc)})


def remove_follower(request_id: str, user_id: str) -> None:
    model.Session.execute(sa.text(
        "DELETE FROM lngov_data_request_follower WHERE request_id = :r AND user_id = :u"),
        {"r": request_id, "u": user_id})


def follower_count(request_id: str) -> int:
    return int(model.Session.execute(sa.text(
        "SELECT count(*) FROM lngov_data_request_follower WHERE request_id = :r"),
        {"r": request_id}).scalar() or 0)


def following(request_id: str, user_id: str | None) -> bool:
    return bool(user_id) and model.Session.execute(sa.text(
        "SELECT 1 FROM lngov_data_request_follower WHERE request_id = :r AND user_id = :u"),
        {"r": request_id, "u": user_id}).first() is not None


def followed_by(user_id: str, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    params = {"u": user_id, "limit": limit, "offset": offset}
    total = model.Session.execute(sa.text(
        "SELECT count(*) FROM lngov_data_request_follower WHERE user_id = :u"),
        params).scalar()
    rows = model.Session.execute(sa.text(
        f"SELECT {', '.join('r.' + c for c in _COLUMNS.split(', '))} FROM lngov_data_request r "
        "JOIN lngov_data_request_follower f ON f.request_id = r.id WHERE f.user_id = :u "
        "ORDER BY f.created DESC, r.id LIMIT :limit OFFSET :offset"), params).mappings()
    return int(total or 0), [dict(r) for r in rows]


def _recipients(row: dict[str, Any]) -> list[tuple[str, str, None]]:
    """The requester and the followers, each address once."""
    ids = [row["user_id"]] + [r[0] for r in model.Session.execute(sa.text(
        "SELECT user_id FROM lngov_data_request_follower WHERE request_id = :r "
        "ORDER BY created"), {"r": row["id"]})]
    found: dict[str, str] = {}
    for user_id in ids:
        user = model.User.get(user_id)
        if user is not None and user.state == "active" and user.email:
            found.setdefault(user.email.lower(), user.display_name)
    return [(name, address, None) for address, name in found.items()]


_ANSWER_SUBJECT = {
    ANSWERED: ("数据需求已答复", "Data request answered"),
    OPENED: ("数据需求已开放为数据目录", "Data request opened as an entry"),
    DECLINED: ("数据需求未予开放", "Data request declined"),
}


def _answer_body(request_dict: dict[str, Any]) -> str:
    site = tk.config.get("ckan.site_title") or ""
    url = tk.config.get("ckan.site_url", "").rstrip("/")
    r = request_dict
    zh = [f"{r['organization_title']}答复了您提出或关注的数据需求“{r['title']}”。"]
    en = [f"{r['organization_title']} answered the data request \"{r['title']}\" that you "
          "made or follow."]
    if r["state"] == OPENED:
        zh.append(f"数据已开放：{url}/dataset/{r['package_name']}")
        en.append(f"The data is open: {url}/dataset/{r['package_name']}")
    if r["state"] == DECLINED:
        zh.append(f"未予开放的理由：{reasons.label(r['reason_code'], 'zh')}")
        en.append(f"Declined because: {reasons.label(r['reason_code'], 'en')}")
    if r.get("answer"):
        zh.append(f"部门答复：{r['answer']}")
        en.append(f"The department's answer: {r['answer']}")
    page = f"{url}/data-requests/{r['id']}"
    zh.append(f"查看：{page}")
    en.append(f"See: {page}")
    return "\n".join(zh) + "\n\n" + "\n".join(en) + f"\n\n-- \n{site}\n{url}\n"


def mail_answer(row: dict[str, Any]) -> int:
    """Mails the answer of the request `row` to its requester and followers."""
    request_dict = dictize(row)
    zh, en = _ANSWER_SUBJECT[row["state"]]
    body = _answer_body(request_dict)
    return notify.mail_each(_recipients(row), f"{zh} / {en}: {row['title']}",
                            lambda _: body, f"data request {row['id']}")


def dictize(row: dict[str, Any], with_requester: bool = False) -> dict[str, Any]:
    """A request as the public sees it; `with_requester` (the requester, the department's
    editors, sysadmins) adds who asked."""
    org = model.Group.get(row["owner_org"])
    pkg = model.Package.get(row["package_id"]) if row["package_id"] else None
    out = {"id": row["id"], "title": row["title"], "description": row["description"],
           "state": row["state"], "owner_org": row["owner_org"],
           "organization": org.name if org else None,
           "organization_title": org.title if org else None,
           "answer": row["answer"], "reason_code": row["reason_code"],
           "reason": reasons.label(row["reason_code"]) if row["reason_code"] else None,
           "package_id": pkg.id if pkg is not None else None,
           "package_name": pkg.name if pkg is not None else None,
           "created": row["created"].isoformat(),
           "answered": row["answered"].isoformat() if row["answered"] else None,
           "follower_count": follower_count(row["id"])}
    if with_requester:
        user = model.User.get(row["user_id"])
        out["user_id"] = row["user_id"]
        out["requester"] = user.name if user else None
    return out


# --- pages: /data-requests (public list and search), /data-requests/new, /data-requests/<id>

blueprint = Blueprint("lngov_requests", __name__)


def _context() -> dict[str, Any]:
    return {"user": current_user.name if current_user.is_authenticated else ""}


def _errors(error: Any) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [str(v)]
            for k, v in (error.error_dict or {}).items()}


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
            _context(), {**args, "limit": 20, "offset": (page - 1) * 20})
    except (tk.ValidationError, tk.ObjectNotFound):
        found, args = {"count": 0, "results": []}, {**args, "invalid": True}
    return tk.render("lngov/requests/index.html", {
        "found": found, "args": args, "page_number": page, "departments": _departments(),
        "states": STATES})


def new():
    if not current_user.is_authenticated:
        return tk.redirect_to(tk.h.url_for("user.login", came_from=request.full_path))
    data = {"title": request.args.get("title", ""), "description": "",
            "owner_org": request.args.get("owner_org", "")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {k: request.form.get(k, "") for k in ("title", "description", "owner_org")}
        try:
            made = tk.get_action("lngov_data_request_create")(_context(), dict(data))
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            tk.h.flash_success(tk._("Your data request is published. The department will "
                                    "answer it here."))
            return tk.redirect_to(tk.h.url_for("lngov_requests.read", request_id=made["id"]))
    return tk.render("lngov/requests/new.html", {"data": data, "errors": errors,
                                                 "departments": _departments()})


def read(request_id: str):
    from ckanext.lngov.logic.auth import department_editor

    try:
        found = tk.get_action("lngov_data_request_show")(_context(), {"id": request_id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data request not found"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            tk.get_action("lngov_data_request_answer")(_context(), {
                "id": request_id, **{k: request.form.get(k) or None for k in (
                    "state", "answer", "package_id", "reason_code")}})
        except tk.NotAuthorized:
            return tk.abort(403, tk._("Only the department's editors answer its data "
                                      "requests"))
        except tk.ValidationError as error:
            errors = _errors(error)
        else:
            return tk.redirect_to(tk.h.url_for("lngov_requests.read", request_id=request_id))
    answers = found["state"] == OPEN and current_user.is_authenticated and \
        department_editor(current_user.name, found["owner_org"])
    return tk.render("lngov/requests/read.html", {
        "request_dict": found, "errors": errors, "form": request.form, "answers": answers,
        "reasons": [(code, reasons.label(code)) for code in reasons.codes()]})


def follow_view(request_id: str, follow: bool = True):
    """The follow / unfollow button (a form posting here)."""
    if not current_user.is_authenticated:
        return tk.redirect_to(tk.h.url_for(
            "user.login", came_from=tk.h.url_for("lngov_requests.read", request_id=request_id)))
    action = "lngov_data_request_follow" if follow else "lngov_data_request_unfollow"
    try:
        tk.get_action(action)(_context(), {"id": request_id})
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
