"""The applications' input as navl schemas (logic/validators.py): what an applicant and the
department send, each field's rule with its message."""
from __future__ import annotations

from typing import Any

from ckan.lib.navl.dictization_functions import StopOnError
from ckan.plugins.toolkit import _

from ckanext.lngov import workdays
from ckanext.lngov.applications import reasons, store
from ckanext.lngov.logic.validators import iso_date, one_of, page, refuse, text, value_of


def _id_list(value: Any) -> list[str] | None:
    """A list of ids from JSON or a form (one id, or several comma-separated)."""
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = [v for v in (part.strip() for part in value.split(",")) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def files_of_entry(key, data, errors, context):
    """Files of the entry applied for (context["package"]): ids, none for all of them."""
    ids = _id_list(value_of(data, key))
    own = {r.id for r in context["package"].resources}
    if ids is None or any(r not in own for r in ids):
        refuse(key, data, errors, _("Not files of this entry"))
    data[key] = sorted(set(ids))


def period_in_order(key, data, errors, context):
    """The period applied for ends after it starts, and not in the past."""
    start, end = data.get(("period_start",)), data.get(("period_end",))
    if start and end and end < start:
        errors[("period_end",)].append(_("The period ends before it starts"))
    elif end and end < workdays.today():
        errors[("period_end",)].append(_("The period is over"))


def refusal_reason(key, data, errors, context):
    code = value_of(data, key)
    if code in (None, ""):
        errors[key].append(_("A refusal needs a reason"))
        raise StopOnError
    if code not in reasons.codes():
        errors[key].append(_("One of: {values}").format(values=", ".join(reasons.codes())))


def create_schema() -> dict[str, Any]:
    return {"purpose": [text()], "period_start": [iso_date()], "period_end": [iso_date()],
            "resource_ids": [files_of_entry], "__after": [period_in_order]}


def approve_schema() -> dict[str, Any]:
    return {"conditions": [text(required=False)], "end_date": [iso_date(required=False)]}


def refuse_schema() -> dict[str, Any]:
    return {"reason_code": [refusal_reason], "reason_text": [text()]}


def list_schema() -> dict[str, Any]:
    return {"state": [one_of(store.STATES, optional=True)], "limit": [page(100)],
            "offset": []}
