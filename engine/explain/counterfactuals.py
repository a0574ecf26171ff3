"""Counterfactuals of one rule on one subject: metric level always, ledger terms where they exist.

For a fired rule: for each numeric metric it compares, the nearest value
that switches the finding off or lowers its level (:func:`.nearest.search`);
booleans and missing values flipped where that maps back to a ledger field
(or where no number would do). Each is stated in ledger terms where a lever
exists (:mod:`.levers`), and a ledger change is kept only when the changed
record, sent through the engine's stages again, has exactly the effect
claimed. For a rule that did not fire: the nearest value that would fire
it, and for a day count the date it gets there if nothing is done.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable, Mapping, Optional

from ..evaluate.findings import json_value
from ..pack import Rule
from ..report import Counterfactual, LedgerChange
from .levers import Record, apply, has_lever, ledger_change
from .nearest import FIXED, Change, flip, numeric_fields, rule_leaves, search
from .words import need_text, plain

__all__ = ["counterfactuals", "DAY_COUNTS"]

# Day counts that grow by one a day while nothing happens: a rule on them fires on a date one can name.
DAY_COUNTS = frozenset({
    "days_since_start", "supervision_gap_days", "days_since_supervision", "report_age_days",
    "max_rectify_overdue_days", "factor_max_open_days", "factor_max_days_past_deadline",
    "factor_max_open_days_past_deadline", "days_since_visit", "problem_max_days_past_deadline",
    "days_since_response", "max_milestone_overdue_days", "days_since_meeting",
})
EFFECT_ORDER = {"off": 0, "lower": 1, "fire": 2}

# A check of a ledger change: the levels the rules fire at on the changed record.
Verify = Callable[[Record], dict[str, str]]


def _changes(rule: Rule, facts: Mapping[str, Any], as_of: date) -> list[Change]:
    types = {leaf.field: leaf.type for leaf in reversed(rule_leaves(rule))}
    ordered, others = numeric_fields(rule)
    changes = [c for name in ordered for c in search(rule, facts, name, types.get(name, "number"))]
    if not changes:  # a metric only tested for equality (a count that must be 0) is the last resort
        changes = [c for name in others for c in search(rule, facts, name, types.get(name, "number"))]
    # Booleans and missing values, flipped: for a finding only (a miss already says what an unfired rule
    # lacks); those that map back to a ledger field, or all of them when nothing else would do.
    flips: dict[str, Change] = {}
    numeric = {c.field for c in changes}
    for leaf in rule_leaves(rule):
        if leaf.field in flips or leaf.field in numeric or leaf.field in FIXED:
            continue
        if not (leaf.op in ("present", "missing") or leaf.type == "boolean"):
            continue
        flipped = flip(rule, facts, leaf, as_of)
        if flipped is not None and flipped.effect != "fire":
            flips[leaf.field] = flipped
    levered = [c for c in flips.values() if has_lever(c.field)]
    return changes + (levered if changes or levered else list(flips.values()))


def _on(change: Change, facts: Mapping[str, Any]) -> Optional[str]:
    """For a day count that would fire the rule: the date it reaches the bound if nothing is done."""
    if change.effect != "fire" or change.op != "gte" or not isinstance(change.bound, int):
        return None
    as_of, now = facts.get("as_of"), facts.get(change.field)
    if change.field == "days_past_due" and facts.get("due") is not None:
        return (facts["due"] + timedelta(days=change.bound)).isoformat()
    if change.field in DAY_COUNTS and isinstance(as_of, date) and isinstance(now, int):
        return (as_of + timedelta(days=change.bound - now)).isoformat()
    return None


def counterfactuals(rule: Rule, facts: Mapping[str, Any], record: Optional[Record], as_of: date,
                    verify: Optional[Verify]) -> list[Counterfactual]:
    """The counterfactuals of ``rule`` on a subject with these facts (``record`` its ledger record, if it has levers)."""
    found = []
    for change in _changes(rule, facts, as_of):
        ledger: Optional[LedgerChange] = None
        if record is not None and verify is not None:
            candidate = ledger_change(change, record, facts, as_of)
            if candidate is not None and verify(apply(record, candidate, as_of)).get(rule.id) == change.severity:
                ledger = candidate
        bound = change.bound if change.op != "present" else None
        found.append(Counterfactual(
            effect=change.effect, severity=change.severity, field=change.field, op=change.op,
            bound=json_value(plain(bound)), param=change.param, current=json_value(facts.get(change.field)),
            text=need_text(change.field, change.op, bound, facts.get(change.field)),
            on=_on(change, facts), ledger=ledger,
        ))
    found.sort(key=lambda c: EFFECT_ORDER[c.effect])
    return found
