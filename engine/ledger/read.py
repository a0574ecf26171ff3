"""Reading input files: the one place where ledger and rule files leave the file system."""

from __future__ import annotations

from pathlib import Path

from ..errors import LedgerError
from .limits import Limits

__all__ = ["read_text"]


def read_text(path: Path, shown: str, limits: Limits, error: type = LedgerError) -> str:
    """Read a file as UTF-8 text (a byte-order mark is allowed), or raise a located error."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error.at(shown, "", "是目录,不是文件")
        if size > limits.max_file_bytes:
            raise error.at(shown, "", f"文件过大: {size} 字节,上限 {limits.max_file_bytes} 字节")
        data = path.read_bytes()
    except FileNotFoundError:
        raise error.at(shown, "", "文件不存在") from None
    except PermissionError:
        raise error.at(shown, "", "无权读取该文件") from None
    except OSError as exc:
        raise error.at(shown, "", f"无法读取: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise error.at(shown, "", "不是文本文件(含二进制内容)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error.at(shown, "", f"不是 UTF-8 编码的文本(第 {exc.start} 字节)") from None
