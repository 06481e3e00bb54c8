"""The demo data's tables, read from the YAML files beside departments.yaml: places.yaml,
statistics.yaml, words.yaml and registers.yaml (columns.yaml is read by rules.py).

Each table is a module constant under the name the rules use (CITIES, POPULATION, ZIHAO...).
Rows that are lists in YAML stay lists; a city's counties become (name, code) tuples.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

DEMO = Path(__file__).resolve().parent.parent

AS_OF = dt.date(2026, 11, 20)  # the demo data's snapshot date
MIN_ROWS, MAX_ROWS = 10, 30


def load_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


_places = load_yaml(DEMO / "places.yaml")
_statistics = load_yaml(DEMO / "statistics.yaml")
_words = load_yaml(DEMO / "words.yaml")
_registers = load_yaml(DEMO / "registers.yaml")

# ------------------------------------------------------------------------------ places

CITIES: list[dict[str, Any]] = _places["cities"]
for _c in CITIES:
    _c["counties"] = list(_c["counties"].items())
    _c["short"] = _c["name"][:-1]
CITY = {c["name"]: c for c in CITIES}
WIND_CITIES: list[str] = _places["wind_cities"]
MINERALS: dict[str, list[str]] = _places["minerals"]
MINING_DISTRICTS: set[str] = set(_places["mining_districts"])
COUNTY_SHORT_SPECIAL: dict[str, str] = _places["county_short"]
# (name, cities passed, one direction, the other)
EXPRESSWAYS = [(e["name"], e["cities"], *e["towards"]) for e in _places["expressways"]]

# ------------------------------------------------------------------------------ statistics

_params = _statistics["city_parameters"]
POPULATION: dict[str, float] = _params["population"]
GDP: dict[str, float] = _params["gdp"]
AREA: dict[str, float] = _params["area"]
URBAN_RATE: dict[str, float] = _params["urban_rate"]
PRIMARY_SHARE: dict[str, float] = _params["primary_share"]
SECONDARY_SHARE: dict[str, float] = _params["secondary_share"]
FARMLAND: dict[str, float] = _params["farmland"]
UNIVERSITIES: dict[str, int] = _params["universities"]
STUDENTS: dict[str, float] = _params["students"]
INDUSTRIAL_POWER: dict[str, float] = _params["industrial_power"]
AIR_FACTOR: dict[str, float] = _params["air_factor"]
CITY_PARAMETERS: dict[str, dict[str, float]] = _params

PERIOD_COLUMNS: dict[str, str] = _statistics["period_columns"]
PERIOD_MAX: dict[str, int] = _statistics["period_max"]
MEMBERS: dict[str, list[dict]] = dict(
    _statistics["members"], cities=[dict(name=c["name"], city=c["name"]) for c in CITIES])
DIMENSIONS: dict[str, list[dict]] = {
    column: MEMBERS[members] for column, members in _statistics["dimensions"].items()}
QUARTER_SHARE: dict[int, float] = _statistics["quarter_share"]
WATER_CLASSES: list[str] = _statistics["water_classes"]
WATER_LIMITS: list[list[float]] = _statistics["water_limits"]
IAQI_BREAKS: dict[str, list[list[float]]] = _statistics["iaqi_breaks"]
POLLUTANT_NAMES: dict[str, str] = _statistics["pollutant_names"]
AQI_LEVELS: list[list[Any]] = _statistics["aqi_levels"]

# ------------------------------------------------------------------------------ words

SURNAMES: str = _words["surnames"]
GIVEN: dict[str, str] = _words["given_names"]
ZIHAO: list[str] = _words["zihao"]
PLACE_WORDS: list[list[str]] = _words["place_words"]
PLACE_GENERICS: dict[str, list[list[str]]] = _words["place_generics"]
ROAD_SUFFIXES: list[str] = _words["road_suffixes"]
TOWNS: list[str] = _words["towns"]
SCENIC_FEATURES: list[str] = _words["scenic_features"]

# ------------------------------------------------------------------------------ registers

INDUSTRIES: list[list[str]] = _registers["industries"]
POLLUTER_INDUSTRIES: list[list[str]] = _registers["polluter_industries"]
HEAVY_INDUSTRIES: set[str] = set(_registers["heavy_industries"])
FOOD_CATEGORIES: list[list[str]] = _registers["food_categories"]
HOSPITAL_KINDS: list[list[Any]] = _registers["hospital_kinds"]
LAND_USES: list[list[Any]] = _registers["land_uses"]
TRANSPORT_SCOPES: list[list[Any]] = _registers["transport_scopes"]
PROJECT_OWNERS: dict[str, str] = _registers["project_owners"]
PROJECTS: list[list[Any]] = _registers["projects"]
PROJECT_WORDS: dict[str, Any] = _registers["project_words"]
PROJECT_COMPANIES: dict[str, str] = _registers["project_companies"]
DOUBLE_PUBLICITY: list[list[str]] = _registers["double_publicity"]
DISHONESTY: list[list[str]] = _registers["dishonesty"]
ABNORMAL_REASONS: list[str] = _registers["abnormal_reasons"]
PRACTICE: dict[str, list[str]] = _registers["practice"]
TENDER_WORKS: list[list[str]] = _registers["tender_works"]
SKILL_OCCUPATIONS: list[str] = _registers["skill_occupations"]
FOOD_FAILURES: list[list[str | None]] = _registers["food_failures"]
