"""The tables lngov_data_request (migration a1c0de000005) and lngov_data_request_follower
(a1c0de000006): requests, their answers and who follows them; a request as the public sees
it."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from ckan import model

from ckanext.lngov import sql
from ckanext.lngov.applications import reasons

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
         "description": description, "now": sql.now()})
    return request_id


def get(request_id: str) -> dict[str, Any] | None:
    return sql.row_by_id("lngov_data_request", _COLUMNS, request_id)


def answer(request_id: str, state: str, text: str | None, package_id: str | None,
           reason_code: str | None) -> None:
    model.Session.execute(sa.text(
        "UPDATE lngov_data_request SET state = :state, answer = :answer, "
        "package_id = :package_id, reason_code = :reason_code, answered = :now "
        "WHERE id = :id"),
        {"id": request_id, "state": state, "answer": text, "package_id": package_id,
         "reason_code": reason_code, "now": sql.now()})


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
        {"r": request_id, "u": user_id, "now": sql.now()})


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


def follower_ids(request_id: str) -> list[str]:
    """The users who follow the request, first followers first."""
    return [r[0] for r in model.Session.execute(sa.text(
        "SELECT user_id FROM lngov_data_request_follower WHERE request_id = :r "
        "ORDER BY created"), {"r": request_id})]


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
