"""navl validators of the portal's own actions' input (applications, data requests), as CKAN's
schemas have them for its actions: each field's rule with its message. A field in error is
None in the converted data."""
from __future__ import annotations

import datetime
from typing import Any, Callable, Iterable

from ckan.lib.navl.dictization_functions import StopOnError, missing
from ckan.plugins.toolkit import _

TEXT_MAX = 2000
Validator = Callable[[tuple, dict, dict, Any], None]


def value_of(data: dict[tuple, Any], key: tuple) -> Any:
    """The field's value, None where the caller left it out."""
    value = data.get(key, missing)
    return None if value is missing else value


def refuse(key: tuple, data: dict[tuple, Any], errors: dict[tuple, list[str]],
           message: str) -> None:
    data[key] = None
    errors[key].append(message)
    raise StopOnError


def text(required: bool = True) -> Validator:
    """Text of at most TEXT_MAX characters, stripped. Blank (left out, None, only spaces) is a
    missing value where it is required, None otherwise."""
    def validator(key, data, errors, context):
        value = value_of(data, key)
        if value is None or (isinstance(value, str) and not value.strip()):
            data[key] = None
            if required:
                errors[key].append(_("Missing value"))
            raise StopOnError
        if not isinstance(value, str):
            refuse(key, data, errors, _("Must be text"))
        if len(value) > TEXT_MAX:
            refuse(key, data, errors, _("At most {n} characters").format(n=TEXT_MAX))
        data[key] = value.strip()
    return validator


def at_most(n: int) -> Validator:
    """Text (after `text`) of at most `n` characters."""
    def validator(key, data, errors, context):
        if data.get(key) and len(data[key]) > n:
            refuse(key, data, errors, _("At most {n} characters").format(n=n))
    return validator


def iso_date(required: bool = True) -> Validator:
    """A date as YYYY-MM-DD. Left out, None or empty is a missing value where it is required,
    None otherwise."""
    def validator(key, data, errors, context):
        value = value_of(data, key)
        if value in (None, ""):
            data[key] = None
            if required:
                errors[key].append(_("Missing value"))
            raise StopOnError
        try:
            data[key] = datetime.date.fromisoformat(str(value))
        except ValueError:
            refuse(key, data, errors, _("A date as YYYY-MM-DD"))
    return validator


def one_of(values: Iterable[str], optional: bool = False) -> Validator:
    """One of `values`; with `optional`, a list's filter: empty means all (None)."""
    values = tuple(values)

    def validator(key, data, errors, context):
        value = value_of(data, key)
        if optional and not value:
            data[key] = None
        elif value not in values:
            errors[key].append(_("One of: {values}").format(values=", ".join(values)))
    return validator


def page(default: int) -> Validator:
    """A list's `limit` (1 to 1,000, `default` if not given) and `offset` (0 or more), on the
    key `limit` (with `"offset": []` beside it in the schema): a bad number in either is the
    page's error, said under `limit`."""
    def validator(key, data, errors, context):
        offset_key = key[:-1] + ("offset",)
        try:
            data[key] = min(max(int(value_of(data, key) or default), 1), 1000)
            data[offset_key] = max(int(value_of(data, offset_key) or 0), 0)
        except (TypeError, ValueError):
            data[offset_key] = None
            refuse(key, data, errors, _("Not a valid number"))
    return validator
