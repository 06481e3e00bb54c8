"""Chinese-aware search through package_search: what each kind of query must find and miss."""
from __future__ import annotations

import pytest

from ckan.tests.helpers import call_action

from tests import catalog as entries

# name: (title, notes)
DATASETS = {
    "population": ("辽宁省人口基础信息库",
                   "全省户籍人口、常住人口和流动人口的基础信息，按季度更新。"),
    "gdp": ("辽宁省地区生产总值（GDP）季度统计数据", "全省及各市地区生产总值、三次产业增加值。"),
    "dalian-bus": ("大连市公交线路及站点信息", "大连市公交线路、站点位置和首末班时间。"),
    "shenyang-hospitals": ("沈阳市医疗机构名录",
                           "沈阳市各级各类医疗机构的名称、地址、等级和联系电话。"),
    "enterprise": ("企业登记注册信息", "全省市场主体登记注册信息，涉及人口密集区域的经营场所。"),
    "air": ("空气质量监测数据", "全省城市空气质量自动监测站小时数据，含PM2.5和臭氧浓度。"),
    "yearbook": ("Statistical yearbook datasets of Liaoning", "Economic statistics by city."),
    "fullwidth": ("２０２３年ＧＤＰ核算结果", "年度地区生产总值核算。"),
    "anshan-steel": ("鞍山市钢铁产业运行监测", "鞍山市重点钢铁企业产能、产量数据。"),
    "shenyang-output": ("沈阳市地区生产总值年度数据", "按行业分的年度核算结果。"),
    "air-2022": ("2022年空气质量月报", "全省14个城市空气质量月度排名。"),
    "air-2021": ("2021年空气质量月报", "全省14个城市空气质量月度排名。"),
}


@pytest.fixture(scope="module")
def catalog(sysadmin_module):
    org = entries.department(title="辽宁省统计局", name="ln-stats")
    for name, (title, notes) in DATASETS.items():
        entries.create(sysadmin_module, **entries.entry(
            org["id"], name=name, title=title, notes=notes, provider_office="综合处"))
    return DATASETS


def search(q: str) -> list[str]:
    return [d["name"] for d in call_action("package_search", q=q, rows=50)["results"]]


@pytest.mark.parametrize("q, found, missed", [
    # one character
    ("钢", {"anshan-steel"}, {"population", "gdp"}),
    # two characters: a word inside a longer title, and the same word in a description
    ("人口", {"population", "enterprise"}, {"gdp", "dalian-bus", "air"}),
    # a place name inside a longer title
    ("大连", {"dalian-bus"}, {"shenyang-hospitals", "population"}),
    ("沈阳", {"shenyang-hospitals"}, {"dalian-bus"}),
    # a phrase, and words that are not adjacent in the title
    ("医疗机构名录", {"shenyang-hospitals"}, {"population", "dalian-bus"}),
    ("辽宁人口", {"population"}, {"gdp", "dalian-bus", "enterprise"}),
    ("沈阳医疗", {"shenyang-hospitals"}, {"dalian-bus", "population"}),
    ("公交站点", {"dalian-bus"}, {"shenyang-hospitals"}),
    # words that occur only in different datasets find nothing
    ("人口钢铁", set(), set(DATASETS)),
    ("上海", set(), set(DATASETS)),
    # mixed Chinese and English
    ("GDP 辽宁", {"gdp"}, {"population", "yearbook"}),
    ("辽宁GDP", {"gdp"}, {"population"}),
    ("PM2.5 空气", {"air"}, {"gdp"}),
    # full-width and half-width
    ("ＧＤＰ", {"gdp", "fullwidth"}, {"population"}),
    ("2023年GDP", {"fullwidth"}, {"population"}),
    # synonyms (synonyms.txt): GDP and 地区生产总值 find each other
    ("GDP 沈阳", {"shenyang-output"}, {"shenyang-hospitals", "gdp"}),
    ("地区生产总值", {"gdp", "fullwidth", "shenyang-output"}, {"population", "anshan-steel"}),
    # English with stemming, as in CKAN's stock schema
    ("statistics", {"yearbook"}, {"gdp"}),
    ("statistical", {"yearbook"}, set()),
    ("dataset", {"yearbook"}, set()),
    ("liaoning", {"yearbook"}, set()),
])
def test_query(catalog, q, found, missed):
    names = set(search(q))
    assert found <= names, f"{q!r} should find {found - names}"
    assert not (missed & names), f"{q!r} should not find {missed & names}"


def test_title_match_ranks_above_description_match(catalog):
    # 人口 is in the title of "population" and only in the description of "enterprise".
    names = search("人口")
    assert names.index("population") < names.index("enterprise")


def test_year_counts_in_a_year_query(catalog):
    # 2022年空气质量: the year decides the first hit, not the bigram 年空 all years share.
    names = search("2022年空气质量")
    assert names[0] == "air-2022"
    assert names.index("air-2022") < names.index("air-2021")
    assert search("２０２１年空气质量")[0] == "air-2021"


@pytest.mark.parametrize("field_type", ["text", "text_general"])
def test_query_analysis_of_a_year_and_a_word(field_type):
    """The query tokens Solr makes: the year and the word's bigrams, no 年空 bigram."""
    import requests
    from ckan.common import config

    res = requests.get(config["solr_url"] + "/analysis/field", timeout=10, params={
        "analysis.fieldtype": field_type, "analysis.query": "２０２２年空气质量", "wt": "json"})
    chain = res.json()["analysis"]["field_types"][field_type]["query"]
    assert [t["text"] for t in chain[-1]] == ["2022", "空气", "气质", "质量"]


def test_fielded_and_empty_queries_keep_ckan_semantics(catalog):
    assert search("name:gdp") == ["gdp"]
    assert len(search("")) == len(DATASETS)
    assert set(search("title:沈阳")) == {"shenyang-hospitals", "shenyang-output"}


def test_facet_filters_still_combine_with_and(catalog):
    result = call_action("package_search", q="辽宁", fq='organization:"ln-stats" name:"gdp"')
    assert [d["name"] for d in result["results"]] == ["gdp"]


def test_search_page_finds_chinese(app, catalog):
    res = app.get("/dataset/", query_string={"q": "大连"})
    assert res.status_code == 200
    assert "大连市公交线路及站点信息" in res.body
    assert "沈阳市医疗机构名录" not in res.body
