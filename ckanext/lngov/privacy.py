"""The personal-information gate (R5): before a table of an open entry goes public, its cells
are scanned for resident ID numbers (18 characters with a valid GB 11643 check character and a
real birth date), mobile numbers (11 digits, 13x-19x) and bank card numbers (16-19 digits
passing Luhn), in columns where they pass their check more often than chance would. A hit
quarantines the file: not loaded, not served, not in DCAT; the resource page tells the
department which columns and rows (never the values). A sysadmin releases it
after review (`lngov_table_release`), and the release is recorded with who and when.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

# Runs of digits (an ID number may end in X) not inside a longer run.
_RUN = re.compile(r"(?<![0-9Xx])[0-9]{11,19}[Xx]?(?![0-9Xx])")
# A run inside a code of letters and digits (排污许可证编号 91210105MA16627316001P) is part of
# that code, not a number of its own: it counts among its column's shaped numbers, never as a hit.
_IN_CODE = re.compile(r"[A-Za-z]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
# GB/T 2260 provinces (the first two digits of an ID number's area code): a unified social
# credit code (91..., 12...) that happens to pass the check is not taken for an ID number.
_PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
              "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
              "61", "62", "63", "64", "65", "71", "81", "82"}
KINDS = ("resident_id", "mobile", "bank_card")
# Rows listed for each column and kind; all are counted.
LISTED_ROWS = 20


def _born(text: str) -> bool:
    """Characters 7-14 of an ID number are a real birth date."""
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= dt.date.today().year


def _id_check(text: str) -> bool:
    return _CHECK[sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS)) % 11] == text[17].upper()


def resident_id(text: str) -> bool:
    """An 18-character resident ID number (GB 11643): a province's area code, a real birth
    date, a valid check character."""
    return "resident_id" in shapes(text) and _id_check(text)


def luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# The kinds whose numbers carry a check character or digit, and the check.
_CHECKS = {"resident_id": _id_check, "bank_card": luhn}


def shapes(run: str) -> list[str]:
    """The kinds a run is shaped like, before its check character or digit is looked at."""
    found = []
    if (len(run) == 18 and run[:17].isdigit() and run[:2] in _PROVINCES
            and (run[17].isdigit() or run[17] in "Xx") and _born(run)):
        found.append("resident_id")
    if not run.isdigit():
        return found
    if len(run) == 11 and _MOBILE.match(run):
        found.append("mobile")
    if 16 <= len(run) <= 19 and run[0] in "3456":
        found.append("bank_card")
    return found


def kind_of(run: str) -> str | None:
    """The kind of personal number a run is (its check passes), if any."""
    return next((k for k in shapes(run) if k not in _CHECKS or _CHECKS[k](run)), None)


class Findings:
    """Hits by (column, kind): a count and the first rows (the header is row 1); and, for the
    kinds with a check, how many of the column's numbers had their shape."""

    def __init__(self) -> None:
        self.hits: dict[tuple[str, str], dict[str, Any]] = {}
        self.shaped: dict[tuple[str, str], int] = {}

    def add(self, row: int, column: str, kind: str) -> None:
        hit = self.hits.setdefault((column, kind), {"column": column, "kind": kind,
                                                    "count": 0, "rows": []})
        hit["count"] += 1
        if len(hit["rows"]) < LISTED_ROWS and (not hit["rows"] or hit["rows"][-1] != row):
            hit["rows"].append(row)

    def as_list(self) -> list[dict[str, Any]]:
        """The hits that are personal numbers. A check passes by chance for one number in 10
        (Luhn) or 11 (GB 11643): a column where no more than half of the numbers shaped like
        them pass holds another code that looks alike (施工许可证编号: an area code, a date
        and a serial, as an ID number; all-digit credit codes, 16-19 digits like a card), not
        people's numbers; a column of ID or card numbers passes for nearly every value."""
        return [hit for key, hit in self.hits.items()
                if hit["kind"] not in _CHECKS or hit["count"] * 2 > self.shaped[key]]


def screen_row(found: Findings, number: int, columns: Iterable[Any], row: list[Any]) -> None:
    """Adds the hits of row `number`; `columns` are names (or (name, ...) tuples)."""
    cells = [v if isinstance(v, str) else "" if v is None or isinstance(v, (float, dt.date))
             else str(v) for v in row]
    if not _RUN.search("\x1f".join(cells)):
        return  # most rows: one search over the whole row
    for column, value in zip(columns, cells):
        name = column[0] if isinstance(column, tuple) else column
        for match in _RUN.finditer(value):
            run = match.group()
            kinds = shapes(run)
            for kind in kinds:
                if kind in _CHECKS:
                    found.shaped[(name, kind)] = found.shaped.get((name, kind), 0) + 1
            start, end = match.span()
            if _IN_CODE.match(value[start - 1:start]) or _IN_CODE.match(value[end:end + 1]):
                continue
            kind = next((k for k in kinds if k not in _CHECKS or _CHECKS[k](run)), None)
            if kind:
                found.add(number, name, kind)


def scan(header: list[str], rows: Iterable[list[Any]]) -> list[dict[str, Any]]:
    """The hits of a table: [{"column", "kind", "count", "rows"}]; empty when clean."""
    found = Findings()
    for number, row in enumerate(rows, 2):
        screen_row(found, number, header, row)
    return found.as_list()
