"""The data files' writers: CSV (UTF-8 with BOM, so that Excel opens it) and XLSX (openpyxl,
with the zip's timestamps fixed so that the same rows always give the same bytes)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        text = repr(value)
        return text if "e" not in text else f"{value:.10f}".rstrip("0")
    return str(value)


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _number_format(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent
        return "0" if places <= 0 else "0." + "0" * places
    return None


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1"


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with every member's timestamp set to `when` (deterministic bytes)."""
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(data)) as src,
          zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                                 + rb"\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def write_xlsx(header: list[str], rows: list[list[Any]], title: str, when: dt.datetime) -> bytes:
    """An XLSX workbook of one sheet: a bold header row, then the rows with typed cells."""
    workbook = Workbook()
    workbook.properties.creator = "辽宁省公共数据开放平台"
    workbook.properties.created = workbook.properties.modified = when
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, bool):
                cells.append("是" if value else "否")
            elif isinstance(value, Decimal):
                cells.append(float(value))
            else:
                cells.append(value)
        sheet.append(cells)
        for cell, value in zip(sheet[sheet.max_row], row):
            fmt = _number_format(value)
            if fmt:
                cell.number_format = fmt
            if isinstance(value, str):
                cell.data_type = "s"   # never a formula
    for index, name in enumerate(header, start=1):
        width = max(_display_width(text) for text in [name] + [_text(r[index - 1]) for r in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue(), when)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x7F else 1 for ch in text)

