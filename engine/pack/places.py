"""The line of a pack problem in its rule file (``第 N 行``), found from the problem's place.

Pack problems are located by places such as ``rule LAG-01.levels[1].when.op``,
``rules[2] (X-1).id`` or ``params.lag_red_points``. They are turned back into
paths in the file's data (``("rules", 0, "levels", 1, "when", "op")``) and
looked up in the file's text once, after the pack is checked, for the
problems found only.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional

from ..errors import Diagnostic
from ..ledger import lines_of

__all__ = ["with_lines"]

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\](?: \([^)]*\))?")


def _path(place: str, data: Any) -> Optional[tuple]:
    """The data path a place names, or None for a place that names no part of the file."""
    path: tuple = ()
    rest = place
    if place.startswith("rule "):
        rules = data.get("rules") if isinstance(data, dict) else None
        ids = [rule.get("id") if isinstance(rule, dict) else None for rule in rules or []]
        # the longest id that the place starts with (ids may contain dots)
        for index, rule_id in sorted(enumerate(ids), key=lambda pair: -len(str(pair[1]))):
            head = f"rule {rule_id}"
            if isinstance(rule_id, str) and (place == head or place.startswith(head + ".")):
                path, rest = ("rules", index), place[len(head):]
                break
        else:
            return None
    position = 0
    while position < len(rest):
        step = _STEP.match(rest, position)
        if step is None or step.end() == position:
            return None
        key, index = step.groups()
        path += (int(index),) if index is not None else (key,)
        position = step.end()
    return path or None


def with_lines(problems: list[Diagnostic], sources: dict[str, tuple[str, Any]]) -> list[Diagnostic]:
    """``problems`` with the line of each place in its file, where it is found.

    ``sources`` maps a file as shown to its text and parsed data.
    """
    wanted: dict[str, dict[int, tuple]] = {}
    for number, problem in enumerate(problems):
        source = sources.get(problem.file)
        if source is None or problem.line is not None or not problem.place:
            continue
        path = _path(problem.place, source[1])
        if path is not None:
            wanted.setdefault(problem.file, {})[number] = path
    lines: dict[int, int] = {}
    for file, paths in wanted.items():
        text, _ = sources[file]
        found = lines_of(text, ".yaml")(list(paths.values()))
        lines.update({number: found[path] for number, path in paths.items() if path in found})
    return [dataclasses.replace(problem, line=lines[number]) if number in lines else problem
            for number, problem in enumerate(problems)]
