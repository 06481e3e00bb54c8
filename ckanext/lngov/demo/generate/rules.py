"""The column rules: ``COLUMNS`` maps a data item's name to the function that gives its value
in a row. The modules registers, projects, services, transport and statistics register theirs
with ``@column(...)``; period and dimension columns are registered here."""
from __future__ import annotations

from typing import Any, Callable

from .data import DIMENSIONS, PERIOD_COLUMNS
from .rows import Row

Rule = Callable[[Row], Any]
COLUMNS: dict[str, Rule] = {}


def column(*names: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for name in names:
            COLUMNS[name] = fn
        return fn
    return register


# -- periods and dimensions
for _name in PERIOD_COLUMNS:
    COLUMNS[_name] = lambda row: row.period.value
for _name in DIMENSIONS:
    COLUMNS[_name] = (lambda n: lambda row: row.dims[n]["name"])(_name)
column("规格等级")(lambda row: row.dims["商品名称"]["grade"])
column("计量单位")(lambda row: row.dims["商品名称"]["unit"])
column("病种类别")(lambda row: row.dims["病种名称"]["cls"])
column("河流名称")(lambda row: row.dims["断面名称"]["river"])
