"""Scalar values of the ledger: the missing test, and strict parsers with Chinese causes.

Every field type of the models (:mod:`engine.ledger.models`) is one of the
annotated types at the end of this module; their parsers accept exactly what
the spec allows (dates as ``YYYY-MM-DD`` only, numbers that are finite and not
absurdly large …) and raise errors whose messages a person can act on.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date
from typing import Annotated, Any, Optional, Union

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .scalars import ScalarError, parse_date, shorten

__all__ = [
    "PLACEHOLDERS",
    "MAX_NUMBER",
    "is_missing",
    "show_value",
    "shorten",
    "invisible_character",
    "id_key",
    "parse_day",
    "Day",
    "Number",
    "Amount",
    "Percent",
    "Text",
    "Id",
    "Flag",
    "Count",
    "ExtraValue",
]

# Words that people type into a name field when there is no name yet.
PLACEHOLDERS: frozenset[str] = frozenset(
    {"待定", "待明确", "未定", "暂无", "无", "未知", "tbd", "n/a", "na", "-", "—", "?"}
)


def is_missing(value: Any) -> bool:
    """The spec's missing test: absent, blank, a placeholder, or an empty list or mapping.

    Latin placeholders match in any case; only the whole (stripped) text
    counts, so 王无忌 is a name.
    """
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return text == "" or text.lower() in PLACEHOLDERS
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


# --- scalar types with strict parsing and Chinese causes -------------------

# Larger numbers are typing mistakes (1e15 万元 is ten thousand times a national budget).
MAX_NUMBER = 10**15

def _parse_date(value: Any) -> date:
    try:
        return parse_date(value)
    except ScalarError as exc:
        got = "" if isinstance(value, str) else f",实际为 {show_value(value)}"
        raise PydanticCustomError(exc.kind, "{cause}", {"cause": exc.cause + got}) from None


def _parse_number(value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("number_type", "应为数值,实际为 {got}", {"got": show_value(value)})
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("number_finite", "数值过大或不是有限数值,实际为 {got}", {"got": show_value(value)})
    if abs(value) > MAX_NUMBER:
        raise PydanticCustomError("number_huge", "数值过大(上限 1e15),实际为 {got}", {"got": show_value(value)})
    return value


def _parse_text(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("text_type", "应为文本,实际为 {got}", {"got": show_value(value)})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PydanticCustomError("text_invalid", "文本含无效字符(第 {at} 个字符)", {"at": exc.start + 1}) from None
    return value


def _parse_id(value: Any) -> str:
    # Spreadsheets and YAML turn 1001 into a number; an id is text either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = _parse_text(value).strip()
    if not text:
        raise PydanticCustomError("id_blank", "编号不能为空", {})
    hidden = invisible_character(text)
    if hidden is not None:
        raise PydanticCustomError("id_invisible", "{cause}", {"cause": hidden})
    return text


# Characters that print as nothing (or break a line): two ids that differ only
# by them look the same in every report.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def invisible_character(text: str) -> Optional[str]:
    """Why ``text`` cannot be an id (a control or invisible character, named), or None."""
    if text.isprintable():  # false for every character of those categories: the quick common case
        return None
    for position, char in enumerate(text, 1):
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return f"编号含不可见字符或控制字符 U+{ord(char):04X}(第 {position} 个字符),请删除后重写"
    return None


def id_key(text: str) -> str:
    """What an id looks like to a reader: NFKC, case folded, every dash a hyphen-minus.

    ``P-1``, ``Ｐ-1``, ``p-1`` and ``P‑1`` (a non-breaking hyphen) share one key:
    different ids with the same key are probable duplicates.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():  # the only ASCII dash is the hyphen-minus
        return folded
    return "".join("-" if unicodedata.category(char) == "Pd" else char for char in folded)


def _parse_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "应为 true 或 false,实际为 {got}", {"got": show_value(value)})
    return value


def _parse_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "应为整数,实际为 {got}", {"got": show_value(value)})
    if value > MAX_NUMBER:
        raise PydanticCustomError("number_huge", "数值过大,实际为 {got}", {"got": show_value(value)})
    return value


def show_value(value: Any) -> str:
    """A short picture of a bad value; never expands a container (it may be an alias bomb)."""
    if isinstance(value, dict):
        return "映射"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        return "超过 15 位的整数"
    text = repr(value[:60]) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _parse_extra(value: Any) -> Union[str, int, float, bool]:
    # Extra fields hold scalars; their declared types are checked against a pack at evaluation.
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _parse_number(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise PydanticCustomError("extra_type", "扩展字段的值应为文本、数值、布尔值或日期,实际为{got}", {"got": show_value(value)})


Day = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Number = Annotated[Union[int, float], BeforeValidator(_parse_number), WithJsonSchema({"type": "number"})]
Amount = Annotated[
    Union[int, float], BeforeValidator(_parse_number), Field(ge=0), WithJsonSchema({"type": "number", "minimum": 0})
]
Percent = Annotated[
    Union[int, float], BeforeValidator(_parse_number), Field(ge=0, le=100),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100}),
]
Text = Annotated[str, BeforeValidator(_parse_text)]
Id = Annotated[str, BeforeValidator(_parse_id), WithJsonSchema({"type": ["string", "integer"], "minLength": 1})]
Flag = Annotated[bool, BeforeValidator(_parse_bool)]
Count = Annotated[
    int, BeforeValidator(_parse_count), Field(ge=1), WithJsonSchema({"type": "integer", "minimum": 1})
]
ExtraValue = Annotated[
    Union[bool, int, float, str], BeforeValidator(_parse_extra),
    WithJsonSchema({"type": ["string", "number", "boolean"]}),
]


def parse_day(text: str) -> date:
    """A date written ``YYYY-MM-DD``, or ValueError (a :class:`ScalarError` with a Chinese message)."""
    return parse_date(text)
