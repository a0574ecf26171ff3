"""Metrics: what an item looks like at the reference date.

:func:`item_facts` turns one ledger item and the reference date into a flat
mapping of named values: the item's own fields *as seen on that date* (events
dated later have not happened yet and read as absent) plus the derived
metrics the rules read (days past due, progress gap, investment ratio …).
Every name is declared, with its type and meaning, in
:data:`engine.pack.vocabulary.VOCABULARY`.

Ratios and percentages are :class:`fractions.Fraction`, so that a threshold
is compared exactly, as a person would with pencil and paper.
"""

from __future__ import annotations

import calendar
import functools
from datetime import date
from fractions import Fraction
from typing import Any, Iterable, Mapping, Optional, Protocol, Sequence, Union

from ..ledger import Item, LedgerInfo, Unit, is_missing, show_value
from ..ledger.values import parse_day
from ..exact import exact
from ..pack.vocabulary import FACTOR_TYPES, METRIC_PARAMS
from .calendar import WorkCalendar

__all__ = [
    "HistoryFacts",
    "item_facts",
    "extra_facts",
    "extra_problems",
    "history_facts",
    "unit_facts",
    "tally_units",
    "add_tallies",
    "finding_facts",
    "county_facts",
    "county_name",
    "year_share",
]


class HistoryFacts(Protocol):
    """What item metrics read of the history: the previous period, and the streaks before as_of."""

    def previous_light(self, item_id: str) -> Optional[str]: ...

    def previous_score(self, item_id: str) -> Optional[float]: ...

    def red_periods(self, item_id: str) -> int: ...

    def flagged_periods(self, item_id: str) -> int: ...

_REFORM_PARTS = (("goal", "目标"), ("path", "路径"), ("measures", "措施"))


@functools.lru_cache(maxsize=64)
def year_share(as_of: date) -> Fraction:
    """序时进度: the share of the year elapsed on ``as_of`` (day of year ÷ days in year)."""
    return Fraction(as_of.timetuple().tm_yday, 366 if calendar.isleap(as_of.year) else 365)


def _seen(day: Optional[date], as_of: date) -> Optional[date]:
    """An event's date if it has happened by ``as_of``, else None."""
    return day if day is not None and day <= as_of else None


def _max(values: list[int]) -> Optional[int]:
    return max(values) if values else None


# --- the item metrics ----------------------------------------------------------


def item_facts(
    item: Item,
    as_of: date,
    calendar: WorkCalendar,
    params: Optional[dict[str, Any]] = None,
    *,
    fields: Optional[dict[str, str]] = None,
    history: Optional[HistoryFacts] = None,
) -> dict[str, Any]:
    """Every vocabulary name for one item at ``as_of``; absent values are None.

    ``params`` may override :data:`METRIC_PARAMS` (working-day allowances);
    ``fields`` are the extra fields the pack declares (``{"extra.phase":
    "text"}``), read from the item's ``extra``; ``history`` gives the history
    metrics (absent without it).
    """
    settings = {**METRIC_PARAMS, **(params or {})}

    # Events after the reference date have not happened yet.
    reported_on = _seen(item.progress_reported_on, as_of)
    progress = exact(item.progress) if item.progress_reported_on is None or reported_on else None
    started_on = _seen(item.started_on, as_of)
    completed_on = _seen(item.completed_on, as_of)
    supervisions = [s for s in item.supervisions if s.date <= as_of]
    visits = [v for v in item.visits if v.date <= as_of]
    problems = [p for p in item.issues if p.raised_on <= as_of]
    open_problems = [p for p in problems if _seen(p.resolved_on, as_of) is None]

    completed = completed_on is not None or (progress is not None and progress >= 100)
    begun = started_on is not None or (item.start is not None and item.start <= as_of)
    days_since_start = (as_of - item.start).days if item.start else None

    facts: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "owner": item.owner,
        "unit": item.unit,
        "leader": item.leader,
        "level": item.level,
        "start": item.start,
        "due": item.due,
        "started_on": started_on,
        "completed_on": completed_on,
        "progress": progress,
        "progress_reported_on": reported_on,
        "milestones": item.milestones,
        "investment": item.investment.model_dump() if item.investment else None,
        "investment.planned": exact(item.investment.planned) if item.investment else None,
        "investment.completed": exact(item.investment.completed) if item.investment else None,
        "issues": problems,
        "supervisions": supervisions,
        "visits": visits,
        "goal": item.goal,
        "path": item.path,
        "measures": item.measures,
        "outcome": item.outcome,
        "value": exact(item.value),
        "benchmarks": item.benchmarks.model_dump() if item.benchmarks else None,
        "benchmarks.national": exact(item.benchmarks.national) if item.benchmarks else None,
        "benchmarks.provincial": exact(item.benchmarks.provincial) if item.benchmarks else None,
        "benchmarks.municipal": exact(item.benchmarks.municipal) if item.benchmarks else None,
        "rank": item.rank,
        "rank_of": item.rank_of,
        "as_of": as_of,
        "as_of_month": as_of.month,
        "year_share": year_share(as_of),
        "completed": completed,
        "begun": begun,
        "not_started": (
            item.start is not None
            and item.start < as_of
            and started_on is None
            and (progress is None or progress == 0)
            and not completed
        ),
        "days_since_start": days_since_start,
        "days_past_due": max(0, (as_of - item.due).days) if item.due else None,
        "days_to_due": (item.due - as_of).days if item.due else None,
        "baseline_due": item.baseline_due,
        "slip_days": (item.due - item.baseline_due).days if item.due and item.baseline_due else None,
        "recognized_on": _seen(item.recognized_on, as_of),
    }
    facts.update(_roadmap(item, as_of))
    facts.update(_progress(item, as_of, progress))
    facts.update(_supervision(supervisions, as_of, days_since_start, reported_on))
    facts.update(_problems(open_problems, as_of, calendar, settings))
    last_visit = max((v.date for v in visits), default=None)
    facts["last_visit_on"] = last_visit
    facts["days_since_visit"] = (as_of - last_visit).days if last_visit else None
    facts.update(_reform(item))
    facts.update(_indicator(item))
    facts.update(_responses(item, as_of))
    if fields:
        facts.update(extra_facts(item, fields))
    if history is not None:
        facts.update(history_facts(item.id, history))
    return facts


def _responses(item: Item, as_of: date) -> dict[str, Any]:
    """Replies (回执) that have happened; only one with both a cause and measures counts."""
    seen = [r for r in item.responses if r.date <= as_of]
    last = max((r.date for r in seen if not is_missing(r.cause) and not is_missing(r.measures)), default=None)
    return {
        "responses": seen,
        "last_response_on": last,
        "days_since_response": (as_of - last).days if last else None,
    }


def extra_facts(item: Item, fields: dict[str, str]) -> dict[str, Any]:
    """The declared extra fields of an item as typed values (dates parsed, numbers exact).

    The values were checked against the declared types before evaluation
    (:func:`extra_problems`); an undeclared extra is never read.
    """
    extra = item.extra or {}
    facts: dict[str, Any] = {}
    for name, type_ in fields.items():
        value = extra.get(name[len("extra."):])
        if type_ == "date" and isinstance(value, str):
            value = parse_day(value)
        facts[name] = exact(value) if type_ == "number" else value
    return facts


def extra_problems(item: Item, fields: dict[str, str]) -> list[tuple[str, str]]:
    """(field, cause) for each declared extra field whose value has the wrong type."""
    found = []
    for name, type_ in fields.items():
        value = (item.extra or {}).get(name[len("extra."):])
        if value is None:
            continue
        ok = {
            "text": isinstance(value, str),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
            "date": isinstance(value, str) and _is_day(value),
        }[type_]
        if not ok:
            wanted = {"text": "文本", "number": "数值", "boolean": "布尔值", "date": "YYYY-MM-DD 日期"}[type_]
            found.append((name, f"规则包声明为{wanted},实际为 {show_value(value)}"))
    return found


def _is_day(text: str) -> bool:
    try:
        parse_day(text)
    except ValueError:
        return False
    return True


def history_facts(item_id: str, history: HistoryFacts) -> dict[str, Any]:
    """The history metrics of one item: its previous light and score, its red and flagged streaks."""
    return {
        "previous_light": history.previous_light(item_id),
        "previous_score": exact(history.previous_score(item_id)),
        "red_periods": history.red_periods(item_id),
        "flagged_periods": history.flagged_periods(item_id),
    }


def _roadmap(item: Item, as_of: date) -> dict[str, Any]:
    open_ = [m for m in item.milestones if _seen(m.done_on, as_of) is None]
    return {
        "milestone_count": len(item.milestones),
        "open_milestones": len(open_),
        "max_milestone_overdue_days": _max([(as_of - m.due).days for m in open_ if m.due < as_of]),
        "next_milestone_days": min(((m.due - as_of).days for m in open_ if m.due >= as_of), default=None),
    }


def _progress(item: Item, as_of: date, progress: Any) -> dict[str, Any]:
    expected = gap = ratio = shortfall = pace = None
    if item.start is not None and item.due is not None and item.start < item.due:
        share = Fraction((as_of - item.start).days, (item.due - item.start).days)
        expected = 100 * min(max(share, Fraction(0)), Fraction(1))
        if progress is not None:
            gap = expected - progress
    planned = exact(item.investment.planned) if item.investment else None
    done = exact(item.investment.completed) if item.investment else None
    if planned is not None and planned > 0 and done is not None:
        ratio = Fraction(done) / (Fraction(planned) * year_share(as_of))
        shortfall = (1 - ratio) * 100
        pace = ratio * 100
    return {
        "expected_progress": expected,
        "progress_gap": gap,
        "investment_ratio": ratio,
        "investment_shortfall": shortfall,
        "investment_pace": pace,
    }


def _supervision(
    supervisions: list, as_of: date, days_since_start: Optional[int], reported_on: Optional[date]
) -> dict[str, Any]:
    last = max((s.date for s in supervisions), default=None)
    since = (as_of - last).days if last else None
    overdue = [
        (as_of - s.rectify_by).days
        for s in supervisions
        if s.rectify_by is not None and s.rectify_by < as_of and _seen(s.rectified_on, as_of) is None
    ]
    return {
        "supervised": last is not None,
        "last_supervision_on": last,
        "days_since_supervision": since,
        "supervision_gap_days": since if since is not None else days_since_start,
        "report_age_days": (as_of - reported_on).days if reported_on else None,
        "unrectified_overdue": len(overdue),
        "max_rectify_overdue_days": _max(overdue),
    }


def _problems(open_problems: list, as_of: date, calendar: WorkCalendar, settings: dict) -> dict[str, Any]:
    factor = [p for p in open_problems if p.type in FACTOR_TYPES]
    factor_late = [p for p in factor if p.deadline is not None and p.deadline < as_of]
    past_deadline = []
    for problem in open_problems:
        deadline = problem.deadline
        if deadline is None:
            allowance = settings["complex_problem_working_days" if problem.complex else "problem_working_days"]
            deadline = calendar.add_working_days(problem.raised_on, allowance)
        if deadline < as_of:
            past_deadline.append((as_of - deadline).days)
    return {
        "factor_problems_open": len(factor),
        "factor_max_open_days": _max([(as_of - p.raised_on).days for p in factor]),
        "factor_max_days_past_deadline": _max([(as_of - p.deadline).days for p in factor_late]),
        "factor_max_open_days_past_deadline": _max([(as_of - p.raised_on).days for p in factor_late]),
        "problems_open": len(open_problems),
        "problem_max_days_past_deadline": _max(past_deadline),
    }


def _reform(item: Item) -> dict[str, Any]:
    missing = [label for field, label in _REFORM_PARTS if is_missing(getattr(item, field))]
    return {"missing_part_count": len(missing), "missing_parts": "、".join(missing) or None}


def _indicator(item: Item) -> dict[str, Any]:
    given = []
    if item.benchmarks is not None:
        given = [exact(b) for b in (item.benchmarks.national, item.benchmarks.provincial, item.benchmarks.municipal)
                 if b is not None]
    value = exact(item.value)
    missed = shortfall = None
    if value is not None:
        missed = sum(1 for b in given if value < b)
        shortfall = max((b - value for b in given), default=None)
    bottom = None
    if item.rank is not None and item.rank_of is not None:
        bottom = 3 * item.rank > 2 * item.rank_of
    return {
        "benchmarks_given": len(given),
        "benchmarks_missed": missed,
        "max_benchmark_shortfall": shortfall,
        "rank_bottom_third": bottom,
    }


# --- units and findings --------------------------------------------------------


def tally_units(items: Iterable[Item]) -> dict[str, list[int]]:
    """For each lead unit named by the items: [items, excellence items with a goal] (one pass).

    Tallies of chunks add up (:func:`add_tallies`), so units need not see every item at once.
    """
    counts: dict[str, list[int]] = {}
    for item in items:
        if item.unit is None:
            continue
        tally = counts.setdefault(item.unit.strip(), [0, 0])
        tally[0] += 1
        if item.kind == "excellence" and not is_missing(item.goal):
            tally[1] += 1
    return counts


def add_tallies(total: dict[str, list[int]], more: Mapping[str, Sequence[int]]) -> dict[str, list[int]]:
    for unit, (count, goals) in more.items():
        tally = total.setdefault(unit, [0, 0])
        tally[0] += count
        tally[1] += goals
    return total


def unit_facts(units: list[Unit], items: Union[Iterable[Item], Mapping[str, Sequence[int]]]) -> list[dict[str, Any]]:
    """Facts about each unit, from the items whose lead unit it is (or from their tallies)."""
    counts = items if isinstance(items, Mapping) else tally_units(items)
    return [
        {
            "name": unit.name,
            "head": unit.head,
            "item_count": counts.get(unit.name.strip(), (0, 0))[0],
            "excellence_goals": counts.get(unit.name.strip(), (0, 0))[1],
        }
        for unit in units
    ]


def finding_facts(fired: list[tuple[str, str]]) -> dict[str, Any]:
    """What the second stage reads of one item's first-stage findings, given as (rule, severity).

    Counts by severity (MULTI-01 reads them), and ``fired``/``fired_red``, the
    sorted rule ids (LAG-03 reads them).
    """
    severities = [severity for _, severity in fired]
    red = severities.count("red")
    yellow = severities.count("yellow")
    return {
        "red_findings": red,
        "yellow_findings": yellow,
        "blue_findings": severities.count("blue"),
        "serious_findings": red + yellow,
        "fired": sorted({rule for rule, _ in fired}),
        "fired_red": sorted({rule for rule, severity in fired if severity == "red"}),
    }


# Meetings that count for ENT-03: the county's symposiums with enterprises.
MEETING_TYPES = frozenset({"企业座谈会", "会商会"})
COUNTY = "本县"


def county_facts(info: LedgerInfo, as_of: date) -> dict[str, Any]:
    """Facts about the county itself: its name and its meetings with enterprises."""
    held = [m.date for m in info.meetings or () if m.date <= as_of and (m.type or "").strip() in MEETING_TYPES]
    last = max(held, default=None)
    return {
        "name": county_name(info),
        "meetings_recorded": info.meetings is not None,
        "last_meeting_on": last,
        "days_since_meeting": (as_of - last).days if last else None,
    }


def county_name(info: LedgerInfo) -> str:
    """The county's name as findings on it show it: the ledger's county, else 本县."""
    return COUNTY if is_missing(info.county) else str(info.county).strip()
