"""Writing results: atomically, so that a failed or interrupted run leaves the old file as it was.

The data goes to a temporary file in the target's folder, which then replaces
the target in one rename. An existing file keeps its permissions (a new one
gets those the umask gives); a symbolic link is written through, to its
target, which is replaced atomically in the same way. A target that is one of
the run's inputs is refused before anything is evaluated
(:func:`check_target`): a report must never overwrite the ledger it reads.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable, Optional, Union

from ..errors import UsageError

__all__ = ["check_target", "write_atomic"]

PathLike = Union[str, os.PathLike]


def _checked_path(path: PathLike) -> Path:
    """The file to write for ``path``: through a symbolic link to its target; "" and "dir/" refused."""
    text = os.fspath(path)
    if not text.strip():
        raise UsageError.at("--output", "", "文件名为空")
    if text.endswith(("/", os.sep)):
        raise UsageError.at(text, "--output", "以 / 结尾,是目录名: --output 应为文件名")
    target = Path(os.path.realpath(text)) if os.path.islink(text) else Path(text)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError.at(text, "--output", "所在目录不存在")
    if target.exists() and not target.is_file():
        raise UsageError.at(text, "--output", "不是普通文件(是目录或设备),不能写入")
    return target


def check_target(path: Optional[PathLike], inputs: Iterable[PathLike] = ()) -> None:
    """Refuse an output path that cannot be written, or that is one of ``inputs`` (files, or folders of them).

    Inputs are compared by identity on disk (device and inode), so another
    spelling of the same file, a hard link or a symbolic link is caught too.
    """
    if path is None:
        return
    target = _checked_path(path)
    try:
        written = os.stat(target)
    except OSError:
        return  # a file that does not exist yet is no input
    for given in inputs:
        for candidate in _files(given):
            try:
                if os.path.samestat(written, os.stat(candidate)):
                    raise UsageError.at(os.fspath(path), "--output",
                                        f"与输入文件 {os.fspath(candidate)} 是同一个文件,不能用报告覆盖输入")
            except OSError:
                continue


def _files(given: PathLike) -> Iterable[PathLike]:
    """``given`` itself, or every file under it when it is a folder (a rule pack)."""
    if not os.path.isdir(given):
        yield given
        return
    for root, _, names in os.walk(given, followlinks=True):
        for name in names:
            yield os.path.join(root, name)


def _new_file_mode() -> int:
    """The permissions a newly created file gets: 0o666 less the umask."""
    mask = None
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    mask = int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    if mask is None:  # no /proc: read the umask by setting it (and set it back at once)
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    target = _checked_path(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    except OSError as exc:
        raise UsageError.at(os.fspath(path), "--output", f"无法写入: {exc.strerror or exc}") from None
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError.at(os.fspath(path), "--output", f"无法写入: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)  # mkstemp made it private (0600)
        os.replace(temporary, target)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise UsageError.at(os.fspath(path), "--output", f"无法写入: {exc.strerror or exc}") from None
        raise
