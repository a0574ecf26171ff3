"""Spreadsheet cells that cannot run: text beginning with =, +, - or @ is kept as text.

Excel and LibreOffice read such a cell as a formula (``=HYPERLINK(…)``,
``@SUM(A1)``), so a ledger title could run in the office's spreadsheet. As
OWASP recommends for CSV export, such text is written with a leading ``'``
in CSV; the xlsx writer stores it as a string cell. Numbers are left alone:
a negative number is a number, not a formula.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_START", "looks_like_formula", "csv_safe", "xlsx_put"]

FORMULA_START = ("=", "+", "-", "@")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def looks_like_formula(value: Any) -> bool:
    """True for text a spreadsheet would take for a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not _NUMBER.fullmatch(value)
    )


def csv_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as the text it is."""
    return "'" + value if looks_like_formula(value) else value


def xlsx_put(cell: Any, value: Any) -> Any:
    """Set an openpyxl cell to ``value``; text is always a string cell, never a formula.

    openpyxl itself turns any text beginning with ``=`` into a formula, so the
    type is set back to string; a float keeps every digit. Characters that XML cannot hold (control
    characters) are dropped, as Excel would refuse the file.
    """
    if isinstance(value, str):
        value = _ILLEGAL.sub("", value)
        cell.value = value
        cell.data_type = "s"
    elif isinstance(value, float):
        # openpyxl writes numbers with 16 significant digits, so 5.0 would come back as the
        # integer 5 and 0.1 + 0.2 as 0.3; the shortest repr reads back as exactly this float.
        cell.value = value
        cell._value = repr(value)
    else:
        cell.value = value
    return cell


# The characters openpyxl refuses in a cell (XML 1.0 forbids them).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
