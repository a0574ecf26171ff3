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

__all__ = ["FORMULA_START", "looks_like_formula", "csv_safe"]

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
