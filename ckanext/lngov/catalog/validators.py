"""The catalog's rules, as small CKAN validators (registered by plugin.py, named in the
scheming schema), so the web form, the action API and the harvester all go through them.

Each rule is in one place here; CATALOG-FIELDS.md numbers them (Rules 1-7). Messages are
English msgids translated by ckanext/lngov/i18n (Chinese by default).
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import missing
from ckanext.scheming import helpers as sh
from ckanext.scheming.validation import scheming_validator

from ckanext.lngov import lang, workdays
from ckanext.lngov.catalog import codes

_ = tk._
Invalid = tk.Invalid

RESOURCE_CODE = re.compile(r"^([1-3])(\d{2})(\d{3})(\d*)/(\d{6})$")
# GB 32100-2015: 统一社会信用代码, 18 characters of this set, the last a check character.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH_REQUIRED = {"C", "N"}
SECRET_VALUES = {"涉密", "secret", "true", "yes", "1"}


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _other(data: dict, key: tuple, name: str) -> Any:
    """The value of a sibling field of the one being validated."""
    return data.get(key[:-1] + (name,))


def _as_list(value: Any) -> list | None:
    """A multiple-choice value as a list: a list, a JSON list, or one string (a form field)."""
    if _empty(value):
        return []
    if isinstance(value, str):
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                return None
        else:
            return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


# --- code lists (Rule 5) -------------------------------------------------------------------

def _choice_values(field: dict) -> list[str]:
    """The field's codes as scheming's choice machinery gives them (choices_helper
    lngov_choices, the field's `lngov_codes` list): the same list the form offers."""
    return [choice["value"] for choice in sh.scheming_field_choices(field)]


def _not_allowed(value: str, allowed: list[str]) -> str:
    return _("{value} is not one of the allowed codes: {allowed}").format(
        value=value[:100], allowed=", ".join(allowed))


@scheming_validator
def lngov_code(field: dict, schema: dict):
    """One code of the field's list. Scheming's `scheming_choices` would do, but for its
    message: this one names the allowed codes, which an API client needs."""
    allowed = _choice_values(field)

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        if not isinstance(value, str) or value not in allowed:
            raise Invalid(_not_allowed(json.dumps(value, ensure_ascii=False, default=str),
                                       allowed))
        return value

    return validator


@scheming_validator
def lngov_codes(field: dict, schema: dict):
    """Several codes of the field's list, stored as a JSON list in their display order (read
    back by scheming's `scheming_multiple_choice_output`). Beyond `scheming_multiple_choice`:
    a JSON list as one string is accepted (the shape the API gives extras in), elements that
    are not strings are a field error rather than a server error, and the message names the
    allowed codes."""
    allowed = _choice_values(field)

    def validator(key, data, errors, context):
        if errors[key]:
            return
        selected = _as_list(data[key])
        if selected is None:
            errors[key].append(_("Expecting a list of codes"))
            return
        unknown = [v for v in selected if v not in allowed]
        if unknown:
            errors[key].append(_not_allowed(", ".join(unknown), allowed))
            return
        data[key] = json.dumps([v for v in allowed if v in selected])

    return validator


# --- conditional requirements (Rules 1, 2) -------------------------------------------------

_WHEN_MESSAGES = {
    ("share_type", "none"): lambda: _(
        "Required for a resource that is not shared: give the law, regulation or policy "
        "it is based on"),
    ("share_type", "conditional"): lambda: _("Required for conditional sharing"),
    ("open_attribute", codes.CONDITIONAL): lambda: _(
        "Required for a conditionally open resource: say who may apply and on what terms"),
}


def lngov_required_when(other: str, other_value: str):
    """Required when the sibling field `other` has the code `other_value`."""
    message = _WHEN_MESSAGES[(other, other_value)]

    def validator(key, data, errors, context):
        value = data.get(key)
        if _other(data, key, other) == other_value and (
                _empty(value) or (isinstance(value, str) and not value.strip())):
            errors[key].append(message())

    return validator


def lngov_not_shared_is_closed(key, data, errors, context):
    """Rule 4: what departments may not share is not opened to the public."""
    if _other(data, key, "share_type") == "none" and data.get(key) not in (
            codes.CLOSED, missing, None, ""):
        errors[key].append(_("A resource that is not shared (不予共享) can only be closed "
                             "(不予开放)"))


def lngov_closed_is_private(key, data, errors, context):
    """Rule 3: a closed entry is private to its department, whatever the request says."""
    if data.get(key) == codes.CLOSED:
        data[key[:-1] + ("private",)] = True


# --- dates, formats, data items (Rule 5) ---------------------------------------------------

def lngov_release_date(value: Any) -> Any:
    """A real calendar date, CCYY-MM-DD, not after today in the site's zone."""
    if _empty(value):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.strftime("%Y-%m-%d")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise Invalid(_("Enter a date as CCYY-MM-DD"))
    try:
        date = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(_("{value} is not a real date").format(value=value.strip()))
    if date > workdays.today():
        raise Invalid(_("The release date cannot be after today"))
    return date.isoformat()


def lngov_format_types_fit(key, data, errors, context):
    """Each format type belongs to the entry's format category."""
    if errors[key]:
        return
    category = _other(data, key, "format_category")
    selected = _as_list(data.get(key)) or []
    if category not in codes.values("format_category"):
        return
    misfits = [t for t in selected if not codes.format_type_fits(t, category)]
    if misfits:
        errors[key].append(_("{types} do not fit the format category {category}").format(
            types=", ".join(misfits), category=codes.label("format_category", category,
                                                          lang.current())))


def lngov_data_items_required(key, data, errors, context):
    """Data items are required for spreadsheets and databases; their names are unique."""
    category = _other(data, key, "format_category")
    prefix = key[:-1] + ("data_items",)
    name_keys = sorted(k for k in data
                       if len(k) == len(prefix) + 2 and k[:len(prefix)] == prefix
                       and k[-1] == "name")
    if category in ("sheet", "database") and not name_keys:
        # On the category that asks for them: forms render a list field's errors per item.
        errors[key].append(_("Spreadsheets and databases must list their data items"))
    seen: set[str] = set()
    for name_key in name_keys:
        name = data[name_key]
        name = name.strip() if isinstance(name, str) else name
        if not name or not isinstance(name, str):
            continue
        if name in seen:
            # On the item (a list error beside item errors cannot be unflattened).
            errors.setdefault(name_key, []).append(
                _("Data item names must be unique: {names}").format(names=name))
        seen.add(name)


def lngov_item_length(key, data, errors, context):
    """A data item's length: a positive integer, required for types C and N."""
    value = data.get(key)
    data_type = _other(data, key, "data_type")
    data_type = data_type if isinstance(data_type, str) else None
    if _empty(value) or (isinstance(value, str) and not value.strip()):
        if data_type in LENGTH_REQUIRED:
            errors[key].append(_("Required for data types C and N"))
        data[key] = missing if _empty(value) else value
        return
    try:
        length = int(str(value).strip())
    except ValueError:
        length = 0
    if length <= 0 or isinstance(value, bool):
        errors[key].append(_("Enter a whole number greater than 0"))
        return
    data[key] = length


# --- resource code (Rule 6) ----------------------------------------------------------------

def lngov_resource_code(key, data, errors, context):
    """Structure of the code, and its agreement with classification and databases."""
    if errors[key]:
        return
    value = data.get(key)
    if _empty(value):
        return
    if not isinstance(value, str) or not RESOURCE_CODE.match(value.strip()):
        errors[key].append(_(
            "A resource code is 分类码/顺序码: class (1 digit), item (2), category (3), "
            "optional sub-category digits, a slash and a 6-digit sequence, e.g. "
            "101001001/000001"))
        return
    value = value.strip()
    data[key] = value
    klass, item = RESOURCE_CODE.match(value).group(1, 2)
    classification = _other(data, key, "classification")
    if classification in codes.values("classification") and klass != classification:
        errors[key].append(_("The code starts with {klass} but the classification is "
                             "{classification}").format(klass=klass,
                                                        classification=classification))
        return
    if klass in ("1", "2"):
        database = codes.database_for_item(klass, item)
        if database is None:
            errors[key].append(_("Item {item} of the code names no base or theme database "
                                 "of class {klass}").format(item=item, klass=klass))
            return
        chosen = _as_list(_other(data, key, "base_theme_db")) or []
        if database["value"] not in chosen:
            errors[key].append(_("Item {item} of the code is the database {database}, which "
                                 "must be among the base and theme databases").format(
                item=item, database=database["zh"]))


def lngov_databases_of_class(key, data, errors, context):
    """Base/theme databases: required for classes 1 and 2, and of the entry's class."""
    if errors[key]:
        return
    classification = _other(data, key, "classification")
    chosen = _as_list(data.get(key)) or []
    if classification in ("1", "2") and not chosen:
        errors[key].append(_("Required for base and theme resources"))
        return
    wrong = [v for v in chosen
             if classification in ("1", "2")
             and codes.entry("base_theme_db", v)["classification"] != classification]
    if wrong:
        errors[key].append(_("{databases} are not databases of this classification").format(
            databases=", ".join(wrong)))


def lngov_resource_codes(key, data, errors, context):
    """Related resource codes: each well-formed (stored as a JSON list)."""
    if errors[key]:
        return
    listed = _as_list(data.get(key))
    if isinstance(data.get(key), str) and not data[key].startswith("["):
        listed = [c.strip() for c in re.split(r"[,，\s]+", data[key]) if c.strip()]
    if listed is None:
        errors[key].append(_("Expecting a list of resource codes"))
        return
    bad = [c for c in listed if not RESOURCE_CODE.match(c.strip())]
    if bad:
        errors[key].append(_("Not a well-formed resource code: {codes}").format(
            codes=", ".join(bad)[:200]))
        return
    data[key] = json.dumps([c.strip() for c in listed]) if listed else missing


# --- secret entries (Rule 7) ----------------------------------------------------------------

def lngov_not_secret(value: Any) -> Any:
    """涉密 entries are refused everywhere; the field itself is never stored."""
    if value is True or (isinstance(value, str) and value.strip().lower() in SECRET_VALUES):
        raise Invalid(_("Classified (涉密) resources cannot be published on this portal"))
    return missing


# --- departments -----------------------------------------------------------------------------

def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def lngov_credit_code(value: Any) -> Any:
    """统一社会信用代码 (GB 32100-2015), its check character verified."""
    if _empty(value):
        return value
    if not isinstance(value, str):
        raise Invalid(_("A unified social credit code is 18 characters"))
    code = value.strip().upper()
    if len(code) != 18 or any(c not in CREDIT_CHARS for c in code):
        raise Invalid(_("A unified social credit code is 18 characters: digits and capital "
                        "letters other than I, O, S, V and Z"))
    if credit_code_check_character(code[:17]) != code[17]:
        raise Invalid(_("The check character of this unified social credit code is wrong"))
    return code


def lngov_phone(value: Any) -> Any:
    """A telephone number: digits with spaces, hyphens, parentheses or a leading +."""
    if _empty(value):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\+?[\d\s()（）-]{7,24}", value.strip()):
        raise Invalid(_("Enter a telephone number, e.g. 024-12345678"))
    return value.strip()


def lngov_license(value: Any) -> Any:
    """A licence of the portal's licence list."""
    if _empty(value):
        return value
    from ckan import model

    known = model.Package.get_license_register()
    if not isinstance(value, str) or value not in known:
        raise Invalid(_("{value} is not a licence of this portal").format(
            value=json.dumps(value, ensure_ascii=False, default=str)[:100]))
    return value


def get_validators() -> dict[str, Any]:
    return {name: fn for name, fn in globals().items()
            if name.startswith("lngov_") and callable(fn)}
