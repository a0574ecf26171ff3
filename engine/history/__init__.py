"""The history (历史记录): the periods an office has recorded, and what they say about today.

One evaluation is recorded as a *period* keyed by its reference date; later
evaluations read the periods recorded before their own date::

    Report ──store.record──▶ period (as_of) ─┐
                                             ├── HistoryView.build(store, as_of) ──▶ the engine
    Report ──store.record──▶ period (as_of) ─┘   (streaks, previous lights, red periods)

- :mod:`.records`  what a period holds (:class:`Period`, :class:`PeriodInfo`)
- :mod:`.store`    the interface any store offers (:class:`HistoryStore`)
- :mod:`.sqlite`   the SQLite file, the embedded default (:class:`SQLiteHistory`)
- :mod:`.view`     :class:`HistoryView`, the one reader the engine uses

Opening and recording (a library user)::

    from engine.history import open_history
    with open_history("h.db") as store:      # a path, or a HistoryStore (returned as is)
        note = store.record(report)          # the whole evaluation, before display filters
        store.periods()                      # [PeriodInfo], oldest first

The view the engine uses (``view = HistoryView.build(store, as_of)``; a date
or ``"YYYY-MM-DD"``) reads only the periods recorded strictly before
``as_of``. Every answer is a plain value; the view holds no connection and can
be sent to worker processes:

- ``view.as_of`` — the reference date, as text;
- ``view.periods`` — the recorded periods before as_of, newest first
  (:class:`PeriodInfo`: as_of, rules_source, rules_sha256, items, lights,
  findings); ``view.latest`` the first of them or None;
- ``view.streak(subject, rule)`` — how many recorded periods in a row, just
  before as_of and newest first, had (subject, rule) as a finding, at any
  severity. A period in which it was absent ends the streak; a waived
  finding is not recorded, so it is absent; an item absent from a period has
  no findings there. An escalated finding's ``periods`` is this plus one;
- ``view.previous_light(item_id)``, ``view.previous_score(item_id)`` — from
  the latest recorded period before as_of; None when the item is not in it;
- ``view.red_periods(item_id)`` — recorded periods in a row just before as_of
  in which the item's recorded light was red; ``view.flagged_periods(item_id)``
  the same for red or yellow. 0 (never None) when there is no streak;
- ``view.series()`` — ``[(as_of, red items, yellow items)]`` of the recorded
  periods before as_of, oldest first (for a chart).

Without history, pass no view: the history metrics are then absent (SPEC).
"""

from __future__ import annotations

import os
from typing import Union

from .records import LIGHTS, Light, Period, PeriodInfo, RecordedFinding, RecordedItem, Severity, period_of
from .sqlite import SCHEMA_VERSION, SQLiteHistory
from .store import HistoryStore
from .view import HistoryView

__all__ = [
    "LIGHTS",
    "Light",
    "Severity",
    "RecordedFinding",
    "RecordedItem",
    "Period",
    "PeriodInfo",
    "period_of",
    "HistoryStore",
    "SQLiteHistory",
    "SCHEMA_VERSION",
    "HistoryView",
    "open_history",
]


def open_history(source: Union[str, os.PathLike, HistoryStore], *, must_exist: bool = False) -> HistoryStore:
    """A history store from a path (an SQLite file, created by the first record) or a store.

    A store passed in is returned as it is, and the caller keeps closing it;
    a store opened from a path is the caller's to close (``with`` closes it).
    ``must_exist`` refuses a path that does not exist.
    """
    if isinstance(source, HistoryStore):
        return source
    return SQLiteHistory(source, must_exist=must_exist)
