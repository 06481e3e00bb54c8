"""The rows of one entry's data file: statistics tables (a period column and dimensions) get one
row per member and period; registers get 12-24 distinct records, newest first."""
from __future__ import annotations

from typing import Any

from . import projects, registers, services, statistics, transport  # noqa: F401 (their rules)
from .data import DIMENSIONS, MAX_ROWS, PERIOD_COLUMNS, PERIOD_MAX
from .rows import Period, Row, Table, periods
from .rules import COLUMNS


def _period_column(entry: dict) -> tuple[str, str] | None:
    for item in entry["data_items"]:
        kind = PERIOD_COLUMNS.get(item["name"])
        if kind:
            if kind == "cycle":
                kind = {"daily": "day", "weekly": "week"}.get(entry.get("update_cycle"), "day")
            return item["name"], kind
    return None


def _dimension_columns(entry: dict) -> list[str]:
    names = [item["name"] for item in entry["data_items"]]
    # 地区 and 城市 are dimensions only in statistics tables (with a period column)
    return [n for n in names
            if n in DIMENSIONS and (n not in ("地区", "城市") or _period_column(entry))]


def plan_rows(table: Table) -> list[Row]:
    entry = table.entry
    dims = _dimension_columns(entry)
    period_col = _period_column(entry)
    if dims or period_col:
        members: list[dict] = [{}]
        for name in dims:
            members = [dict(m, **{name: member}) for m in members for member in DIMENSIONS[name]]
        members = members[:MAX_ROWS]
        plist: list[Period | None] = [None]
        if period_col:
            kind = period_col[1]
            count = max(1, min(PERIOD_MAX[kind], MAX_ROWS // len(members)))
            plist = periods(kind, count, entry)
        return [Row(table, p, m) for p in plist for m in members]
    return [Row(table) for _ in range(table.rng.randint(12, 24))]


def key_columns(names: list[str]) -> list[str]:
    marks = ("代码", "编号", "证号", "号码", "文号", "编码", "登记号", "标识码", "名称")
    keys = [n for n in names if any(m in n for m in marks) and n not in DIMENSIONS
            and n not in ("商品名称", "食品名称", "事项名称", "高速公路名称", "河流名称",
                          "病种名称", "职业名称")]
    return keys or names[:1]


def generate_rows(entry: dict, seed_text: str | None = None) -> list[list[Any]]:
    """The rows (lists of typed values, in data item order) of the entry's data file."""
    table = Table(entry, seed_text or entry["resource_code"])
    names = table.names
    missing = [n for n in names if n not in COLUMNS]
    if missing:
        raise KeyError(f"{entry.get('name')}: no generator for the data items {missing}")
    is_statistics = bool(_dimension_columns(entry) or _period_column(entry))
    keys = key_columns(names)
    seen: set = set()
    rows = []
    for row in plan_rows(table):
        for _attempt in range(50):
            values = [COLUMNS[n](row) for n in names]
            key = tuple(v for n, v in zip(names, values) if n in keys)
            if is_statistics or key not in seen:
                break
            template = row
            row = Row(table, template.period, template.dims)
        else:
            raise RuntimeError(f"{entry.get('name')}: could not generate distinct rows")
        seen.add(key)
        rows.append(values)
    if not is_statistics:
        dated = [i for i, item in enumerate(entry["data_items"]) if item["data_type"] in ("D", "T")
                 and not any(w in item["name"] for w in ("有效期", "截止", "预计", "成立"))]
        if dated:
            rows.sort(key=lambda r: r[dated[0]], reverse=True)
    return rows


