"""The Data API panel's examples for one table, written from its own columns and values so
that each runs as shown (curl, Python's standard library, JavaScript's fetch): full-text `q`
with a sort, `filters`, and `datastore_search_sql`. Public tables need no Authorization
header, so none is sent."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

_NUMBERS = ("numeric", "int4", "int8", "float8", "int")


def queries(resource_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """{example: (action, parameters)} for the table of `resource_id`, as the viewer sees it."""
    found = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": 1})
    fields = [f for f in found["fields"] if not f["id"].startswith("_")]
    first = (found["records"] or [{}])[0]
    text = next((f["id"] for f in fields if f["type"] == "text" and first.get(f["id"])), None)
    number = next((f["id"] for f in fields if f["type"] in _NUMBERS), None)
    search: dict[str, Any] = {"resource_id": resource_id, "limit": 5}
    filters: dict[str, Any] = {"resource_id": resource_id, "limit": 5}
    if text:
        search["q"] = str(first[text])
        filters["filters"] = {text: first[text]}
    if number:
        search["sort"] = f"{number} desc"
    table = '"' + resource_id + '"'
    sql = (f'SELECT * FROM {table} WHERE "{number}" IS NOT NULL ORDER BY "{number}" DESC '
           "LIMIT 5") if number else f"SELECT * FROM {table} LIMIT 5"
    return {"search": ("datastore_search", search), "filter": ("datastore_search", filters),
            "sql": ("datastore_search_sql", {"sql": sql})}


def _curl(url: str, body: str) -> str:
    return f"curl -s {url} \\\n  -H 'Content-Type: application/json' \\\n  -d '{body}'"


def _python(url: str, body: str) -> str:
    return ("import json\nimport urllib.request\n\n"
            f"query = {body}\n"
            f'request = urllib.request.Request("{url}", data=json.dumps(query).encode(),\n'
            '                                 headers={"Content-Type": "application/json"})\n'
            "with urllib.request.urlopen(request) as answer:\n"
            '    result = json.load(answer)["result"]\n'
            'for record in result["records"]:\n'
            "    print(record)")


def _javascript(url: str, body: str) -> str:
    return (f"const query = {body};\n"
            f'fetch("{url}", {{\n'
            '  method: "POST",\n'
            '  headers: {"Content-Type": "application/json"},\n'
            "  body: JSON.stringify(query),\n"
            "})\n"
            "  .then((answer) => answer.json())\n"
            "  .then(({result}) => console.log(result.records));")


LANGUAGES = {"curl": _curl, "python": _python, "javascript": _javascript}


def examples(resource_id: str) -> dict[str, dict[str, str]]:
    """{example: {language: code}}."""
    out: dict[str, dict[str, str]] = {}
    for name, (action, params) in queries(resource_id).items():
        url = tk.url_for("api.action", logic_function=action, ver=3, qualified=True)
        body = json.dumps(params, ensure_ascii=False, indent=2)
        if "'" in body:  # never inside the shell's single quotes
            body = body.replace("'", "\\u0027")
        out[name] = {lang: write(url, body) for lang, write in LANGUAGES.items()}
    return out
