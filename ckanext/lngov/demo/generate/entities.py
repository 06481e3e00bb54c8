"""The organizations and projects of the registers' rows: a company, public body, hospital or
social organization of the kind the entry (its title) and the column's role call for, with a
valid credit code; a construction or investment project with its owner."""
from __future__ import annotations

from .codes import credit_code
from .data import (AS_OF, CITIES, FOOD_CATEGORIES, FOOD_FAILURES, HOSPITAL_KINDS, INDUSTRIES,
                   LAND_USES, MINERALS, PLACE_WORDS, POLLUTER_INDUSTRIES, PROJECT_COMPANIES,
                   PROJECT_OWNERS, PROJECT_WORDS, PROJECTS, TENDER_WORKS, TOWNS,
                   TRANSPORT_SCOPES, ZIHAO)
from .rows import Entity, Row, county_short
from .rules import value


def zihao(row: Row) -> str:
    return row.rng.choice(ZIHAO)


def tender_work(row: Row) -> tuple[str, str]:
    return row.once("tender_work", lambda: row.rng.choice(TENDER_WORKS))


def food_failure(row: Row) -> tuple:
    return row.once("failure", lambda: row.rng.choice(FOOD_FAILURES))


def make_entity(row: Row, role: str) -> Entity:
    """An organization of the kind the entry (its title) and the column role call for."""
    rng, t = row.rng, row.table
    city, (county, ccode) = row.city, row.county
    cs, ks = city["short"], county_short(county)
    z = zihao(row)

    def firm(word: str, form: str | None = None, place: str | None = None) -> Entity:
        form = form or rng.choice(["有限公司", "有限公司", "有限责任公司", "股份有限公司"])
        return Entity(f"{place or cs}{z}{word}{form}", credit_code(rng, "91", ccode))

    if role == "agency":
        return firm(rng.choice(["工程项目管理", "招标代理", "工程咨询"]), "有限公司",
                    rng.choice([cs, "辽宁"]))
    if role in ("contractor", "builder"):
        return firm(rng.choice(["建设工程", "建筑工程", "建设集团", "市政工程"]), "有限公司",
                    rng.choice([cs, "辽宁"]))
    if role == "food_producer":
        return firm(row.once("food", lambda: rng.choice(FOOD_CATEGORIES))[2], "有限公司")
    if role == "developer":
        return firm("房地产开发", "有限公司")
    if role == "public":   # a public body commissioning works
        kind = tender_work(row)[1] if t.has("招标", "中标") else row.once(
            "public_kind", lambda: rng.choice(
                ["住房和城乡建设局", "教育局", "卫生健康局", "城市建设投资集团有限公司"]))
        if kind.endswith("公司"):
            return Entity(f"{city['name']}{kind}", credit_code(rng, "91", city["code"]))
        return Entity(row.place + kind, credit_code(rng, "11", ccode))
    # main entity: by the entry's subject
    if t.has("社会组织"):
        kind = row.once("soc_type", lambda: rng.choices(
            ["社会团体", "社会服务机构", "基金会"], [55, 40, 5])[0])
        if kind == "社会团体":
            field = rng.choice(["企业家协会", "摄影家协会", "老年人体育协会", "物流与采购协会",
                                "餐饮行业协会", "书法家协会", "青年创业促进会", "中医药学会",
                                "钓鱼协会", "志愿者协会"])
            return Entity(f"{city['name']}{field}", credit_code(rng, "51", city["code"]))
        if kind == "基金会":
            return Entity(f"辽宁省{z}{rng.choice(['教育', '慈善', '助老', '文化发展'])}基金会",
                          credit_code(rng, "53", "210000"))
        name = rng.choice([f"{row.place}{z}幼儿园", f"{row.place}{z}职业培训学校",
                           f"{row.place}{z}社会工作服务中心", f"{cs}{z}康复中心"])
        region = ccode if name.startswith(row.place) else city["code"]
        return Entity(name, credit_code(rng, "52", region))
    if t.has("旅行社"):
        return firm(rng.choice(["国际旅行社", "旅行社"]), "有限公司")
    if t.has("食品生产"):
        return make_entity(row, "food_producer")
    if t.has("抽检"):
        name = rng.choice([f"{cs}{z}超市有限公司{ks}店",
                           f"{city['name']}{county}{row.person('keeper')[0]}记生鲜店",
                           f"{cs}{z}商贸有限公司",
                           f"{city['name']}{county}{z}农贸市场{rng.randint(1, 99)}号摊位"])
        prefix = "92" if "生鲜店" in name or "摊位" in name else "91"
        return Entity(name, credit_code(rng, prefix, ccode))
    if t.has("养老"):
        nature = row.once("nature", lambda: rng.choices(
            ["公办", "公建民营", "民办"], [30, 25, 45])[0])
        if nature == "公办":
            name = rng.choice([f"{county}社会福利中心", f"{county}{rng.choice(TOWNS)}镇敬老院"])
            return Entity(name, credit_code(rng, "12", ccode))
        name = rng.choice([f"{city['name']}{county}{z}养老院", f"{cs}{z}颐养中心",
                           f"{cs}{z}老年公寓"])
        return Entity(name, credit_code(rng, "52", ccode))
    if t.has("医疗机构"):
        return make_hospital(row)
    if t.has("评价组织"):
        if rng.random() < 0.6:
            return Entity(f"{cs}{z}职业培训学校", credit_code(rng, "52", ccode))
        return firm(rng.choice(["人力资源服务", "教育科技", "职业技能评价服务"]), "有限公司")
    if t.has("排污", "重点单位"):
        industry = row.once("industry", lambda: rng.choice(POLLUTER_INDUSTRIES))
        return firm(industry[1], rng.choice(["有限公司", "有限责任公司", "股份有限公司"]))
    if t.has("危险货物"):
        return firm(rng.choice(["危险货物运输", "化工物流", "石化运输"]), "有限公司")
    if t.has("道路运输"):
        return firm(row.once("transport", lambda: rng.choice(TRANSPORT_SCOPES))[2], "有限公司")
    if t.has("客运班线"):
        return firm(rng.choice(["客运", "交通运输集团", "汽车运输"]), "有限公司")
    if t.has("建筑业企业资质"):
        return make_entity(row, "builder")
    if t.has("预售"):
        return make_entity(row, "developer")
    if t.has("招标", "中标"):
        return make_entity(row, "public")
    if t.has("矿业权"):
        mineral = row.once("mineral", lambda: rng.choice(MINERALS[city["name"]]))
        return firm(rng.choice(["矿业", "矿产资源开发", "建材"]) if "铁" not in mineral else "矿业")
    if t.has("新能源"):
        energy = value(row, "能源类型")
        word = {"风电": "风力发电", "光伏": "光伏发电", "生物质": "生物质能源"}[energy]
        return firm(word, "有限公司", ks)
    if t.has("出让结果"):
        use = row.once("land_use", lambda: rng.choices(LAND_USES, [40, 15, 30, 10, 5])[0])
        if use[0] in ("住宅用地", "商务金融用地", "零售商业用地"):
            return make_entity(row, "developer")
        if use[0] == "仓储用地":
            return firm("物流")
        return firm(rng.choice(["机械制造", "电子", "新材料", "食品", "医疗器械"]))
    if t.has("施工许可"):
        if rng.random() < 0.35:
            return make_entity(row, "public")
        return make_entity(row, "developer")
    industry = row.once("industry_generic", lambda: rng.choice(INDUSTRIES))
    return firm(industry[0])


def make_hospital(row: Row) -> Entity:
    rng = row.rng
    city, (county, ccode) = row.city, row.county
    kind = row.once("hospital_kind", lambda: rng.choices(
        HOSPITAL_KINDS, [k[2] for k in HOSPITAL_KINDS])[0])
    private = row.once("private", lambda: kind[0] in ("综合医院", "专科医院")
                       and rng.random() < 0.4)
    z = zihao(row)
    if kind[0] == "综合医院":
        name = (f"{city['short']}{z}医院" if private else
                rng.choice([f"{city['name']}第{rng.choice('一二三四五六七八九')}人民医院",
                            f"{row.place}人民医院", f"{row.place}中心医院"]))
    elif kind[0] == "中医医院":
        name = f"{row.place}中医院"
    elif kind[0] == "专科医院":
        specialty = rng.choice(["口腔医院", "眼科医院", "妇产医院", "骨科医院", "康复医院"])
        name = f"{city['short']}{z}{specialty}"
        if not private:
            name = city["name"] + rng.choice(
                ["口腔医院", "妇婴医院", "儿童医院", "传染病医院", "精神卫生中心"])
    elif kind[0] == "社区卫生服务中心":
        name = f"{city['name']}{county}{rng.choice(PLACE_WORDS)[0]}街道社区卫生服务中心"
    else:
        name = f"{row.place}{rng.choice(TOWNS)}镇中心卫生院"
    return Entity(name, credit_code(rng, "91" if private else "12", ccode))


def project(row: Row) -> dict:
    """A construction or investment project for the row (consistent name, sector, scale)."""
    def make():
        rng = row.rng
        city, (county, _) = row.city, row.county
        cs, ks, z = city["short"], county_short(county), zihao(row)
        other = rng.choice([c for c in CITIES if c is not city])
        words = {key: rng.choice(choices) for key, choices in PROJECT_WORDS.items()}
        fields = dict(cs=cs, ks=ks, z=z, place=row.place, city=city["name"],
                      other=other["short"], year=AS_OF.year, **words)
        options = [(sector, name.format(**fields), *rest) for sector, name, *rest in PROJECTS]
        sector, name, content, ns, ms, invest = rng.choice(options)
        owner = PROJECT_OWNERS.get(sector)
        if sector == "社会民生":
            owner = "卫生健康局" if "医院" in name else "教育局"
        if owner:
            place = row.place if name.startswith((row.place, ks)) else city["name"]
            region = row.county[1] if place == row.place else city["code"]
            owner = Entity(place + owner, credit_code(rng, "11", region))
        else:
            word = PROJECT_COMPANIES[sector]
            owner = Entity(f"{cs}{z}{word}有限公司", credit_code(rng, "91", row.county[1]))
        return dict(sector=sector, name=name, invest=invest, owner=owner,
                    content=content.format(n=rng.choice(ns), m=rng.choice(ms)))
    return row.once("project", make)


def project_owner(row: Row) -> Entity:
    """The owner of the row's project: a public body for public works, else a company."""
    return project(row)["owner"]
