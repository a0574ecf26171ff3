"""Counterfactuals in ledger terms: the one change to the ledger that moves a metric to its bound.

A metric-level counterfactual (``progress_gap`` below 10) says what must be
true; a *lever* says what the office would write in the ledger to make it
so, where the metric maps back to one field: a progress figure (形象进度达到
12% 以上), this year's completed investment (年度完成投资达到 3,639 万元以上),
a supervision, a visit, a report or a reply dated late enough (在 2026-10-29
至 2026-11-28 间开展一次督查), the planned completion date, the milestones,
findings or problems to close, a name to fill in. Each lever computes the
change from the exact bound (the nearest integer percent or 万元, the
earliest date) and :func:`apply` makes it on a copy of the record, so that
the engine can evaluate the changed record and keep the change only when it
has the effect claimed.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Callable, Mapping, Optional, Union

from ..evaluate.findings import json_value
from ..exact import exact
from ..ledger import Investment, Item, LedgerInfo, Meeting, Milestone, Response, Supervision, Visit
from ..pack.vocabulary import FACTOR_TYPES
from ..report import LedgerChange
from .nearest import Change
from .words import figure

__all__ = ["Record", "FILLED", "has_lever", "ledger_change", "apply"]

Record = Union[Item, LedgerInfo]
Lever = Callable[[Change, Any, Mapping[str, Any], date], Optional[LedgerChange]]

# What "filled in" writes into a missing name or text (the office writes the real one).
FILLED = "已填写"
# The field a record is closed by, for each list of records.
DONE = {"milestones": "done_on", "supervisions": "rectified_on", "issues": "resolved_on"}
RECORDS: dict[str, type] = {"supervisions": Supervision, "visits": Visit, "responses": Response,
                            "milestones": Milestone, "meetings": Meeting}
LABELS = {"owner": "责任人", "unit": "责任单位", "leader": "联系县领导", "goal": "目标", "path": "路径",
          "measures": "措施", "outcome": "制度性成果"}


def _amount(value: Any) -> str:
    number = Fraction(exact(value))
    return f"{int(number):,}" if number.denominator == 1 else f"{float(number):,.1f}"


def _earliest(change: Change, as_of: date) -> Optional[date]:
    """The earliest date of an event that brings a day count (days since it) within the bound."""
    if change.op not in ("lte", "lt") or not isinstance(change.bound, int):
        return None
    days = change.bound if change.op == "lte" else change.bound - 1
    return as_of - timedelta(days=days) if days >= 0 else None


def _window(start: date, as_of: date, what: str, last: Any, never: str) -> str:
    when = f"在 {as_of}" if start == as_of else f"在 {start} 至 {as_of} 间"
    return f"{when}{what}({f'最近一次: {figure(last)}' if last else never})"


# --- the levers, by metric ------------------------------------------------------


def _progress(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
    expected, now = facts.get("expected_progress"), facts.get("progress")
    if expected is None or now is None or change.op not in ("lt", "lte"):
        return None
    floor = Fraction(expected) - Fraction(exact(change.bound))  # progress must be above (lt) or at least (lte) this
    target = math.floor(floor) + 1 if change.op == "lt" else math.ceil(floor)
    if target > 100 or target <= now:
        return None
    return LedgerChange(field="progress", action="set", value=target, current=json_value(now),
                        text=f"形象进度达到 {target}% 以上(现为 {figure(now)}%)")


def _investment(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
    planned, done = facts.get("investment.planned"), facts.get("investment.completed")
    if not planned or done is None or change.op not in ("gt", "gte"):
        return None
    needed = Fraction(exact(change.bound)) * Fraction(planned) * Fraction(facts["year_share"])
    target = math.floor(needed) + 1 if change.op == "gt" else math.ceil(needed)
    if target <= done:
        return None
    return LedgerChange(field="investment.completed", action="set", value=target, current=json_value(done),
                        text=f"年度完成投资达到 {target:,} 万元以上(现为 {_amount(done)} 万元)")


def _event(field: str, what: str, last: str, never: str, record: Callable[[date, Any], Any]) -> Lever:
    """A day count since the latest event: one event dated late enough brings it within the bound."""

    def lever(change: Change, subject: Any, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
        start = _earliest(change, as_of)
        if start is None:
            return None
        value = record(start, subject)
        action = "add" if field in RECORDS else "set"
        return LedgerChange(field=field, action=action, value=value, current=json_value(facts.get(last)),
                            text=_window(start, as_of, what, facts.get(last), never))

    return lever


def _due(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
    if change.op != "lte" or not isinstance(change.bound, int) or item.due is None:
        return None
    target = as_of - timedelta(days=change.bound)
    if target <= item.due or (item.start is not None and item.start > target):
        return None
    return LedgerChange(field="due", action="set", value=target, current=item.due.isoformat(),
                        text=f"计划完成时间调整到 {target} 或之后(现为 {item.due})")


def _close(field: str, days: Callable[[Any, date], Optional[int]], describe: Callable[[int, Any], str],
           verb: str) -> Lever:
    """A largest day count over records (overdue milestones, findings, problems): close those beyond the bound."""

    def lever(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
        if change.op not in ("lte", "lt") or not isinstance(change.bound, int):
            return None
        allowed = change.bound if change.op == "lte" else change.bound - 1
        records = getattr(item, field)
        chosen = [i for i, r in enumerate(records) if (d := days(r, as_of)) is not None and d > allowed]
        if not chosen:
            return None
        return LedgerChange(field=field, action="complete", value=chosen, current=None,
                            text=verb + "、".join(describe(i, records[i]) for i in chosen))

    return lever


def _open(day: Optional[date], as_of: date) -> bool:
    return day is None or day > as_of


def _milestone_days(m: Milestone, as_of: date) -> Optional[int]:
    return (as_of - m.due).days if _open(m.done_on, as_of) and m.due < as_of else None


def _rectify_days(s: Supervision, as_of: date) -> Optional[int]:
    if s.date > as_of or s.rectify_by is None or s.rectify_by >= as_of or not _open(s.rectified_on, as_of):
        return None
    return (as_of - s.rectify_by).days


def _factor_days(p: Any, as_of: date) -> Optional[int]:
    if p.raised_on > as_of or p.type not in FACTOR_TYPES or not _open(p.resolved_on, as_of):
        return None
    return (as_of - p.raised_on).days


def _set(field: str, text: Callable[[date], str], value: Callable[[Item, date], Any]) -> Lever:
    """A missing date or status: set it (to the reference date, or what the lever says).

    ``current`` is the value as the run saw it: a date after the reference date has not happened.
    """

    def lever(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
        target = value(item, as_of)
        return LedgerChange(field=field, action="set", value=target, current=json_value(facts.get(field)),
                            text=text(target))

    return lever


def _fill(field: str) -> Lever:
    def lever(change: Change, item: Item, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
        if change.op != "present":
            return None
        now = getattr(item, field, None)
        return LedgerChange(field=field, action="fill", value=None, current=now,
                            text=f"填写{LABELS[field]}(现为 {figure(now) if now else '—'})")

    return lever


def _supervision(day: date, item: Any) -> dict[str, Any]:
    return {"date": day, "by": "县督查室"}


LEVERS: dict[str, Lever] = {
    "progress_gap": _progress,
    "investment_ratio": _investment,
    "supervision_gap_days": _event("supervisions", "开展一次督查", "last_supervision_on", "从未督查", _supervision),
    "days_since_supervision": _event("supervisions", "开展一次督查", "last_supervision_on", "从未督查", _supervision),
    "report_age_days": _event("progress_reported_on", "报送一次进度", "progress_reported_on", "从未报送",
                              lambda day, item: day),
    "days_since_visit": _event("visits", "走访一次企业", "last_visit_on", "从未走访",
                               lambda day, item: {"date": day, "leader": item.leader}),
    "days_since_response": _event("responses", "书面报送一次原因分析和整改措施", "last_response_on", "从未报送",
                                  lambda day, item: {"date": day, "cause": "原因分析", "measures": "整改措施"}),
    "days_since_meeting": _event("meetings", "召开一次企业座谈会或服务企业会商会", "last_meeting_on", "没有记录",
                                 lambda day, info: {"date": day, "type": "企业座谈会", "title": "企业座谈会"}),
    "days_past_due": _due,
    "max_milestone_overdue_days": _close(
        "milestones", _milestone_days, lambda i, m: f"「{m.name or f'第{i + 1}个节点'}」(计划 {m.due})", "完成节点"),
    "max_rectify_overdue_days": _close(
        "supervisions", _rectify_days,
        lambda i, s: f"{s.date} 督查发现的问题(整改时限 {s.rectify_by})", "完成整改: "),
    "factor_max_open_days": _close(
        "issues", _factor_days, lambda i, p: f"「{p.description or p.type}」(提出于 {p.raised_on})", "解决问题"),
    # flips: a status or a missing value
    "not_started": _set("started_on", lambda day: f"实际开工并填报实际开工日期(不晚于 {day})",
                        lambda item, as_of: as_of),
    "supervised": lambda change, item, facts, as_of: LedgerChange(
        field="supervisions", action="add", value=_supervision(as_of, item), current=None,
        text=f"在 {as_of} 前开展一次督查(从未督查)"),
    "recognized_on": _set("recognized_on", lambda day: f"填写表彰日期(不晚于 {day})", lambda item, as_of: as_of),
    "progress_reported_on": _set("progress_reported_on", lambda day: f"报送一次进度(填报日期不晚于 {day})",
                                 lambda item, as_of: as_of),
    "due": _set("due", lambda day: f"填写计划完成时间(如 {day})",
                lambda item, as_of: max(as_of, item.start) if item.start else as_of),
    "milestones": lambda change, item, facts, as_of: LedgerChange(
        field="milestones", action="add", value={"name": "节点", "due": max(as_of, item.due or as_of)}, current=None,
        text="制定节点安排(至少一个节点)") if change.op == "present" else None,
    **{field: _fill(field) for field in LABELS},
}


def has_lever(field: str) -> bool:
    """Whether a metric or field maps back to one ledger field."""
    return field in LEVERS


def ledger_change(change: Change, record: Record, facts: Mapping[str, Any], as_of: date) -> Optional[LedgerChange]:
    """The ledger change that has the effect of ``change`` on ``record``, or None where there is none."""
    lever = LEVERS.get(change.field)
    if lever is None or change.effect == "fire":
        return None
    if isinstance(record, LedgerInfo) != (change.field == "days_since_meeting"):
        return None
    return lever(change, record, facts, as_of)


def apply(record: Record, change: LedgerChange, as_of: date) -> Record:
    """A copy of the record with the change made (records closed on the reference date)."""
    field, value = change.field, change.value
    if change.action == "set" and field == "investment.completed":
        investment = record.investment or Investment()  # type: ignore[union-attr]
        return record.model_copy(update={"investment": investment.model_copy(update={"completed": value})})
    if change.action == "set":
        return record.model_copy(update={field: value})
    if change.action == "fill":
        return record.model_copy(update={field: FILLED})
    current = list(getattr(record, field) or [])
    if change.action == "add":
        return record.model_copy(update={field: [*current, RECORDS[field](**value)]})
    done = DONE[field]
    for index in value:
        current[index] = current[index].model_copy(update={done: as_of})
    return record.model_copy(update={field: current})
