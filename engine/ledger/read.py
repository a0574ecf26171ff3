"""Reading input files: the one place where ledgers, rule files, mappings and waivers leave the file system.

Every input goes through :func:`read_bytes` (or :func:`read_text` on top of
it), which reads regular files only — a FIFO would hang the run, ``/dev/zero``
or ``/dev/urandom`` would grow memory without end — and enforces the byte
limit while reading, not only by the size the file system reports (0 for
devices and for files under ``/proc``). ``-`` names standard input. A reader
that goes through a file line by line (JSON Lines) opens it with
:func:`open_regular` and reads it with :func:`read_lines`: the same checks,
the same limit, never the whole file in memory.

:func:`read_text` then says what a file that is not UTF-8 text is (a
workbook, a UTF-16 or GBK text …) and what to do about it (:func:`refuse_binary`
and :func:`decode_text`, which line readers use too).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO, Iterator, Union

from ..errors import LedgerError
from .limits import Limits

__all__ = ["STDIN", "STDIN_SHOWN", "display_name", "read_bytes", "read_text", "open_regular", "read_lines",
           "refuse_binary", "decode_text"]

STDIN = "-"  # the path that names standard input
STDIN_SHOWN = "<标准输入>"

_CHUNK = 1 << 20

_KINDS = {
    stat.S_IFIFO: "命名管道 FIFO",
    stat.S_IFCHR: "字符设备",
    stat.S_IFBLK: "块设备",
    stat.S_IFSOCK: "套接字",
}

# What the operating system's reasons mean, in Chinese.
_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "无权读取该文件",
    errno.EPERM: "无权读取该文件",
    errno.ELOOP: "无法读取: 符号链接构成循环",
    errno.ENOTDIR: "无法读取: 路径中有一段不是目录",
    errno.ENAMETOOLONG: "无法读取: 路径过长",
    errno.EISDIR: "无法读取: 是目录,不是文件",
    errno.ENXIO: "无法读取: 不是普通文件(设备或套接字)",
    errno.EIO: "无法读取: 读取出错(I/O 错误)",
}


def display_name(path: Union[str, os.PathLike]) -> str:
    """A path as text that can always be printed and written to JSON.

    A name that is not UTF-8 (bytes the file system kept as they were) shows
    its undecodable bytes as U+FFFD instead of breaking the output.
    """
    return os.fsencode(path).decode("utf-8", "replace")


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno or 0, f"无法读取: {exc.strerror or exc}")


def _read_limited(handle: BinaryIO, shown: str, limits: Limits, error: type) -> bytes:
    """At most ``max_file_bytes`` from ``handle``; a longer input is refused once it passes the limit."""
    limit = limits.max_file_bytes
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = handle.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise error.at(shown, "", f"文件过大: 超过上限 {limit} 字节(可用 --limit max_file_bytes 调整)")


def read_bytes(path: Union[str, os.PathLike], shown: str, limits: Limits, error: type = LedgerError) -> bytes:
    """The bytes of a regular file (or of standard input for ``-``), or a located error.

    Anything that is not a regular file — a folder, a FIFO, a device, a socket —
    is refused before it is opened for reading; the byte limit holds however
    large the file claims to be.
    """
    if os.fspath(path) == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise error.at(shown, "", "标准输入是终端: 请用管道或重定向给出内容(例如 duban check - < 台账.yaml)")
        return _read_limited(sys.stdin.buffer, shown, limits, error)
    with open_regular(path, shown, limits, error) as handle:
        try:
            return _read_limited(handle, shown, limits, error)
        except OSError as exc:
            raise error.at(shown, "", _reason(exc)) from None


@contextlib.contextmanager
def open_regular(path: Union[str, os.PathLike], shown: str, limits: Limits,
                 error: type = LedgerError) -> Iterator[BinaryIO]:
    """A regular file opened for reading in binary, or a located error (what :func:`read_bytes` reads from).

    For readers that go through a file piece by piece (JSON Lines): they keep
    to the byte limit themselves, as :func:`read_lines` does.
    """
    try:
        info = os.stat(path)
        _check_regular(info, shown, limits, error)
        # O_NONBLOCK: should the path become a FIFO after the check, opening it does not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error.at(shown, "", _reason(exc)) from None
    with os.fdopen(fd, "rb") as handle:
        try:
            _check_regular(os.fstat(handle.fileno()), shown, limits, error)
        except OSError as exc:
            raise error.at(shown, "", _reason(exc)) from None
        yield handle


def read_lines(handle: BinaryIO, shown: str, limits: Limits, error: type = LedgerError) -> Iterator[bytes]:
    """The lines of an open file as bytes (each with its line end), one at a time, within the byte limit.

    No line is read past the limit: a file without line ends is refused once
    it passes it, not first read whole.
    """
    limit = limits.max_file_bytes
    total = 0
    while True:
        try:
            line = handle.readline(limit + 1 - total)
        except OSError as exc:
            raise error.at(shown, "", _reason(exc)) from None
        if not line:
            return
        total += len(line)
        if total > limit:
            raise error.at(shown, "", f"文件过大: 超过上限 {limit} 字节(可用 --limit max_file_bytes 调整)")
        yield line


def _check_regular(info: os.stat_result, shown: str, limits: Limits, error: type) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise error.at(shown, "", "无法读取: 是目录,不是文件")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "特殊文件")
        raise error.at(shown, "", f"无法读取: 不是普通文件(是{kind})")
    if info.st_size > limits.max_file_bytes:
        raise error.at(shown, "", f"文件过大: {info.st_size} 字节,上限 {limits.max_file_bytes} 字节"
                                  "(可用 --limit max_file_bytes 调整)")


# Signatures of files that people give instead of a text ledger.
_SIGNATURES = (
    (b"PK\x03\x04", "是 Excel 工作簿或其他 ZIP 压缩文件(二进制),不是 YAML/JSON 文本(Excel 台账请以 .xlsx 为扩展名)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "是旧版 Office 文件(如 .xls,二进制),不是 YAML/JSON 文本: 请在 Excel 中另存为 .xlsx"),
    (b"%PDF", "是 PDF 文件(二进制),不是 YAML/JSON 文本"),
    (b"\xff\xfe", "是 UTF-16 编码的文本,请另存为 UTF-8"),
    (b"\xfe\xff", "是 UTF-16 编码的文本,请另存为 UTF-8"),
)


def read_text(path: Union[str, os.PathLike, Path], shown: str, limits: Limits, error: type = LedgerError) -> str:
    """A file's UTF-8 text (a byte-order mark is allowed), or a located error saying what the file is instead."""
    data = read_bytes(path, shown, limits, error)
    refuse_binary(data, shown, error)
    return decode_text(data, shown, error)


def refuse_binary(head: bytes, shown: str, error: type = LedgerError) -> None:
    """A located error when the first bytes of a file show it is not UTF-8 text (a workbook, a PDF, UTF-16 …)."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise error.at(shown, "", what)
    if b"\x00" in head[:8192]:
        raise error.at(shown, "", "不是文本文件(含二进制内容)")


def decode_text(data: bytes, shown: str, error: type = LedgerError, place: str = "") -> str:
    """UTF-8 bytes as text (a byte-order mark is dropped), or a located error naming GBK or the byte at fault."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _is_gb18030(data):
            raise error.at(shown, place, "是 GBK/GB18030 编码的文本,不是 UTF-8: 请另存为 UTF-8"
                                         "(记事本或 WPS: 另存为时编码选 UTF-8)") from None
        where = "该行" if place else ""
        raise error.at(shown, place, f"不是 UTF-8 编码的文本({where}第 {exc.start} 字节),请另存为 UTF-8") from None


def _is_gb18030(data: bytes) -> bool:
    """Whether ``data`` reads as GB18030 text with Chinese in it (what Chinese Windows writes)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= char <= "\u9fff" for char in text[:10_000])
