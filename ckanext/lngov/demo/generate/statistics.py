"""Column rules of the statistics tables: one row per city or category (the row's dimension
members) and period, each figure a level that belongs to its members and moves with the period
(population, land, electricity, vehicles, subsistence allowances, roads, universities, GDP,
investment, prices, CPI, graduates, energy, holidays, jobs, diseases, air and water quality)."""
from __future__ import annotations

import math
from decimal import Decimal

from .data import (AIR_FACTOR, AQI_LEVELS, AREA, CITY, FARMLAND, GDP, IAQI_BREAKS,
                   INDUSTRIAL_POWER, POLLUTANT_NAMES, POPULATION, PRIMARY_SHARE,
                   QUARTER_SHARE, SECONDARY_SHARE, STUDENTS, UNIVERSITIES, URBAN_RATE,
                   WATER_CLASSES, WATER_LIMITS)
from .rows import Row, city_share, dec
from .rules import column, fields


# -- statistics (one row per city or category and period)
def _pop(row: Row) -> float:
    city = row.city["name"]
    trend = 0.002 if city in ("沈阳市", "大连市") else -0.006
    return row.level("pop", POPULATION[city], trend, 0.003)


column("常住人口（万人）")(lambda row: dec(_pop(row), 2))
column("城镇人口（万人）")(lambda row: dec(_pop(row) * _urban_rate(row) / 100, 2))


@column("城镇化率（%）")
def _urban_rate_col(row: Row) -> Decimal:
    return dec(_urban_rate(row), 2)


def _urban_rate(row: Row) -> float:
    return row.once("urban_rate", lambda: row.level(
        "urban", URBAN_RATE[row.city["name"]] * 100, 0.004, 0.002))


def _births(row: Row) -> float:
    return row.once("births", lambda: round(row.rng.uniform(4.2, 5.8), 2))


def _deaths(row: Row) -> float:
    return row.once("deaths", lambda: round(row.rng.uniform(8.8, 11.2), 2))


column("出生率（‰）")(lambda row: dec(_births(row), 2))
column("死亡率（‰）")(lambda row: dec(_deaths(row), 2))
column("自然增长率（‰）")(lambda row: dec(_births(row) - _deaths(row), 2))


def _power(row: Row) -> float:
    city = row.city["name"]
    weights = {c: GDP[c] * INDUSTRIAL_POWER[c] for c in CITY}
    month = int(str(row.period.value)[5:7])
    season = 1.08 if month in (1, 7, 8, 12) else 1.0
    return row.once("power", lambda: row.level(
        "power", 224 * city_share(weights, city) * season, 0.0, 0.02))


column("全社会用电量（亿千瓦时）")(lambda row: dec(_power(row), 2))
column("工业用电量（亿千瓦时）")(lambda row: dec(
    _power(row) * row.once("ind", lambda: row.rng.uniform(0.56, 0.7)), 2))
column("城乡居民生活用电量（亿千瓦时）")(lambda row: dec(
    _power(row) * row.once("res", lambda: row.rng.uniform(0.1, 0.14)), 2))


@column("同比增长（%）")
def _growth(row: Row) -> Decimal:
    if "节假日" in row.dims:
        return dec(_holiday_growth(row) * 100, 1)
    if row.table.has("生产总值"):
        return dec(row.rng.uniform(3.2, 6.4), 1)
    return dec(row.rng.uniform(-2.5, 8.5), 1)


def _vehicles(row: Row) -> float:
    return row.level("vehicles", 1130 * city_share(POPULATION, row.city["name"]), 0.035, 0.01)


column("机动车保有量（万辆）")(lambda row: dec(_vehicles(row), 2))
column("汽车保有量（万辆）")(lambda row: dec(
    _vehicles(row) * row.once("cars", lambda: row.rng.uniform(0.86, 0.92)), 2))
column("新能源汽车保有量（辆）")(lambda row: int(
    _vehicles(row) * 10000 * 0.9 * row.level("nev", 0.042, 0.25, 0.05)))


def _urban_recipients(row: Row) -> int:
    old_industry = 1.5 if row.city["name"] in ("抚顺市", "阜新市", "本溪市", "铁岭市") else 1.0
    return row.once("urban_r", lambda: int(row.level(
        "urban_r", 330_000 * city_share(POPULATION, row.city["name"]) * old_industry, -0.01,
        0.005)))


def _rural_recipients(row: Row) -> int:
    return row.once("rural_r", lambda: int(row.level(
        "rural_r", 620_000 * city_share(FARMLAND, row.city["name"]), -0.008, 0.005)))


def _urban_standard(row: Row) -> float:
    base = {"沈阳市": 968, "大连市": 1010}.get(row.city["name"], 800)
    return row.once("urban_std", lambda: round(row.table.once(
        ("std_u", row.city["name"]), lambda: base * row.rng.uniform(0.93, 1.07))))


def _rural_standard(row: Row) -> float:
    base = {"沈阳市": 8880, "大连市": 9400}.get(row.city["name"], 7200)
    return row.once("rural_std", lambda: round(row.table.once(
        ("std_r", row.city["name"]), lambda: base * row.rng.uniform(0.93, 1.07))))


column("城市低保对象（人）")(_urban_recipients)
column("农村低保对象（人）")(_rural_recipients)
column("城市低保平均标准（元/人·月）")(lambda row: dec(_urban_standard(row), 2))
column("农村低保平均标准（元/人·年）")(lambda row: dec(_rural_standard(row), 2))
column("当月支出资金（万元）")(lambda row: dec(
    (_urban_recipients(row) * _urban_standard(row) * 0.62
     + _rural_recipients(row) * _rural_standard(row) / 12 * 0.55) / 10000, 2))


def _road_total(row: Row) -> float:
    return row.once("road_total", lambda: row.level(
        "roads", 131_000 * city_share(AREA, row.city["name"]), 0.006, 0.01))


def _road_share(row: Row, kind: str, low: float, high: float) -> float:
    """The share of expressways or highways in a city's network: the city's, whatever the year."""
    return row.table.once((kind, row.city["name"]), lambda: row.rng.uniform(low, high))


column("公路总里程（公里）")(lambda row: dec(_road_total(row), 1))
column("高速公路（公里）")(lambda row: dec(
    _road_total(row) * _road_share(row, "hw", 0.025, 0.045), 1))
column("普通国省道（公里）")(lambda row: dec(
    _road_total(row) * _road_share(row, "nh", 0.12, 0.18), 1))
column("农村公路（公里）")(lambda row: dec(
    _road_total(row) * (1 - _road_share(row, "hw", 0.025, 0.045)
                        - _road_share(row, "nh", 0.12, 0.18) - 0.01), 1))
column("普通高校数（所）")(lambda row: UNIVERSITIES[row.city["name"]] + (
    1 if row.period.index and row.city["name"] == "沈阳市" else 0))
column("在校生数（万人）")(lambda row: dec(_students(row), 2))
column("专任教师数（人）")(lambda row: int(
    _students(row) * 10000 / row.once("ratio", lambda: row.rng.uniform(17.5, 19.5))))


def _students(row: Row) -> float:
    return row.once("students", lambda: row.level(
        "students", STUDENTS[row.city["name"]], 0.02, 0.01))


def _gdp(row: Row) -> float:
    quarter = int(str(row.period.value)[-1])
    annual = GDP[row.city["name"]] * 1.12
    return row.once("gdp", lambda: annual * QUARTER_SHARE[quarter] * row.table.once(
        ("gdp_noise", row.city["name"]), lambda: row.rng.uniform(0.97, 1.03)))


def _primary(row: Row) -> float:
    quarter = int(str(row.period.value)[-1])
    seasonal = {1: 0.35, 2: 0.6, 3: 0.9, 4: 1.0}[quarter]
    return _gdp(row) * PRIMARY_SHARE[row.city["name"]] * seasonal


def _secondary(row: Row) -> float:
    return _gdp(row) * SECONDARY_SHARE[row.city["name"]]


column("地区生产总值（亿元）")(lambda row: dec(_primary(row), 2) + dec(_secondary(row), 2)
                          + dec(_gdp(row) - _primary(row) - _secondary(row), 2))
column("第一产业增加值（亿元）")(lambda row: dec(_primary(row), 2))
column("第二产业增加值（亿元）")(lambda row: dec(_secondary(row), 2))
column("第三产业增加值（亿元）")(lambda row: dec(_gdp(row) - _primary(row) - _secondary(row), 2))


def _price(row: Row) -> float:
    return row.once("price", lambda: row.level("price", row.dims["商品名称"]["price"], 0.0, 0.04))


@column("平均零售价格（元）")
def _price_col(row: Row) -> Decimal:
    return dec(_price(row), 2)


@column("环比（%）")
def _price_change(row: Row) -> Decimal:
    member = row.dims["商品名称"]["name"]
    previous = row.table.memory.get(("price_prev", member))
    row.table.memory[("price_prev", member)] = _price(row)
    if previous is None:
        return dec(row.rng.uniform(-2.0, 2.0), 2)
    return dec((_price(row) / previous - 1) * 100, 2)


def _fuel_adjustment(row: Row) -> int:
    def make():
        return row.rng.choice([-1, 1]) * row.rng.choice(
            [45, 70, 95, 110, 125, 150, 175, 200, 235, 265])
    return row.table.once(("fuel_adj", row.period.index), make)


@column("调整幅度（元/吨）")
def _fuel_adjustment_col(row: Row) -> int:
    adj = _fuel_adjustment(row)
    return adj if "汽油" in row.dims["油品"]["name"] else adj - 5 * (1 if adj > 0 else -1)


@column("最高零售价格（元/升）")
def _fuel_price(row: Row) -> Decimal:
    fuel = row.dims["油品"]
    key = ("fuel_price", fuel["name"])
    price = row.table.memory.get(key, fuel["price"])
    if row.period.index:  # the first period is the starting price
        price += _fuel_adjustment_col(row) / fuel["litres"]
    row.table.memory[key] = price
    return dec(price, 2)


def _holiday_growth(row: Row) -> float:
    return row.once("holiday_g", lambda: row.table.once(
        ("holiday_g", row.dims["节假日"]["name"], row.period.index),
        lambda: row.rng.uniform(0.03, 0.16)))


def _holiday_visitors(row: Row) -> float:
    holiday = row.dims["节假日"]
    key = ("holiday_v", holiday["name"], row.period.index)
    def make():
        previous = row.table.memory.get(("holiday_v", holiday["name"], row.period.index - 1),
                                        holiday["visitors"] * row.rng.uniform(0.95, 1.05))
        return previous * (1 + _holiday_growth(row))
    return row.table.once(key, make)


column("接待游客（万人次）")(lambda row: dec(_holiday_visitors(row), 2))
column("旅游收入（亿元）")(lambda row: dec(
    _holiday_visitors(row) * row.dims["节假日"]["revenue"] / row.dims["节假日"]["visitors"]
    * row.rng.uniform(0.96, 1.04), 2))


def _demand(row: Row) -> int:
    return row.once("demand", lambda: int(row.level(
        "demand", row.dims["职业名称"]["demand"], 0.0, 0.08)))


def _seekers(row: Row) -> int:
    return row.once("seekers", lambda: int(row.level(
        "seekers", row.dims["职业名称"]["seekers"], 0.0, 0.08)))


column("需求人数")(_demand)
column("求职人数")(_seekers)
column("求人倍率")(lambda row: dec(_demand(row) / _seekers(row), 2))


def _cases(row: Row) -> int:
    low, high = row.dims["病种名称"]["cases"]
    return row.once("cases", lambda: row.rng.randint(low, high))


column("发病数")(_cases)
column("死亡数")(lambda row: row.rng.randint(*row.dims["病种名称"]["deaths"]))
column("发病率（1/10万）")(lambda row: dec(_cases(row) / 418.2, 4))


def iaqi(pollutant: str, value: float) -> float:
    points = IAQI_BREAKS[pollutant]
    for (c0, i0), (c1, i1) in zip(points, points[1:]):
        if value <= c1:
            return (i1 - i0) / (c1 - c0) * (value - c0) + i0
    return 500.0


def _air(row: Row) -> dict:
    def make():
        rng, factor = row.rng, AIR_FACTOR[row.city["name"]]
        episode = row.table.once(("air_episode", row.period.index), lambda: rng.uniform(0.8, 1.6))
        pm25 = max(8, int(rng.uniform(22, 58) * factor * episode))
        values = {"PM2.5": pm25, "PM10": int(pm25 * rng.uniform(1.4, 1.9)),
                  "SO2": rng.randint(7, 26),
                  "NO2": rng.randint(18, 52), "CO": round(rng.uniform(0.5, 1.5) * episode, 1),
                  "O3": rng.randint(38, 92)}
        scores = {k: iaqi(k, v) for k, v in values.items()}
        aqi = math.ceil(max(scores.values()))
        primary = max(scores, key=scores.get) if aqi > 50 else "—"
        level = next(name for limit, name in AQI_LEVELS if aqi <= limit)
        return dict(values, AQI=aqi, primary=POLLUTANT_NAMES.get(primary, primary), level=level)
    return row.once("air", make)


fields(_air, {
    "AQI": "空气质量指数（AQI）",
    "level": "空气质量级别",
    "primary": "首要污染物",
    "PM2.5": "PM2.5（微克/立方米）",
    "PM10": "PM10（微克/立方米）",
    "SO2": "二氧化硫（微克/立方米）",
    "NO2": "二氧化氮（微克/立方米）",
    "CO": "一氧化碳（毫克/立方米）",
    "O3": "臭氧（微克/立方米）"})


def _water(row: Row) -> dict:
    def make():
        rng, section = row.rng, row.dims["断面名称"]
        target = section["target"]
        klass = max(0, min(5, target + rng.choices([-1, 0, 1], [30, 60, 10])[0]))
        worst = rng.randrange(3)
        values = []
        for i in range(3):
            high = WATER_LIMITS[klass][i]
            low = WATER_LIMITS[klass - 1][i] if klass else 0
            if i == worst and klass and low < high:
                values.append(rng.uniform(low, high))
            else:
                values.append(rng.uniform(high * 0.35, high * 0.95))
        # the class is the worst indicator's
        klass = max(next(k for k, limits in enumerate(WATER_LIMITS) if v <= limits[i])
                    for i, v in enumerate(values))
        return dict(cod=round(values[0], 1), nh3=round(values[1], 3), tp=round(values[2], 3),
                    klass=klass, ok=klass <= target)
    return row.once("water", make)


column("水质类别")(lambda row: WATER_CLASSES[_water(row)["klass"]])
fields(_water, {
    "cod": "化学需氧量（毫克/升）",
    "nh3": "氨氮（毫克/升）",
    "tp": "总磷（毫克/升）",
    "ok": "是否达到水质目标"})
