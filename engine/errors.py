"""Errors that a person can act on.

Every error duban raises is a :class:`DubanError`. It carries one or more
:class:`Diagnostic` records, each naming the file, the place in it and the
cause, so that the command line can print one line per problem and a library
user can read the same facts as fields::

    DubanError
    ├── LedgerError       a ledger file that cannot be read or is invalid
    ├── PackError         a rule pack that cannot be read or is inconsistent
    ├── UsageError        a bad option: --as-of, --set, --rules, an unknown item
    ├── EvaluationError   evaluation failed (a crashed worker, an engine fault)
    └── HistoryError      a history store (or a report to compare) that cannot be read or written
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = [
    "Diagnostic",
    "DubanError",
    "LedgerError",
    "PackError",
    "UsageError",
    "EvaluationError",
    "HistoryError",
]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One located problem: ``file: place: cause``.

    ``file`` is the path as the user gave it (or ``<数据>`` for a mapping passed
    in by a library user); ``place`` is a path inside the file such as
    ``items[3] (P-004).progress`` or ``rule LAG-01.levels[1]``; both may be
    empty when they do not apply.
    """

    file: str
    place: str
    cause: str

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.place, self.cause) if part)


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


class EvaluationError(DubanError):
    """Evaluation could not finish; no partial result is returned."""


class HistoryError(DubanError):
    """A history store or a JSON report to compare is unreadable, of another version, or not writable.

    Nothing is misread: a store written by an unknown schema version, a file
    that is not a duban history and a corrupt file are refused whole.
    """
