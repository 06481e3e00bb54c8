"""Column rules of the registers' places, organizations and people: addresses, credit codes,
market entities, social organizations, licences and permits, credit (双公示, 失信, 经营异常)
and physicians. A row's fields belong together (its 统一社会信用代码, 所在市, 所在区县, 地址 and
登记机关 are of one organization)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .data import (ABNORMAL_REASONS, AS_OF, CITIES, DISHONESTY, DOUBLE_PUBLICITY, INDUSTRIES,
                   MINERALS, PRACTICE, TOWNS, TRANSPORT_SCOPES)
from .entities import food_failure, make_hospital, project_owner, zihao
from .rows import Row, county_short, dec
from .rules import column, fields, value


# -- places
@column("所在市", "执业地点", "项目所在市")
def _city(row: Row) -> str:
    return row.city["name"]


@column("所在区县")
def _county(row: Row) -> str:
    if "所在市" in row.table.names:
        return row.county[0]
    return row.city["name"] + row.county[0]


@column("项目所在地", "覆盖范围")
def _city_county(row: Row) -> str:
    return row.city["name"] + row.county[0]


@column("地址", "住所", "经营场所", "生产经营场所地址", "生产地址", "建设地址")
def _address(row: Row) -> str:
    if row.table.has("景区"):
        return row.once("address", lambda: f"辽宁省{row.city['name']}{row.county[0]}"
                                           f"{row.rng.choice(TOWNS)}镇{row.rng.choice(TOWNS)}村")
    return row.address()


@column("建设地点")
def _site(row: Row) -> str:
    return row.once("site", lambda: row.city["name"] + row.county[0] + row.rng.choice(
        ["经济开发区", "工业园区", f"{row.road()}以北、{row.road('road2')}以东"]))


@column("土地坐落")
def _parcel_location(row: Row) -> str:
    return (f"{row.place}{row.road()}以{row.rng.choice('南北')}、"
            f"{row.road('road2')}以{row.rng.choice('东西')}")


@column("经度")
def _lon(row: Row) -> float:
    return row.point()[0]


@column("纬度")
def _lat(row: Row) -> float:
    return row.point()[1]


# -- organizations and people
@column("统一社会信用代码")
def _credit(row: Row) -> str:
    if row.table.has("重点建设", "投资项目", "环境影响"):
        return project_owner(row).code
    return row.company().code


@column("企业名称", "名称", "主体名称", "行政相对人名称", "业户名称", "单位名称", "生产者名称",
        "旅行社名称", "被抽样单位名称", "机构名称", "社会组织名称", "矿业权人", "项目单位",
        "建设单位", "开发企业", "招标人", "受让人", "经营者")
def _main_name(row: Row) -> str:
    if row.table.has("重点建设", "投资项目", "环境影响"):
        return project_owner(row).name
    return row.company().name


@column("招标代理机构")
def _agency(row: Row) -> str:
    return row.company("agency").name


@column("中标人", "施工单位")
def _contractor(row: Row) -> str:
    return row.company("contractor").name


@column("标称生产企业")
def _stated_producer(row: Row) -> str:
    word = food_failure(row)[3]
    if not word:
        return "/"   # farm produce: no stated producer
    def make():
        other = row.rng.choice(CITIES)
        return f"{other['short']}{zihao(row)}{word}有限公司"
    return row.once("stated_producer", make)


@column("法定代表人", "医师姓名")
def _person(row: Row) -> str:
    return row.person()


# -- market entities
@column("市场主体类型", "类型")
def _entity_type(row: Row) -> str:
    """The type of a company: what its name (有限公司 or 股份有限公司) says."""
    if row.company().name.endswith("股份有限公司"):
        return "股份有限公司（非上市、自然人投资或控股）"
    return row.once("entity_type", lambda: row.rng.choices(
        ["有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
         "有限责任公司（自然人投资或控股的法人独资）", "有限责任公司（国有独资）"],
        [60, 28, 10, 2])[0])


@column("成立日期")
def _established(row: Row) -> dt.date:
    if row.table.has("电子证照"):
        return row.between("established", dt.date(2000, 1, 1), AS_OF - dt.timedelta(days=30))
    return row.recent("established", 90)


@column("核发日期")
def _issued_licence(row: Row) -> dt.date:
    start = max(_established(row), AS_OF - dt.timedelta(days=200))
    return row.between("issued", start, AS_OF)


@column("登记机关", "作出决定机关")
def _registration_authority(row: Row) -> str:
    county = row.county[0]
    place = county if county.endswith(("县", "市")) else row.city["name"] + county
    return place + "市场监督管理局"


@column("经营范围")
def business_scope(row: Row) -> str:
    t = row.table
    if t.has("旅行社"):
        return row.once("travel_scope", lambda: row.rng.choices(
            ["国内旅游和入境旅游业务", "国内旅游、入境旅游和出境旅游业务"], [80, 20])[0])
    if t.has("道路运输"):
        return row.once("transport", lambda: row.rng.choice(TRANSPORT_SCOPES))[0]
    industry = row.once("industry_generic", lambda: row.rng.choice(INDUSTRIES))
    return (f"一般项目：{industry[1]}。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）")


@column("证照编号")
def _licence_id(row: Row) -> str:
    return f"{row.county[1]}{_issued_licence(row):%Y%m%d}{row.table.next_seq():06d}"


# -- social organizations
@column("社会组织类型")
def _soc_type(row: Row) -> str:
    return row.made_with("soc_type")


@column("业务主管单位")
def _supervisor(row: Row) -> str:
    kind = _soc_type(row)
    if kind == "基金会":
        return row.rng.choice(["辽宁省民政厅", "辽宁省教育厅", "辽宁省卫生健康委员会"])
    name = row.company().name
    if "学校" in name or "幼儿园" in name:
        return row.city["name"] + "教育局"
    if "康复" in name or "中医药" in name:
        return row.city["name"] + "卫生健康委员会"
    if "体育" in name or "钓鱼" in name:
        return row.city["name"] + "体育局"
    if "书法" in name or "摄影" in name:
        return row.city["name"] + "文学艺术界联合会"
    return row.city["name"] + row.rng.choice(["工商业联合会", "民政局", "科学技术协会"])


@column("注册资金（万元）")
def _funds(row: Row) -> Decimal:
    kind = _soc_type(row)
    if kind == "基金会":
        return dec(row.rng.choice([200, 400, 800]), 2)
    return dec(row.rng.choice([3, 5, 10, 10, 20, 30, 50]), 2)


@column("成立登记日期")
def _soc_registered(row: Row) -> dt.date:
    return row.between("registered", dt.date(2005, 1, 1), AS_OF)


@column("登记管理机关")
def _soc_authority(row: Row) -> str:
    if _soc_type(row) == "基金会":
        return "辽宁省民政厅"
    name = row.company().name
    if name.startswith(row.place) or name.startswith(row.county[0]):
        return row.place + "民政局"   # a county-level organization
    return row.city["name"] + "民政局"


# -- licences, permits and certificates
@column("许可证号")
def _licence_number(row: Row) -> str:
    t, rng = row.table, row.rng
    if t.has("矿业权"):
        kind = value(row, "矿业权类型")
        start = _valid_from(row)
        letter = "C" if kind == "采矿权" else "T"
        return (f"{letter}21{row.city['code'][2:4]}00{start.year}{start.month:02d}"
                f"{rng.randint(1, 9999999):07d}")
    if t.has("旅行社"):
        outbound = "出境" in business_scope(row)
        return f"L-LN-{'CJ' if outbound else ''}{rng.randint(10000, 99999):05d}"
    return f"辽交运管许可{row.city['abbr']}字{row.county[1]}{rng.randint(100000, 999999)}号"


@column("开采矿种")
def _mineral(row: Row) -> str:
    return row.once("mineral", lambda: row.rng.choice(MINERALS[row.city["name"]]))


@column("矿山（项目）名称")
def _mine(row: Row) -> str:
    mineral = _mineral(row)
    place = row.rng.choice(TOWNS)
    if value(row, "矿业权类型") == "采矿权":
        holder = row.company().name
        holder = holder.replace("有限公司", "").replace("有限责任公司", "").replace("股份", "")
        return f"{holder}{place}{mineral}矿"
    return f"辽宁省{row.place}{place}{mineral}{row.rng.choice(['普查', '详查', '勘探'])}"


@column("矿区面积（平方千米）")
def _mine_area(row: Row) -> Decimal:
    if value(row, "矿业权类型") == "采矿权":
        return dec(row.rng.uniform(0.05, 6.0), 4)
    return dec(row.rng.uniform(3.0, 45.0), 4)


@column("有效期起")
def _valid_from(row: Row) -> dt.date:
    return row.recent("valid_from", 300)


@column("有效期止")
def _valid_until_mine(row: Row) -> dt.date:
    years = row.rng.choice([5, 10, 15, 20, 30]) if value(row, "矿业权类型") == "采矿权" else 5
    start = _valid_from(row)
    return start.replace(year=start.year + years) - dt.timedelta(days=1)


@column("发证日期", "许可日期", "备案日期", "评定日期", "注册日期", "办结日期", "审批日期",
        "合同签订日期", "核准（备案）日期", "公告发布日期", "公示开始日期", "列入日期", "决定日期",
        "抽样日期", "命名日期")
def event_date(row: Row) -> dt.date:
    t = row.table
    if t.has("名录", "名单", "目录", "标准地名") and not t.has("异常", "失信"):
        return row.between("date", dt.date(2012, 1, 1), AS_OF - dt.timedelta(days=10))
    if t.has("医师"):
        return row.between("date", dt.date(2008, 1, 1), AS_OF)
    if t.has("中标"):   # the publicity period (3 days) is over
        return row.between("date", AS_OF - dt.timedelta(days=150), AS_OF - dt.timedelta(days=3))
    return row.recent("date", 150)


@column("有效期至")
def _valid_until(row: Row) -> dt.date:
    t, issued = row.table, event_date(row)
    if t.has("失信"):
        years = 3
    elif t.has("医疗机构"):
        return row.between("until", AS_OF + dt.timedelta(days=30),
                           AS_OF + dt.timedelta(days=5 * 365))
    elif t.has("道路运输"):
        years = row.once("transport", lambda: row.rng.choice(TRANSPORT_SCOPES))[1]
    else:
        years = 5
    try:
        return issued.replace(year=issued.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return issued.replace(year=issued.year + years, day=28)


@column("发证机关")
def _issuing_authority(row: Row) -> str:
    t, city, county = row.table, row.city["name"], row.county[0]
    place = county if county.endswith(("县", "市")) else city + county
    if t.has("道路运输"):
        return (city if "危险" in business_scope(row) else place) + "交通运输局"
    if t.has("建筑业企业资质"):
        if "施工劳务" in value(row, "资质类别及等级"):
            return city + "住房和城乡建设局"
        return "辽宁省住房和城乡建设厅"
    if t.has("排污"):
        return f"{city}生态环境局"
    if t.has("施工许可"):
        return place + "住房和城乡建设局"
    if t.has("食品"):
        return place + "市场监督管理局"
    return place + "人民政府"


@column("证书编号")
def _certificate(row: Row) -> str:
    level = 2 if "施工劳务" not in value(row, "资质类别及等级") else 3
    return f"D{level}21{row.rng.randint(100000, 999999)}"


# -- credit
def _decision(row: Row) -> tuple:
    return row.once("decision", lambda: row.rng.choice(DOUBLE_PUBLICITY))


fields(_decision, {0: "决定类别", 1: "事项名称"})


@column("决定机关")
def _decision_authority(row: Row) -> str:
    county = row.county[0]
    place = county if county.endswith(("县", "市")) else row.city["name"] + county
    dept = _decision(row)[2]
    return (row.city["name"] + dept) if dept == "消防救援支队" else place + dept


@column("决定文书号")
def _decision_number(row: Row) -> str:
    kind, abbr = _decision(row)[0], row.city["abbr"] + county_short(row.county[0])[:1]
    year = event_date(row).year
    return f"{abbr}{'许' if kind == '行政许可' else '罚'}字〔{year}〕{row.rng.randint(1, 999)}号"


@column("决定内容")
def _decision_content(row: Row) -> str:
    return _decision(row)[3].format(
        n=row.rng.choice([5, 12, 30, 80]), m=row.rng.choice([800, 2600, 5400]),
        k=row.rng.choice([2000, 5000, 10000, 30000, 50000, 100000]))


def _dishonesty(row: Row) -> tuple:
    return row.once("dishonesty", lambda: row.rng.choice(DISHONESTY))


fields(_dishonesty, {0: "名单类型"})


@column("列入原因")
def _list_reason(row: Row) -> str:
    return _dishonesty(row)[2].format(n=row.rng.randint(1, 60),
                                      k=row.rng.choice([12.6, 35.8, 84.2, 260.5]))


@column("认定部门")
def _list_authority(row: Row) -> str:
    dept = _dishonesty(row)[1]
    if dept == "税务局":
        return "国家税务总局" + row.city["name"] + "税务局"
    return row.city["name"] + dept


@column("列入经营异常名录原因")
def _abnormal_reason(row: Row) -> str:
    return row.rng.choices(ABNORMAL_REASONS, [60, 30, 5, 5])[0]


# -- physicians
@column("执业类别")
def _practice_category(row: Row) -> str:
    return row.once("practice", lambda: row.rng.choices(list(PRACTICE), [70, 15, 10, 5])[0])


@column("执业范围")
def _practice_scope(row: Row) -> str:
    return row.rng.choice(PRACTICE[_practice_category(row)])


@column("执业证书编码")
def _practitioner_number(row: Row) -> str:
    digit = {"临床": "1", "中医": "2", "口腔": "3", "公共卫生": "4"}[_practice_category(row)]
    return f"1{digit}0{row.county[1]}{row.rng.randint(0, 999999):06d}"


@column("主要执业机构")
def _main_institution(row: Row) -> str:
    return row.once("institution", lambda: make_hospital(row)).name
