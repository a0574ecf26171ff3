"""Writing results: atomically, so that a failed run leaves the old file as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import UsageError

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError.at(str(path), "--output", "所在目录不存在")
    if target.exists() and not target.is_file():
        raise UsageError.at(str(path), "--output", "不是普通文件(是目录或设备),不能写入")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError.at(str(path), "--output", f"无法写入: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise UsageError.at(str(path), "--output", f"无法写入: {exc.strerror or exc}") from None
        raise
