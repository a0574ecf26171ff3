"""The history store's interface: what any place that keeps periods must offer.

SQLite (:mod:`.sqlite`) is the embedded default; a server database follows by
implementing these few methods, and nothing else in duban changes: the engine
reads a store only through :class:`~engine.history.view.HistoryView`, and the
command line only through these methods.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import Any, Iterator, Optional

from ..report import Report
from .records import Period, PeriodInfo, RecordedFinding, RecordedItem

__all__ = ["HistoryStore"]


class HistoryStore(ABC):
    """A place that keeps recorded periods, keyed by their reference date (``as_of``).

    Every method raises :class:`~engine.errors.HistoryError` (a located,
    one-line error) when the store cannot be read or written; nothing is
    ever half-recorded. A store is a context manager that closes itself.
    """

    #: How the store is named to the user (a file path, a server address).
    location: str = ""

    @abstractmethod
    def periods(self) -> list[PeriodInfo]:
        """Every recorded period in brief, oldest first."""

    @abstractmethod
    def findings(self, as_of: str) -> list[RecordedFinding]:
        """The findings of the period ``as_of``, sorted by (subject, rule); [] when not recorded."""

    @abstractmethod
    def items(self, as_of: str) -> list[RecordedItem]:
        """The items of the period ``as_of``, in rank order; [] when not recorded."""

    @abstractmethod
    def record(self, report: Report) -> Optional[str]:
        """Store the report as the period ``report.as_of``, all or nothing.

        A period recorded again replaces the old one; the note saying so is
        returned (None when the period is new).
        """

    def finding_keys(self, as_of: str) -> set[tuple[str, str]]:
        """The (subject, rule) of every finding of the period ``as_of``: what a streak reads.

        The default reads the whole findings; a store may answer faster.
        """
        return {f.key for f in self.findings(as_of)}

    def item_states(self, as_of: str) -> dict[str, tuple[str, float]]:
        """Every item of the period ``as_of`` → (light, score): what previous lights and red periods read."""
        return {i.id: (i.light, i.score) for i in self.items(as_of)}

    def close(self) -> None:
        """Release what the store holds open (a connection); the default holds nothing."""

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads that must see one state of the store (no record in between)."""
        yield

    def period(self, as_of: str) -> Optional[Period]:
        """The whole period ``as_of`` (None when it is not recorded)."""
        with self.reading():
            info = next((p for p in self.periods() if p.as_of == as_of), None)
            if info is None:
                return None
            return Period(as_of=info.as_of, rules_source=info.rules_source, rules_sha256=info.rules_sha256,
                          findings=self.findings(as_of), items=self.items(as_of))

    def __enter__(self) -> "HistoryStore":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
