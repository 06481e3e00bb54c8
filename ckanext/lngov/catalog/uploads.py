"""The files a department may upload to an entry: those of the formats the entry declares.

An entry names its formats (信息资源格式, `format_types`); each format type of codes.yaml
names the file extensions of its files (`extensions`). An upload is accepted when its file
name's extension is one that the entry's declared types name, or one of the open export
formats (`ckanext.lngov.uploads.export_formats`: CSV, XLSX, XLS and JSON by default), in
which any resource, a database or a spreadsheet above all, is published as open data. An
entry that declares "other" (其他) takes any file; a database type or an API names no
extension of its own (a database is opened as its exports, an API is a link).

Why: the declared formats are what the department told the catalog; a file that fits none of
them (a script, a web page on a statistics table) is a mistake or an attack, refused where it
enters with a message that says what would fit. Whatever is accepted is still served so
that it cannot run (serving/files.py): the rule is about the catalog's truth, not the only wall.

It is checked when an upload is new or renamed; a file already stored under the same name
is not judged again (an edit of the entry never fails on a file the rule did not see).
The web form, the Action API and the harvest's copies go through the same validator
(schemas/dataset.yaml, the resource's url).
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.navl.dictization_functions import missing

from ckanext.lngov import lang
from ckanext.lngov.catalog import codes

ANY_FILE = "other"


def _declared(value: Any) -> list[str]:
    if value is missing or value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.startswith("[") else [value]
        except ValueError:
            return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def export_formats() -> list[str]:
    return [f.lower() for f in tk.aslist(tk.config.get("ckanext.lngov.uploads.export_formats"))]


def extensions(format_types: list[str]) -> set[str] | None:
    """The file extensions these declared types (and the export formats) allow; None: any."""
    if ANY_FILE in format_types:
        return None
    allowed: set[str] = set()
    for value in [*format_types, *export_formats()]:
        allowed.update(e.lower() for e in (codes.entry("format_types", value) or {}).get(
            "extensions") or [])
    return allowed


def extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""


def _unchanged(data: dict, key: tuple, url: str) -> bool:
    resource_id = data.get(key[:-1] + ("id",))
    if not resource_id or resource_id is missing:
        return False
    stored = model.Resource.get(resource_id)
    return stored is not None and stored.url_type == "upload" and stored.url == url


def lngov_upload_format(key, data, errors, context):
    """An uploaded file is of a format the entry declares, or an open export format."""
    url = data.get(key)
    if errors[key] or not isinstance(url, str) or not url or \
            data.get(key[:-1] + ("url_type",)) != "upload":
        return
    if _unchanged(data, key, url):
        return
    declared = _declared(data.get(("format_types",)))
    allowed = extensions(declared)
    if allowed is None or not declared:
        return  # "other" declared; or no formats yet (their own rule reports that)
    found = extension(url)
    if found in allowed:
        return
    locale = lang.current()
    errors[key].append(tk._(
        "The file's format ({extension}) is not one this entry declares ({declared}). Upload "
        "a file of a declared format or of an open format ({exports}), or declare its format "
        "in the entry first.").format(
            extension=f".{found}" if found else tk._("no extension"),
            declared=" / ".join(codes.label("format_types", t, locale) for t in declared),
            exports=" ".join(f".{e}" for e in sorted(extensions([]) or ()))))
