"""The column rules: ``COLUMNS`` maps a data item's name to the function that gives its value
in a row. The rules that are data are columns.yaml (drawn here, by the kinds its header lists);
period and dimension columns are registered here too; the modules registers, projects,
services, transport and statistics register the rules that are logic with ``@column(...)``.
A name has one rule."""
from __future__ import annotations

import datetime as dt
import string
from typing import Any, Callable

from .data import AS_OF, CITY_PARAMETERS, DEMO, DIMENSIONS, PERIOD_COLUMNS, load_yaml
from .rows import Row, city_share, dec

Rule = Callable[[Row], Any]
COLUMNS: dict[str, Rule] = {}


def column(*names: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for name in names:
            if name in COLUMNS:
                raise ValueError(f"two rules for the column {name}")
            COLUMNS[name] = fn
        return fn
    return register


def fields(pick: Callable[[Row], Any], columns: dict[Any, str]) -> None:
    """Columns that are fields of one record the row picks: {index or key: column name}."""
    for key, name in columns.items():
        column(name)((lambda k: lambda row: pick(row)[k])(key))


def value(row: Row, name: str) -> Any:
    """The value of another column of the row (a rule of columns.yaml with ``once``)."""
    return COLUMNS[name](row)


# -- periods and dimensions
for _name in PERIOD_COLUMNS:
    column(_name)(lambda row: row.period.value)
for _name in DIMENSIONS:
    column(_name)((lambda n: lambda row: row.dims[n]["name"])(_name))

# -- the rules of columns.yaml
PLACE_FIELDS: dict[str, Rule] = {
    "county_code": lambda row: row.county[1], "county": lambda row: row.county[0],
    "county_code4": lambda row: row.county[1][2:6],
    "city_code": lambda row: row.city["code"], "city": lambda row: row.city["name"],
    "city_abbr": lambda row: row.city["abbr"],
}


def _formatted(row: Row, spec: dict) -> str:
    """The format's fields, drawn in their order in the text."""
    drawn: dict[str, Any] = {}
    for _, field, _, _ in string.Formatter().parse(spec["format"]):
        if field and field not in drawn:
            drawn[field] = (PLACE_FIELDS[field](row) if field in PLACE_FIELDS
                            else row.rng.randint(*spec["integers"][field]))
    return spec["format"].format(**drawn)


def _draw(row: Row, name: str, spec: dict) -> Any:
    rng = row.rng
    if "value" in spec:
        return spec["value"]
    if "choice" in spec:
        return rng.choice(spec["choice"])
    if "choices" in spec:
        return rng.choices(list(spec["choices"]), list(spec["choices"].values()))[0]
    if "chance" in spec:
        return rng.random() < spec["chance"]
    if "integer" in spec:
        return rng.randint(*spec["integer"])
    if "integer_by" in spec:
        other, ranges = spec["integer_by"]
        return rng.randint(*ranges[value(row, other)])
    if "uniform" in spec:
        return rng.uniform(*spec["uniform"])
    if "days_after_snapshot" in spec:
        return AS_OF + dt.timedelta(days=rng.randint(*spec["days_after_snapshot"]))
    if "format" in spec:
        return _formatted(row, spec)
    if "city_share" in spec:
        base = spec["city_share"] * city_share(CITY_PARAMETERS[spec["weights"]], row.city["name"])
        return row.level(spec.get("level", name), base, spec["trend"], spec["noise"])
    if "member" in spec:
        dimension, field = spec["member"]
        number = row.dims[dimension][field]
        if "level" in spec:
            number = row.level(spec["level"], number, spec["trend"], spec["noise"])
        if "spread" in spec:
            number = number + rng.uniform(-spec["spread"], spec["spread"])
        return number
    raise ValueError(f"columns.yaml: {name}: no kind of rule in {sorted(spec)}")


def data_rule(name: str, spec: dict) -> Rule:
    """The rule of one entry of columns.yaml."""
    def rule(row: Row) -> Any:
        drawn = _draw(row, name, spec)
        if spec.get("whole"):
            return int(drawn)
        return drawn if spec.get("places") is None else dec(drawn, spec["places"])
    if spec.get("once"):
        return lambda row: row.once(spec["once"], lambda: rule(row))
    return rule


for _name, _spec in load_yaml(DEMO / "columns.yaml").items():
    column(_name)(data_rule(_name, _spec))
