"""A DataStore table as an XLSX download, beside the dump's CSV and JSON (CKAN's dump has no
interface for another format): /datastore/dump/<resource_id>/xlsx.

Same visibility as the dump: it reads through `datastore_search`, whose auth (logic/auth.py:
conditional entries, hidden entries, held-back files have no public table) is the dump's,
and a refusal is a 404 as the dump's. Rows are paged as the dump pages them (by _id, keyset)
into openpyxl's write-only workbook, which keeps them in a temporary file: memory stays
bounded whatever the table's size. Cells are typed from the table's column types: numbers as
numbers, dates as dates.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from decimal import Decimal
from typing import IO, Any, Callable, Iterator

from flask import Blueprint, Response, abort

import ckan.plugins.toolkit as tk
from ckan.common import current_user

blueprint = Blueprint("lngov_tables", __name__)

PAGE_ROWS = 10000
SHEET_ROWS = 1_048_575       # Excel's 1,048,576 rows a sheet, less the header
CELL_CHARS = 32767           # Excel's longest text in a cell
_CHUNK = 1 << 16
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")  # a table alias may hold anything


def _number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _timestamp(value: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))


def _boolean(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("true", "t", "1")


# DataStore column type -> the cell's value; other types are written as text.
_CELLS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(("int", "int2", "int4", "int8", "numeric", "float4", "float8"), _number),
    "date": _date, "timestamp": _timestamp, "bool": _boolean,
}


def _text(sheet, value: Any):
    """A text cell; one that starts with "=" stays text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = value if isinstance(value, str) else str(value)
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_CHARS])
    cell.data_type = "s"
    return cell


def _pages(user: str, resource_id: str) -> Iterator[dict[str, Any]]:
    """The table's rows, page after page, as the dump reads them."""
    search = tk.get_action("datastore_search")
    params = {"resource_id": resource_id, "limit": PAGE_ROWS, "sort": "_id",
              "records_format": "lists", "include_total": False, "include_next_page": True}
    page = search({"user": user}, params)
    while True:
        yield page
        if len(page["records"]) < PAGE_ROWS or not page.get("next_page"):
            return
        page = search({"user": user}, {**params, "filters": page["next_page"]})


def write(user: str, resource_id: str, out: IO[bytes]) -> None:
    """Writes the table (without _id) as an XLSX workbook to `out`."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet, written, header, columns = None, SHEET_ROWS, [], []
    for page in _pages(user, resource_id):
        if not columns:
            fields = page["fields"]
            columns = [(i, _CELLS.get(f["type"])) for i, f in enumerate(fields)
                       if f["id"] != "_id"]
            header = [fields[i]["id"] for i, _ in columns]
        for record in page["records"]:
            if written >= SHEET_ROWS:  # a table longer than a sheet goes on in the next one
                sheet = book.create_sheet(f"{len(book.worksheets) + 1}")
                sheet.append([_text(sheet, h) for h in header])
                written = 0
            row = []
            for i, convert in columns:
                value = record[i]
                if value is None:
                    row.append(None)
                elif convert is not None:
                    row.append(convert(value))
                else:
                    row.append(_text(sheet, value))
            sheet.append(row)
            written += 1
    if sheet is None:  # an empty table: its header alone
        sheet = book.create_sheet("1")
        sheet.append([_text(sheet, h) for h in header])
    book.save(out)


def _stream(f: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := f.read(_CHUNK):
            yield block
    finally:
        f.close()


@blueprint.route("/datastore/dump/<resource_id>/xlsx")
def dump_xlsx(resource_id: str) -> Response:
    user = "" if current_user.is_anonymous else current_user.name
    try:
        tk.check_access("datastore_search", {"user": user}, {"resource_id": resource_id})
        out = tempfile.TemporaryFile(prefix="lngov-xlsx-")
        try:
            write(user, resource_id, out)
        except BaseException:
            out.close()
            raise
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        # refused as the dump refuses: as if there were no table (ValidationError: an id
        # that names no table, datastore_search's answer)
        return abort(404, tk._("DataStore resource not found"))
    size = out.tell()
    out.seek(0)
    return Response(_stream(out), mimetype=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), headers={
        "Content-Disposition": f'attachment; filename="{_UNSAFE.sub("_", resource_id)}.xlsx"',
        "Content-Length": str(size)}, direct_passthrough=True)
