"""Spreadsheet cells → ledger values, by the value rules of the spec.

A cell arrives as what the reader found: text, a number, a boolean, a
date-time, or one of two markers — :class:`Percentage` (a number cell
formatted as a percentage) and :class:`ExcelError` (``#N/A`` …). :func:`convert`
turns it into the value a YAML ledger would hold for a column's type, or
raises :class:`CellProblem` with a Chinese cause. The models then validate
the values exactly as they validate YAML (ranges, required fields …).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional, Sequence

from .headers import ISSUE_TYPE_WORDS, KIND_WORDS, LEVEL_WORDS, NO, YES
from .values import show_value

__all__ = ["Percentage", "ExcelError", "CellProblem", "convert", "cell_text", "is_blank"]


class Percentage(float):
    """A number cell formatted as a percentage: 0.62 shows as 62% and means 62."""


class ExcelError(str):
    """A cell holding one of Excel's error values (#N/A, #REF!, #DIV/0! …)."""


class CellProblem(ValueError):
    """A cell that cannot be read as its column's type; ``cause`` is the Chinese reason."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


# White space that str.strip() leaves (zero-width characters pasted from web pages).
_INVISIBLE = "\u200b\u200c\u200d\ufeff"


def clean_text(text: str) -> str:
    """Text stripped of surrounding white space, full-width and zero-width included."""
    return text.strip().strip(_INVISIBLE).strip()


def is_blank(value: Any) -> bool:
    """An empty cell: nothing, or only white space."""
    return value is None or (isinstance(value, str) and not clean_text(value))


def cell_text(value: Any) -> str:
    """A cell as the text a person sees (1001.0 → '1001', a date → 2026-03-01)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)


# --- dates -------------------------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{2})-(\d{2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
# A CSV written by Excel may carry the time of a date-only cell: 2026/3/1 0:00.
_MIDNIGHT = re.compile(r"\s+0?0:00(:00)?$")
_DATE_HELP = "应为日期(日期单元格,或 YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日)"
# Excel counts days from 1899-12-30; a bare number in this range is probably a date typed as a number.
_SERIAL_RANGE = (20000, 80000)


def _date_cell(value: datetime) -> date:
    if value.time() != time(0):
        raise CellProblem(f"日期单元格含时间 {value.isoformat(sep=' ')},应为日期")
    return value.date()


def _text_date(text: str, formats: Optional[Sequence[str]]) -> date:
    if formats:
        for form in formats:
            try:
                return datetime.strptime(text, form).date()
            except ValueError:
                continue
        raise CellProblem(f"应为日期(格式 {'、'.join(formats)}),实际为 {show_value(text)}")
    normal = _MIDNIGHT.sub("", unicodedata.normalize("NFKC", text))
    for form in _DATE_FORMS:
        match = form.fullmatch(normal)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise CellProblem(f"不存在的日期 {show_value(text)}") from None
    raise CellProblem(f"{_DATE_HELP},实际为 {show_value(text)}{_serial_hint(normal)}")


def _serial_hint(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return ""
    if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1] and number.is_integer():
        shown = (date(1899, 12, 30) + timedelta(days=int(number))).isoformat()
        return f"(若为 Excel 日期序号,即 {shown},请把单元格设为日期格式)"
    return ""


def to_date(value: Any, formats: Optional[Sequence[str]] = None) -> date:
    """A date cell (at midnight), or text in one of the spec's four forms (or the mapping's ``formats``)."""
    if isinstance(value, datetime):
        return _date_cell(value)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _text_date(clean_text(value), formats)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellProblem(f"{_DATE_HELP},实际为数值 {cell_text(value)}{_serial_hint(cell_text(value))}")
    raise CellProblem(f"{_DATE_HELP},实际为 {show_value(value)}")


# --- numbers -----------------------------------------------------------------------------

_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")


def _exact(number: Decimal, fractional: bool) -> int | float:
    """A decimal as the ledger holds it: an integer when written without a fraction."""
    if not fractional and number == number.to_integral_value():
        return int(number)
    return float(number)


def _text_number(text: str, percent: bool) -> int | float:
    normal = unicodedata.normalize("NFKC", text).replace(" ", "")
    if percent and normal.endswith("%"):
        normal = normal[:-1]
    if _GROUPED.fullmatch(normal):
        normal = normal.replace(",", "")
    elif not _PLAIN.fullmatch(normal):
        what = "数值(可带千分位逗号" + (",或 62%" if percent else "") + ")"
        raise CellProblem(f"应为{what},实际为 {show_value(text)}")
    try:
        number = Decimal(normal)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only decimals
        raise CellProblem(f"应为数值,实际为 {show_value(text)}") from None
    return _exact(number, "." in normal or "e" in normal.lower())


def to_number(value: Any, percent: bool = False) -> int | float:
    """A number cell, or text with thousands separators and full-width digits.

    With ``percent`` (形象进度, 本期值, 全国 …) a cell formatted as a
    percentage holds a fraction (0.62 means 62) and text ``62%`` means 62.
    """
    if isinstance(value, bool):
        raise CellProblem(f"应为数值,实际为 {cell_text(value)}")
    if isinstance(value, Percentage):
        if not percent:
            return float(value) if not value.is_integer() else int(value)
        # Decimal of the shortest repr: 0.62 × 100 is exactly 62, not 62.00000000000001.
        return _exact(Decimal(repr(float(value))) * 100, False)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return _text_number(clean_text(value), percent)
    raise CellProblem(f"应为数值,实际为 {show_value(cell_text(value))}")


def to_count(value: Any) -> int | float:
    """A whole number (a rank); a fraction is passed on for the model to refuse."""
    number = to_number(value)
    return int(number) if isinstance(number, float) and number.is_integer() else number


# --- words -------------------------------------------------------------------------------


def _word(table: dict[str, str], what: str) -> Callable[[Any], str]:
    choices = "、".join(dict.fromkeys(k for k in table if not k.isascii()))
    latin = ", ".join(dict.fromkeys(v for v in table.values()))

    def read(value: Any) -> str:
        text = unicodedata.normalize("NFKC", cell_text(value))
        found = table.get(text) or table.get(text.lower())
        if found is None:
            raise CellProblem(f"未知的{what} {show_value(text)},应为 {choices} 之一(或 {latin})")
        return found

    return read


to_kind = _word(KIND_WORDS, "类别")
to_level = _word(LEVEL_WORDS, "级别")
to_issue_type = _word(ISSUE_TYPE_WORDS, "问题类型")


def to_flag(value: Any) -> bool:
    """是/否, Y/N, TRUE/FALSE, 1/0, √ (an empty cell is no, handled by the caller)."""
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value)).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellProblem(f"应为 是 或 否(也可写 Y/N、TRUE/FALSE、1/0、√),实际为 {show_value(cell_text(value))}")


# --- text --------------------------------------------------------------------------------


def to_text(value: Any) -> str:
    """Text stripped; a number or a date in a text column is read as the text it shows."""
    return cell_text(value)


def to_id(value: Any) -> str:
    """An id: text, or a whole number typed into the cell (1001)."""
    return cell_text(value)


def to_extra(value: Any) -> Any:
    """An office's own column (``extra.NAME``): a number, a yes/no cell, or text; a date as YYYY-MM-DD."""
    if isinstance(value, Percentage):
        return to_number(value, percent=True)
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, datetime):
        return _date_cell(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)


_READERS: dict[str, Callable[[Any], Any]] = {
    "id": to_id,
    "text": to_text,
    "number": to_number,
    "percent": lambda value: to_number(value, percent=True),
    "count": to_count,
    "flag": to_flag,
    "kind": to_kind,
    "level": to_level,
    "issue_type": to_issue_type,
    "extra": to_extra,
}


def convert(value: Any, type_: str, formats: Optional[Sequence[str]] = None) -> Any:
    """A non-empty cell as a value of column type ``type_`` (see :class:`~.headers.Column`)."""
    if isinstance(value, ExcelError):
        raise CellProblem(f"单元格是 Excel 错误值 {value}(公式出错),应为数据")
    if type_ == "date":
        return to_date(value, formats)
    if type_ == "extra" and formats and isinstance(value, str):
        return to_date(value, formats).isoformat()
    return _READERS[type_](value)
