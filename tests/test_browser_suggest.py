"""Suggestions while typing and "did you mean", in a real browser, in Chinese and English:
the search boxes (home, header, search page) suggest entries, departments and themes as a
combobox that the keyboard drives; a search that finds nothing offers a query that does.
Every step fails on a console error, a CSP violation or a failed request; nothing
non-public is ever suggested."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from tests import catalog
from tests.browser import open_page, problems, screenshot, serious_axe_violations, visit

LANGUAGES = {"zh": "", "en": "/en"}
HIDDEN = "人口普查内部底册"
ENTRIES = {"zh": "数据目录", "en": "Catalog entries"}


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    dept = catalog.department(name="browser-suggest-gat", title="辽宁省公安厅",
                              title_en="Liaoning Public Security Department", image_url="")
    for n, (name, title, title_en) in enumerate([
            ("population", "辽宁省人口基础信息库", "Population database of Liaoning"),
            ("hukou", "沈阳市户籍人口统计", "Registered population of Shenyang")]):
        catalog.create(admin, **catalog.entry(dept["id"], name=f"browser-suggest-{name}",
                                              title=title, title_en=title_en))
    catalog.create(admin, **catalog.entry(dept["id"], name="browser-suggest-private",
                                          title=HIDDEN, title_en="Hidden census", private=True))
    return dict(dept=dept)


def _suggestions(page, selector: str, text: str):
    page.fill(selector, "")
    page.type(selector, text, delay=30)
    listbox = page.locator(f"#{page.get_attribute(selector, 'aria-controls')}")
    listbox.locator("[role=option]").first.wait_for(state="visible", timeout=10000)
    return listbox


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_home_search_box_suggests_and_the_keyboard_chooses(browser, world, lang):
    page = open_page(browser)
    visit(page, LANGUAGES[lang] + "/")
    box = "#lngov-home-q"
    listbox = _suggestions(page, box, "renkou")
    assert page.get_attribute(box, "role") == "combobox"
    assert page.get_attribute(box, "aria-expanded") == "true"
    assert listbox.get_attribute("role") == "listbox"
    options = listbox.locator("[role=option]")
    texts = options.all_inner_texts()
    title = "辽宁省人口基础信息库" if lang == "zh" else "Population database of Liaoning"
    assert any(title in t for t in texts), texts
    assert not any(HIDDEN in t or "Hidden" in t for t in texts)
    # the groups are named (entries, and the department's theme: 人口基础库)
    headings = listbox.locator("[role=group]").evaluate_all(
        "gs => gs.map(g => document.getElementById(g.getAttribute('aria-labelledby')).textContent)")
    assert headings[0] == ENTRIES[lang], headings
    status = listbox.locator("xpath=following-sibling::*[@role='status']").inner_text()
    assert str(options.count()) in status
    screenshot(page, f"suggest-home-{lang}")
    # Down chooses the first option (aria-activedescendant), Escape closes, Enter opens
    page.press(box, "ArrowDown")
    first = options.first
    assert first.get_attribute("aria-selected") == "true"
    assert page.get_attribute(box, "aria-activedescendant") == first.get_attribute("id")
    page.press(box, "ArrowUp")
    assert page.get_attribute(box, "aria-activedescendant") is None
    page.press(box, "Escape")
    assert page.get_attribute(box, "aria-expanded") == "false" and not listbox.is_visible()
    page.press(box, "ArrowDown")          # opens the list again
    listbox.wait_for(state="visible")
    page.press(box, "ArrowDown")
    target = options.first.get_attribute("href")
    with page.expect_navigation():
        page.press(box, "Enter")
    assert page.url.endswith(target)
    page.wait_for_load_state("networkidle")
    assert not problems(page), problems(page)
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_header_and_search_page_boxes_suggest_departments_and_themes(browser, world, lang):
    page = open_page(browser)
    visit(page, LANGUAGES[lang] + "/dataset/")
    for box in ("#field-sitewide-search", "#field-giant-search"):
        listbox = _suggestions(page, box, "公安" if lang == "zh" else "public sec")
        text = " ".join(listbox.locator("[role=option]").all_inner_texts())
        assert ("辽宁省公安厅" if lang == "zh" else "Liaoning Public Security Department") in text
        page.press(box, "Escape")
    listbox = _suggestions(page, "#field-giant-search", "人口")
    groups = listbox.locator("[role=group]").count()
    assert groups >= 2       # entries, and the theme 人口基础库 / Population
    screenshot(page, f"suggest-search-{lang}")
    assert not problems(page), problems(page)
    assert not serious_axe_violations(page)
    page.context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_did_you_mean_when_nothing_is_found(browser, world, lang):
    page = open_page(browser)
    visit(page, LANGUAGES[lang] + "/dataset/?q=renkoujichu")
    offer = page.locator(".lngov-did-you-mean")
    assert offer.is_visible()
    assert ("您是不是要找" if lang == "zh" else "Did you mean") in offer.inner_text()
    screenshot(page, f"did-you-mean-{lang}")
    with page.expect_navigation():
        offer.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert "人口基础" in page.input_value("#field-giant-search")
    assert ("辽宁省人口基础信息库" if lang == "zh" else "Population database of Liaoning") \
        in page.locator(".dataset-list").inner_text()
    assert not problems(page), problems(page)
    assert not serious_axe_violations(page)
    page.context.close()


def test_no_suggestion_of_a_private_entry_even_for_its_department(browser, world,
                                                                   sysadmin_module):
    assert call_action("lngov_suggest", {"user": sysadmin_module["name"]},
                       q="人口普查")["entries"] == []
