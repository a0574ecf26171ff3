"""Counterfactuals applied to a ledger as a person would: on the ledger file's own form, by the test.

An explanation's ``ledger`` change (JSON form) says which field to change and how; these helpers make
that change, or half of it, on a raw ledger mapping, written independently of the engine's levers, so
that evaluating the changed ledger checks the engine's claim rather than repeating it.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any, Optional

DONE = {"milestones": "done_on", "supervisions": "rectified_on", "issues": "resolved_on"}
FILLED = "某某"


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _set(record: dict, field: str, value: Any) -> None:
    head, _, rest = field.partition(".")
    if rest:
        record.setdefault(head, {})
        _set(record[head], rest, value)
    else:
        record[field] = value


def apply_change(ledger: dict, subject: str, change: dict, as_of: str) -> dict:
    """A copy of the raw ledger with the change made on the subject (an item id, or the county)."""
    changed = copy.deepcopy(ledger)
    items = [i for i in changed["items"] if i["id"] == subject]
    record = items[0] if items else changed["ledger"]
    field, action, value = change["field"], change["action"], change["value"]
    if action == "set":
        _set(record, field, value)
    elif action == "fill":
        record[field] = FILLED
    elif action == "add":
        record.setdefault(field, [])
        record[field] = list(record[field] or []) + [value]
    elif action == "complete":
        for index in value:
            record[field][index][DONE[field]] = as_of
    else:
        raise AssertionError(f"unknown action {action}")
    return changed


def half_changes(ledger: dict, subject: str, change: dict, as_of: str) -> list[dict]:
    """Ledgers with less of the change made: half of it, and one step (one percent, one 万元, one day) less.

    A whole-number change (a percent, an amount in 万元, a date) is halved in whole numbers, towards the
    value now. None when a change cannot be made smaller: a name filled in, a first event.
    """
    field, action, value, current = change["field"], change["action"], change["value"], change["current"]
    if action == "complete":  # each record listed is needed: closing all but one of them is not enough
        return [apply_change(ledger, subject, {**change, "value": [i for i in value if i != left]}, as_of)
                for left in value]
    if action == "fill" or current is None:
        return []
    lesser: list[Any] = []
    if action == "set" and isinstance(value, (int, float)):
        if isinstance(value, int) and isinstance(current, int):
            step = 1 if value > current else -1
            lesser = [current + int((value - current) / 2), value - step]
        else:
            lesser = [(current + value) / 2]
        lesser = [v for v in lesser if v != current] or [current]
        return [apply_change(ledger, subject, {**change, "value": v}, as_of) for v in lesser]
    if action == "set" and isinstance(value, str):
        lesser = [_middle(current, value), _toward(current, value)]
        return [apply_change(ledger, subject, {**change, "value": v}, as_of) for v in lesser]
    if action == "add" and isinstance(value, dict) and "date" in value:
        return [apply_change(ledger, subject, {**change, "value": {**value, "date": v}}, as_of)
                for v in (_middle(current, value["date"]), _toward(current, value["date"]))]
    return []


def _toward(start: str, end: str) -> str:
    """The day before ``end``, seen from ``start`` (one day less of the change)."""
    a, b = _day(start), _day(end)
    return (b - timedelta(days=1 if b > a else -1 if b < a else 0)).isoformat()


def _middle(start: str, end: str) -> Optional[str]:
    """The day halfway from ``start`` to ``end`` (rounded towards ``start``)."""
    a, b = _day(start), _day(end)
    return (a + timedelta(days=(b - a).days // 2)).isoformat()


def fired_at(report: Any, subject: str, rule: str) -> Optional[str]:
    """The level ``rule`` fired at on ``subject`` in a report (before any escalation), or None."""
    for finding in report.findings:
        if finding.subject == subject and finding.rule == rule:
            return finding.escalated_from or finding.severity
    return None


RANK = {None: 0, "blue": 1, "yellow": 2, "red": 3}


def achieves(counterfactual: Any, before: Optional[str], after: Optional[str]) -> bool:
    """Whether a rule's level went from ``before`` to ``after`` as the counterfactual says:
    off (gone), lower (down a level or more), fire (fired)."""
    effect = counterfactual.effect if hasattr(counterfactual, "effect") else counterfactual["effect"]
    if effect == "off":
        return after is None
    if effect == "lower":
        return RANK[after] < RANK[before]
    return after is not None
