"""Which files make a rule pack: ``--rules DIR`` (or one file), ``builtin`` for the default pack.

- A pack folder holds its rule files at any depth: every ``*.yaml`` and
  ``*.yml`` file (in any case), sorted by relative path.
- Dot folders and dot files (``.git/``, ``.vscode/``, ``.#r.yaml`` left by an
  editor) are not part of a pack: they are skipped.
- Symbolic links are followed, to files and to folders alike, so that a pack
  can share rule files with another; a link that leads back into a folder
  already read is skipped (no loop). A rule file whose real place is outside
  the pack folder is loaded, and said so in a note: the pack then depends on
  a file that is not in it.
- ``--rules FILE`` is a pack of that one file.
- A folder that holds no rule file is an error that says what was looked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PackError
from ..ledger import display_name
from ..resources import builtin_rules_dir

__all__ = ["BUILTIN", "RULE_SUFFIXES", "PackFiles", "pack_files"]

BUILTIN = "builtin"
RULE_SUFFIXES = (".yaml", ".yml")


@dataclass
class PackFiles:
    """The rule files of one ``--rules`` root: (path to read, relative name, name shown), and notes."""

    files: list[tuple[Path, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_rule_file(name: str) -> bool:
    return name.lower().endswith(RULE_SUFFIXES)


def pack_files(root: str) -> PackFiles:
    """The rule files of ``root`` (a folder, one rule file, or ``builtin``), or a :class:`PackError`."""
    shown = display_name(root)
    folder = builtin_rules_dir() if root == BUILTIN else Path(root)
    if not folder.exists():
        raise PackError.at(shown, "", "规则包目录不存在")
    if folder.is_file():
        if not _is_rule_file(folder.name):
            raise PackError.at(shown, "", "不是规则文件: --rules 应指向规则包目录或一个 .yaml/.yml 规则文件")
        return PackFiles([(folder, folder.name, shown)])
    if not folder.is_dir():
        raise PackError.at(shown, "", "不是目录: --rules 应指向规则包目录或一个 .yaml/.yml 规则文件")
    found = PackFiles()
    real_root = os.path.realpath(folder)
    visited: set[tuple[int, int]] = set()
    for here, dirs, names in os.walk(folder, followlinks=True):
        info = os.stat(here)
        if (info.st_dev, info.st_ino) in visited:  # a link back into a folder already read
            dirs[:] = []
            continue
        visited.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(dirs):
            if _is_rule_file(name):
                rel = Path(here, name).relative_to(folder).as_posix()
                raise PackError.at(_shown_file(root, shown, rel), "", "是目录,不是规则文件")
        for name in names:
            if name.startswith(".") or not _is_rule_file(name):
                continue
            path = Path(here, name)
            rel = path.relative_to(folder).as_posix()
            found.files.append((path, rel, _shown_file(root, shown, rel)))
            real = os.path.realpath(path)
            if os.path.commonpath([real_root, real]) != real_root:
                found.notes.append(f"规则文件 {_shown_file(root, shown, rel)} 链接到规则包目录之外的 {display_name(real)}")
    found.files.sort(key=lambda entry: entry[1])
    if not found.files:
        raise PackError.at(shown, "", "目录中没有规则文件(查找 *.yaml 和 *.yml;以 . 开头的文件和目录不读)")
    return found


def _shown_file(root: str, shown: str, rel: str) -> str:
    if root == BUILTIN:
        return f"rules/{rel}"
    return display_name(os.path.join(root, rel))
