"""Reading a CSV file into one :class:`~.sheets.Sheet`, named by the file's stem.

The encoding is detected, UTF-8 first: a UTF-8 byte-order mark, then strict
UTF-8, then GB18030 (what Excel writes on a Chinese Windows; a superset of
GBK and GB2312). Excel's "Unicode text" export (UTF-16 with a byte-order
mark, tab-separated) is read too. The separator is the one of ``,`` tab
``;`` that the first lines use most.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from ..errors import LedgerError
from .sheets import Sheet

__all__ = ["read_csv", "decode"]

_SEPARATORS = (",", "\t", ";")


def decode(data: bytes, shown: str) -> str:
    """CSV bytes as text: UTF-8 (with or without a byte-order mark), UTF-16 with one, or GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError.at(shown, "", "无法识别的编码: 应为 UTF-8 或 GB18030(GBK)编码的 CSV 文件")


def _separator(text: str) -> str:
    head = text[:20000].splitlines()[:10]
    counts = {sep: sum(line.count(sep) for line in head) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv(data: bytes, shown: str) -> Sheet:
    """One CSV file as a sheet named like the file (重点项目.csv → 重点项目)."""
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LedgerError.at(shown, "", "不是文本文件(含二进制内容),不是 CSV")
    text = decode(data, shown)
    try:
        rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))]
    except csv.Error as exc:
        raise LedgerError.at(shown, "", f"CSV 格式错误: {exc}") from None
    return Sheet(name=Path(shown).stem, rows=rows, file=shown, csv=True)
