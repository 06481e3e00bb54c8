"""Search in the government's words: synonyms (renamed agencies, abbreviations) applied at
query time, one rule at a time; English queries through the English names and abstracts,
in both languages of the pages; the order: an exact title first, then among equals the
fresher and the more used entries."""
from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests.helpers import call_action

from ckanext.lngov.suggest import index
from ckanext.lngov.terms import synonyms

from tests import catalog as entries

RULES = synonyms._read(synonyms.RULES_FILE)
# One entry per rule, titled with the rule's first `to` word only.
TOPIC = "年度统计汇编"


def _rule_name(n: int) -> str:
    return f"rule-{n}"


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    stats = entries.department(name="terms-stats", title="辽宁省统计局",
                               title_en="Liaoning Provincial Bureau of Statistics")
    market = entries.department(name="terms-market", title="辽宁省市场监督管理局",
                                title_en="Liaoning Administration for Market Regulation")
    for n, rule in enumerate(RULES):
        entries.create(admin, **entries.entry(
            stats["id"], name=_rule_name(n), title=f"辽宁省{rule['to'][0]}{TOPIC}",
            title_en=f"Compendium {n}", notes="按年度汇编的统计数据。"))
    made = {}
    for name, title, title_en, notes_en, org, release in [
        ("old-name", "工商行政管理档案目录", "", "", stats, "2023-06-30"),
        ("annual-reports", "企业年度报告公示信息", "Annual reports of enterprises",
         "Annual reports filed by market entities.", market, "2023-06-30"),
        ("hukou", "辽宁省户籍人口基本信息", "Registered (hukou) population of Liaoning",
         "Basic information on residents registered in each city.", stats, "2023-06-30"),
        ("resident", "辽宁省常住人口主要数据", "Resident population of Liaoning by city",
         "Main figures of the resident population.", stats, "2023-06-30"),
        # ranking: the exact title, and two equals that differ in age or use
        ("exact", "人口", "Population", "", stats, "2020-01-01"),
        # (made before the others: CKAN's own order among equal scores is the last change)
        ("fresher", "大连市人口统计年鉴", "", "", stats,
         datetime.date.today().isoformat()),
        ("older", "沈阳市人口统计年鉴", "", "", stats, "2019-01-01"),
        ("used", "抚顺市养老机构名录", "", "", stats, "2023-06-30"),
        # says 医保 as typed, beside the rule's entry that says 医疗保障
        ("yibao", "辽宁省医保定点医药机构名录", "", "", stats, "2023-06-30"),
        ("unused", "鞍山市养老机构名录", "", "", stats, "2023-06-30"),
    ]:
        made[name] = entries.create(admin, **entries.entry(
            org["id"], name=name, title=title, title_en=title_en, notes_en=notes_en,
            release_date=release))
    # "used": viewed and downloaded, then indexed again (as ckan lngov search-usage does)
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO lngov_usage (package_id, kind, count) VALUES "
            "(:id, 'view', 120), (:id, 'download', 40)"), {"id": made["used"]["id"]})
    assert index.refresh_usage() >= 1
    return dict(stats=stats, market=market, **made)


def search(q: str, **params) -> list[str]:
    return [d["name"] for d in call_action("package_search", q=q, rows=50,
                                           **params)["results"]]


# --- synonyms ------------------------------------------------------------------------------

@pytest.mark.parametrize("n, word", [(n, w) for n, rule in enumerate(RULES)
                                     for w in rule.get("from") or []])
def test_each_former_name_and_abbreviation_finds_the_catalogs_word(world, n, word):
    found = search(word)
    assert _rule_name(n) in found, f"{word!r} should find {RULES[n]['to'][0]}"
    others = {_rule_name(m) for m in range(len(RULES)) if m != n
              and not set(RULES[m]["to"]) & set(synonyms.rules().alternatives.get(word, ()))}
    assert not others & set(found), f"{word!r} found other rules' entries"


@pytest.mark.parametrize("n, word", [(n, w) for n, rule in enumerate(RULES)
                                     for w in rule["to"][1:]])
def test_each_equivalent_form_finds_the_other(world, n, word):
    assert _rule_name(n) in search(word)


def test_what_was_typed_ranks_above_its_rewritings(world):
    # 医保 is also searched as 医疗保障, whose more bigrams must not outweigh the typed word
    rewritten = next(n for n, rule in enumerate(RULES) if "医保" in (rule.get("from") or []))
    names = search("医保")
    assert names.index("yibao") < names.index(_rule_name(rewritten))
    assert synonyms.edismax_query("工商局") == (
        "+((工商局) OR (市场监管局)^0.5 OR (市场监督管理局)^0.333)")


def test_a_query_still_finds_what_it_says(world):
    # The old name as typed still finds an entry that carries it.
    assert "old-name" in search("工商")
    assert "old-name" in search("工商档案")


def test_a_department_is_found_by_its_former_name(world):
    # 企业年度报告公示信息 says no agency: its department (市场监督管理局) is in the index.
    assert "annual-reports" in search("市场监管局")
    assert "annual-reports" in search("工商局")
    assert "annual-reports" in search("工商局年度报告")
    assert "annual-reports" not in search("统计局年度报告")


def test_variants_of_a_query():
    assert synonyms.variants("工商局") == ["工商局", "市场监管局", "市场监督管理局"]
    assert synonyms.variants("大连 工商局")[1] == "大连 市场监管局"
    assert synonyms.variants("ＧＤＰ") == ["GDP"]
    # A word the query continues as the catalog's word is that word being typed.
    assert synonyms.variants("营商环境建设") == ["营商环境建设"]
    assert synonyms.variants("交通运输") == ["交通运输"]
    assert synonyms.variants("交通事故") == ["交通事故", "交通运输事故"]
    # Solr's syntax is searched as written; many rules give at most MAX_VARIANTS.
    assert synonyms.variants('"工商" OR 质监') == ['"工商" OR 质监']
    assert len(synonyms.variants("工商 国土 人社 住建")) == synonyms.MAX_VARIANTS


def test_the_administrators_file_adds_rules(tmp_path, ckan_config, monkeypatch, world):
    path = tmp_path / "synonyms.yaml"
    path.write_text("- to: [统计汇编]\n  from: [统计大全]\n- to: [自然资源]\n  from: [国资]\n",
                    encoding="utf-8")
    monkeypatch.setitem(ckan_config, synonyms.OPTION, str(path))
    assert synonyms.variants("统计大全") == ["统计大全", "统计汇编"]
    # extends the shipped rule of the same catalog word
    assert "自然资源" in synonyms.variants("国资")
    assert "自然资源" in synonyms.variants("国土")
    assert set(search("统计大全")) >= {_rule_name(n) for n in range(len(RULES))}


@pytest.mark.parametrize("text, error", [
    ("to: x", "expected a list"), ("- from: [a]", "expected `to:`"),
    ("- to: [a, 1]", "`to` must list words"), ("- to: [a]\n  other: [b]", "expected `to:`")])
def test_a_bad_synonym_file_says_what_is_wrong(tmp_path, text, error):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(synonyms.BadSynonymFile, match=error):
        synonyms._read(str(path))


# --- English -------------------------------------------------------------------------------

@pytest.mark.parametrize("q, found, missed", [
    ("population", {"hukou", "resident"}, {"annual-reports"}),
    ("resident population", {"resident"}, {"annual-reports"}),
    ("hukou", {"hukou"}, {"resident"}),
    ("Annual reports", {"annual-reports"}, {"hukou"}),
    ("market entities", {"annual-reports"}, {"resident"}),      # the English abstract
    ("market regulation", {"annual-reports"}, {"hukou"}),       # the department's English name
])
def test_english_queries_find_chinese_entries(world, q, found, missed):
    names = set(search(q))
    assert found <= names and not missed & names, names


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_english_queries_on_the_search_page_in_both_languages(app, world, prefix):
    page = app.get(f"{prefix}/dataset/", query_string={"q": "resident population"}).body
    shown = "Resident population of Liaoning by city" if prefix else "辽宁省常住人口主要数据"
    assert shown in page
    assert "企业年度报告公示信息" not in page and "Annual reports of enterprises" not in page


def test_english_title_weighs_as_a_title(world):
    # population is in both English titles; the title match ranks above an abstract match
    names = search("population")
    assert names.index("hukou") < len(names) and names.index("exact") == 0


# --- ranking -------------------------------------------------------------------------------

def test_an_exact_title_comes_first(world):
    assert search("人口")[0] == "exact"
    assert search("Population")[0] == "exact"
    assert search("企业年度报告公示信息")[0] == "annual-reports"


def test_among_equals_the_fresher_comes_first(world):
    names = search("人口统计年鉴")
    assert names.index("fresher") < names.index("older")


def test_among_equals_the_more_used_comes_first(world):
    names = search("养老机构名录")
    assert names.index("used") < names.index("unused")


def test_a_use_counted_is_searched_at_once(world):
    # (Solr's soft commit would show it within seconds: the refresh must not wait for it.)
    with model.meta.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO lngov_usage (package_id, kind, count) VALUES (:id, 'view', 3)"),
            {"id": world["exact"]["id"]})
    assert index.refresh_usage() >= 1
    [doc] = index._indexed(f'+id:"{world["exact"]["id"]}"', "lngov_used")
    assert doc["lngov_used"] == index.used(3, 0)


def test_a_better_match_keeps_its_place_over_a_fresher_one(world):
    # 沈阳市人口统计年鉴 holds the whole query; the fresher 大连 one only part of it
    assert search("沈阳市人口统计")[0] == "older"
