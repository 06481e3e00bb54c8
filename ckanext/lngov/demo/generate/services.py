"""Column rules of public institutions and services: schools, libraries, health and elderly
care, environment, enterprise reports and employers, skill assessment, food safety, place names,
surveying and maps, service points."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import (AS_OF, CITIES, FOOD_CATEGORIES, HEAVY_INDUSTRIES, HOSPITAL_KINDS, PLACE_GENERICS,
                   PLACE_WORDS, POLLUTER_INDUSTRIES, SKILL_OCCUPATIONS, TOWNS)
from .entities import food_failure, zihao
from .registers import event_date
from .rows import Row, county_short, dec, month_add
from .rules import column, fields, value


# -- schools and libraries
@column("学校名称")
def _school(row: Row) -> str:
    kind = value(row, "办学类型")
    county, ks, rng = row.county[0], county_short(row.county[0]), row.rng
    if value(row, "举办者类型") == "民办":
        suffix = ("实验学校" if kind == "九年一贯制学校" else "外国语学校" if kind != "小学"
                  else "小学")
        return f"{row.city['short']}{zihao(row)}{suffix}"
    if rng.random() < 0.6:
        n = rng.choice("一二三四五六七八九")
    else:
        n = rng.choice("一二三") + "十" + rng.choice("一二三四五六七八九")
    # every name is drawn (in this order), whatever the kind
    return {"小学": f"{row.city['name']}{county}{rng.choice(PLACE_WORDS)[0]}小学",
            "初级中学": (f"{row.city['name']}第{n}初级中学" if county.endswith("区")
                         else f"{ks}第{n}初级中学"),
            "九年一贯制学校": f"{ks}{rng.choice(TOWNS)}九年一贯制学校",
            "完全中学": f"{row.city['name']}第{n}中学",
            "高级中学": f"{ks}第{rng.choice('一二三')}高级中学"}[kind]


@column("图书馆名称")
def _library(row: Row) -> str:
    level = _library_level(row)
    county = row.county[0]
    if level == "市级":
        return row.city["name"] + "图书馆"
    return (county if county.endswith(("县", "市")) else row.city["name"] + county) + "图书馆"


def _library_level(row: Row) -> str:
    return row.once("library_level", lambda: row.rng.choices(["市级", "县级"], [20, 80])[0])


@column("开放时间", "办公时间")
def _opening_hours(row: Row) -> str:
    if "图书馆" in row.table.title:
        return row.rng.choice(["周二至周日 9:00—17:00（周一闭馆）", "周一至周日 8:30—17:30",
                               "周二至周日 9:00—20:00"])
    return row.rng.choice(["周一至周五 8:30—11:30，13:00—16:30",
                           "周一至周五 9:00—17:00；周六 9:00—12:00",
                           "周一至周五 8:30—16:30（法定节假日除外）"])


@column("馆藏文献（万册）")
def _holdings(row: Row) -> Decimal:
    if _library_level(row) == "市级":
        return dec(row.rng.uniform(80, 420), 2)
    return dec(row.rng.uniform(8, 65), 2)


@column("评估定级")
def _library_grade(row: Row) -> str:
    weights = [70, 25, 5] if _library_level(row) == "市级" else [35, 40, 25]
    return row.rng.choices(["一级馆", "二级馆", "三级馆"], weights)[0]


# -- health
@column("登记号")
def _medical_registration(row: Row) -> str:
    entity = row.company()
    kind = row.cache.get("hospital_kind", HOSPITAL_KINDS[0])
    private = row.cache.get("private", False)
    return (f"{entity.code[8:17]}{row.county[1]}{kind[1]}{'2' if private else '1'}"
            f"{row.rng.randint(1, 999):03d}")


@column("机构类别")
def _medical_kind(row: Row) -> str:
    return row.made_with("hospital_kind")[0]


@column("医院等级")
def _hospital_grade(row: Row) -> str:
    kind = _medical_kind(row)
    name = row.company().name
    if kind in ("社区卫生服务中心", "乡镇卫生院"):
        return row.once("grade", lambda: row.rng.choice(["一级", "未定级"]))
    if name.endswith(("人民医院", "中心医院")):
        if "第" in name or name.startswith(tuple(c["name"] + "中心" for c in CITIES)):
            return row.once("grade", lambda: row.rng.choice(["三级甲等", "三级乙等", "二级甲等"]))
        return row.once("grade", lambda: row.rng.choice(
            ["二级甲等", "二级甲等", "二级乙等", "三级乙等"]))
    if kind == "中医医院":
        return row.once("grade", lambda: row.rng.choice(["二级甲等", "二级乙等", "三级甲等"]))
    if row.cache.get("private"):
        return row.once("grade", lambda: row.rng.choice(["二级乙等", "一级", "未定级"]))
    return row.once("grade", lambda: row.rng.choice(["三级甲等", "二级甲等"]))


@column("经营性质")
def _medical_nature(row: Row) -> str:
    return "营利性" if row.made_with("private") else "非营利性"


@column("床位数（张）")
def _beds(row: Row) -> int:
    if row.table.has("养老"):
        return row.once("beds", lambda: row.rng.randint(40, 480))
    grade = _hospital_grade(row)
    low, high = {"三级甲等": (900, 2600), "三级乙等": (600, 1200), "二级甲等": (200, 700),
                 "二级乙等": (100, 400), "一级": (20, 99), "未定级": (0, 40)}[grade]
    return row.rng.randint(low, high)


@column("护理型床位数（张）")
def _nursing_beds(row: Row) -> int:
    return int(_beds(row) * row.rng.uniform(0.4, 0.8))


@column("机构性质")
def _elderly_nature(row: Row) -> str:
    return row.made_with("nature")


# -- environment
@column("许可证编号")
def _permit_or_licence(row: Row) -> str:
    if row.table.has("排污"):
        return f"{row.company().code}{row.rng.randint(1, 3):03d}P"
    # food production licence: SC + 1 + category + region + sequence + check
    food = row.once("food", lambda: row.rng.choice(FOOD_CATEGORIES))
    return f"SC1{food[0]}{row.county[1]}{row.rng.randint(1, 9999):04d}{row.rng.randint(0, 9)}"


@column("行业类别")
def _industry(row: Row) -> str:
    row.company()
    return row.once("industry", lambda: row.rng.choice(POLLUTER_INDUSTRIES))[0]


@column("管理类别")
def _management(row: Row) -> str:
    if _industry(row) in HEAVY_INDUSTRIES:
        return "重点管理"
    return row.rng.choices(["重点管理", "简化管理"], [25, 75])[0]


@column("重点单位类别")
def _key_unit_category(row: Row) -> str:
    return row.made_with("industry")[2]


@column("年度", "报告年度")
def _last_year(row: Row) -> str:
    return str(AS_OF.year if row.table.has("重点单位") else AS_OF.year - 1)


@column("缴费月份")
def _pay_month(row: Row) -> str:
    y, m = month_add(AS_OF.year, AS_OF.month, -1)
    return f"{y}-{m:02d}"


# -- enterprise reports, employers
@column("从业人数")
def _staff(row: Row) -> int:
    return row.once("staff", lambda: int(row.rng.lognormvariate(3.2, 1.1)) + 1)


@column("资产总额（万元）")
def _assets(row: Row) -> Decimal:
    return row.once("assets", lambda: dec(_staff(row) * row.rng.uniform(20, 120), 2))


@column("营业总收入（万元）")
def _revenue(row: Row) -> Decimal:
    return dec(float(_assets(row)) * row.rng.uniform(0.3, 1.6), 2)


@column("公示日期")
def _report_date(row: Row) -> dt.date:
    return row.between("report", dt.date(AS_OF.year, 1, 2), dt.date(AS_OF.year, 6, 30))


@column("参保人数")
def _insured(row: Row) -> int:
    return int(row.rng.lognormvariate(2.8, 1.0)) + 1


# -- skill assessment
@column("认定职业（工种）")
def _skill_occupations(row: Row) -> str:
    return "、".join(row.rng.sample(SKILL_OCCUPATIONS, row.rng.randint(1, 5)))


# -- food safety
fields(food_failure, {0: "食品名称", 1: "不合格项目", 2: "检验结果"})


@column("抽样编号")
def _sample_number(row: Row) -> str:
    return f"DC{event_date(row):%y}{row.city['code']}{row.table.next_seq():06d}"


@column("检验机构")
def _laboratory(row: Row) -> str:
    return row.rng.choice(["辽宁省食品检验检测院", f"{row.city['name']}检验检测认证中心",
                           "辽宁省产品质量监督检验院"])


@column("食品类别")
def _food_category(row: Row) -> str:
    return row.once("food", lambda: row.rng.choice(FOOD_CATEGORIES))[1]


# -- place names, surveying, maps
def _place_name(row: Row) -> tuple:
    def make():
        category = row.rng.choice(list(PLACE_GENERICS))
        word = row.rng.choice(PLACE_WORDS)
        generic = row.rng.choice(PLACE_GENERICS[category])
        return category, word[0] + generic[0], f"{word[1]} {generic[1]}", word[2]
    return row.once("place", make)


fields(_place_name, {1: "标准名称", 2: "汉语拼音", 0: "地名类别"})


@column("地名含义")
def _place_meaning(row: Row) -> str:
    category, name, _, meaning = _place_name(row)
    where = {"道路": "该路", "街巷": "该街巷", "居民区": "该居民区", "桥梁": "该桥",
             "公园": "该公园"}[category]
    return f"取“{meaning}”之意，{where}位于{row.county[0]}，命名体现当地群众对美好生活的向往。"


def _survey(row: Row) -> tuple:
    return row.once("survey", lambda: row.rng.choice(
        [("DLG", "数字线划图", "1:10000", "G"), ("DEM", "数字高程模型", "1:10000", "G"),
         ("DOM", "数字正射影像图", "1:10000", "G"), ("DLG", "数字线划图", "1:50000", "E"),
         ("DOM", "数字正射影像图", "1:2000", "I")]))


@column("成果名称")
def _survey_name(row: Row) -> str:
    kind = _survey(row)
    return f"{row.city['name']}{row.county[0]}{kind[2]}{kind[1]}（{kind[0]}）"


fields(_survey, {0: "成果类型"})


@column("比例尺")
def _scale(row: Row) -> str:
    if row.table.has("标准地图"):
        return row.once("map_scale", lambda: "1:1800000" if _map(row)[0] == "辽宁省"
                        else row.rng.choice(["1:400000", "1:500000", "1:600000"]))
    return _survey(row)[2]


@column("图幅号")
def _sheet(row: Row) -> str:
    code = _survey(row)[3]
    lat, lon = row.city["lat"], row.city["lon"]
    band = "K" if lat >= 40 else "J"
    zone = int(lon // 6) + 31
    span = {"E": 12, "G": 48, "I": 192}[code]
    return f"{band}{zone}{code}{row.rng.randint(1, span):03d}{row.rng.randint(1, span):03d}"


@column("坐标系统")
def _crs(row: Row) -> str:
    return "2000国家大地坐标系" + ("，1985国家高程基准" if _survey(row)[0] == "DEM" else "")


@column("生产日期")
def _production_date(row: Row) -> dt.date:
    return row.between("produced", dt.date(2019, 1, 1), AS_OF - dt.timedelta(days=60))


def _map(row: Row) -> tuple:
    def make():
        region = "辽宁省" if row.rng.random() < 0.3 else row.city["name"]
        return region, row.rng.choice(["政区版", "地形版", "交通版"])
    return row.once("map", make)


@column("地图名称")
def _map_name(row: Row) -> str:
    region, kind = _map(row)
    return f"{region}地图（{kind}）"


fields(_map, {1: "地图类型"})


@column("审图号")
def _map_number(row: Row) -> str:
    return f"辽S（{_map_date(row).year}）{row.rng.randint(1, 60):03d}号"


@column("发布日期")
def _map_date(row: Row) -> dt.date:
    return row.between("map_date", dt.date(2021, 1, 1), AS_OF - dt.timedelta(days=15))


# -- service points
@column("网点名称")
def _service_point(row: Row) -> str:
    county, city = row.county[0], row.city["name"]
    station = row.rng.choice(PLACE_WORDS)[0] + "派出所户籍室"
    if county.endswith("区"):
        return f"{city}公安局{county_short(county)}分局{station}"
    return f"{county}公安局{station}"


@column("登记机关名称")
def _marriage_office(row: Row) -> str:
    county = row.county[0]
    if _city_level_office(row):
        return row.city["name"] + "民政局婚姻登记处"
    place = county if county.endswith(("县", "市")) else row.city["name"] + county
    return place + "民政局婚姻登记处"


def _city_level_office(row: Row) -> bool:
    return row.once("city_level", lambda: row.rng.random() < 0.25)


@column("是否办理涉外婚姻登记")
def _foreign_marriages(row: Row) -> bool:
    return _city_level_office(row)
