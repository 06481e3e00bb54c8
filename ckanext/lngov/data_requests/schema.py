"""The data requests' input as navl schemas (logic/validators.py): what a requester and the
department send, each field's rule with its message."""
from __future__ import annotations

from typing import Any

from ckan import model
from ckan.plugins.toolkit import _

from ckanext.lngov.applications import reasons
from ckanext.lngov.data_requests.store import ANSWERED, DECLINED, OPENED, STATES
from ckanext.lngov.logic.validators import at_most, one_of, page, refuse, text, value_of

TITLE_MAX = SEARCH_MAX = 200


def active_department(key, data, errors, context):
    """An active department, by id or name: its id."""
    org = model.Group.get(str(value_of(data, key) or ""))
    if org is None or not org.is_organization or org.state != "active":
        refuse(key, data, errors, _("Choose a department"))
    data[key] = org.id


def search_words(key, data, errors, context):
    q = value_of(data, key) or None
    if q is not None and (not isinstance(q, str) or len(q) > SEARCH_MAX):
        refuse(key, data, errors, _("At most {n} characters").format(n=SEARCH_MAX))
    data[key] = q


def answer_text(key, data, errors, context):
    """The department's answer, which an entry opened for the request may stand for."""
    text(required=value_of(data, ("state",)) != OPENED)(key, data, errors, context)


def declined_reason(key, data, errors, context):
    """A declined request's reason (applications/reasons.yaml); none otherwise."""
    if value_of(data, ("state",)) != DECLINED:
        data[key] = None
    elif value_of(data, key) not in reasons.codes():
        errors[key].append(_("A refusal needs a reason"))


def create_schema() -> dict[str, Any]:
    return {"owner_org": [active_department], "title": [text(), at_most(TITLE_MAX)],
            "description": [text()]}


def list_schema() -> dict[str, Any]:
    return {"q": [search_words], "state": [one_of(STATES, optional=True)],
            "limit": [page(20)], "offset": []}


def answer_schema() -> dict[str, Any]:
    return {"state": [one_of((ANSWERED, OPENED, DECLINED))], "answer": [answer_text],
            "reason_code": [declined_reason]}


def followee_list_schema() -> dict[str, Any]:
    return {"limit": [page(20)], "offset": []}
