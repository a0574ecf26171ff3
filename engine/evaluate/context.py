"""What one run decides beyond the rules: waivers, escalation, history — for every chunk alike.

The order of one run (SPEC Part 2, "Order of evaluation"): first-stage
rules → waivers → escalation → second-stage rules → waivers again → scores.
A :class:`Context` carries what those steps need, small enough to send to
worker processes: the reference date, the waivers, the pack's escalation
entries and the history's view of the periods before the reference date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional, Protocol

from ..ledger.waivers import Waiver
from ..pack import Escalation, family_of
from .metrics import HistoryFacts

__all__ = ["HistoryView", "Raise", "Context"]


class HistoryView(HistoryFacts, Protocol):
    """The history as a run reads it: the recorded periods before its reference date."""

    def streak(self, subject: str, rule: str) -> int:
        """Recorded periods in a row, just before the reference date, in which (subject, rule) was a finding."""
        ...

    def series(self) -> list[tuple[str, int, int]]:
        """(as_of, red items, yellow items) of each recorded period before the reference date, oldest first."""
        ...


@dataclass(frozen=True)
class Raise:
    """An escalation (升级督办): the severity a finding is raised to, and how many periods in a row it fired."""

    to: str
    periods: int


@dataclass(frozen=True)
class Context:
    """The reference date, the waivers, the escalation entries and the history of one run."""

    as_of: date
    waivers: tuple[Waiver, ...] = ()
    escalation: tuple[Escalation, ...] = ()
    history: Optional[HistoryView] = None
    _by_subject: dict[str, list[Waiver]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for waiver in self.waivers:
            self._by_subject.setdefault(waiver.item, []).append(waiver)

    def _matching(self, subject: str, rule: str) -> list[Waiver]:
        family = family_of(rule)
        return [w for w in self._by_subject.get(subject.strip(), ()) if w.rule in (rule, family)]

    def waiver_for(self, subject: str, rule: str) -> Optional[Waiver]:
        """The first waiver (in file order) in force on the reference date that covers this finding."""
        return next((w for w in self._matching(subject, rule) if w.active(self.as_of)), None)

    def expired_for(self, subject: str, rule: str) -> Optional[Waiver]:
        """The first waiver that covered this finding and has ended before the reference date."""
        return next((w for w in self._matching(subject, rule) if w.until < self.as_of), None)

    def raise_for(self, subject: str, rule: str, severity: str) -> Optional[Raise]:
        """The escalation of a finding at ``severity``, or None.

        The first entry (in file order) whose ``from`` is the severity the
        finding fired at applies, once: the finding is raised when its rule
        fired on the subject in each of the ``periods − 1`` recorded periods
        just before the reference date. Without history nothing escalates.
        """
        if self.history is None:
            return None
        entry = next((e for e in self.escalation if e.from_ == severity), None)
        if entry is None:
            return None
        streak = self.history.streak(subject, rule)
        return Raise(entry.to, streak + 1) if streak >= entry.periods - 1 else None
