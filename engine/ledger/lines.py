"""Where a value sits in YAML or JSON text: the line numbers of error messages.

Nothing is recorded while a file is read (a ledger of a million items would
pay for it): only when validation finds errors is the text walked once more,
for the places of those errors alone. A place that is not in the text (a
missing field) gets the line of the nearest enclosing value that is.

``lines_of(text, suffix)`` returns a function from a list of places (pydantic
locations such as ``("items", 3, "progress")``) to their 1-based lines.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any, Callable, Iterable, Optional

from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)

from .yaml_reader import yaml_events

__all__ = ["Lines", "lines_of", "yaml_lines", "json_lines"]

Place = tuple
Lines = Callable[[Iterable[Place]], dict[Place, int]]


def lines_of(text: str, suffix: str) -> Lines:
    """A function giving the lines of places in ``text`` (JSON for ``.json``, else YAML)."""
    finder = json_lines if suffix.lower() == ".json" else yaml_lines
    return lambda places: _nearest(finder(text, _prefixes(places)), places)


def _prefixes(places: Iterable[Place]) -> set[Place]:
    wanted: set[Place] = set()
    for place in places:
        for end in range(len(place) + 1):
            wanted.add(tuple(place[:end]))
    return wanted


def _nearest(found: dict[Place, int], places: Iterable[Place]) -> dict[Place, int]:
    """Each place's line, or that of its longest prefix that has one (the document itself excepted)."""
    result = {}
    for place in places:
        for end in range(len(place), 0, -1):
            line = found.get(tuple(place[:end]))
            if line is not None:
                result[place] = line
                break
    return result


# --- YAML -------------------------------------------------------------------


class _Open:
    __slots__ = ("path", "is_map", "index", "key", "key_line", "has_key", "wanted")

    def __init__(self, path: Place, is_map: bool, wanted: bool) -> None:
        self.path, self.is_map, self.wanted = path, is_map, wanted
        self.index = 0
        self.key: Any = None
        self.key_line = 0
        self.has_key = False


def yaml_lines(text: str, wanted: set[Place]) -> dict[Place, int]:
    """The lines (1-based) of the wanted places, from one walk over the parser's events."""
    found: dict[Place, int] = {}
    parser = yaml_events(text)
    stack: list[_Open] = []
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return found
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                continue
            if not isinstance(event, (ScalarEvent, CollectionStartEvent, AliasEvent)):
                continue
            line = event.start_mark.line + 1
            top = stack[-1] if stack else None
            path: Optional[Place] = ()
            if top is not None:
                if top.is_map and not top.has_key:  # a key: it names the value that follows
                    top.key = event.value if kind is ScalarEvent else None
                    top.key_line, top.has_key = line, True
                    if kind is not ScalarEvent and isinstance(event, CollectionStartEvent):
                        stack.append(_Open((), kind is MappingStartEvent, False))
                    continue
                if top.is_map:
                    top.has_key = False
                    path = top.path + (top.key,) if top.wanted and top.key is not None else None
                    line = top.key_line
                else:
                    path = top.path + (top.index,) if top.wanted else None
                    top.index += 1
            wanted_here = path is not None and path in wanted
            if wanted_here:
                found.setdefault(path, line)  # type: ignore[arg-type]
            if isinstance(event, CollectionStartEvent):
                stack.append(_Open(path if wanted_here else (), kind is MappingStartEvent, wanted_here))
    except Exception:  # the text was read once already; a walk that fails just gives fewer lines
        return found
    finally:
        parser.dispose()


# --- JSON -------------------------------------------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def json_lines(text: str, wanted: set[Place]) -> dict[Place, int]:
    """The lines (1-based) of the wanted places; values off the wanted paths are skipped by the C scanner."""
    positions: dict[Place, int] = {}
    try:
        start = _SPACE.match(text, 1 if text.startswith("\ufeff") else 0).end()  # type: ignore[union-attr]
        parents = {place[:-1] for place in wanted if place}
        _walk(text, start, (), wanted, parents, positions)
    except (ValueError, IndexError, RecursionError):
        pass
    newlines = [m.start() for m in re.finditer("\n", text)] if positions else []
    return {place: bisect_right(newlines, at) + 1 for place, at in positions.items()}


def _walk(text: str, at: int, path: Place, wanted: set[Place], parents: set[Place],
          positions: dict[Place, int]) -> int:
    """Record the value at ``at`` (and what is wanted inside it); return where it ends."""
    positions[path] = at
    opener = text[at]
    if opener not in "[{" or path not in parents:
        return _DECODER.raw_decode(text, at)[1]
    closer = "]" if opener == "[" else "}"
    at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    index = 0
    while text[at] != closer:
        if opener == "{":
            key_at = at
            key, at = json.decoder.scanstring(text, at + 1)
            at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]  # past ':'
            child: Place = path + (key,)
        else:
            key_at, child = at, path + (index,)
            index += 1
        if child in wanted:
            end = _walk(text, at, child, wanted, parents, positions)
            positions[child] = min(positions[child], key_at)
        else:
            end = _DECODER.raw_decode(text, at)[1]
        at = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        if text[at] == ",":
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    return at + 1

