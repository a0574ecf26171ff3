"""JSON Lines ledgers (``.jsonl``, ``.ndjson``): one item per line, read and validated a chunk at a time.

The form of national exports and of streams. The file is gone through line by
line (:func:`~.read.read_lines`: the byte limit holds while reading), each line
parsed by the JSON reader of every other ledger (:func:`~.parse.parse_json`:
duplicate keys refused, strict integers, the nesting limit) and the items
validated :data:`CHUNK_LINES` at a time by :func:`~.validate.validate_file`, so
that only one chunk of raw mappings is held at any time, never the text::

    file ─read_lines─▶ line ─parse_json─▶ mapping ─┐ a chunk ─validate_file─▶ Items
                                                  …┘   (places: 第 N 行)

A JSON Lines file holds items only: ``ledger`` and ``units`` come from another
file of the same run (``duban check 县.yaml 事项.jsonl``). Every place is the
line (``事项.jsonl: 第 1203 行 (P-1203).progress``); blank lines are skipped but
counted. All the file's errors are reported together; with ``rejected`` a bad
line (or a bad record of an item) is set aside instead, as in any ledger.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Sequence
from typing import Any, Callable, Optional, Union

from ..errors import Diagnostic, LedgerError
from .limits import Limits
from .models import Item, LedgerFile, Rejected
from .parse import parse_json
from .read import decode_text, display_name, open_regular, read_lines, refuse_binary
from .validate import InvalidFile, place_of, validate_file

__all__ = ["JSONL_SUFFIXES", "CHUNK_LINES", "LinePlaces", "InvalidLines", "load_jsonl"]

JSONL_SUFFIXES = (".jsonl", ".ndjson")

# Lines validated together: large enough for pydantic to run at full speed, small enough to hold lightly.
CHUNK_LINES = 5000

# What a line holds instead of an item, told in Chinese.
_KINDS_OF_VALUE = {list: "列表", str: "文本", int: "数字", float: "数字", bool: "布尔值", type(None): "null"}
# Keys of a whole ledger file, which a line of items cannot carry.
_LEDGER_KEYS = ("ledger", "units", "items")


class LinePlaces(Sequence):
    """Where each item of a JSON Lines file is, by its position: (file, ``第 N 行``).

    Only the line numbers are kept (four bytes an item); the places are made
    when asked for, by :func:`~.load.merge` and its messages.
    """

    def __init__(self, shown: str, lines: array) -> None:
        self.shown = shown
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.shown, f"第 {self.lines[index]} 行"


class InvalidLines(LedgerError):
    """A JSON Lines file with errors; ``ids`` are (file, ``第 N 行``, id) of every line whose id could be read.

    The loader checks them against the other files' ids, so that a duplicate
    id is reported in the same run as the file's other errors.
    """

    def __init__(self, diagnostics: Any, ids: list[tuple[str, str, str]]) -> None:
        super().__init__(diagnostics)
        self.ids = ids


def load_jsonl(source: Union[str, os.PathLike], limits: Limits,
               rejected: Optional[list[Rejected]]) -> tuple[str, LedgerFile, LinePlaces]:
    """One JSON Lines file → (shown name, its items as a ledger file, the line of each item).

    Raises :class:`InvalidLines` with every problem of every line; with
    ``rejected`` (a list) bad lines and records are appended to it instead and
    the rest is kept. Errors of the whole file (not a regular file, too large,
    not UTF-8, too many items) raise :class:`LedgerError` at once.
    """
    shown = display_name(source)
    reader = _Reader(shown, limits, rejected)
    with open_regular(source, shown, limits) as handle:
        for number, raw in enumerate(read_lines(handle, shown, limits), 1):
            reader.take(number, raw)
    return reader.finish()


# A problem found in the pending chunk: (its line, where and why, the item's id when it is known).
Found = tuple[int, Diagnostic, Optional[str]]


class _Reader:
    """The state of one file being read: the items so far, their lines, the problems, the pending chunk."""

    def __init__(self, shown: str, limits: Limits, rejected: Optional[list[Rejected]]) -> None:
        self.shown, self.limits, self.rejected = shown, limits, rejected
        self.items: list[Item] = []
        self.lines = array("I")  # the line of each of self.items (4 bytes each)
        self.count = 0  # lines that hold something, valid or not: what max_items counts
        self.chunk: list[tuple[int, Any]] = []  # (line, mapping) waiting to be validated
        self.pending: list[Found] = []  # problems of the lines of the pending chunk that did not parse
        self.problems: list[Diagnostic] = []
        self.set_aside: list[Rejected] = []
        self.broken_ids: list[tuple[int, str]] = []  # (line, id) of the items of chunks that failed

    def take(self, number: int, raw: bytes) -> None:
        """Read line ``number``: skip it when blank, else parse it into the pending chunk (or note its problem)."""
        if number == 1:
            refuse_binary(raw, self.shown)
        # Without its line end, so that a syntax error's column is on this line, not the next.
        text = decode_text(raw, self.shown, place=f"第 {number} 行").rstrip("\r\n")
        if not text.strip():
            return
        self.count += 1
        if self.count > self.limits.max_items:
            raise LedgerError.at(self.shown, f"第 {number} 行", f"事项过多: 超过上限 {self.limits.max_items} 个"
                                                                "(可用 --limit max_items 调整)")
        try:
            value = parse_json(text, self.shown, self.limits, line=number)
            _check_item_line(value, self.shown, number)
        except LedgerError as exc:
            self.pending.extend((number, d, None) for d in exc.diagnostics)
        else:
            self.chunk.append((number, value))
        if len(self.chunk) >= CHUNK_LINES:
            self.flush()

    def flush(self) -> None:
        """Validate the pending chunk; its problems join the file's, in line order."""
        found = self.pending + (self._validate(self.chunk) if self.chunk else [])
        found.sort(key=lambda problem: problem[0])  # stable: a line's errors stay in the model's order
        if self.rejected is None:
            self.problems.extend(d for _, d, _ in found)
        else:
            self.set_aside.extend(Rejected(file=d.file, place=d.place, id=item_id, cause=d.cause)
                                  for _, d, item_id in found)
        self.chunk, self.pending = [], []

    def finish(self) -> tuple[str, LedgerFile, LinePlaces]:
        """The file read: its items and their lines, or every problem found."""
        self.flush()
        if self.problems:
            ids = sorted([*zip(self.lines, (item.id for item in self.items)), *self.broken_ids])
            raise InvalidLines(self.problems, [(self.shown, f"第 {line} 行", item_id) for line, item_id in ids])
        if self.rejected is not None:
            self.rejected.extend(self.set_aside)
        # The items are validated already: the file is only their envelope.
        return self.shown, LedgerFile.model_construct(items=self.items), LinePlaces(self.shown, self.lines)

    def _validate(self, chunk: list[tuple[int, Any]]) -> list[Found]:
        """The chunk's items validated and kept; the problems found, each with its line."""
        numbers = [number for number, _ in chunk]
        data = {"items": [value for _, value in chunk]}
        at: dict[str, int] = {}  # the line of each place named, to sort the chunk's problems by line
        try:
            document = validate_file(data, self.shown, self.limits, locate=_on_lines(numbers, data, at))
        except InvalidFile as exc:
            if self.rejected is not None:
                return self._validate_one_by_one(chunk)
            self.broken_ids.extend((numbers[index], item_id) for index, item_id in exc.ids)
            return [(at.get(d.place, 0), d, None) for d in exc.diagnostics]
        self.items.extend(document.items)
        self.lines.extend(numbers)
        return []

    def _validate_one_by_one(self, chunk: list[tuple[int, Any]]) -> list[Found]:
        """Under skip_invalid, a chunk with errors item by item, so that each item kept keeps its line."""
        found: list[Found] = []
        for number, value in chunk:
            data = {"items": [value]}
            aside: list[Rejected] = []
            document = validate_file(data, self.shown, self.limits, locate=_on_lines([number], data, {}),
                                     rejected=aside)
            self.items.extend(document.items)
            self.lines.extend([number] * len(document.items))
            found.extend((number, Diagnostic(r.file, r.place, r.cause), r.id) for r in aside)
        return found


def _on_lines(numbers: list[int], data: dict, at: dict[str, int]) -> Callable[[tuple], str]:
    """The ``locate`` of a chunk: ``("items", 3, "progress")`` → ``第 1203 行 (P-1203).progress``.

    ``numbers`` are the lines of the chunk's items; each place made is noted in ``at`` with its line.
    """

    def locate(loc: tuple) -> str:
        index = loc[1]
        place = f"第 {numbers[index]} 行" + place_of(loc, data)[len(f"items[{index}]"):]
        at[place] = numbers[index]
        return place

    return locate


def _check_item_line(value: Any, shown: str, number: int) -> None:
    """A line must be one item: a JSON object, and not a whole ledger's ``ledger``, ``units`` or ``items``."""
    if not isinstance(value, dict):
        what = _KINDS_OF_VALUE.get(type(value), type(value).__name__)
        raise LedgerError.at(shown, f"第 {number} 行", f"应为一个事项(JSON 对象 {{…}}),实际为{what}")
    keys = [key for key in _LEDGER_KEYS if key in value]
    if keys:
        raise LedgerError.at(shown, f"第 {number} 行", (
            f"这一行含 {'、'.join(keys)},不是事项: JSON Lines 台账每行只写一个事项,台账信息(ledger)和"
            "责任单位(units)请写在同一次运行的另一个台账文件中(例如 duban check 县.yaml 事项.jsonl)"))

