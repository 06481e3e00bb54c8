"""A harvested write's activity from the write's own answer (activity_from_answer), which the
harvest's imports use (exchange.py): the portal's chained package_create / package_update
remember their answer, its chained package_show gives it back once (logic/action.py)."""
from __future__ import annotations

import contextvars
import copy
from contextlib import contextmanager
from typing import Any

import ckan.plugins.toolkit as tk

# A dataset write's own answer, for the activity that records the write.
_written: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "lngov_written", default=None)


@contextmanager
def activity_from_answer():
    """Within it, the activity CKAN's activity plugin records after a package_create or
    package_update (its subscription reads the dataset back with package_show: internal,
    no user, `for_view` False) gets the write's own answer instead: the same dataset
    dictized and validated with the same show schema and after_dataset_show hooks moments
    before, in the write's transaction, for a viewer that sees every field (the harvest's
    sysadmin user; an internal read sees them too, and activity_create strips the
    department-only ones either way). Once per write, for that id only; any other read
    reads the database."""
    token = _written.set({})
    try:
        yield
    finally:
        _written.reset(token)


def remember(result: Any) -> None:
    """A dataset write's answer, within activity_from_answer."""
    written = _written.get()
    if written is not None and isinstance(result, dict) and result.get("id"):
        written[result["id"]] = result


def answer_for(context: dict[str, Any], data_dict: dict[str, Any]) -> dict | None:
    """The remembered answer for the activity's read of the dataset, once; None for any
    other read."""
    written = _written.get()
    if not written or context.get("for_view") is not False or not context.get(
            "ignore_auth") or context.get("user") or data_dict.get("include_tracking"):
        return None
    answer = written.pop(data_dict.get("id"), None)
    if answer is None:
        return None
    tk.check_access("package_show", context, data_dict)   # as package_show itself does
    return copy.deepcopy(answer)
