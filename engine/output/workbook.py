"""openpyxl plumbing shared by every workbook duban writes (the report, the ledger template).

- :func:`write_table`  a header row (bold, frozen, with filters) and rows of safe cells
- :func:`fit_widths`   column widths that fit Chinese text (a Chinese character is two columns wide)
- :func:`workbook_bytes` the file's bytes, the same for the same content: fixed document
  dates and zip timestamps, so that duban's output stays deterministic
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from typing import Any, Iterable, Optional, Sequence

from .cells import xlsx_put

__all__ = ["HEADER_FILL", "write_table", "fit_widths", "workbook_bytes", "text_width"]

HEADER_FILL = "DDE3EA"
MAX_WIDTH = 60
# Zip entries carry a time; a fixed one keeps the bytes of a workbook a function of its content.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# East Asian wide and full-width characters (CJK, kana, hangul, full-width forms) take two columns.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                   "\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def text_width(value: Any) -> int:
    """How many columns ``value`` takes when shown (its longest line): two for each Chinese character."""
    if value is None:
        return 0
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if text.isascii():
        return max(map(len, text.splitlines()), default=0)
    return max((len(line) + len(_WIDE.findall(line)) for line in text.splitlines()), default=0)


def write_table(ws: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, start_row: int = 1,
                formats: Optional[dict[int, str]] = None, freeze: bool = True, filters: bool = True) -> int:
    """Headers and rows from ``start_row``; returns the last row written.

    ``formats`` gives a number format by 0-based column (dates as yyyy-mm-dd).
    """
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for column, header in enumerate(headers, 1):
        cell = xlsx_put(ws.cell(row=start_row, column=column), header)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
    last = start_row
    for last, row in enumerate(rows, start_row + 1):
        for column, value in enumerate(row, 1):
            if value is None:
                continue
            cell = xlsx_put(ws.cell(row=last, column=column), value)
            if formats and column - 1 in formats:
                cell.number_format = formats[column - 1]
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if filters and headers:
        from openpyxl.utils import get_column_letter

        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(headers))}{max(last, start_row)}"
    return last


def fit_widths(ws: Any, *, wrap_over: int = MAX_WIDTH, caps: Optional[dict[int, int]] = None,
               minimum: int = 6) -> None:
    """Widths that fit each column's longest text (headers and filter buttons included).

    A column wider than its cap (``caps`` by 1-based column, else
    ``wrap_over``) is capped and its cells wrap; such rows get the height
    their longest wrapped cell needs, since Excel does not compute it when it
    opens a file, and every cell of the sheet is centred vertically.
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                extra = 3 if cell.row == 1 or cell.font.bold else 0  # the filter button beside a header
                widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value) + extra)
    cap = {c: (caps or {}).get(c, wrap_over) for c in widths}
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = max(minimum, min(width, cap[column]) + 2)
    wrapped = {c for c, w in widths.items() if w > cap[c]}
    if not wrapped:
        return
    plain, wrapping = Alignment(vertical="center"), Alignment(wrap_text=True, vertical="center")
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if cell.column in wrapped and cell.value is not None:
                cell.alignment = wrapping
                lines = max(lines, -(-text_width(cell.value) // cap[cell.column]))
            elif cell.value is not None:
                cell.alignment = plain
        if lines > 1:
            ws.row_dimensions[row[0].row].height = 15 * lines + 3


class _FixedTimeZip(zipfile.ZipFile):
    """A zip file whose entries all carry the same time."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        # openpyxl writes each sheet to a temporary file first, whose time would be stored.
        with open(filename, "rb") as handle:
            self.writestr(str(arcname or filename), handle.read())


def workbook_bytes(wb: Any, when: date) -> bytes:
    """The .xlsx bytes of ``wb``; its document dates are ``when``, so the same content gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = datetime(when.year, when.month, when.day)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "duban"
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()
