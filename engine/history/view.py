"""The history as the engine reads it: streaks and previous lights, for one reference date.

:class:`HistoryView` is built once per evaluation from the periods recorded
strictly before its reference date (SPEC: "any command with --history reads
the periods recorded before its as_of") and then answers in constant time
from plain dictionaries. It holds no connection, so it can be sent to worker
processes. See :mod:`engine.history` for the exact meaning of each answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional, Union

from .records import PeriodInfo
from .store import HistoryStore

__all__ = ["HistoryView"]


@dataclass(frozen=True)
class HistoryView:
    """What the recorded periods before ``as_of`` say, newest first.

    Build it with :meth:`build`; the fields are the view's own bookkeeping,
    read through the methods.
    """

    as_of: str
    periods: tuple[PeriodInfo, ...] = ()
    streaks: dict[tuple[str, str], int] = field(default_factory=dict)
    previous: dict[str, tuple[str, float]] = field(default_factory=dict)
    red: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, store: HistoryStore, as_of: Union[date, str]) -> "HistoryView":
        """The view of ``store`` for the reference date ``as_of`` (periods strictly before it).

        Reads the newest period first and goes back only while some streak
        is still running: one read of findings and one of items per period.
        """
        as_of = as_of.isoformat() if isinstance(as_of, date) else as_of
        with store.reading():
            periods = tuple(p for p in reversed(store.periods()) if p.as_of < as_of)
            streaks: dict[tuple[str, str], int] = {}
            red: dict[str, int] = {}
            flagged: dict[str, int] = {}
            previous: dict[str, tuple[str, float]] = {}
            # What is still on a streak after the periods read so far.
            running_findings: set[tuple[str, str]] = set()
            running_red: set[str] = set()
            running_flagged: set[str] = set()
            for index, period in enumerate(periods):
                keys = store.finding_keys(period.as_of)
                states = store.item_states(period.as_of)
                reds = {item_id for item_id, (light, _) in states.items() if light == "red"}
                flags = {item_id for item_id, (light, _) in states.items() if light != "green"}
                if index == 0:
                    previous = states
                    running_findings, running_red, running_flagged = keys, reds, flags
                else:
                    running_findings &= keys
                    running_red &= reds
                    running_flagged &= flags
                for key in running_findings:
                    streaks[key] = streaks.get(key, 0) + 1
                for item_id in running_red:
                    red[item_id] = red.get(item_id, 0) + 1
                for item_id in running_flagged:
                    flagged[item_id] = flagged.get(item_id, 0) + 1
                if not (running_findings or running_red or running_flagged):
                    break
        return cls(as_of=as_of, periods=periods, streaks=streaks, previous=previous, red=red, flagged=flagged)

    # -- what the engine asks

    @property
    def latest(self) -> Optional[PeriodInfo]:
        """The latest recorded period before as_of (None when there is none)."""
        return self.periods[0] if self.periods else None

    def streak(self, subject: str, rule: str) -> int:
        """Recorded periods in a row just before as_of in which (subject, rule) was a finding."""
        return self.streaks.get((subject, rule), 0)

    def previous_light(self, item_id: str) -> Optional[str]:
        """The item's light in the latest recorded period (None when the item is not in it)."""
        found = self.previous.get(item_id)
        return found[0] if found else None

    def previous_score(self, item_id: str) -> Optional[float]:
        """The item's score in the latest recorded period (None when the item is not in it)."""
        found = self.previous.get(item_id)
        return found[1] if found else None

    def red_periods(self, item_id: str) -> int:
        """Recorded periods in a row just before as_of in which the item's light was red."""
        return self.red.get(item_id, 0)

    def flagged_periods(self, item_id: str) -> int:
        """Recorded periods in a row just before as_of in which the item's light was red or yellow."""
        return self.flagged.get(item_id, 0)

    def series(self) -> list[tuple[str, int, int]]:
        """(as_of, red items, yellow items) of every recorded period before as_of, oldest first."""
        return [(p.as_of, p.lights["red"], p.lights["yellow"]) for p in reversed(self.periods)]
