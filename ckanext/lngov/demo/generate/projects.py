"""Column rules of construction, land and investment projects (tenders, land grants, building
permits, pre-sales, key projects, approvals, environmental impact) and renewable energy."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import AS_OF, LAND_USES, PLACE_WORDS, TOWNS
from .entities import project, project_owner, tender_work, zihao
from .registers import event_date
from .rows import Row, county_short, dec
from .rules import column, fields, value


# -- construction, land, projects
@column("项目编号")
def _tender_number(row: Row) -> str:
    return row.once("tender_no", lambda: f"E{row.county[1]}{AS_OF.year}"
                                         f"{row.rng.randint(1, 999999):06d}001")


@column("项目名称")
def _project_name(row: Row) -> str:
    t, rng = row.table, row.rng
    if t.has("招标", "中标"):
        work = tender_work(row)[0]
        prefix = "" if work.startswith(("人民医院", "全民健身")) else rng.choice(PLACE_WORDS)[0]
        return row.once("tender_project", lambda: f"{row.place}{prefix}{work}")
    if t.has("预售"):
        def estate() -> str:
            name = zihao(row) + rng.choice(
                ["府", "苑", "华庭", "花园", "公馆", "湾", "学府", "悦府", "名邸"])
            return f"{name}（{rng.choice('一二三四五')}期）"
        return row.once("estate", estate)
    if t.has("新能源"):
        energy = value(row, "能源类型")
        mw = int(capacity(row) * 10)
        label = {"风电": "风电项目", "光伏": "集中式光伏发电项目",
                 "生物质": "生物质热电联产项目"}[energy]
        return f"{county_short(row.county[0])}{rng.choice(TOWNS)}{mw}兆瓦{label}"
    if t.has("施工许可"):
        return row.once("building", lambda: rng.choice([
            f"{zihao(row)}{rng.choice(['府', '苑', '花园'])}{rng.randint(1, 9)}#—"
            f"{rng.randint(10, 18)}#楼及地下车库",
            f"{row.city['name']}{row.county[0]}第{rng.choice('一二三四五六七八九')}中学综合楼新建工程",
            f"{county_short(row.county[0])}{zihao(row)}产业园标准厂房项目",
            f"{row.city['name']}{zihao(row)}商业综合体项目"]))
    return project(row)["name"]


fields(project, {"sector": "行业领域", "content": "建设规模及内容"})


@column("开工年份")
def _start_year(row: Row) -> str:
    if value(row, "建设性质") == "新建":
        return str(AS_OF.year)
    return str(AS_OF.year - row.rng.randint(1, 3))


@column("总投资（亿元）")
def _investment_bn(row: Row) -> Decimal:
    return row.once("invest_bn", lambda: dec(row.rng.uniform(*project(row)["invest"]), 2))


@column("年度计划投资（亿元）")
def _investment_year(row: Row) -> Decimal:
    return dec(float(_investment_bn(row)) * row.rng.uniform(0.12, 0.4), 2)


@column("项目代码")
def _project_code(row: Row) -> str:
    year, county = event_date(row).year, row.county[1]
    industry = row.rng.choice(["34", "35", "44", "48", "77", "26"])
    procedure = {"审批": "01", "核准": "02"}.get(_procedure(row), "03")
    return f"{year}-{county}-{industry}-{procedure}-{row.rng.randint(1, 999999):06d}"


@column("审批类型")
def _procedure(row: Row) -> str:
    def make():
        if project_owner(row).code.startswith("11"):   # government investment
            return "审批"
        return row.rng.choices(["备案", "核准"], [85, 15])[0]
    return row.once("procedure", make)


@column("总投资（万元）")
def _investment(row: Row) -> Decimal:
    low, high = project(row)["invest"]
    return dec(row.rng.uniform(low, high) * 10000 * row.rng.uniform(0.3, 0.8), 2)


@column("审批部门")
def _approval_authority(row: Row) -> str:
    t, city, county = row.table, row.city["name"], row.county[0]
    place = county if county.endswith(("县", "市")) else city + county
    if t.has("环境影响"):
        if value(row, "环评文件类型") == "报告书" and row.rng.random() < 0.4:
            return "辽宁省生态环境厅"
        return city + "生态环境局"
    procedure = _procedure(row)
    if procedure == "备案":
        return place + "发展和改革局"
    return row.rng.choice([city + "发展和改革委员会", "辽宁省发展和改革委员会"])


@column("审批文号")
def _eia_number(row: Row) -> str:
    authority = _approval_authority(row)
    abbr = "辽" if authority.startswith("辽宁省") else row.city["abbr"]
    return f"{abbr}环审〔{event_date(row).year}〕{row.rng.randint(1, 240)}号"


@column("投标截止时间")
def _bid_deadline(row: Row) -> dt.datetime:
    day = event_date(row) + dt.timedelta(days=row.rng.choice([20, 21, 25, 30]))
    return dt.datetime.combine(day, dt.time(9, 30))


@column("公示结束日期")
def _publicity_end(row: Row) -> dt.date:
    return event_date(row) + dt.timedelta(days=3)


@column("宗地编号")
def _parcel(row: Row) -> str:
    return f"{row.county[1]}-{event_date(row).year}-{row.rng.randint(1, 160):03d}"


def _land_use(row: Row) -> tuple:
    return row.once("land_use", lambda: row.rng.choices(LAND_USES, [40, 15, 30, 10, 5])[0])


fields(_land_use, {0: "土地用途", 1: "出让年限（年）"})


@column("成交价款（万元）")
def _land_price(row: Row) -> Decimal:
    use, big = _land_use(row)[0], row.city["name"] in ("沈阳市", "大连市")
    unit = {"住宅用地": (2500, 7000) if big else (700, 2200),
            "商务金融用地": (1500, 4000) if big else (500, 1500),
            "零售商业用地": (1500, 4000) if big else (500, 1500)}.get(use, (180, 420))
    return dec(float(value(row, "出让面积（平方米）")) * row.rng.uniform(*unit) / 10000, 2)


@column("施工许可证编号")
def _permit_number(row: Row) -> str:
    return f"{row.county[1]}{event_date(row):%Y%m%d}{row.rng.randint(1, 99):02d}01"


@column("建筑面积（平方米）")
def _floor_area(row: Row) -> Decimal:
    return dec(float(value(row, "合同价格（万元）")) * 10000 / row.rng.uniform(2200, 3600), 2)


@column("预售许可证号")
def _presale_number(row: Row) -> str:
    return f"{row.city['abbr']}房预售证第{event_date(row).year}{row.rng.randint(1, 999):04d}号"


@column("预售楼栋")
def _presale_buildings(row: Row) -> str:
    numbers = sorted(row.rng.sample(range(1, 19), row.rng.randint(1, 4)))
    return "、".join(f"{n}#" for n in numbers) + "楼"


@column("预售面积（平方米）")
def _presale_area(row: Row) -> Decimal:
    return dec(value(row, "预售套数") * row.rng.uniform(88, 132), 2)


# -- renewable energy
def capacity(row: Row) -> float:
    """装机容量 (a float, for the project's name; a Decimal in the file)."""
    low, high = {"风电": (5, 50), "光伏": (2, 30), "生物质": (1.5, 4)}[value(row, "能源类型")]
    return row.once("capacity", lambda: float(dec(row.rng.uniform(low, high), 1)))


column("装机容量（万千瓦）")(lambda row: dec(capacity(row), 1))


@column("核准（备案）文号")
def _energy_reference(row: Row) -> str:
    year = event_date(row).year
    if value(row, "能源类型") == "风电":
        return f"{row.city['abbr']}发改能源〔{year}〕{row.rng.randint(1, 180)}号"
    return f"{row.city['abbr']}发改备〔{year}〕{row.rng.randint(1, 600)}号"


@column("计划投产年份")
def _commissioning(row: Row) -> str:
    return str(event_date(row).year + row.rng.choice([1, 1, 2]))

