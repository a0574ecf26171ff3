"""Derived metrics pinned at their boundaries: the day before, on and after each threshold date.

Every expected value below is worked out by hand from SPEC "Reference date and derived metrics" and the
terms under "The default rule pack" (completed, begun, not started, open, unresolved, unrectified,
working days), not copied from the implementation's output. Ratios are exact Fractions.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Callable

import chinese_calendar
import pytest

from engine.evaluate.calendar import WorkCalendar
from engine.evaluate.metrics import county_facts, finding_facts, item_facts, unit_facts, year_share
from engine.ledger import Item, LedgerInfo, Unit
from engine.pack.vocabulary import VOCABULARY

AS = date(2026, 11, 28)  # the sample ledger's reference date, a Saturday; day 332 of 365


def D(text: str) -> date:
    return date.fromisoformat(text)


def rel(days: int, base: date = AS) -> str:
    """The ISO date ``days`` after ``base`` (negative: before)."""
    return (base + timedelta(days=days)).isoformat()


def item(**fields: Any) -> Item:
    """A bare project: only what the test gives, so no default field disturbs a metric."""
    return Item.model_validate({"id": "P-1", "kind": "project", "title": "测试项目", **fields})


def facts(as_of: date = AS, calendar: WorkCalendar | None = None, params: dict | None = None,
          **fields: Any) -> dict[str, Any]:
    return item_facts(item(**fields), as_of, calendar or WorkCalendar(), params)


COVERED: set[str] = set()


def covers(*names: str) -> Callable:
    """Record which vocabulary names a test pins, so that a new metric without a test is noticed."""
    COVERED.update(names)
    return lambda test: test


# --- the vocabulary itself ------------------------------------------------------------------------


HISTORY_METRICS = {"previous_light", "previous_score", "red_periods", "flagged_periods"}


def test_item_facts_has_exactly_the_item_vocabulary() -> None:
    """Without a history the history metrics are absent; with one, every name is there."""
    names = {m.name for m in VOCABULARY.values() if m.subject == "item" and m.stage == "facts"}
    assert set(facts()) == names - HISTORY_METRICS
    with_history = item_facts(item(), AS, WorkCalendar(), history=FakeHistory())
    assert set(with_history) == names


def test_county_facts_has_exactly_the_county_vocabulary() -> None:
    names = {m.name for m in VOCABULARY.values() if m.subject == "county"}
    assert set(county_facts(LedgerInfo(), AS)) == names


def test_unit_facts_has_exactly_the_unit_vocabulary() -> None:
    names = {m.name for m in VOCABULARY.values() if m.subject == "unit"}
    (row,) = unit_facts([Unit(name="县住建局")], [])
    assert set(row) == names


def test_finding_facts_has_exactly_the_findings_vocabulary() -> None:
    names = {m.name for m in VOCABULARY.values() if m.stage == "findings"}
    assert set(finding_facts([])) == names


class FakeHistory:
    """A history view written out by hand: P-1 was yellow at 40.5 last period, red before."""

    def __init__(self, previous: dict | None = None, red: int = 0, flagged: int = 0) -> None:
        self.previous = previous if previous is not None else {"P-1": ("yellow", 40.5)}
        self.red, self.flagged = red, flagged

    def previous_light(self, item_id: str):
        return self.previous.get(item_id, (None, None))[0]

    def previous_score(self, item_id: str):
        return self.previous.get(item_id, (None, None))[1]

    def red_periods(self, item_id: str) -> int:
        return self.red

    def flagged_periods(self, item_id: str) -> int:
        return self.flagged


# --- reference date --------------------------------------------------------------------------------


@covers("year_share")
@pytest.mark.parametrize(
    "day, share",
    [
        ("2026-01-01", Fraction(1, 365)),
        ("2026-01-31", Fraction(31, 365)),
        ("2026-02-01", Fraction(32, 365)),
        ("2026-02-28", Fraction(59, 365)),  # 31 + 28
        ("2026-03-01", Fraction(60, 365)),
        ("2026-07-02", Fraction(183, 365)),  # 31+28+31+30+31+30 = 181, + 2
        ("2026-11-27", Fraction(331, 365)),
        ("2026-11-28", Fraction(332, 365)),  # 304 days to the end of October, + 28
        ("2026-11-29", Fraction(333, 365)),
        ("2026-12-31", Fraction(1)),
        ("2028-02-28", Fraction(59, 366)),  # 2028 is a leap year
        ("2028-02-29", Fraction(60, 366)),
        ("2028-03-01", Fraction(61, 366)),
        ("2028-11-28", Fraction(333, 366)),
        ("2028-12-31", Fraction(1)),
        ("2100-03-01", Fraction(60, 365)),  # 2100 is not a leap year
    ],
)
def test_year_share(day: str, share: Fraction) -> None:
    assert year_share(D(day)) == share
    assert isinstance(year_share(D(day)), Fraction)
    assert facts(as_of=D(day))["year_share"] == share


@covers("as_of", "as_of_month")
@pytest.mark.parametrize("day, month", [("2026-01-31", 1), ("2026-02-01", 2), ("2026-11-28", 11), ("2026-12-31", 12)])
def test_as_of_and_month(day: str, month: int) -> None:
    found = facts(as_of=D(day))
    assert found["as_of"] == D(day)
    assert found["as_of_month"] == month


# --- the item's fields as seen at as_of ---------------------------------------------------------


@pytest.mark.parametrize("field", ["started_on", "completed_on", "progress_reported_on"])
@pytest.mark.parametrize("offset, seen", [(-1, True), (0, True), (1, False)])
def test_event_dates_after_as_of_have_not_happened(field: str, offset: int, seen: bool) -> None:
    found = facts(**{field: rel(offset)})
    assert found[field] == (AS + timedelta(days=offset) if seen else None)


def test_planned_dates_are_never_ignored() -> None:
    found = facts(start=rel(10), due=rel(20), milestones=[{"due": rel(15)}],
                  issues=[{"type": "land", "raised_on": rel(-1), "deadline": rel(30)}],
                  supervisions=[{"date": rel(-1), "rectify_by": rel(9)}])
    assert found["start"] == AS + timedelta(days=10)
    assert found["due"] == AS + timedelta(days=20)
    assert found["milestones"][0].due == AS + timedelta(days=15)
    assert found["issues"][0].deadline == AS + timedelta(days=30)
    assert found["supervisions"][0].rectify_by == AS + timedelta(days=9)


def test_records_dated_after_as_of_are_dropped() -> None:
    found = facts(
        issues=[{"type": "land", "raised_on": rel(0)}, {"type": "funds", "raised_on": rel(1)}],
        supervisions=[{"date": rel(0), "by": "甲"}, {"date": rel(1), "by": "乙"}],
        visits=[{"date": rel(-3), "leader": "李四"}, {"date": rel(1), "leader": "王五"}],
    )
    assert [p.type for p in found["issues"]] == ["land"]
    assert [s.by for s in found["supervisions"]] == ["甲"]
    assert [v.leader for v in found["visits"]] == ["李四"]


# --- status ---------------------------------------------------------------------------------------------


@covers("completed")
@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"completed_on": rel(-1)}, True),
        ({"completed_on": rel(0)}, True),  # on as_of: completed
        ({"completed_on": rel(1)}, False),  # after as_of: not yet
        ({"progress": 100}, True),
        ({"progress": 100.0, "progress_reported_on": rel(0)}, True),
        ({"progress": 99.9}, False),
        ({"progress": 100, "progress_reported_on": rel(1)}, False),  # reported after as_of: unknown
        ({"progress": 100, "progress_reported_on": rel(-1)}, True),
        ({}, False),
    ],
)
def test_completed(fields: dict, expected: bool) -> None:
    assert facts(**fields)["completed"] is expected


@covers("begun")
@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"start": rel(-1)}, True),
        ({"start": rel(0)}, True),
        ({"start": rel(1)}, False),
        ({"start": rel(5), "started_on": rel(0)}, True),  # started early
        ({"start": rel(5), "started_on": rel(1)}, False),  # started_on after as_of has not happened
        ({"started_on": rel(-1)}, True),
        ({}, False),
    ],
)
def test_begun(fields: dict, expected: bool) -> None:
    assert facts(**fields)["begun"] is expected


@covers("not_started")
@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"start": rel(-1)}, True),  # progress absent
        ({"start": rel(-1), "progress": 0}, True),
        ({"start": rel(-1), "progress": 0.0, "progress_reported_on": rel(-1)}, True),
        ({"start": rel(-1), "progress": 5}, False),
        ({"start": rel(-1), "progress": 5, "progress_reported_on": rel(1)}, True),  # progress unknown
        ({"start": rel(0)}, False),  # start == as_of is not "not started"
        ({"start": rel(1)}, False),
        ({"start": rel(-1), "started_on": rel(0)}, False),
        ({"start": rel(-1), "started_on": rel(1)}, True),  # started tomorrow: not yet
        ({"start": rel(-1), "completed_on": rel(0)}, False),  # completed
        ({"start": rel(-1), "completed_on": rel(1)}, True),
        ({}, False),  # no start
    ],
)
def test_not_started(fields: dict, expected: bool) -> None:
    assert facts(**fields)["not_started"] is expected


@covers("days_since_start")
@pytest.mark.parametrize("start, expected", [(rel(-1), 1), (rel(0), 0), (rel(1), -1), ("2026-01-01", 331), (None, None)])
def test_days_since_start(start: str | None, expected: int | None) -> None:
    fields = {"start": start} if start else {}
    assert facts(**fields)["days_since_start"] == expected


@covers("days_past_due", "days_to_due")
@pytest.mark.parametrize(
    "due, past, to",
    [(rel(1), 0, 1), (rel(0), 0, 0), (rel(-1), 1, -1), (rel(-60), 60, -60), ("2026-12-31", 0, 33), (None, None, None)],
)
def test_days_past_and_to_due(due: str | None, past: int | None, to: int | None) -> None:
    found = facts(**({"due": due} if due else {}))
    assert (found["days_past_due"], found["days_to_due"]) == (past, to)


# --- roadmap --------------------------------------------------------------------------------------------


@covers("milestone_count", "open_milestones", "max_milestone_overdue_days", "next_milestone_days")
@pytest.mark.parametrize(
    "milestones, count, open_, overdue, next_",
    [
        ([], 0, 0, None, None),
        ([{"due": rel(-1)}], 1, 1, 1, None),
        ([{"due": rel(0)}], 1, 1, None, 0),  # due on as_of: next, 0 days, not overdue
        ([{"due": rel(1)}], 1, 1, None, 1),
        ([{"due": rel(-5), "done_on": rel(-6)}], 1, 0, None, None),
        ([{"due": rel(-5), "done_on": rel(0)}], 1, 0, None, None),  # done on as_of
        ([{"due": rel(-5), "done_on": rel(1)}], 1, 1, 5, None),  # done after as_of: still open
        ([{"due": rel(0), "done_on": rel(1)}], 1, 1, None, 0),
        ([{"due": rel(-10)}, {"due": rel(-3)}, {"due": rel(-20), "done_on": rel(-1)}], 3, 2, 10, None),
        ([{"due": rel(5)}, {"due": rel(2)}, {"due": rel(1), "done_on": rel(0)}], 3, 2, None, 2),
        ([{"due": rel(-4)}, {"due": rel(7)}], 2, 2, 4, 7),
    ],
)
def test_milestones(milestones: list, count: int, open_: int, overdue: int | None, next_: int | None) -> None:
    found = facts(milestones=milestones)
    assert found["milestone_count"] == count
    assert found["open_milestones"] == open_
    assert found["max_milestone_overdue_days"] == overdue
    assert found["next_milestone_days"] == next_


# --- progress --------------------------------------------------------------------------------------------

YEAR = {"start": "2026-01-01", "due": "2026-12-31"}  # 364 days from start to due


@covers("expected_progress")
@pytest.mark.parametrize(
    "day, expected",
    [
        ("2025-12-31", Fraction(0)),  # before the start: clamped to 0
        ("2026-01-01", Fraction(0)),
        ("2026-01-02", Fraction(100, 364)),
        ("2026-07-02", Fraction(50)),  # 100 × 182 / 364
        ("2026-11-28", Fraction(100 * 331, 364)),
        ("2026-12-30", Fraction(100 * 363, 364)),
        ("2026-12-31", Fraction(100)),
        ("2027-01-01", Fraction(100)),  # after the due date: clamped to 100
    ],
)
def test_expected_progress(day: str, expected: Fraction) -> None:
    found = facts(as_of=D(day), **YEAR)
    assert found["expected_progress"] == expected
    assert isinstance(found["expected_progress"], (Fraction, int))


@pytest.mark.parametrize(
    "fields",
    [{"start": "2026-06-01", "due": "2026-06-01"}, {"start": "2026-06-01"}, {"due": "2026-06-01"}, {}],
)
def test_expected_progress_needs_start_before_due(fields: dict) -> None:
    found = facts(progress=10, **fields)
    assert found["expected_progress"] is None
    assert found["progress_gap"] is None


@covers("progress_gap")
@pytest.mark.parametrize(
    "fields, gap",
    [
        ({"progress": 40}, Fraction(10)),
        ({"progress": 40.0}, Fraction(10)),
        ({"progress": 40.1}, Fraction(99, 10)),
        ({"progress": 39.9}, Fraction(101, 10)),
        ({"progress": 50}, Fraction(0)),
        ({"progress": 60}, Fraction(-10)),  # ahead
        ({"progress": 40, "progress_reported_on": "2026-07-02"}, Fraction(10)),  # reported on as_of
        ({"progress": 40, "progress_reported_on": "2026-07-03"}, None),  # reported after as_of: unknown
        ({}, None),
    ],
)
def test_progress_gap(fields: dict, gap: Fraction | None) -> None:
    found = facts(as_of=D("2026-07-02"), **YEAR, **fields)  # expected progress 50
    assert found["progress_gap"] == gap
    if gap is not None:
        assert isinstance(found["progress_gap"], (Fraction, int))


def test_progress_gap_is_exact_where_floats_are_not() -> None:
    # 10 days from start to due, 3 elapsed: 100 × 3/10 = 30 exactly (in floats 3/10*100 is 30.000000000000004)
    found = facts(as_of=D("2026-01-04"), start="2026-01-01", due="2026-01-11", progress=20)
    assert found["expected_progress"] == 30
    assert found["progress_gap"] == 10
    assert found["progress_gap"] >= 10


# --- investment --------------------------------------------------------------------------------------------


@covers("investment_ratio", "investment_shortfall", "investment_pace")
@pytest.mark.parametrize(
    "day, investment, ratio",
    [
        # year_share(2026-11-28) = 332/365; 0.8 × 73 × 332/365 = 0.8 × 332/5 = 53.12
        ("2026-11-28", {"planned": 73, "completed": 53.12}, Fraction(4, 5)),
        ("2026-11-28", {"planned": 73, "completed": 53.11}, Fraction(5311, 100) / Fraction(332 * 73, 365)),
        ("2026-11-28", {"planned": 73, "completed": 53.13}, Fraction(5313, 100) / Fraction(332 * 73, 365)),
        # 0.8 × 36500 × 332/365 = 26560
        ("2026-11-28", {"planned": 36500, "completed": 26560}, Fraction(4, 5)),
        ("2026-11-28", {"planned": 36500, "completed": 0}, Fraction(0)),
        ("2026-01-01", {"planned": 365, "completed": 1}, Fraction(1)),  # share 1/365
        ("2026-12-31", {"planned": 12000, "completed": 12000}, Fraction(1)),
        # leap year: year_share(2028-02-29) = 60/366; 0.8 × 366 × 60/366 = 48
        ("2028-02-29", {"planned": 366, "completed": 48}, Fraction(4, 5)),
        ("2028-03-01", {"planned": 366, "completed": 48}, Fraction(48, 61)),
    ],
)
def test_investment_ratio(day: str, investment: dict, ratio: Fraction) -> None:
    found = facts(as_of=D(day), investment=investment)
    assert found["investment_ratio"] == ratio
    assert isinstance(found["investment_ratio"], (Fraction, int))
    assert found["investment_shortfall"] == (1 - ratio) * 100
    assert found["investment_pace"] == ratio * 100


def test_investment_ratio_exactly_point_eight_is_not_below_it() -> None:
    found = facts(investment={"planned": 73, "completed": 53.12})
    assert not found["investment_ratio"] < Fraction(4, 5)
    assert found["investment_shortfall"] == 20
    assert found["investment_pace"] == 80
    below = facts(investment={"planned": 73, "completed": 53.11})
    assert below["investment_ratio"] < Fraction(4, 5)


@pytest.mark.parametrize(
    "investment",
    [{"planned": 0, "completed": 10}, {"planned": 0, "completed": 0}, {"planned": 100}, {"completed": 100}, {}, None],
)
def test_investment_ratio_absent(investment: dict | None) -> None:
    found = facts(**({"investment": investment} if investment is not None else {}))
    assert found["investment_ratio"] is None
    assert found["investment_shortfall"] is None
    assert found["investment_pace"] is None


# --- supervision and reports ----------------------------------------------------------------------


@covers("supervised", "last_supervision_on", "days_since_supervision", "supervision_gap_days")
@pytest.mark.parametrize(
    "fields, supervised, last, since, gap",
    [
        ({"supervisions": [{"date": rel(-31)}]}, True, rel(-31), 31, 31),
        ({"supervisions": [{"date": rel(0)}]}, True, rel(0), 0, 0),
        ({"supervisions": [{"date": rel(-61)}, {"date": rel(-30)}, {"date": rel(-45)}]}, True, rel(-30), 30, 30),
        ({"supervisions": [{"date": rel(-40)}, {"date": rel(1)}]}, True, rel(-40), 40, 40),  # future one ignored
        ({"start": rel(-90), "supervisions": [{"date": rel(1)}]}, False, None, None, 90),  # only a future one
        ({"start": rel(-90)}, False, None, None, 90),  # never: days since the planned start
        ({"start": rel(0)}, False, None, None, 0),
        ({"start": rel(5)}, False, None, None, -5),
        ({}, False, None, None, None),  # never and no start
        ({"supervisions": [{"date": rel(1)}]}, False, None, None, None),
    ],
)
def test_supervision(fields: dict, supervised: bool, last: str | None, since: int | None, gap: int | None) -> None:
    found = facts(**fields)
    assert found["supervised"] is supervised
    assert found["last_supervision_on"] == (D(last) if last else None)
    assert found["days_since_supervision"] == since
    assert found["supervision_gap_days"] == gap


@covers("report_age_days")
@pytest.mark.parametrize(
    "fields, age, progress",
    [
        ({"progress": 30, "progress_reported_on": rel(-31)}, 31, 30),
        ({"progress": 30, "progress_reported_on": rel(-1)}, 1, 30),
        ({"progress": 30, "progress_reported_on": rel(0)}, 0, 30),
        ({"progress": 30, "progress_reported_on": rel(1)}, None, None),  # never reported, progress unknown
        ({"progress": 30}, None, 30),
        ({}, None, None),
    ],
)
def test_report_age(fields: dict, age: int | None, progress: int | None) -> None:
    found = facts(**fields)
    assert found["report_age_days"] == age
    assert found["progress"] == progress


@covers("unrectified_overdue", "max_rectify_overdue_days")
@pytest.mark.parametrize(
    "supervisions, count, largest",
    [
        ([{"date": "2026-10-15", "finding": "进度滞后", "rectify_by": rel(-1)}], 1, 1),
        ([{"date": "2026-10-15", "finding": "进度滞后", "rectify_by": rel(0)}], 0, None),  # rectify_by == as_of
        ([{"date": "2026-10-15", "finding": "进度滞后", "rectify_by": rel(1)}], 0, None),
        ([{"date": "2026-10-15", "rectify_by": rel(-13)}], 1, 13),  # a finding whatever its text (none here)
        ([{"date": "2026-10-15", "rectify_by": rel(-13), "rectified_on": rel(-1)}], 0, None),
        ([{"date": "2026-10-15", "rectify_by": rel(-13), "rectified_on": rel(0)}], 0, None),
        ([{"date": "2026-10-15", "rectify_by": rel(-13), "rectified_on": rel(1)}], 1, 13),  # rectified later
        ([{"date": "2026-10-15", "finding": "进度滞后"}], 0, None),  # no rectify_by: not a finding
        ([{"date": "2026-10-15", "rectify_by": rel(-13)}, {"date": "2026-09-01", "rectify_by": rel(-40)},
          {"date": "2026-08-01", "rectify_by": rel(-70), "rectified_on": rel(-69)}], 2, 40),
        ([], 0, None),
    ],
)
def test_rectification(supervisions: list, count: int, largest: int | None) -> None:
    found = facts(supervisions=supervisions)
    assert found["unrectified_overdue"] == count
    assert found["max_rectify_overdue_days"] == largest


# --- factor guarantees ------------------------------------------------------------------------------


@covers("factor_problems_open", "factor_max_open_days", "factor_max_days_past_deadline",
        "factor_max_open_days_past_deadline", "problems_open")
@pytest.mark.parametrize(
    "issues, open_, max_open, past, open_past, all_open",
    [
        ([{"type": "land", "raised_on": rel(-30)}], 1, 30, None, None, 1),
        ([{"type": "land", "raised_on": rel(0)}], 1, 0, None, None, 1),
        ([{"type": "land", "raised_on": rel(1)}], 0, None, None, None, 0),  # raised after as_of
        ([{"type": "land", "raised_on": rel(-30), "resolved_on": rel(-1)}], 0, None, None, None, 0),
        ([{"type": "land", "raised_on": rel(-30), "resolved_on": rel(0)}], 0, None, None, None, 0),
        ([{"type": "land", "raised_on": rel(-30), "resolved_on": rel(1)}], 1, 30, None, None, 1),  # still open
        ([{"type": "funds", "raised_on": rel(-30), "deadline": rel(0)}], 1, 30, None, None, 1),  # not past
        ([{"type": "funds", "raised_on": rel(-30), "deadline": rel(-1)}], 1, 30, 1, 30, 1),
        ([{"type": "funds", "raised_on": rel(-30), "deadline": rel(1)}], 1, 30, None, None, 1),
        ([{"type": "enterprise", "raised_on": rel(-100)}], 0, None, None, None, 1),  # not a factor problem
        ([{"type": "other", "raised_on": rel(-100), "deadline": rel(-50)}], 0, None, None, None, 1),
        ([{"type": "land", "raised_on": rel(-61)}, {"type": "approval", "raised_on": rel(-20), "deadline": rel(-5)},
          {"type": "labor", "raised_on": rel(-45), "deadline": rel(-2)},
          {"type": "other", "raised_on": rel(-300)}], 3, 61, 5, 45, 4),
    ],
)
def test_factor_problems(issues: list, open_: int, max_open: int | None, past: int | None,
                         open_past: int | None, all_open: int) -> None:
    found = facts(issues=issues)
    assert found["factor_problems_open"] == open_
    assert found["factor_max_open_days"] == max_open
    assert found["factor_max_days_past_deadline"] == past
    assert found["factor_max_open_days_past_deadline"] == open_past
    assert found["problems_open"] == all_open


@pytest.mark.parametrize("kind, factor", [("land", True), ("funds", True), ("approval", True), ("energy", True),
                                          ("labor", True), ("enterprise", False), ("other", False)])
def test_factor_types(kind: str, factor: bool) -> None:
    found = facts(issues=[{"type": kind, "raised_on": rel(-10)}])
    assert found["factor_problems_open"] == (1 if factor else 0)


# --- enterprises ----------------------------------------------------------------------------------------


@covers("last_visit_on", "days_since_visit")
@pytest.mark.parametrize(
    "visits, last, since",
    [
        ([{"date": rel(-91)}], rel(-91), 91),
        ([{"date": rel(-1)}], rel(-1), 1),
        ([{"date": rel(0)}], rel(0), 0),
        ([{"date": rel(1)}], None, None),  # a visit after as_of has not happened
        ([{"date": rel(-200), "leader": "李四"}, {"date": rel(-100), "leader": "王五"}, {"date": rel(3)}], rel(-100), 100),
        ([], None, None),
    ],
)
def test_visits(visits: list, last: str | None, since: int | None) -> None:
    found = facts(kind="enterprise", visits=visits)
    assert found["last_visit_on"] == (D(last) if last else None)
    assert found["days_since_visit"] == since


def test_the_2026_calendar_facts_these_tests_rely_on() -> None:
    """Checked against chinese-calendar, not guessed: Mid-Autumn and National Day 2026 and their make-up days."""
    assert chinese_calendar.is_workday(D("2026-09-20"))  # a Sunday, make-up working day
    assert not chinese_calendar.is_workday(D("2026-09-25"))  # a Friday, Mid-Autumn Festival
    for day in range(1, 8):
        assert not chinese_calendar.is_workday(date(2026, 10, day))  # National Day 10-01..10-07
    assert chinese_calendar.is_workday(D("2026-10-10"))  # a Saturday, make-up working day
    # no other deviation from Monday–Friday between 2026-09-19 and 2026-12-31
    day = D("2026-09-19")
    odd = {D("2026-09-20"), D("2026-09-25"), D("2026-10-10")} | {date(2026, 10, d) for d in range(1, 8)}
    while day <= D("2026-12-31"):
        if day not in odd:
            assert chinese_calendar.is_workday(day) == (day.weekday() < 5), day
        day += timedelta(days=1)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D("2027-01-04"))  # 1.11 does not cover 2027


# raised 2026-09-18 (Fri). The working days strictly after it:
#   1 09-20 (Sun, make-up)  2 09-21  3 09-22  4 09-23  5 09-24  (09-25 Mid-Autumn)
#   6 09-28  7 09-29  8 09-30  (10-01..10-07 National Day)  9 10-08  10 10-09  11 10-10 (Sat, make-up)
#   12 10-12  13 10-13  14 10-14  15 10-15
#   16 10-16  17 10-19  18 10-20  19 10-21  20 10-22  21 10-23  22 10-26  23 10-27  24 10-28  25 10-29
#   26 10-30  27 11-02  28 11-03  29 11-04  30 11-05
# so the 15-working-day deadline is 2026-10-15 (Monday–Friday alone would give 10-09) and the
# 30-working-day deadline of a complex problem is 2026-11-05.
HOLIDAY_PROBLEM = {"type": "enterprise", "raised_on": "2026-09-18"}


@covers("problem_max_days_past_deadline")
@pytest.mark.parametrize(
    "problem, day, past",
    [
        (HOLIDAY_PROBLEM, "2026-10-09", None),
        (HOLIDAY_PROBLEM, "2026-10-14", None),
        (HOLIDAY_PROBLEM, "2026-10-15", None),  # the deadline itself: not past
        (HOLIDAY_PROBLEM, "2026-10-16", 1),
        (HOLIDAY_PROBLEM, "2026-11-28", 44),  # 16 days to the end of October + 28
        ({**HOLIDAY_PROBLEM, "complex": True}, "2026-10-16", None),
        ({**HOLIDAY_PROBLEM, "complex": True}, "2026-11-05", None),
        ({**HOLIDAY_PROBLEM, "complex": True}, "2026-11-06", 1),
        ({**HOLIDAY_PROBLEM, "complex": True}, "2026-11-28", 23),
        # an explicit deadline wins over the working-day allowance
        ({**HOLIDAY_PROBLEM, "deadline": "2026-09-30"}, "2026-10-01", 1),
        ({**HOLIDAY_PROBLEM, "deadline": "2026-09-30"}, "2026-09-30", None),
        ({**HOLIDAY_PROBLEM, "deadline": "2026-12-31"}, "2026-11-28", None),
        ({**HOLIDAY_PROBLEM, "deadline": "2026-12-31", "complex": True}, "2026-11-28", None),
        # resolved after as_of: still open; resolved on as_of: closed
        ({**HOLIDAY_PROBLEM, "resolved_on": "2026-10-17"}, "2026-10-16", 1),
        ({**HOLIDAY_PROBLEM, "resolved_on": "2026-10-16"}, "2026-10-16", None),
        # raised after as_of: not there yet
        ({"type": "enterprise", "raised_on": "2026-10-17", "deadline": "2026-10-01"}, "2026-10-16", None),
        # any type counts here (factor problems too)
        ({**HOLIDAY_PROBLEM, "type": "land"}, "2026-10-16", 1),
    ],
)
def test_problem_deadline_in_working_days(problem: dict, day: str, past: int | None) -> None:
    calendar = WorkCalendar()
    found = facts(as_of=D(day), calendar=calendar, kind="enterprise", issues=[problem])
    assert found["problem_max_days_past_deadline"] == past
    assert calendar.notes() == []  # 2026 is covered: nothing to say


def test_problem_deadline_largest_of_several() -> None:
    issues = [HOLIDAY_PROBLEM, {"type": "other", "raised_on": "2026-11-01", "deadline": "2026-11-20"}]
    assert facts(as_of=D("2026-11-28"), kind="enterprise", issues=issues)["problem_max_days_past_deadline"] == 44


def test_problem_working_days_are_a_param() -> None:
    # 10 working days after 2026-09-18 end on 2026-10-09 (the 10th in the list above)
    found = facts(as_of=D("2026-10-10"), params={"problem_working_days": 10}, kind="enterprise",
                  issues=[HOLIDAY_PROBLEM])
    assert found["problem_max_days_past_deadline"] == 1
    found = facts(as_of=D("2026-10-09"), params={"problem_working_days": 10}, kind="enterprise",
                  issues=[HOLIDAY_PROBLEM])
    assert found["problem_max_days_past_deadline"] is None


@pytest.mark.parametrize(
    "raised, day, past",
    [
        # 2027 is not covered: Monday–Friday. After Mon 2027-01-04: 01-05..08 (4), 11..15 (9), 18..22 (14), 25 (15)
        ("2027-01-04", "2027-01-25", None),
        ("2027-01-04", "2027-01-26", 1),
        # across the year end: 2026-12-25 (1), 12-28..31 (5), then 2027-01-01 — a Friday, counted by the
        # fallback — (6), 01-04..08 (11), 01-11..14 (15): deadline 2027-01-14
        ("2026-12-24", "2027-01-14", None),
        ("2026-12-24", "2027-01-15", 1),
    ],
)
def test_uncovered_year_falls_back_to_monday_to_friday_and_says_so(raised: str, day: str, past: int | None) -> None:
    calendar = WorkCalendar()
    found = facts(as_of=D(day), calendar=calendar, kind="enterprise",
                  issues=[{"type": "enterprise", "raised_on": raised}])
    assert found["problem_max_days_past_deadline"] == past
    notes = calendar.notes()
    assert len(notes) == 1 and "2027" in notes[0]
    assert calendar.uncovered_years == {2027}


def test_calendar_says_nothing_when_no_uncovered_day_was_counted() -> None:
    calendar = WorkCalendar()
    # an explicit deadline in 2027 needs no working-day count
    facts(as_of=D("2027-02-01"), calendar=calendar, kind="enterprise",
          issues=[{"type": "enterprise", "raised_on": "2027-01-04", "deadline": "2027-01-20"}])
    assert calendar.notes() == []


# --- reform -------------------------------------------------------------------------------------------------


@covers("missing_part_count", "missing_parts")
@pytest.mark.parametrize(
    "fields, count, parts",
    [
        ({"goal": "目标", "path": "路径", "measures": "措施"}, 0, None),
        ({"path": "路径", "measures": "措施"}, 1, "目标"),
        ({"goal": "目标", "path": "待定", "measures": "  "}, 2, "路径、措施"),
        ({"goal": " TBD ", "path": "路径", "measures": "n/a"}, 2, "目标、措施"),
        ({}, 3, "目标、路径、措施"),
        ({"goal": "无锡试点", "path": "王无忌牵头", "measures": "0"}, 0, None),  # names, not placeholders
    ],
)
def test_reform_parts(fields: dict, count: int, parts: str | None) -> None:
    found = facts(kind="reform", **fields)
    assert found["missing_part_count"] == count
    assert found["missing_parts"] == parts


# --- indicators --------------------------------------------------------------------------------------------


@covers("benchmarks_given", "benchmarks_missed", "max_benchmark_shortfall")
@pytest.mark.parametrize(
    "value, benchmarks, given, missed, shortfall",
    [
        (4.1, {"national": 5.0, "provincial": 5.2, "municipal": 4.8}, 3, 3, Fraction(11, 10)),  # 5.2 − 4.1
        (5.0, {"national": 5.0}, 1, 0, Fraction(0)),  # equal is not below
        (4.9, {"national": 5.0}, 1, 1, Fraction(1, 10)),
        (5.1, {"national": 5.0}, 1, 0, Fraction(-1, 10)),
        (5.0, {"national": 5.0, "provincial": 5.2, "municipal": 4.8}, 3, 1, Fraction(1, 5)),
        (5.0, {"provincial": 5.2, "municipal": None}, 1, 1, Fraction(1, 5)),  # null is not given
        (-1.5, {"national": -1.0, "provincial": -2.0}, 2, 1, Fraction(1, 2)),  # negative growth rates
        (0.1, {"national": 0.3}, 1, 1, Fraction(1, 5)),  # 0.3 − 0.1 exactly, unlike floats
        (3, {}, 0, 0, None),
        (3, None, 0, 0, None),
        (None, {"national": 5.0, "provincial": 5.2}, 2, None, None),  # no value: nothing compared
    ],
)
def test_benchmarks(value: float | None, benchmarks: dict | None, given: int, missed: int | None,
                    shortfall: Fraction | None) -> None:
    fields: dict[str, Any] = {"kind": "indicator"}
    if value is not None:
        fields["value"] = value
    if benchmarks is not None:
        fields["benchmarks"] = benchmarks
    found = facts(**fields)
    assert found["benchmarks_given"] == given
    assert found["benchmarks_missed"] == missed
    assert found["max_benchmark_shortfall"] == shortfall


@covers("rank_bottom_third")
@pytest.mark.parametrize(
    "rank, rank_of, bottom",
    [
        (6, 9, False),  # 3 × 6 = 18 = 2 × 9: not bottom
        (7, 9, True),  # 21 > 18
        (2, 3, False),  # 6 = 6
        (3, 3, True),
        (6, 10, False),  # 18 < 20
        (7, 10, True),  # 21 > 20
        (1, 1, True),  # 3 > 2
        (10, 15, False),  # 30 = 30
        (11, 15, True),
        (None, 10, None),
        (3, None, None),
    ],
)
def test_rank_bottom_third(rank: int | None, rank_of: int | None, bottom: bool | None) -> None:
    fields: dict[str, Any] = {"kind": "indicator"}
    if rank is not None:
        fields["rank"] = rank
    if rank_of is not None:
        fields["rank_of"] = rank_of
    assert facts(**fields)["rank_bottom_third"] is bottom


# --- units and findings -----------------------------------------------------------------------------------


@covers("item_count@unit", "excellence_goals@unit")
def test_unit_facts() -> None:
    units = [Unit(name="县住建局", head="王五"), Unit(name="县发改局"), Unit(name="县财政局")]

    def it(n: int, kind: str, unit: str | None, goal: str | None = None) -> Item:
        fields = {"id": f"X-{n}", "kind": kind, "title": "事项"}
        if unit is not None:
            fields["unit"] = unit
        if goal is not None:
            fields["goal"] = goal
        return Item.model_validate(fields)

    items = [
        it(1, "excellence", "县住建局", "争创省级文明单位"),  # counts
        it(2, "excellence", " 县住建局 ", "争创先进"),  # counts: same unit after stripping
        it(3, "excellence", "县住建局", "待定"),  # placeholder goal: does not count
        it(4, "excellence", "县发改局", "  "),  # blank goal
        it(5, "excellence", "县发改局"),  # no goal
        it(6, "project", "县发改局", "年底完工"),  # not an excellence item
        it(7, "excellence", "县水利局", "争创"),  # not a listed unit
        it(8, "excellence", None, "争创"),  # no unit
    ]
    rows = unit_facts(units, items)
    assert [(r["name"], r["head"], r["item_count"], r["excellence_goals"]) for r in rows] == [
        ("县住建局", "王五", 3, 2),
        ("县发改局", None, 3, 0),
        ("县财政局", None, 0, 0),
    ]


@covers("red_findings", "yellow_findings", "blue_findings", "serious_findings", "fired", "fired_red")
@pytest.mark.parametrize(
    "fired, red, yellow, blue, serious, ids, red_ids",
    [
        ([], 0, 0, 0, 0, [], []),
        ([("SCH-03", "red")], 1, 0, 0, 1, ["SCH-03"], ["SCH-03"]),
        ([("SCH-04", "blue"), ("REF-02", "blue")], 0, 0, 2, 0, ["REF-02", "SCH-04"], []),
        ([("SUP-01", "red"), ("LAG-01", "yellow"), ("OWN-02", "yellow"), ("SCH-04", "blue")], 1, 2, 1, 3,
         ["LAG-01", "OWN-02", "SCH-04", "SUP-01"], ["SUP-01"]),
    ],
)
def test_finding_facts(fired: list, red: int, yellow: int, blue: int, serious: int, ids: list, red_ids: list) -> None:
    assert finding_facts(fired) == {
        "red_findings": red, "yellow_findings": yellow, "blue_findings": blue, "serious_findings": serious,
        "fired": ids, "fired_red": red_ids,
    }


# --- Part 2: baselines, commendations, replies, history, the county ----------------------------------


@covers("slip_days")
@pytest.mark.parametrize(
    "due, baseline, slip",
    [
        ("2027-03-31", "2026-12-31", 90),   # postponed a quarter
        ("2026-12-31", "2026-12-31", 0),
        ("2026-12-01", "2026-12-31", -30),  # brought forward
        ("2026-12-31", None, None),         # no baseline: no slip
        (None, "2026-12-31", None),
    ],
)
def test_slip_days(due, baseline, slip) -> None:
    fields = {k: v for k, v in {"due": due, "baseline_due": baseline}.items() if v}
    assert facts(**fields)["slip_days"] == slip


def test_baseline_due_is_a_planned_date_and_recognized_on_an_event() -> None:
    later = facts(baseline_due=rel(400), due=rel(500), recognized_on=rel(1))
    assert later["baseline_due"] == D(rel(400))  # planned: never ignored
    assert later["recognized_on"] is None        # an event after as_of has not happened
    assert facts(recognized_on=rel(0))["recognized_on"] == AS


@covers("last_response_on", "days_since_response")
@pytest.mark.parametrize(
    "responses, last, days",
    [
        ([], None, None),
        ([{"date": rel(-30), "cause": "拆迁", "measures": "加派人手"}], D(rel(-30)), 30),
        ([{"date": rel(-31), "cause": "拆迁", "measures": "加派人手"},
          {"date": rel(-5), "cause": "拆迁", "measures": "待定"}], D(rel(-31)), 31),  # a placeholder measure does not count
        ([{"date": rel(-5), "measures": "加派人手"}], None, None),                      # no cause
        ([{"date": rel(1), "cause": "拆迁", "measures": "加派人手"}], None, None),       # after as_of: not yet
        ([{"date": rel(-40), "cause": "a", "measures": "b"}, {"date": rel(-2), "cause": "c", "measures": "d"}],
         D(rel(-2)), 2),
    ],
)
def test_replies(responses, last, days) -> None:
    got = facts(responses=responses)
    assert (got["last_response_on"], got["days_since_response"]) == (last, days)
    assert all(r.date <= AS for r in got["responses"])


@covers("previous_light", "previous_score", "red_periods", "flagged_periods")
def test_history_metrics_come_from_the_view_and_are_absent_without_it() -> None:
    got = item_facts(item(), AS, WorkCalendar(), history=FakeHistory(red=2, flagged=3))
    assert (got["previous_light"], got["previous_score"], got["red_periods"], got["flagged_periods"]) == (
        "yellow", Fraction(81, 2), 2, 3)
    absent = item_facts(item(id="P-9"), AS, WorkCalendar(), history=FakeHistory())
    assert (absent["previous_light"], absent["previous_score"], absent["red_periods"]) == (None, None, 0)
    assert "red_periods" not in facts()


@covers("name@county", "meetings_recorded@county", "last_meeting_on@county", "days_since_meeting@county")
@pytest.mark.parametrize(
    "meetings, recorded, last, days",
    [
        (None, False, None, None),                                   # the ledger does not record meetings
        ([], True, None, None),                                      # it does, and there were none
        ([{"date": rel(-90), "type": "企业座谈会"}], True, D(rel(-90)), 90),
        ([{"date": rel(-10), "type": " 会商会 "}], True, D(rel(-10)), 10),
        ([{"date": rel(-10), "type": "调度会"}], True, None, None),    # another type counts for nothing
        ([{"date": rel(3), "type": "企业座谈会"}], True, None, None),  # after as_of: not yet held
        ([{"date": rel(-100), "type": "企业座谈会"}, {"date": rel(-20), "type": "会商会"}], True, D(rel(-20)), 20),
    ],
)
def test_county_meetings(meetings, recorded, last, days) -> None:
    info = LedgerInfo.model_validate({"county": "清溪县", "meetings": meetings})
    got = county_facts(info, AS)
    assert (got["name"], got["meetings_recorded"], got["last_meeting_on"], got["days_since_meeting"]) == (
        "清溪县", recorded, last, days)


def test_the_county_without_a_name_is_this_county() -> None:
    assert county_facts(LedgerInfo(), AS)["name"] == "本县"


def test_every_derived_metric_is_pinned() -> None:
    derived = {key for key, metric in VOCABULARY.items() if metric.derived}
    assert derived - COVERED == set()
    assert COVERED - set(VOCABULARY) == set()
