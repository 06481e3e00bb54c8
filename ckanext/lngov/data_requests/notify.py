"""The answer of a data request, mailed to its requester and its followers (mails.py)."""
from __future__ import annotations

from typing import Any

from ckan import model

from ckanext.lngov import mails
from ckanext.lngov.applications import reasons
from ckanext.lngov.data_requests import store
from ckanext.lngov.data_requests.store import ANSWERED, DECLINED, OPENED


def _recipients(row: dict[str, Any]) -> list[tuple[str, str, None]]:
    """The requester and the followers, each address once."""
    ids = [row["user_id"]] + store.follower_ids(row["id"])
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
    url = mails.site_url()
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
    return mails.bilingual(zh, en)


def mail_answer(row: dict[str, Any]) -> int:
    """Mails the answer of the request `row` to its requester and followers."""
    request_dict = store.dictize(row)
    zh, en = _ANSWER_SUBJECT[row["state"]]
    body = _answer_body(request_dict)
    return mails.mail_each(_recipients(row), f"{zh} / {en}: {row['title']}",
                           lambda _: body, f"data request {row['id']}")
