"""The public service clock (applications/clock.py): each department's answer times in
working days, share within 10 working days, approval rate and refusals by reason, from
applications submitted and answered across the 2024 Spring Festival; no personal data."""
from __future__ import annotations

import datetime

import pytest
import requests
from freezegun import freeze_time

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests import catalog


def _at(day: str):
    """10:00 in Shenyang on `day`."""
    return freeze_time(datetime.datetime.fromisoformat(day) + datetime.timedelta(hours=2))


def _act(action: str, user: dict, **data):
    return tk.get_action(action)({"user": user["name"], "ignore_auth": False}, data)


# (submitted, answered, decision, reason): working days between, by the official calendar
SCENARIO = [
    ("2024-02-08", "2024-02-28", "approve", None),        # 10: Sun 18th worked, 10-17 off
    ("2024-02-08", "2024-02-29", "refuse", "security"),   # 11
    ("2024-03-04", "2024-03-05", "approve", None),        # 1
    ("2024-03-04", "2024-03-08", "refuse", "security"),   # 4
    ("2024-03-04", "2024-03-06", "refuse", "incomplete"),  # 2
    ("2024-03-04", None, None, None),                     # never answered: overdue
]


@pytest.fixture(scope="module")
def department(sysadmin_module):
    from ckan.tests.helpers import call_action

    editor = factories.User(email="clock-editor@example.com")
    dept = catalog.department(name="clock-dept", title="辽宁省统计局")
    call_action("organization_member_create", {"user": sysadmin_module["name"]},
                id=dept["id"], username=editor["name"], role="editor")
    entry = catalog.create(sysadmin_module, **catalog.entry(
        dept["id"], name="clock-entry", open_attribute="conditional",
        open_conditions="科研用途"))
    applicants = []
    for n, (submitted, answered, decision, reason) in enumerate(SCENARIO):
        applicant = factories.User(fullname="张三丰", email=f"zhang{n}@example.com")
        applicants.append(applicant)
        with _at(submitted):
            app = _act("lngov_application_create", applicant, package_id=entry["id"],
                       purpose="研究", period_start=submitted, period_end="2024-12-31")
        if decision == "approve":
            with _at(answered):
                _act("lngov_application_approve", editor, id=app["id"])
        elif decision == "refuse":
            with _at(answered):
                _act("lngov_application_refuse", editor, id=app["id"], reason_code=reason,
                     reason_text="说明")
    return {"dept": dept, "applicants": applicants}


def test_the_figures(department, mailbox):
    clock, = tk.get_action("lngov_service_clock")({"user": ""},
                                                  {"owner_org": department["dept"]["name"]})
    assert clock["answered"] == 5 and clock["pending"] == 1 and clock["overdue"] == 1
    assert clock["median_workdays"] == 4          # of 1, 2, 4, 10, 11
    assert clock["p90_workdays"] == 11
    assert clock["within_deadline"] == round(4 / 6, 4)   # the overdue one counts as late
    assert clock["approval_rate"] == 0.4
    assert [(r["reason_code"], r["count"]) for r in clock["refusals"]] == [
        ("security", 2), ("incomplete", 1)]


def test_the_clock_is_public_and_names_nobody(department, live_server):
    dept = department["dept"]
    answer = requests.get(f"{live_server}/api/3/action/lngov_service_clock",
                          params={"owner_org": dept["id"]}, timeout=30)
    assert answer.status_code == 200 and answer.json()["result"][0]["answered"] == 5
    page = requests.get(f"{live_server}/organization/{dept['name']}", timeout=30).text
    assert "lngov-service-clock" in page and "67%" in page and "40%" in page
    assert "10 个工作日内答复率" in page and "答复用时中位数" in page
    stats = requests.get(f"{live_server}/statistics.json", timeout=30).json()
    assert any(d["name"] == dept["name"] and d["answered"] == 5
               for d in stats["service_clock"])
    for body in (answer.text, page, str(stats)):
        assert "张三丰" not in body and "@example.com" not in body
        assert not any(a["name"] in body or a["id"] in body for a in department["applicants"])
    missing = requests.get(f"{live_server}/api/3/action/lngov_service_clock",
                           params={"owner_org": "no-such-department"}, timeout=30)
    assert missing.status_code == 404


@pytest.mark.parametrize("prefix, words", [
    ("", ("服务时钟：申请答复情况", "中位数", "第 90 百分位数", "存在安全风险")),
    ("/en", ("Service clock: answering applications", "Median", "90th percentile",
             "security risk"))])
def test_the_statistics_page_shows_the_clock(department, live_server, prefix, words):
    from lxml import html

    page = requests.get(f"{live_server}{prefix}/statistics", timeout=30)
    assert page.status_code == 200
    for word in words:
        if word:
            assert word in page.text, word
    tree = html.fromstring(page.text)
    row, = tree.xpath(f'//table[contains(@class, "lngov-service-clock-table")]'
                      f'//tr[@data-department="{department["dept"]["name"]}"]')
    figures = {td.get("data-figure"): td.text_content().strip() for td in row.xpath("td")}
    assert figures["answered"] == "5" and figures["median"] == "4" and figures["p90"] == "11"
    assert figures["within"] == "67%" and figures["approval"] == "40%"
    assert figures["pending"].startswith("1")
    assert ": 2" in figures["refusals"] and ": 1" in figures["refusals"]
    # the chart's numbers, drawn by assets/js/statistics.js
    assert tree.xpath('//figure[@id="service-clock-times"]//table[@data-lngov-chart="bar"]')
    assert "张三丰" not in page.text and "@example.com" not in page.text


@pytest.mark.parametrize("prefix, lang", [("", "zh"), ("/en", "en")])
def test_the_clock_s_charts_in_a_browser(department, browser, prefix, lang):
    import os

    from tests.browser import SCREENSHOT_DIR, open_page, problems, visit

    page = visit(open_page(browser), f"{prefix}/statistics#service-clock")
    # ECharts drew the clock's two charts above their tables
    for chart in ("service-clock-times", "service-clock-shares"):
        assert page.locator(f"#{chart} .lngov-chart svg").count() == 1, chart
    assert problems(page) == []
    page.locator("#service-clock").screenshot(
        path=os.path.join(SCREENSHOT_DIR, f"statistics-service-clock-{lang}.png"))
    page.context.close()
