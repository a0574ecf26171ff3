"""Reading scalars from text: the one strict reader of numbers, booleans and dates.

Ledgers (YAML, JSON), rule files and the command line (``--set``, ``--as-of``)
all read their scalars here, so that a value means the same wherever it is
written. What the YAML 1.1 rules that PyYAML follows would misread is not a
number here:

- integers are plain decimal numbers: ``010`` is the text "010", not the
  octal 8; ``1_000`` and ``1:30`` (sexagesimal 90) are text too;
- floats need a decimal point (``2.5``, ``1.0e+3``, ``.5``), plus ``.inf`` and
  ``.nan`` (which the models then refuse as not finite);
- dates are ``YYYY-MM-DD`` and nothing else: not ``20261128``, not the ISO
  week form ``2026-W48-6``, not ``2026/11/28``; full-width digits are named
  as such.

Every refusal is a :class:`ScalarError` whose ``cause`` is Chinese text a
person can act on; callers add the place.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Union

__all__ = [
    "ScalarError",
    "MAX_DIGITS",
    "INT_PATTERN",
    "FLOAT_PATTERN",
    "BOOLEANS",
    "NULLS",
    "read_int",
    "read_float",
    "read_bool",
    "read_scalar",
    "parse_date",
    "shorten",
]

Scalar = Union[None, bool, int, float, str]


class ScalarError(ValueError):
    """A text that is not the scalar it should be; ``cause`` says why, in Chinese."""

    def __init__(self, kind: str, cause: str) -> None:
        super().__init__(cause)
        self.kind = kind
        self.cause = cause


# Integers longer than this are no amount, rank or count; reading them would
# also pass Python's own limit on converting text to int (4,300 digits).
MAX_DIGITS = 1000

INT_PATTERN = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
FLOAT_PATTERN = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **{f"{sign}.{word}": float(f"{sign}inf") for sign in ("", "+", "-") for word in ("inf", "Inf", "INF")},
    **{f".{word}": float("nan") for word in ("nan", "NaN", "NAN")},
}
# YAML's booleans as PyYAML reads them (y and n excepted, as PyYAML does).
BOOLEANS: dict[str, bool] = {
    **{word: True for word in ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON")},
    **{word: False for word in ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF")},
}
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

_FULL_WIDTH_DIGITS = re.compile("[\uff10-\uff19]")


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, with … where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(text: str) -> str:
    return repr(shorten(text))


def read_int(text: str) -> int:
    """A decimal integer (no leading zeros, no underscores), or :class:`ScalarError`."""
    text = text.strip()
    if not INT_PATTERN.fullmatch(text):
        raise ScalarError("int_format", f"不是整数: {_shown(text)}")
    if len(text.lstrip("+-")) > MAX_DIGITS:
        raise ScalarError("int_huge", f"整数位数过多(超过 {MAX_DIGITS} 位)")
    return int(text)


def read_float(text: str) -> float:
    """A decimal number (``2.5``, ``1.0e+3``, an integer, ``.inf``, ``.nan``), or :class:`ScalarError`."""
    text = text.strip()
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if not (FLOAT_PATTERN.fullmatch(text) or INT_PATTERN.fullmatch(text)):
        raise ScalarError("float_format", f"不是数值: {_shown(text)}")
    if len(text) > MAX_DIGITS:
        raise ScalarError("float_huge", f"数值位数过多(超过 {MAX_DIGITS} 位)")
    return float(text)


def read_bool(text: str) -> bool:
    """true/false (and YAML's yes/no, on/off), or :class:`ScalarError`."""
    value = BOOLEANS.get(text.strip())
    if value is None:
        raise ScalarError("bool_format", f"不是布尔值(true 或 false): {_shown(text)}")
    return value


def read_scalar(text: str) -> Scalar:
    """What a plain (unquoted) scalar means: null, a boolean, an integer, a float, else the text itself.

    The YAML reader resolves every plain scalar with this function, and
    ``--set`` reads its values with it, so both agree on what ``010`` or
    ``1:30`` is (text).
    """
    if text in NULLS:
        return None
    boolean = BOOLEANS.get(text)
    if boolean is not None:
        return boolean
    if text[:1] in "-+.0123456789":
        if INT_PATTERN.fullmatch(text):
            return read_int(text)
        if FLOAT_PATTERN.fullmatch(text) or text in _SPECIAL_FLOATS:
            return read_float(text)
    return text


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: object) -> date:
    """A ``YYYY-MM-DD`` date (or a date already), or :class:`ScalarError` saying what is wrong."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ScalarError("date_type", "应为 YYYY-MM-DD 格式的日期")
    if len(value) == 10 and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)  # exact for this form, and fast
        except ValueError:
            raise ScalarError("date_impossible", f"不存在的日期 {value}") from None
    if _FULL_WIDTH_DIGITS.search(value):
        raise ScalarError("date_full_width", f"日期中的数字应为半角数字(0-9),实际为 {_shown(value)}")
    raise ScalarError("date_format", f"应为 YYYY-MM-DD 格式的日期,实际为 {_shown(value)}")
