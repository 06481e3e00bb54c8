"""The demo catalog as data (ckanext/lngov/demo/): its departments and entries hold the
catalog's rules and cover its codes, and every public entry's generated file has the entry's
data items as columns and plausible, typed values. Pure Python: no service is needed (run alone
with ``pytest -p no:ckan --noconftest tests/test_demo_data.py``)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from ckanext.lngov.catalog import codes
from ckanext.lngov.catalog.validators import RESOURCE_CODE, lngov_credit_code, lngov_release_date
from ckanext.lngov.demo.files import AS_OF, generate_rows, load_catalog, make_file, seed_text
from ckanext.lngov.demo.generate.codes import credit_code, org_check_character
from ckanext.lngov.demo.generate.data import MAX_ROWS, MIN_ROWS

DEPARTMENTS, ENTRIES = load_catalog()
PUBLIC = [(e, r) for e in ENTRIES for r in e.get("resources") or []]

ENTRY_FIELDS = ["name", "resource_code", "title", "title_en", "notes", "notes_en",
                "classification", "base_theme_db", "owner_org", "provider_office",
                "format_category", "format_types", "update_cycle", "release_date", "share_type",
                "share_scope", "share_conditions", "share_basis", "share_methods",
                "usage_purposes", "open_attribute", "open_conditions", "data_items",
                "related_codes", "domain", "contact_email", "contact_phone", "license_id"]
TEXT_FIELDS = ("name", "resource_code", "title", "title_en", "notes", "notes_en",
               "provider_office", "contact_email", "contact_phone", "license_id")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
PHONE = re.compile(r"^(0\d{2,3}-\d{7,8}|1\d{10}|\d{5,6})$")
LATEST_RELEASE = dt.date(2026, 11, 25)
FUTURE_DATE_WORDS = ("有效期", "截止", "预计", "计划")


def valid_credit_code(code: Any) -> bool:
    """The catalog's rule (lngov_credit_code) accepts the code as it is."""
    try:
        return lngov_credit_code(code) == code
    except Exception:  # tk.Invalid (its message needs no request to fail the test)
        return False


def _values(list_name: str) -> set[str]:
    return {str(v) for v in codes.values(list_name)}


def _entry_id(entry: dict) -> str:
    return entry["name"]


# ------------------------------------------------------------------------------ departments

def test_departments_are_unique_and_complete():
    assert len(DEPARTMENTS) >= 10
    names = Counter(d.get("name") for d in DEPARTMENTS)
    assert all(n == 1 for n in names.values()), names
    credit_codes = Counter(d.get("credit_code") for d in DEPARTMENTS)
    assert all(n == 1 for n in credit_codes.values()), credit_codes
    for d in DEPARTMENTS:
        assert all(d.get(f) for f in ("name", "title", "title_en", "credit_code")), d
        assert SLUG.match(str(d["name"])), d["name"]
        assert str(d["title"]).startswith("辽宁省"), d["title"]


@pytest.mark.parametrize("department", DEPARTMENTS, ids=lambda d: d["name"])
def test_department_credit_code(department):
    code = str(department["credit_code"])
    assert valid_credit_code(code), f"{code}: the catalog's check character rejects it"
    assert code.startswith("11210000"), "not a Liaoning provincial government organ"
    assert org_check_character(code[8:16]) == code[16], "organization code (GB 11714)"


def test_generated_credit_codes_pass_the_catalogs_rule():
    rng = random.Random(7)
    for prefix in ("91", "92", "11", "12", "51", "52", "53"):
        for _ in range(200):
            code = credit_code(rng, prefix, "210102")
            assert valid_credit_code(code), code
            assert code.startswith(prefix + "210102")
            assert org_check_character(code[8:16]) == code[16], code


# ------------------------------------------------------------------------------ entries

def test_catalog_is_unique_and_covers_the_codes():
    assert len(ENTRIES) >= 64
    resource_codes = Counter(str(e.get("resource_code")) for e in ENTRIES)
    assert all(n == 1 for n in resource_codes.values()), resource_codes.most_common(3)
    names = Counter(e.get("name") for e in ENTRIES)
    assert all(n == 1 for n in names.values()), names.most_common(3)
    assert not set(names) & {d["name"] for d in DEPARTMENTS}

    def by(field: str) -> Counter:
        return Counter(str(e.get(field)) for e in ENTRIES)

    assert set(by("classification")) >= _values("classification")
    databases = {d for e in ENTRIES for d in e.get("base_theme_db") or []}
    assert databases >= _values("base_theme_db"), _values("base_theme_db") - databases
    assert set(by("share_type")) >= _values("share_type")
    methods = {m for e in ENTRIES for m in e.get("share_methods") or []}
    assert methods >= _values("share_methods")
    opens = by("open_attribute")
    assert {"open", "conditional"} <= set(opens)
    assert 4 <= opens.get("closed", 0) <= 6, opens
    assert len(by("owner_org")) >= 8


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_fields(entry):
    e = entry
    assert not [f for f in ENTRY_FIELDS if f not in e], "fields missing"
    assert all(isinstance(e[f], str) and e[f].strip() for f in TEXT_FIELDS), "empty text field"
    assert SLUG.match(e["name"])
    assert e["owner_org"] in {d["name"] for d in DEPARTMENTS}
    assert e["update_cycle"] in _values("update_cycle")
    assert e["domain"] in _values("domain")
    assert EMAIL.match(e["contact_email"]), e["contact_email"]
    assert PHONE.match(e["contact_phone"]), e["contact_phone"]
    release = str(e["release_date"])
    assert lngov_release_date(release) == release
    assert dt.date.fromisoformat(release) <= LATEST_RELEASE
    licence = "other-at" if e["open_attribute"] == "conditional" else "cc-by"
    assert e["license_id"] == licence


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_code_classification_and_databases(entry):
    code, cls = str(entry["resource_code"]), str(entry["classification"])
    dbs = entry["base_theme_db"] or []
    assert cls in _values("classification")
    match = RESOURCE_CODE.match(code)
    assert match, f"resource code {code} malformed"
    assert match.group(1) == cls, "the code's first digit is not the classification"
    assert isinstance(dbs, list) and set(dbs) <= _values("base_theme_db")
    if cls in ("1", "2"):
        assert dbs, f"class {cls} needs base_theme_db"
        assert all(codes.entry("base_theme_db", d)["classification"] == cls for d in dbs)
        database = codes.database_for_item(cls, match.group(2))
        assert database and database["value"] in dbs, f"项 {match.group(2)} names none of {dbs}"
    else:
        assert dbs == [], "class 3 entries of the demo have no databases"
    all_codes = {str(e["resource_code"]) for e in ENTRIES}
    for related in entry["related_codes"] or []:
        assert RESOURCE_CODE.match(str(related)), related
        assert related in all_codes and related != code, f"{related} is not another entry"


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_sharing_and_opening(entry):
    e = entry
    share, opened = e["share_type"], e["open_attribute"]
    assert share in _values("share_type") and opened in _values("open_attribute")
    if share == "conditional":    # rule 1
        assert e["share_scope"] and e["share_conditions"]
    else:
        assert not e["share_scope"] and not e["share_conditions"]
    if share == "none":           # rules 1 and 4
        assert e["share_basis"] and opened == "closed"
    else:
        assert not e["share_basis"]
    if opened == "conditional":   # rule 2
        assert e["open_conditions"]
    else:
        assert not e["open_conditions"]
    methods = e["share_methods"] or []
    assert methods and set(methods) <= _values("share_methods")
    assert len(set(methods)) == len(methods)
    assert set(e["usage_purposes"] or []) <= _values("usage_purposes")


@pytest.mark.parametrize("entry", ENTRIES, ids=_entry_id)
def test_entry_formats_data_items_and_resources(entry):
    e = entry
    category = e["format_category"]
    assert category in _values("format_category")
    types = e["format_types"] or []
    assert types and all(codes.format_type_fits(t, category) for t in types), types
    items = e["data_items"] or []
    if category in ("sheet", "database"):
        assert items, f"data items required for {category}"
    names = [i.get("name") for i in items]
    assert len(names) == len(set(names)), "data item names not unique"
    for item in items:
        assert item.get("name") and item.get("name_en") and item.get("description"), item
        assert item.get("data_type") in _values("data_type"), item
        if item["data_type"] in ("C", "N") or "length" in item:
            assert isinstance(item.get("length"), int) and item["length"] > 0, item
    resources = e.get("resources") or []
    if e["open_attribute"] == "closed":
        assert not resources, "closed entries have no resources"
        return
    assert len(resources) == 1, "public entries have exactly one resource"
    assert items, "public entries need data items (the file's columns)"
    assert all(i["data_type"] != "G" for i in items), "a file cannot hold G (general) data"
    for r in resources:
        assert all(r.get(k) for k in ("name", "name_en", "format", "description")), r
        assert r["format"] in ("CSV", "XLSX")


# ------------------------------------------------------------------------------ files

def _file_id(pair: tuple[dict, dict]) -> str:
    return pair[0]["name"]


@pytest.mark.parametrize("pair", PUBLIC, ids=_file_id)
def test_file_values_are_plausible(pair):
    e, resource = pair
    rows = generate_rows(e, seed_text(e, resource))
    assert MIN_ROWS <= len(rows) <= MAX_ROWS
    problems = []
    for index, item in enumerate(e["data_items"]):
        name, kind = item["name"], item["data_type"]
        for row in rows:
            problems += [f"{name} ({kind}) = {row[index]!r}: {p}"
                         for p in _implausible(row[index], item)]
    assert not problems, problems[:10]


def _implausible(v: Any, item: dict) -> list[str]:
    name, kind = item["name"], item["data_type"]
    out = []
    if kind in ("C", "M"):
        if not isinstance(v, str) or v == "":
            return ["not text"]
        if kind == "C" and len(v) > item["length"]:
            out.append(f"longer than {item['length']}")
        if v.startswith(("=", "+", "@")):
            out.append("looks like a formula")
    elif kind == "N":
        if not isinstance(v, (Decimal, int)) or isinstance(v, bool):
            return ["not a number"]
        if len(str(v).replace("-", "").replace(".", "")) > item["length"]:
            out.append(f"more than {item['length']} digits")
    elif kind == "Y" and not (isinstance(v, Decimal) and -v.as_tuple().exponent == 2):
        out.append("not money (2 decimals)")
    elif kind == "I" and (not isinstance(v, int) or isinstance(v, bool)):
        out.append("not an integer")
    elif kind in ("F", "B") and not isinstance(v, float):
        out.append("not a float")
    elif kind == "L" and not isinstance(v, bool):
        out.append("not a boolean")
    elif kind == "D" and (not isinstance(v, dt.date) or isinstance(v, dt.datetime)):
        out.append("not a date")
    elif kind == "T" and not isinstance(v, dt.datetime):
        out.append("not a date and time")
    if kind in ("D", "T") and isinstance(v, dt.date):
        day = v.date() if isinstance(v, dt.datetime) else v
        if day > AS_OF + dt.timedelta(days=1) and not any(w in name for w in FUTURE_DATE_WORDS):
            out.append(f"after the snapshot date {AS_OF}")
        if not dt.date(1990, 1, 1) <= day <= dt.date(2060, 12, 31):
            out.append("out of range")
    if name == "统一社会信用代码" and not valid_credit_code(v):
        out.append("invalid credit code")
    return out


@pytest.mark.parametrize("pair", PUBLIC, ids=_file_id)
def test_file_has_the_data_items_as_columns(pair):
    e, resource = pair
    header = [i["name"] for i in e["data_items"]]
    filename, content = make_file(e, resource)
    fmt = resource["format"]
    assert filename == f"{e['name']}.{fmt.lower()}"
    assert make_file(e, resource) == (filename, content), "not deterministic"
    if fmt == "CSV":
        assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM"
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert lines[0] == header
        assert all(len(line) == len(header) for line in lines), "ragged rows"
        assert MIN_ROWS <= len(lines) - 1 <= MAX_ROWS
        return
    assert content[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
    values = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert list(values[0]) == header
    assert MIN_ROWS <= len(values) - 1 <= MAX_ROWS
    for i, item in enumerate(e["data_items"]):
        if item["data_type"] == "D":
            assert all(isinstance(r[i], dt.datetime) for r in values[1:]), "not date cells"
