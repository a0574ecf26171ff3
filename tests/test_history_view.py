"""The history as the engine reads it (SPEC "History and escalation"): streaks, previous lights, red periods.

Three monthly periods, built by hand and recorded into a real store:

    period       (P-1, LAG-01)   (P-2, SCH-01)    (县水利局, EXC-01)  P-1     P-2   P-3      P-4
    2026-09-28   yellow          red              yellow              yellow  red   red      green
    2026-10-28   red             waived (absent)  yellow              red     red   absent   yellow
    2026-11-28   yellow          red              —                   yellow  red   red      red
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from engine.history import HistoryStore, HistoryView, open_history
from reports import make_report

SEPTEMBER = make_report(
    "2026-09-28",
    findings=[("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("县水利局", "EXC-01", "yellow", "unit")],
    lights={"P-1": "yellow", "P-2": "red", "P-3": "red", "P-4": "green"},
)
OCTOBER = make_report(
    "2026-10-28",
    findings=[("P-1", "LAG-01", "red"), ("P-2", "SUP-03", "red"), ("县水利局", "EXC-01", "yellow", "unit")],
    waived=[("P-2", "SCH-01", "red")],
    lights={"P-1": "red", "P-2": "red", "P-4": "yellow"},
)
NOVEMBER = make_report(
    "2026-11-28",
    findings=[("P-1", "LAG-01", "yellow"), ("P-2", "SCH-01", "red"), ("P-3", "OWN-01", "red")],
    lights={"P-1": "yellow", "P-2": "red", "P-3": "red", "P-4": "red"},
)


@pytest.fixture
def store(tmp_path: Path):
    with open_history(tmp_path / "h.db") as opened:
        # Recorded out of order: the view orders by reference date, not by when recorded.
        for report in (NOVEMBER, SEPTEMBER, OCTOBER):
            opened.record(report)
        yield opened


def test_after_the_three_periods(store) -> None:
    view = HistoryView.build(store, date(2026, 12, 28))
    assert view.as_of == "2026-12-28"
    assert [p.as_of for p in view.periods] == ["2026-11-28", "2026-10-28", "2026-09-28"]  # newest first
    assert view.latest is not None and view.latest.as_of == "2026-11-28"
    # At any severity, three in a row.
    assert view.streak("P-1", "LAG-01") == 3
    # Waived in October: not recorded, so absent, and the streak ends there.
    assert view.streak("P-2", "SCH-01") == 1
    # A unit's finding: only the finding matters; absent in November ends it at once.
    assert view.streak("县水利局", "EXC-01") == 0
    assert view.streak("P-3", "OWN-01") == 1
    assert view.streak("P-9", "LAG-01") == 0
    # Lights as recorded.
    assert (view.red_periods("P-2"), view.flagged_periods("P-2")) == (3, 3)
    assert (view.red_periods("P-1"), view.flagged_periods("P-1")) == (0, 3)
    assert (view.red_periods("P-3"), view.flagged_periods("P-3")) == (1, 1)  # absent in October
    assert (view.red_periods("P-4"), view.flagged_periods("P-4")) == (1, 2)
    assert (view.red_periods("P-9"), view.flagged_periods("P-9")) == (0, 0)
    assert (view.previous_light("P-1"), view.previous_score("P-1")) == ("yellow", 30.0)
    assert (view.previous_light("P-4"), view.previous_score("P-4")) == ("red", 80.0)
    assert (view.previous_light("P-9"), view.previous_score("P-9")) == (None, None)


def test_only_the_periods_strictly_before_as_of_count(store) -> None:
    view = HistoryView.build(store, "2026-11-28")  # November itself is not read
    assert [p.as_of for p in view.periods] == ["2026-10-28", "2026-09-28"]
    assert view.streak("P-1", "LAG-01") == 2
    assert view.streak("P-2", "SCH-01") == 0  # waived in October
    assert view.streak("县水利局", "EXC-01") == 2
    assert view.streak("P-3", "OWN-01") == 0
    # P-3 is not in October, the latest period before as_of.
    assert (view.previous_light("P-3"), view.previous_score("P-3"), view.red_periods("P-3")) == (None, None, 0)
    assert (view.previous_light("P-4"), view.red_periods("P-4"), view.flagged_periods("P-4")) == ("yellow", 0, 1)


def test_a_date_between_periods_reads_those_before_it(store) -> None:
    view = HistoryView.build(store, "2026-10-15")
    assert [p.as_of for p in view.periods] == ["2026-09-28"]
    assert view.streak("P-2", "SCH-01") == 1 and view.red_periods("P-3") == 1
    assert view.previous_light("P-4") == "green" and view.flagged_periods("P-4") == 0


def test_before_the_first_period_nothing_is_known(store) -> None:
    view = HistoryView.build(store, "2026-09-28")
    assert view.periods == () and view.latest is None and view.series() == []
    assert (view.streak("P-1", "LAG-01"), view.red_periods("P-2"), view.flagged_periods("P-2")) == (0, 0, 0)
    assert view.previous_light("P-2") is None


def test_series_lists_red_and_yellow_items_oldest_first(store) -> None:
    assert HistoryView.build(store, "2026-12-28").series() == [
        ("2026-09-28", 2, 1), ("2026-10-28", 2, 1), ("2026-11-28", 3, 1),
    ]
    assert HistoryView.build(store, "2026-11-01").series() == [("2026-09-28", 2, 1), ("2026-10-28", 2, 1)]


def test_an_empty_history_gives_an_empty_view(tmp_path: Path) -> None:
    with open_history(tmp_path / "none.db") as empty:
        view = HistoryView.build(empty, "2026-11-28")
    assert view.periods == () and view.streak("P-1", "LAG-01") == 0 and view.red_periods("P-1") == 0


class CountingStore(HistoryStore):
    """A store over another one that counts the periods whose findings were read."""

    def __init__(self, inner: HistoryStore) -> None:
        self.inner, self.read = inner, []

    def periods(self):
        return self.inner.periods()

    def findings(self, as_of):
        self.read.append(as_of)
        return self.inner.findings(as_of)

    def items(self, as_of):
        return self.inner.items(as_of)

    def record(self, report):
        return self.inner.record(report)


def test_building_reads_back_only_while_a_streak_runs(tmp_path: Path) -> None:
    with open_history(tmp_path / "h.db") as inner:
        for month in range(1, 10):  # P-1 red in every period up to June, then clean
            red = month <= 6
            inner.record(make_report(f"2026-{month:02d}-28", findings=[("P-1", "LAG-01", "red")] if red else [],
                                     lights={"P-1": "red" if red else "green"}))
        store = CountingStore(inner)
        view = HistoryView.build(store, "2026-12-28")
        assert view.streak("P-1", "LAG-01") == 0 and view.red_periods("P-1") == 0
        assert store.read == ["2026-09-28"]  # nothing runs after the newest period: one read
        store.read.clear()
        view = HistoryView.build(store, "2026-07-01")
        assert view.streak("P-1", "LAG-01") == 6 and view.red_periods("P-1") == 6
        assert store.read == [f"2026-{m:02d}-28" for m in range(6, 0, -1)]
        assert len(view.periods) == 6


def _answers(view: HistoryView) -> tuple:
    return (view.streak("P-1", "LAG-01"), view.red_periods("P-2"), view.previous_light("P-4"), view.series())


def test_the_view_can_be_sent_to_worker_processes(store) -> None:
    view = HistoryView.build(store, "2026-12-28")
    assert pickle.loads(pickle.dumps(view)) == view
    with ProcessPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_answers, view).result() == _answers(view) == (3, 3, "red", view.series())
