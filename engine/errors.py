"""Errors that a person can act on.

Every error duban raises is a :class:`DubanError`. It carries one or more
:class:`Diagnostic` records, each naming the file, the place in it and the
cause, so that the command line can print one line per problem and a library
user can read the same facts as fields::

    DubanError
    ├── LedgerError       a ledger file that cannot be read or is invalid
    ├── PackError         a rule pack that cannot be read or is inconsistent
    ├── UsageError        a bad option: --as-of, --set, --rules, an unknown item
    │   └── UnknownItemError  an item id the ledger or report does not hold (also a KeyError)
    ├── EvaluationError   evaluation failed (a crashed worker, an engine fault)
    └── HistoryError      a history store (or a report to compare) that cannot be read or written
"""

from __future__ import annotations

import unicodedata
import difflib
from dataclasses import dataclass
from typing import Iterable, Optional

__all__ = [
    "one_line",
    "Diagnostic",
    "DubanError",
    "LedgerError",
    "PackError",
    "UsageError",
    "UnknownItemError",
    "EvaluationError",
    "HistoryError",
]


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str, limit: int) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    Line breaks, control and invisible characters are shown escaped (``\\n``,
    ``\\u200b``), so that a value can neither split a message nor hide in it;
    a longer text is cut, with … where it was cut.
    """
    if not text.isprintable():
        text = "".join(_visible(char) for char in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _visible(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return char


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem: ``file: place: cause``.

    ``file`` is the path as the user gave it (or ``<数据>`` for a mapping passed
    in by a library user); ``place`` is a path inside the file such as
    ``items[3] (P-004).progress`` or ``rule LAG-01.levels[1]``; both may be
    empty when they do not apply. ``line`` is the place's line in the file
    (1-based) where it is known.

    ``str()`` is always one line of a readable length, whatever the values in
    it: the fields keep the full text.
    """

    file: str
    place: str
    cause: str
    line: Optional[int] = None

    def __str__(self) -> str:
        place, cause = one_line(self.place, 150), one_line(self.cause, 220)
        if self.line is not None:
            if place:
                cause += f"(第 {self.line} 行)"
            else:
                place = f"第 {self.line} 行"
        return ": ".join(part for part in (one_line(self.file, 100), place, cause) if part)


class DubanError(Exception):
    """The root of duban's errors; ``str()`` gives one line per diagnostic."""

    def __init__(self, diagnostics: Iterable[Diagnostic] | Diagnostic | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("", "", diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, file: str, place: str, cause: str) -> "DubanError":
        """Build an error with a single located diagnostic."""
        return cls(Diagnostic(str(file), place, cause))


class LedgerError(DubanError):
    """A ledger file is unreadable, malformed or invalid."""


class PackError(DubanError):
    """A rule pack is unreadable, malformed or inconsistent; nothing was evaluated."""


class UsageError(DubanError):
    """An option or argument is wrong (a bad date, an unknown param or item)."""


class UnknownItemError(UsageError, KeyError):
    """An item id that the ledger or the report does not hold, with "是否想写" for near ids.

    It is also a :class:`KeyError`, so that code written when ``report.item``
    raised a bare KeyError keeps working.
    """

    def __init__(self, item_id: str, known: Iterable[str] = (), *, where: str = "", file: str = "",
                 what: str = "没有该编号的事项") -> None:
        """``known`` are the ids there are; ``where`` says where the id was looked for (台账中, 报告中);
        ``what`` what was not found there (explain also looks for a unit or the county)."""
        self.item_id = item_id
        near = difflib.get_close_matches(item_id, list(known), n=3, cutoff=0.6) if len(item_id) <= 40 else []
        hint = f",是否想写 {'、'.join(near)}?" if near else ""
        super().__init__(Diagnostic(file, item_id, f"{where}{what}{hint}"))

    # KeyError would show the repr of the message; show it as every duban error does.
    __str__ = Exception.__str__


class EvaluationError(DubanError):
    """Evaluation could not finish; no partial result is returned."""


class HistoryError(DubanError):
    """A history store or a JSON report to compare is unreadable, of another version, or not writable.

    Nothing is misread: a store written by an unknown schema version, a file
    that is not a duban history and a corrupt file are refused whole.
    """
