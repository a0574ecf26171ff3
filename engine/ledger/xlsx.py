"""Reading an Excel workbook (.xlsx) into :class:`~.sheets.Sheet` rows, with openpyxl.

The workbook is read in openpyxl's read-only (streaming) mode, values only
(a formula gives the value Excel last computed). A number cell formatted as a
percentage arrives as :class:`~.cellvalues.Percentage`, an error value
(``#N/A``) as :class:`~.cellvalues.ExcelError`. Read-only mode does not read
merged ranges, so they are taken from each sheet's XML (``<mergeCell
ref="A3:A5"/>``) and given to the cells they cover. A file that is not a
workbook — an old .xls, one with an opening password, a damaged one — is one
located error, never a traceback.
"""

from __future__ import annotations

import functools
import io
import re
import warnings
from typing import Any

from ..errors import LedgerError
from .cellvalues import ExcelError, Percentage
from .sheets import Sheet

__all__ = ["read_workbook"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound document: an .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")


def _column(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _not_a_workbook(data: bytes, shown: str) -> LedgerError:
    if data.startswith(_OLE):
        if _ENCRYPTED in data:
            return LedgerError.at(shown, "", "工作簿设置了打开密码(已加密),无法读取: 请在 Excel 中取消密码后另存为 .xlsx")
        return LedgerError.at(shown, "", "是旧版 Excel 97-2003 (.xls) 文件,不是 .xlsx: 请在 Excel 中另存为 .xlsx")
    if not data:
        return LedgerError.at(shown, "", "空文件,不是 Excel 工作簿")
    return LedgerError.at(shown, "", "不是 Excel 工作簿(.xlsx 文件应为 zip 格式)")


def read_workbook(data: bytes, shown: str) -> list[Sheet]:
    """The sheets of a workbook, in workbook order, each with its rows and merged ranges."""
    if not data.startswith(_ZIP):
        raise _not_a_workbook(data, shown)
    try:
        return _read(data, shown)
    except LedgerError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; none may escape as a traceback
        raise LedgerError.at(shown, "", f"工作簿已损坏,无法读取({type(exc).__name__})") from None


def _read(data: bytes, shown: str) -> list[Sheet]:
    from openpyxl.reader.excel import ExcelReader

    with warnings.catch_warnings():
        # openpyxl warns about features it drops (data validation extensions, headers …): not our reader's news.
        warnings.simplefilter("ignore")
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
    try:
        targets = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()}
        sheets = []
        for ws in reader.wb.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue  # a chart sheet
            ws.reset_dimensions()  # a stated size of a million rows (a formatted column) is not content
            sheet = Sheet(name=ws.title, rows=[_row(row) for row in ws.iter_rows()], file=shown,
                          hidden=ws.sheet_state != "visible")
            target = targets.get(ws.title)
            if target:
                sheet.merges = _merges(reader.archive.read(target.lstrip("/")))
            sheet.spread_merges()
            sheets.append(sheet)
        return sheets
    finally:
        reader.archive.close()


_QUOTED = re.compile(r'"[^"]*"|\\.')


@functools.lru_cache(maxsize=256)
def _is_percent(number_format: str) -> bool:
    """A number format that shows a fraction as a percentage (0%, 0.0%); a quoted "%" is only a sign."""
    return "%" in _QUOTED.sub("", number_format)


def _row(cells: Any) -> list[Any]:
    values = []
    append = values.append
    for cell in cells:
        value = cell.value
        kind = type(value)
        if value is None or kind is str and cell.data_type != "e":
            append(value)
        elif kind is int or kind is float:
            append(Percentage(value) if _is_percent(cell.number_format) else value)
        elif kind is str:
            append(ExcelError(value))
        else:
            append(value)
    return values


def _merges(xml: bytes) -> list[tuple[int, int, int, int]]:
    found = []
    for match in _MERGE.finditer(xml):
        left, top, right, bottom = match.groups()
        right, bottom = right or left, bottom or top
        found.append((int(top), _column(left), int(bottom), _column(right)))
    return found
