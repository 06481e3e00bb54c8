"""The working calendar of the 10-working-day deadline (workdays.py).

Expected dates are worked out by hand from the State Council's notices
(国务院办公厅关于2024年/2025年/2026年部分节假日安排的通知):
  2024 春节 2月10日至17日放假，2月4日（星期日）、2月18日（星期日）上班；
  2024 国庆节 10月1日至7日放假，9月29日（星期日）、10月12日（星期六）上班；
  2025 春节 1月28日至2月4日放假，1月26日（星期日）、2月8日（星期六）上班；
  2025 国庆节、中秋节 10月1日至8日放假，9月28日（星期日）、10月11日（星期六）上班；
  2026 春节 2月15日至23日放假，2月14日（星期六）、2月28日（星期六）上班。
"""
from __future__ import annotations

import datetime

import pytest

import ckan.plugins.toolkit as tk

from ckanext.lngov import workdays

D = datetime.date.fromisoformat


@pytest.mark.parametrize("submitted, due", [
    # Thursday before the 2024 Spring Festival: Fri 9th, Sun 18th (调休), 19-23, 26-28.
    ("2024-02-08", "2024-02-28"),
    # Friday before the 2025 Spring Festival: Sun 26th (调休), 27th, Feb 5-7, Sat 8th (调休),
    # 10-13.
    ("2025-01-24", "2025-02-13"),
    # Friday before the 2024 National Day: Sun 29th (调休), 30th, Oct 8-11, Sat 12th (调休),
    # 14-16.
    ("2024-09-27", "2024-10-16"),
    # Friday before the 2025 National Day and Mid-Autumn (8 days): Sun 28th, 29-30,
    # Oct 9-10, Sat 11th, 13-16.
    ("2025-09-26", "2025-10-16"),
    # 2026 Spring Festival (9 days): Fri 13th, Sat 14th (调休), 24-27, Sat 28th, Mar 2-4.
    ("2026-02-12", "2026-03-04"),
    # An ordinary fortnight: two weekends.
    ("2024-03-04", "2024-03-18"),
])
def test_the_deadline_follows_the_official_holidays_and_adjusted_working_days(submitted, due):
    assert workdays.due(D(submitted)) == D(due)


@pytest.mark.parametrize("day, working", [
    ("2024-02-04", True), ("2024-02-18", True),     # Sundays made working days
    ("2024-02-12", False), ("2024-02-16", False),   # weekdays of the Spring Festival
    ("2024-09-29", True), ("2024-10-12", True),
    ("2024-10-07", False),
    ("2025-01-26", True), ("2025-02-08", True), ("2025-02-03", False),
    ("2025-09-28", True), ("2025-10-11", True), ("2025-10-08", False),
    ("2025-10-18", False),                          # an ordinary Saturday
])
def test_single_days(day, working):
    assert workdays.is_workday(D(day)) is working


def test_answer_times_count_working_days_only():
    # Submitted the Thursday before the 2024 Spring Festival, answered on its due date.
    assert workdays.between(D("2024-02-08"), D("2024-02-28")) == 10
    assert workdays.between(D("2024-02-08"), D("2024-02-17")) == 1   # only Fri 9th
    assert workdays.between(D("2024-02-08"), D("2024-02-08")) == 0


def test_a_year_nobody_announced_is_an_error_never_a_guess(monkeypatch):
    monkeypatch.setitem(tk.config, workdays.OPTION, "")
    uncovered = max(workdays.covered_years()) + 1
    with pytest.raises(workdays.UncoveredYear) as raised:
        workdays.is_workday(datetime.date(uncovered, 3, 2))
    assert raised.value.year == uncovered
    assert str(uncovered) in str(raised.value) and workdays.OPTION in str(raised.value)
    # A deadline that runs into that year is refused too, not computed on weekends alone.
    with pytest.raises(workdays.UncoveredYear):
        workdays.due(datetime.date(uncovered - 1, 12, 28))
    with pytest.raises(workdays.UncoveredYear):
        workdays.is_workday(datetime.date(1999, 5, 3))


def test_the_holiday_file_extends_the_calendar(tmp_path, monkeypatch):
    year = max(workdays.covered_years()) + 1
    path = tmp_path / "holidays.yaml"
    path.write_text(f"""
{year}:
  holidays: [{year}-01-01, {year}-02-08..{year}-02-12]
  workdays: [{year}-02-06]
""", encoding="utf-8")
    monkeypatch.setitem(tk.config, workdays.OPTION, str(path))
    assert year in workdays.covered_years()
    first_friday = next(datetime.date(year, 1, d) for d in range(1, 8)
                        if datetime.date(year, 1, d).weekday() == 4)
    assert workdays.is_workday(datetime.date(year, 1, 1)) is False
    assert workdays.is_workday(first_friday) is (first_friday != datetime.date(year, 1, 1))
    for day in range(8, 13):
        assert workdays.is_workday(datetime.date(year, 2, day)) is False
    assert workdays.is_workday(datetime.date(year, 2, 6)) is True
    # Counting across the file's holidays: from Feb 5th, the 6th is the first working day,
    # the week of the 8th is off.
    expected, counted, day = None, 0, datetime.date(year, 2, 5)
    while counted < 10:
        day += datetime.timedelta(days=1)
        if day == datetime.date(year, 2, 6) or (
                day.weekday() < 5 and not datetime.date(year, 2, 8) <= day
                <= datetime.date(year, 2, 12)):
            counted += 1
    expected = day
    assert workdays.due(datetime.date(year, 2, 5)) == expected
    # The year after is still not covered.
    with pytest.raises(workdays.UncoveredYear):
        workdays.is_workday(datetime.date(year + 1, 6, 1))


def test_the_holiday_file_overrides_a_year_of_the_package(tmp_path, monkeypatch):
    path = tmp_path / "holidays.yaml"
    path.write_text("2024:\n  holidays: [2024-03-04]\n  workdays: []\n", encoding="utf-8")
    monkeypatch.setitem(tk.config, workdays.OPTION, str(path))
    assert workdays.is_workday(D("2024-03-04")) is False
    assert workdays.is_workday(D("2024-02-12")) is True    # the file's 2024 knows no festival


@pytest.mark.parametrize("text", [
    "2027:\n  holidays: [2027-13-01]\n",
    "2027:\n  holidays: [2028-01-01]\n",
    "2027:\n  holidays: [2027-01-01]\n  workdays: [2027-01-01]\n",
    "2027:\n  holiday: [2027-01-01]\n",
    "- 2027-01-01\n",
])
def test_a_bad_holiday_file_says_what_is_wrong(tmp_path, monkeypatch, text):
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setitem(tk.config, workdays.OPTION, str(path))
    with pytest.raises(workdays.BadHolidayFile) as raised:
        workdays.is_workday(D("2027-01-04"))
    assert str(path) in str(raised.value)


def test_a_missing_holiday_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setitem(tk.config, workdays.OPTION, str(tmp_path / "nowhere.yaml"))
    with pytest.raises(workdays.BadHolidayFile):
        workdays.is_workday(D("2024-03-04"))


def test_today_is_the_portals_day():
    now = datetime.datetime(2024, 2, 8, 17, 30, tzinfo=datetime.timezone.utc)
    assert workdays.local_date(now) == D("2024-02-09")   # 01:30 in Shenyang
