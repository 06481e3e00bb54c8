"""One file's generation state: its Table (the entry, the seeded random generator, memory
across rows) and each Row (its period, dimension members and memoised fields: the row's city,
county, address, person, organization...), with the values' small helpers."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from .data import (AS_OF, CITY, COUNTY_SHORT_SPECIAL, EXPRESSWAYS, GIVEN, MINING_DISTRICTS,
                   PLACE_WORDS, POPULATION, ROAD_SUFFIXES, SURNAMES, WIND_CITIES)


def county_short(name: str) -> str:
    if name in COUNTY_SHORT_SPECIAL:
        return COUNTY_SHORT_SPECIAL[name]
    for suffix in ("满族自治县", "蒙古族自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


# ------------------------------------------------------------------------------ values

def dec(value: float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Entity:
    def __init__(self, name: str, code: str):
        self.name, self.code = name, code


class Period:
    """One period of a statistics table: its kind, position (0 = oldest) and value."""

    def __init__(self, kind: str, index: int, value: Any, end: dt.date):
        self.kind, self.index, self.value, self.end = kind, index, value, end


def month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month - 1) + delta
    return n // 12, n % 12 + 1


def periods(kind: str, count: int, entry: dict) -> list[Period]:
    """The `count` latest periods of `kind` before AS_OF, oldest first."""
    out = []
    for back in range(count - 1, -1, -1):
        index = count - 1 - back
        if kind == "year":           # last complete year
            year = AS_OF.year - 1 - back
            out.append(Period(kind, index, str(year), dt.date(year, 12, 31)))
        elif kind == "year_inclusive":  # this year counts (events already past)
            year = AS_OF.year - back
            out.append(Period(kind, index, str(year), min(dt.date(year, 12, 31), AS_OF)))
        elif kind == "month":
            y, m = month_add(AS_OF.year, AS_OF.month, -1 - back)
            end = dt.date(*month_add(y, m, 1), 1) - dt.timedelta(days=1)
            out.append(Period(kind, index, f"{y}-{m:02d}", end))
        elif kind == "quarter":
            q_now = (AS_OF.month - 1) // 3  # quarters completed this year
            n = AS_OF.year * 4 + q_now - 1 - back
            y, q = n // 4, n % 4 + 1
            end = dt.date(*month_add(y, q * 3, 1), 1) - dt.timedelta(days=1)
            out.append(Period(kind, index, f"{y}-Q{q}", end))
        elif kind == "day":
            day = AS_OF - dt.timedelta(days=1 + back)
            out.append(Period(kind, index, day, day))
        elif kind == "week":          # the weekly price collection day (Thursday)
            last = AS_OF - dt.timedelta(days=(AS_OF.weekday() - 3) % 7)
            day = last - dt.timedelta(weeks=back)
            out.append(Period(kind, index, day, day))
        elif kind == "fortnight":     # refined oil price adjustments, every 10 working days
            last = AS_OF - dt.timedelta(days=(AS_OF.weekday() - 1) % 7 + 1)
            day = last - dt.timedelta(days=14 * back)
            out.append(Period(kind, index, dt.datetime.combine(day + dt.timedelta(days=1),
                                                               dt.time(0, 0)), day))
        else:
            raise ValueError(kind)
    return out




class Table:
    """The generator of one file: the entry, its random generator and cross-row memory."""

    def __init__(self, entry: dict, seed_text: str):
        self.entry = entry
        self.title = entry.get("title", "")
        self.items = entry["data_items"]
        self.names = [item["name"] for item in self.items]
        seed = int.from_bytes(hashlib.sha256(seed_text.encode("utf-8")).digest()[:8], "big")
        self.rng = random.Random(seed)
        self.memory: dict[Any, Any] = {}
        self.sequence = 0

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        if key not in self.memory:
            self.memory[key] = make()
        return self.memory[key]

    def next_seq(self) -> int:
        self.sequence += self.rng.randint(1, 37)
        return self.sequence

    def has(self, *words: str) -> bool:
        return any(w in self.title for w in words)


class Row:
    """One row being generated: its period, dimension members and memoised fields."""

    def __init__(self, table: Table, period: Period | None = None, dims: dict | None = None):
        self.table, self.rng, self.period = table, table.rng, period
        self.dims = dims or {}
        self.cache: dict[str, Any] = {}

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    # -- places
    @property
    def city(self) -> dict:
        def pick():
            for member in self.dims.values():
                if "city" in member:
                    return CITY[member["city"]]
            if self.table.has("新能源", "风电"):
                return CITY[self.rng.choice(WIND_CITIES)]
            if "高速公路名称" in self.table.names:
                return CITY[self.rng.choice(expressway(self)[1])]
            names = list(POPULATION)
            return CITY[self.rng.choices(names, weights=[POPULATION[n] for n in names])[0]]
        return self.once("city", pick)

    @property
    def county(self) -> tuple[str, str]:
        def pick():
            counties = self.city["counties"]
            if self.table.has("矿业权", "新能源"):
                extra = MINING_DISTRICTS if self.table.has("矿业权") else set()
                counties = [k for k in counties
                            if k[0].endswith(("县", "市")) or k[0] in extra] or counties
            return self.rng.choice(counties)
        return self.once("county", pick)

    @property
    def place(self) -> str:
        """The county's full name as used in names: 新民市, 铁岭县, 沈阳市和平区."""
        county = self.county[0]
        return county if county.endswith(("县", "市")) else self.city["name"] + county

    def road(self, key: str = "road") -> str:
        return self.once(key, lambda: self.rng.choice(PLACE_WORDS)[0]
                         + self.rng.choice(ROAD_SUFFIXES))

    def address(self, key: str = "address") -> str:
        return self.once(key, lambda: f"辽宁省{self.city['name']}{self.county[0]}{self.road()}"
                                      f"{self.rng.randint(1, 399)}号")

    def point(self) -> tuple[float, float]:
        def make():
            c = self.city
            return (round(c["lon"] + self.rng.uniform(-0.18, 0.18), 6),
                    round(c["lat"] + self.rng.uniform(-0.12, 0.12), 6))
        return self.once("point", make)

    # -- people and organizations
    def person(self, key: str = "person") -> str:
        """A person's name that fits the row's 性别 (if the table has one)."""
        def make():
            chars = GIVEN[self.once("sex", lambda: self.rng.choice(["男", "女"]))]
            given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
            return self.rng.choice(SURNAMES) + given
        return self.once(key, make)

    def made_with(self, key: str) -> Any:
        """What the row's organization was made with (its kind, nature...), once it is made."""
        self.company()
        return self.cache.get(key)

    def company(self, role: str = "main") -> Entity:
        from .entities import make_entity  # entities are made of rows' places and people

        return self.once("entity:" + role, lambda: make_entity(self, role))

    # -- time
    def recent(self, key: str = "date", days: int = 120) -> dt.date:
        return self.once(key, lambda: AS_OF - dt.timedelta(days=self.rng.randint(0, days)))

    def between(self, key: str, start: dt.date, end: dt.date) -> dt.date:
        return self.once(key, lambda: start + dt.timedelta(
            days=self.rng.randint(0, (end - start).days)))

    # -- statistics
    def level(self, key: str, base: float, trend: float = 0.0, noise: float = 0.02) -> float:
        """A level that belongs to the row's dimension members and moves with the period."""
        member = tuple(sorted(m["name"] for m in self.dims.values()))
        start = self.table.once(("level", member, key),
                                lambda: base * (1 + self.rng.uniform(-noise * 2, noise * 2)))
        index = self.period.index if self.period else 0
        return self.once("level:" + key, lambda: start * (1 + trend) ** index
                         * (1 + self.rng.uniform(-noise, noise)))

    def member(self, column: str) -> dict:
        return self.dims[column]


def city_share(weights: dict, city: str) -> float:
    return weights[city] / sum(weights.values())




def expressway(row: Row) -> tuple:
    """The row's expressway (traffic events): (name, cities, one direction, the other)."""
    return row.once("expressway", lambda: row.rng.choice(EXPRESSWAYS))
