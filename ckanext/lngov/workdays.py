"""The official working calendar (工作日): what "answered within 10 working days" counts (R3).

A working day is Monday to Friday, except the public holidays the State Council announces
each year, plus the weekend days it makes working days (调休). The announced years come from
the maintained package `chinesecalendar` (one release per notice) and from a holiday file
that administrators extend (`ckanext.lngov.workdays.holiday_file`), e.g. with next year's
notice before the package has it. A year the file lists is taken from the file whole.

A date in a year neither covers is never guessed: it raises UncoveredYear, which says the
year and what to do; deadlines show it as a warning (applications.py).

The holiday file (YAML), one entry per year:

    2027:
      holidays: [2027-01-01, 2027-02-06..2027-02-13]   # days off (ranges with ..)
      workdays: [2027-02-14]                           # weekend days that are working days
"""
from __future__ import annotations

import datetime
import os
import zoneinfo
from functools import lru_cache
from typing import Any, Iterable

import yaml

import ckan.plugins.toolkit as tk

OPTION = "ckanext.lngov.workdays.holiday_file"
DEADLINE = 10   # working days an application may wait for its answer (R3)


class UncoveredYear(Exception):
    """A date in a year whose holidays neither the package nor the holiday file knows."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        return tk._("The working calendar does not cover {year}: add that year's official "
                    "holidays and adjusted working days (调休) to the holiday file ({option})"
                    ).format(year=self.year, option=OPTION)


class BadHolidayFile(ValueError):
    pass


def _dates(values: Iterable[Any], where: str) -> set[datetime.date]:
    found: set[datetime.date] = set()
    for value in values or ():
        text = str(value)
        try:
            if ".." in text:
                first, last = (datetime.date.fromisoformat(p.strip()) for p in text.split(".."))
                if last < first:
                    raise ValueError(text)
                found.update(first + datetime.timedelta(days=n)
                             for n in range((last - first).days + 1))
            else:
                found.add(value if isinstance(value, datetime.date)
                          else datetime.date.fromisoformat(text.strip()))
        except ValueError:
            raise BadHolidayFile(f"{where}: {text!r} is not a date (YYYY-MM-DD) or a range "
                                 "(YYYY-MM-DD..YYYY-MM-DD)") from None
    return found


@lru_cache(maxsize=8)
def _read_file(path: str, mtime: float) -> dict[int, tuple[frozenset, frozenset]]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except (yaml.YAMLError, ValueError) as error:
        raise BadHolidayFile(f"{path}: not a readable holiday file: {error}") from None
    if not isinstance(data, dict):
        raise BadHolidayFile(f"{path}: expected a mapping of years")
    years: dict[int, tuple[frozenset, frozenset]] = {}
    for year, days in data.items():
        if not isinstance(year, int) or not isinstance(days or {}, dict):
            raise BadHolidayFile(f"{path}: {year!r}: expected a year with holidays and "
                                 "workdays")
        days = days or {}
        unknown = set(days) - {"holidays", "workdays"}
        if unknown:
            raise BadHolidayFile(f"{path}: {year}: unknown keys {sorted(unknown)}")
        holidays = _dates(days.get("holidays"), f"{path}: {year}")
        workdays = _dates(days.get("workdays"), f"{path}: {year}")
        stray = sorted(d for d in holidays | workdays if d.year != year)
        if stray or holidays & workdays:
            raise BadHolidayFile(f"{path}: {year}: dates outside the year or both holiday "
                                 f"and workday: {[str(d) for d in stray or holidays & workdays]}")
        years[year] = (frozenset(holidays), frozenset(workdays))
    return years


def file_years() -> dict[int, tuple[frozenset, frozenset]]:
    """The holiday file's years: {year: (holidays, workdays)}; re-read when it changes."""
    path = tk.config.get(OPTION) or ""
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime
    except OSError as error:
        raise BadHolidayFile(f"{OPTION}: cannot read {path}: {error.strerror}") from None
    return _read_file(path, mtime)


def _package_years() -> range:
    from chinese_calendar.constants import holidays

    return range(min(holidays).year, max(holidays).year + 1)


def covered_years() -> set[int]:
    return set(_package_years()) | set(file_years())


def is_workday(day: datetime.date) -> bool:
    """Is `day` a working day? Raises UncoveredYear for a year nobody announced."""
    own = file_years().get(day.year)
    if own is not None:
        holidays, workdays = own
        return day in workdays or (day.weekday() < 5 and day not in holidays)
    if day.year not in _package_years():
        raise UncoveredYear(day.year)
    import chinese_calendar

    return chinese_calendar.is_workday(day)


def add(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `start` (start itself not counted: a request made on a
    Friday evening or a holiday has its first working day on the next one)."""
    day, counted = start, 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start): how long
    an answer took."""
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def due(submitted: datetime.date) -> datetime.date:
    """The day by which an application submitted on `submitted` is to be answered."""
    return add(submitted, DEADLINE)


def today() -> datetime.date:
    """Today in the portal's zone (ckan.display_timezone: Asia/Shanghai), not the server's:
    the one "today" of the portal's date rules (deadlines, approvals, release dates)."""
    return local_date(datetime.datetime.now(datetime.timezone.utc))


def local_date(moment: datetime.datetime) -> datetime.date:
    zone = tk.config.get("ckan.display_timezone") or "Asia/Shanghai"
    if zone == "server":
        return moment.astimezone().date()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).date()
