"""A tabular file as people make it: a header and a stream of rows, in bounded memory.

CSV in UTF-8 (with or without BOM) or GB18030 (GBK's superset, what Excel writes on Chinese
Windows), told apart by decoding the whole file incrementally before reading it; XLSX's
first sheet through openpyxl's read-only mode (one row at a time).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import io
from typing import IO, Any, Iterator

from .. import storage

_CHUNK = 1 << 20
csv.field_size_limit(1 << 24)


def encoding(f: IO[bytes]) -> str:
    """`utf-8-sig` (BOM), `utf-8` or `gb18030`; `f` is left at its start."""
    head = f.read(3)
    if head == codecs.BOM_UTF8:
        f.seek(0)
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    block = head
    try:
        while block:
            decoder.decode(block)
            block = f.read(_CHUNK)
        decoder.decode(b"", final=True)
        found = "utf-8"
    except UnicodeDecodeError:
        found = "gb18030"
    f.seek(0)
    return found


def kind(fmt: str | None, url: str | None) -> str | None:
    """`csv` or `xlsx` for a tabular resource (its format, else its file name), else None."""
    for word in ((fmt or "").strip().lower(), (url or "").rsplit(".", 1)[-1].lower()):
        if word in ("csv", "xlsx"):
            return word
    return None


@contextlib.contextmanager
def table(resource_id: str, file_kind: str) -> Iterator[tuple[list[str], Iterator[list[Any]]]]:
    """The upload of `resource_id` as (header, rows): row values as the file has them."""
    with storage.opened(resource_id) as f:
        rows = _xlsx(f) if file_kind == "xlsx" else _csv(f)
        header = [str(h if h is not None else "").strip() for h in next(rows, [])]
        yield header, rows


def _csv(f: IO[bytes]) -> Iterator[list[str]]:
    text = io.TextIOWrapper(f, encoding=encoding(f), newline="")
    yield from csv.reader(text)


def _xlsx(f: IO[bytes]) -> Iterator[list[Any]]:
    import openpyxl

    book = openpyxl.load_workbook(f, read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()
