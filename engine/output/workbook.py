"""openpyxl plumbing shared by every workbook duban writes (the report, the ledger template).

- :func:`write_table`  a header row (bold, frozen, with filters) and rows of safe cells, in column
  widths that fit Chinese text (a Chinese character is two columns wide), long text wrapped
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

__all__ = ["HEADER_FILL", "write_table", "print_landscape", "workbook_bytes", "text_width"]

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
                formats: Optional[dict[int, str]] = None, freeze: bool = True, filters: bool = True,
                caps: Optional[dict[int, int]] = None, wrap_over: int = MAX_WIDTH, minimum: int = 6) -> int:
    """Headers and rows from ``start_row``, in widths that fit them; returns the last row written.

    ``formats`` gives a number format by 0-based column (dates as yyyy-mm-dd).
    Each column is as wide as its longest text (a Chinese character counts
    two, a header gets room for its filter button), up to its cap (``caps``
    by 1-based column, else ``wrap_over``); longer text wraps, and its row
    gets the height it needs, since Excel does not compute it when it opens
    a file.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    middle = Alignment(vertical="center")
    wrapping = Alignment(wrap_text=True, vertical="center")
    widths = [text_width(header) + 3 for header in headers]
    limit = [(caps or {}).get(index + 1, wrap_over) for index in range(len(headers))]
    for column, header in enumerate(headers, 1):
        cell = xlsx_put(ws.cell(row=start_row, column=column), header)
        cell.font, cell.fill, cell.alignment = bold, fill, middle
    last = start_row
    for last, row in enumerate(rows, start_row + 1):
        lines, written = 1, []
        for index, value in enumerate(row):
            if value is None:
                continue
            cell = xlsx_put(ws.cell(row=last, column=index + 1), value)
            if formats and index in formats:
                cell.number_format = formats[index]
            width = text_width(value)
            widths[index] = max(widths[index], width)
            if width > limit[index]:
                cell.alignment = wrapping
                lines = max(lines, -(-width // limit[index]))
            else:
                written.append(cell)
        if lines > 1:
            ws.row_dimensions[last].height = 15 * lines + 3
            for cell in written:
                cell.alignment = middle
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = max(minimum, min(width, limit[index]) + 2)
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if filters and headers:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(headers))}{max(last, start_row)}"
    return last


def print_landscape(ws: Any) -> None:
    """Print a sheet landscape on A4, one page wide, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = "1:1"


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
