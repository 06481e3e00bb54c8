"""Suggestions while typing (entries, departments, themes; Chinese, English, pinyin and
initials) and "did you mean" when a search finds nothing; never anything non-public."""
from __future__ import annotations

import pytest
from ckan.tests.helpers import call_action

from ckanext.lngov.suggest import corrections

from tests import catalog as entries

HIDDEN = {"private": "人口普查内部底册", "closed": "人口户籍核查比对库",
          "withdrawn": "人口迁移撤回数据"}


@pytest.fixture(scope="module")
def world(sysadmin_module):
    admin = sysadmin_module
    police = entries.department(name="suggest-gat", title="辽宁省公安厅",
                                title_en="Liaoning Public Security Department")
    market = entries.department(name="suggest-market", title="辽宁省市场监督管理局",
                                title_en="Liaoning Administration for Market Regulation")
    public = {}
    for n, (name, title, title_en, org, theme) in enumerate([
        ("population", "辽宁省人口基础信息库", "Population database of Liaoning", police,
         "base-01"),
        ("hukou", "沈阳市户籍人口统计", "Registered population of Shenyang", police, "base-01"),
        ("traffic", "大连市交通违法信息", "Traffic violations in Dalian", police, "theme-07"),
        ("licences", "辽宁省营业执照电子证照", "Electronic business licences", market, "base-06"),
    ]):
        klass = "1" if theme.startswith("base") else "2"
        public[name] = entries.create(admin, **entries.entry(
            org["id"], name=f"suggest-{name}", title=title, title_en=title_en,
            base_theme_db=[theme], classification=klass,
            resource_code=f"{klass}{theme[-2:]}001001/{880000 + n:06d}"))
    hidden = {}
    for kind, title in HIDDEN.items():
        fields = dict(name=f"suggest-hidden-{kind}", title=title,
                      title_en=f"Hidden {kind} population")
        if kind == "private":
            fields["private"] = True
        if kind == "closed":
            fields.update(open_attribute="closed", share_type="none",
                          share_basis="《中华人民共和国保守国家秘密法》")
        hidden[kind] = entries.create(admin, **entries.entry(police["id"], **fields))
    call_action("package_delete", {"user": admin["name"]}, id=hidden["withdrawn"]["id"])
    return dict(public=public, hidden=hidden, police=police, market=market)


def suggest(q: str, lang: str = "zh", **params):
    return call_action("lngov_suggest", {"user": "", "ignore_auth": False}, q=q, lang=lang,
                       **params)


def titles(found, kind: str = "entries") -> list[str]:
    return [item["title"] for item in found[kind]]


@pytest.mark.parametrize("q, first", [
    ("人口", "辽宁省人口基础信息库"),     # Chinese, anywhere in the title
    ("人", "辽宁省人口基础信息库"),       # one character
    ("户籍人口", "沈阳市户籍人口统计"),
    ("renkou", "辽宁省人口基础信息库"),   # pinyin from a syllable on
    ("RenKou", "辽宁省人口基础信息库"),
    ("rk", "辽宁省人口基础信息库"),       # initials
    ("lnsrk", "辽宁省人口基础信息库"),
    ("shenyang", "沈阳市户籍人口统计"),
    ("popul", "辽宁省人口基础信息库"),    # English words as they begin
    ("traffic viol", "大连市交通违法信息"),
])
def test_entries_are_suggested(world, q, first):
    assert first in titles(suggest(q))


def test_a_former_name_suggests_the_department(world):
    assert titles(suggest("工商"), "departments") == ["辽宁省市场监督管理局"]
    assert titles(suggest("市场监管"), "departments") == ["辽宁省市场监督管理局"]


def test_a_title_that_begins_with_it_comes_first(world):
    assert titles(suggest("辽宁省人"))[0] == "辽宁省人口基础信息库"
    assert titles(suggest("沈阳"))[0] == "沈阳市户籍人口统计"


def test_suggestions_in_english(world):
    found = suggest("popul", lang="en")
    assert "Population database of Liaoning" in titles(found)
    item = found["entries"][0]
    assert item["url"].startswith("/en/dataset/") and item["department"]
    assert suggest("人口")["entries"][0]["url"].startswith("/dataset/")


def test_departments_and_themes_are_suggested(world):
    found = suggest("公安")
    assert titles(found, "departments") == ["辽宁省公安厅"]
    assert found["departments"][0]["count"] == 3      # its public entries only
    assert found["departments"][0]["url"] == "/organization/suggest-gat"
    assert titles(suggest("gongan"), "departments") == ["辽宁省公安厅"]
    assert titles(suggest("market reg", lang="en"), "departments") == [
        "Liaoning Administration for Market Regulation"]
    theme = suggest("人口")["themes"]
    assert theme and theme[0]["title"] == "人口基础库" and theme[0]["count"] == 2
    assert theme[0]["url"] == "/dataset/?vocab_base_theme_db=base-01"
    assert titles(suggest("交通"), "themes")[0] == "交通主题库"
    assert titles(suggest("transp", lang="en"), "themes")[0] == "Transport"
    # a theme without public entries is not offered
    assert "价格主题库" not in titles(suggest("价格"), "themes")


@pytest.mark.parametrize("q", ["人口", "ren", "renkou", "rk", "Hidden", "hidden population",
                               "人口普查", "户籍核查", "人口迁移", "rkpc", "renkoupucha"])
def test_nothing_non_public_is_ever_suggested(world, q, app):
    everything = " ".join(str(v) for v in suggest(q).values()) + \
        " ".join(str(v) for v in suggest(q, lang="en").values())
    for kind, title in HIDDEN.items():
        assert title not in everything and f"suggest-hidden-{kind}" not in everything
        assert f"Hidden {kind}" not in everything
    for prefix in ("", "/en"):
        body = app.get(f"{prefix}/suggest", query_string={"q": q}).body
        assert not any(t in body for t in HIDDEN.values()) and "suggest-hidden" not in body


def test_nothing_non_public_even_for_its_department(world, sysadmin_module):
    found = call_action("lngov_suggest", {"user": sysadmin_module["name"]}, q="人口")
    assert not set(HIDDEN.values()) & set(titles(found))


def test_the_route_answers_json_in_the_pages_language(app, world):
    zh = app.get("/suggest", query_string={"q": "人口"}).json
    en = app.get("/en/suggest", query_string={"q": "人口"}).json
    assert "辽宁省人口基础信息库" in titles(zh)
    assert "Population database of Liaoning" in titles(en)
    assert app.get("/suggest").json["entries"] == []


@pytest.mark.parametrize("params", [{"q": "x" * 201}, {"q": "人口", "limit": "0"},
                                    {"q": "人口", "limit": "many"}])
def test_bad_input_is_a_clear_400(app, params):
    res = app.get("/suggest", query_string=params, status=400)
    assert "error" in res.json


@pytest.mark.parametrize("q", ["title:(", '"人口', "人口) OR (", "{!lucene}x", "\\", "*", "?"])
def test_solr_syntax_is_only_text(app, world, q):
    assert app.get("/suggest", query_string={"q": q}).status_code == 200


# --- did you mean ------------------------------------------------------------------------

@pytest.mark.parametrize("q, offered", [
    ("renkoujichu", "人口基础"),          # pinyin typed in the search box
    ("仁口", "人口"),                     # a character of the same sound
    ("populaton database", "population database"),   # English misspelt
    ("人口钢铁", "人口"),                 # words that never meet: each part found
])
def test_did_you_mean(world, q, offered):
    found = corrections.did_you_mean(q)
    assert offered in [o["q"] for o in found], found
    assert all(o["count"] > 0 for o in found)


def test_did_you_mean_is_offered_only_for_nothing_found(world):
    assert corrections.did_you_mean("人口") == []
    assert corrections.did_you_mean("") == []


@pytest.mark.parametrize("q", ["renkoupucha", "人口普查内", "hiden population", "户籍核查比队",
                               "人口迁移撒回"])
def test_did_you_mean_never_tells_of_non_public_entries(world, q):
    # words only the non-public titles hold
    for offer in corrections.did_you_mean(q):
        for word in ("普查", "底册", "核查", "比对", "迁移", "撤回", "hidden"):
            assert word not in offer["q"].lower(), offer


@pytest.mark.parametrize("prefix, text", [("", "您是不是要找"), ("/en", "Did you mean")])
def test_the_search_page_offers_did_you_mean(app, world, prefix, text):
    page = app.get(f"{prefix}/dataset/", query_string={"q": "renkoujichu"}).body
    assert text in page and "q=%E4%BA%BA%E5%8F%A3%E5%9F%BA%E7%A1%80" in page
