"""The data items' national type codes (catalog/codes.yaml data_type) as PostgreSQL types,
and each value of a file converted to its column's type (ValueError when it does not fit)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(.+?)[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")
_TRUE = {"1", "true", "t", "y", "yes", "是"}
_FALSE = {"0", "false", "f", "n", "no", "否"}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(value.strip().replace(",", "") if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def _integer(value: Any) -> int:
    number = _decimal(value)
    if number != number.to_integral_value() or abs(number) >= 2 ** 63:
        raise ValueError(value)
    return int(number)


def _float(value: Any) -> float:
    return float(_decimal(value))


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).strip()
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValueError(value)
    return dt.date(*map(int, match.groups()))


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = _text(value).strip()
    match = _TIME.match(text)
    if not match:
        return dt.datetime.combine(_date(text), dt.time())
    day = _date(match.group(1))
    hour, minute, second = (int(g or 0) for g in match.group(2, 3, 4))
    micro = int((match.group(5) or "0").ljust(6, "0"))
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, micro)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(value)


# code: (PostgreSQL type, converter); G (通用型, binary) and unknown codes are text.
TYPES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "C": ("text", _text), "M": ("text", _text), "G": ("text", _text),
    "N": ("numeric", _decimal), "Y": ("numeric", _decimal),
    "B": ("float8", _float), "F": ("float8", _float), "I": ("int8", _integer),
    "D": ("date", _date), "T": ("timestamp", _timestamp), "L": ("bool", _boolean),
}


def column(code: str | None) -> tuple[str, Callable[[Any], Any]]:
    return TYPES.get((code or "C").upper(), TYPES["C"])


def convert(value: Any, code: str | None) -> Any:
    """`value` as its column's type; None for an empty cell; ValueError if it does not fit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return column(code)[1](value)
