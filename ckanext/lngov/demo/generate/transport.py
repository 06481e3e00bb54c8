"""Column rules of transport (dangerous goods vehicles, bus routes, expressway events) and
tourism (scenic areas, hotels, travel agencies)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import AS_OF, CITIES, PLACE_WORDS, SCENIC_FEATURES
from .registers import business_scope
from .entities import zihao
from .rows import Row, county_short, dec, expressway, haversine
from .rules import column, fields, value


# -- transport
@column("车牌号码")
def _plate(row: Row) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = "".join(row.rng.choice("0123456789") for _ in range(4))
    return f"辽{row.city['plate']}{row.rng.choice(chars)}{tail}"


@column("核定载质量（吨）")
def _load(row: Row) -> Decimal:
    low, high = {"重型罐式货车": (14, 20), "重型罐式半挂车": (25, 33), "重型厢式货车": (10, 18),
                 "中型罐式货车": (5, 8)}[value(row, "车辆类型")]
    return dec(row.rng.uniform(low, high), 1)


def _route(row: Row) -> tuple[dict, dict, str, str]:
    def make():
        rng = row.rng
        a = row.city
        if rng.random() < 0.6:
            b = rng.choice([c for c in CITIES if c is not a])
            return a, b, a["short"], b["short"]
        counties = [k for k in a["counties"] if k[0].endswith(("县", "市"))]
        county = rng.choice(counties or a["counties"])
        return a, a, a["short"], county_short(county[0])
    return row.once("route", make)


@column("班线名称")
def _route_name(row: Row) -> str:
    a, b, an, bn = _route(row)
    return f"{an}—{bn}"


@column("起点客运站")
def _from_station(row: Row) -> str:
    return row.once("from_station", lambda: _route(row)[2] + row.rng.choice(
        ["长途客运站", "客运总站", "汽车客运站"]))


@column("终点客运站")
def _to_station(row: Row) -> str:
    return row.once("to_station", lambda: _route(row)[3] + row.rng.choice(
        ["长途客运站", "客运站", "汽车客运站"]))


@column("运营里程（公里）")
def _route_distance(row: Row) -> Decimal:
    a, b, _, _ = _route(row)
    if a is b:
        return dec(row.rng.uniform(35, 120), 1)
    km = haversine(a["lat"], a["lon"], b["lat"], b["lon"]) * row.rng.uniform(1.2, 1.35)
    return dec(km, 1)


@column("班线类别")
def _route_class(row: Row) -> str:
    a, b, _, _ = _route(row)
    return "二类" if a is not b else "三类"


fields(expressway, {0: "高速公路名称"})


@column("行驶方向")
def _direction(row: Row) -> str:
    e = expressway(row)
    return row.once("direction", lambda: row.rng.choice([f"{e[2]}方向", f"{e[3]}方向", "双向"]))


@column("事件描述")
def _event_text(row: Row) -> str:
    kind, road, city = value(row, "事件类型"), expressway(row)[0], row.city["short"]
    where = f"{road}{_direction(row)}{value(row, '桩号')}处"
    return {"施工养护": f"{where}路面养护施工，占用超车道，请减速慢行、注意避让",
            "交通事故": f"{where}发生两车追尾事故，占用行车道，现场正在处置",
            "交通管制": f"因降雪路面湿滑，{road}{city}段部分收费站入口临时封闭，小型客车可通行",
            "恶劣天气": f"{road}{city}段出现团雾，能见度不足200米，已实施限速每小时40公里"}[kind]


@column("事件编号")
def _event_number(row: Row) -> str:
    return f"LNGS{_event_start(row):%Y%m%d}{row.table.next_seq():04d}"


@column("开始时间")
def _event_start(row: Row) -> dt.datetime:
    def make():
        minutes = row.rng.randint(0, 2 * 24 * 60)
        return dt.datetime.combine(AS_OF, dt.time(8, 0)) - dt.timedelta(minutes=minutes)
    return row.once("start", make)


@column("预计结束时间")
def _event_end(row: Row) -> dt.datetime:
    hours = {"施工养护": (24, 240), "交通事故": (1, 4), "交通管制": (4, 24),
             "恶劣天气": (3, 12)}[value(row, "事件类型")]
    return _event_start(row) + dt.timedelta(hours=row.rng.randint(*hours))


# -- tourism
@column("景区名称")
def _scenic(row: Row) -> str:
    county, word = county_short(row.county[0]), row.rng.choice(PLACE_WORDS)[0]
    return f"{county}{word}{row.rng.choice(SCENIC_FEATURES)}"


@column("饭店名称")
def _hotel(row: Row) -> str:
    z = zihao(row)
    return row.rng.choice([f"{row.city['short']}{z}大酒店", f"{row.city['short']}{z}国际饭店",
                           f"{z}宾馆", f"{row.city['short']}{z}温泉度假酒店"])


@column("客房数（间）")
def _rooms(row: Row) -> int:
    low, high = {"五星级": (260, 520), "四星级": (150, 320), "三星级": (80, 200),
                 "二星级": (40, 100), "一星级": (20, 50)}[value(row, "星级")]
    return row.rng.randint(low, high)


@column("质量保证金（万元）")
def _deposit(row: Row) -> Decimal:
    return dec(140 if "出境" in business_scope(row) else 20, 2)
