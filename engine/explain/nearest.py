"""The nearest value of one metric that changes a rule's outcome, everything else as it is.

A rule's outcome over one numeric metric, the other facts fixed, can only
change where the metric meets a value it is compared with. So the number
line is cut at those values into points and open intervals; the outcome is
the same all over each piece, and one sample per piece tells it. Walking the
pieces outward from the current value in the direction that helps (down for
a ``≥`` threshold, up for a ``<`` one) gives the nearest piece where the
finding goes away (``off``) or drops a level (``lower``); for a rule that did
not fire, the nearest piece where it fires (``fire``). Thresholds are exact
(Fractions), so the bound is exact too: ``progress_gap < 10``, and for an
integer metric the nearest integer: ``days ≤ 30``.

Booleans and "missing" tests are *flipped* instead: the outcome with the
other value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Mapping, Optional

from ..evaluate.findings import severity_of
from ..exact import exact
from ..ledger import is_missing
from ..pack import Rule
from ..pack.conditions import Leaf, evaluate, leaves

__all__ = ["RANK", "Change", "outcome", "rule_leaves", "numeric_fields", "search", "flip"]

RANK = {None: 0, "blue": 1, "yellow": 2, "red": 3}
ORDERED = ("lt", "lte", "gt", "gte")
NUMERIC = ("integer", "number")
# Integer metrics that can be negative; the others (days, counts) are never below 0.
SIGNED = frozenset({"days_to_due"})
# Metrics of the reference date alone: no one can change them, so they make no counterfactual.
FIXED = frozenset({"as_of", "as_of_month", "year_share"})
# What a filled-in value looks like, by type, when a "missing" test is flipped.
FILLED = {"text": "已填写", "list": ("已填写",), "mapping": {"已填写": 1}, "integer": 0, "number": 0,
          "boolean": False}


@dataclass(frozen=True)
class Change:
    """One metric moved (or flipped) to the nearest value that changes the outcome.

    ``op bound`` is what the metric must satisfy; ``value`` the sample that
    was evaluated; ``effect`` off, lower or fire and ``severity`` the level
    the rule then has (None when it is off).
    """

    field: str
    op: str
    bound: Any
    value: Any
    effect: str
    severity: Optional[str]
    param: Optional[str] = None


def outcome(rule: Rule, facts: Mapping[str, Any]) -> Optional[str]:
    """The level the rule fires at on these facts, or None when it does not fire."""
    return severity_of(rule, facts) if evaluate(rule.when, facts) else None



def rule_leaves(rule: Rule) -> list[Leaf]:
    """Every leaf of the rule's condition and of its levels, in reading order."""
    return [*leaves(rule.when), *(leaf for level in rule.levels for leaf in leaves(level.when))]


def _number(value: Any) -> Optional[Fraction]:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        return None
    return Fraction(exact(value))


def numeric_fields(rule: Rule) -> tuple[list[str], list[str]]:
    """The numeric metrics the rule compares: those with an ordered comparison (<, ≥ …), then the others."""
    ordered: dict[str, None] = {}
    others: dict[str, None] = {}
    for leaf in rule_leaves(rule):
        if leaf.type not in NUMERIC or leaf.op in ("present", "missing", "contains"):
            continue
        for name in (leaf.field, leaf.other):
            if name is not None and name not in FIXED:
                (ordered if leaf.op in ORDERED else others).setdefault(name)
    return list(ordered), [name for name in others if name not in ordered]


def _constants(rule: Rule, field: str, facts: Mapping[str, Any]) -> list[Fraction]:
    """The values ``field`` is compared with (literals, params, or the other field's value), ascending."""
    found: set[Fraction] = set()
    for leaf in rule_leaves(rule):
        values: list[Any] = []
        if leaf.field == field:
            if leaf.other is not None:
                values = [facts.get(leaf.other)]
            else:
                values = list(leaf.value) if isinstance(leaf.value, tuple) else [leaf.value]
        elif leaf.other == field:
            values = [facts.get(leaf.field)]
        found.update(number for number in map(_number, values) if number is not None)
    return sorted(found)


def _param_of(rule: Rule, field: str, bound: Fraction) -> Optional[str]:
    for leaf in rule_leaves(rule):
        if leaf.field == field and leaf.param and _number(leaf.value) == bound:
            return leaf.param
    return None


def _directions(rule: Rule, field: str) -> list[str]:
    """Which way helps a fired rule: down for a metric it fires on when high, up when low; both if unclear."""
    ways: dict[str, None] = {}
    for leaf in leaves(rule.when):
        if leaf.op not in ORDERED:
            continue
        if leaf.field == field:
            ways.setdefault("down" if leaf.op in ("gt", "gte") else "up")
        elif leaf.other == field:
            ways.setdefault("up" if leaf.op in ("gt", "gte") else "down")
    return list(ways) or ["down", "up"]


def _pieces(constants: list[Fraction]) -> list[tuple[Optional[Fraction], Optional[Fraction], bool]]:
    """The number line cut at the constants, ascending: (low, high, is_point); None is infinity."""
    pieces: list[tuple[Optional[Fraction], Optional[Fraction], bool]] = []
    low: Optional[Fraction] = None
    for c in constants:
        pieces.append((low, c, False))
        pieces.append((c, c, True))
        low = c
    pieces.append((low, None, False))
    return pieces


def _inside(piece: tuple[Optional[Fraction], Optional[Fraction], bool], value: Fraction) -> bool:
    low, high, point = piece
    if point:
        return value == low
    return (low is None or value > low) and (high is None or value < high)


def _sample(piece: tuple[Optional[Fraction], Optional[Fraction], bool], integer: bool, signed: bool,
            downward: bool) -> Optional[Fraction]:
    """The value of the piece nearest to where the walk comes from (None when it holds no allowed value)."""
    low, high, point = piece
    if point:
        value: Optional[Fraction] = low if (not integer or low.denominator == 1) else None  # type: ignore[union-attr]
    elif integer:
        smallest = math.floor(low) + 1 if low is not None else None
        largest = math.ceil(high) - 1 if high is not None else None
        if smallest is not None and largest is not None and smallest > largest:
            return None
        value = Fraction(largest if downward and largest is not None else
                         smallest if smallest is not None else largest)  # type: ignore[arg-type]
    else:
        if low is not None and high is not None:
            value = (low + high) / 2
        else:
            value = high - 1 if high is not None else low + 1  # type: ignore[operator]
    if value is not None and integer and not signed and value < 0:
        return None
    return value


def _bound(piece: tuple[Optional[Fraction], Optional[Fraction], bool], value: Fraction, integer: bool,
           downward: bool, next_same: bool) -> tuple[str, Fraction]:
    low, high, point = piece
    if point:
        return ("lte" if downward else "gte") if next_same else "eq", value
    if downward and high is None:  # from a missing value, down into everything above the last threshold
        return ("gte", value) if integer else ("gt", low)  # type: ignore[return-value]
    if not downward and low is None:
        return ("lte", value) if integer else ("lt", high)  # type: ignore[return-value]
    if integer:
        return ("lte" if downward else "gte"), value
    return ("lt", high) if downward else ("gt", low)  # type: ignore[return-value]


def _plainly(value: Fraction, integer: bool) -> Any:
    return int(value) if integer or value.denominator == 1 else value


def search(rule: Rule, facts: Mapping[str, Any], field: str, type_: str) -> list[Change]:
    """The nearest values of one numeric metric that switch the finding off or lower it (or, unfired, fire it)."""
    current = outcome(rule, facts)
    constants = _constants(rule, field, facts)
    if not constants:
        return []
    integer = type_ == "integer"
    signed = field in SIGNED
    pieces = _pieces(constants)
    start = _number(facts.get(field))
    if current is not None:
        directions = _directions(rule, field)
    elif start is not None:  # to fire an unfired rule: either way from a value
        directions = ["up", "down"]
    else:  # from a missing value: in from the side the rule fires on (high days, a low ratio)
        directions = list(dict.fromkeys("up" if way == "down" else "down" for way in _directions(rule, field)))
    changes: list[Change] = []
    for way in directions:
        downward = way == "down"
        if start is None:
            order = list(reversed(pieces)) if downward else list(pieces)
        else:
            here = next(i for i, piece in enumerate(pieces) if _inside(piece, start))
            order = list(reversed(pieces[:here])) if downward else pieces[here + 1:]
        samples = [(piece, _sample(piece, integer, signed, downward)) for piece in order]
        samples = [(piece, value) for piece, value in samples if value is not None]
        results = [outcome(rule, {**facts, field: _plainly(value, integer)}) for _, value in samples]
        lowered = False
        for index, ((piece, value), result) in enumerate(zip(samples, results)):
            if current is not None:
                if result is None:
                    effect = "off"
                elif RANK[result] < RANK[current] and not lowered:
                    effect, lowered = "lower", True
                else:
                    continue
            elif result is not None:
                effect = "fire"
            else:
                continue
            # A point is "at most" (or "at least") when the values beyond it do the same, or there are none.
            next_same = index + 1 >= len(results) or results[index + 1] == result
            op, bound = _bound(piece, value, integer, downward, next_same)
            changes.append(Change(field, op, _plainly(bound, integer), _plainly(value, integer), effect, result,
                                  _param_of(rule, field, bound)))
            if effect in ("off", "fire"):
                break
    return _nearest(changes, start)


def _nearest(changes: list[Change], start: Optional[Fraction]) -> list[Change]:
    """One change per effect and level: the one nearest the current value."""
    best: dict[tuple[str, Optional[str]], Change] = {}
    for change in changes:
        key = (change.effect, change.severity)
        distance = abs(Fraction(exact(change.value)) - start) if start is not None else Fraction(0)
        held = best.get(key)
        if held is None or distance < abs(Fraction(exact(held.value)) - (start or 0)):
            best[key] = change
    return list(best.values())


def flip(rule: Rule, facts: Mapping[str, Any], leaf: Leaf, as_of: date) -> Optional[Change]:
    """The outcome with a boolean leaf's field flipped, or a missing value filled in (a present one emptied)."""
    current = outcome(rule, facts)
    value = facts.get(leaf.field)
    if leaf.op in ("present", "missing"):
        if is_missing(value):
            new: Any = as_of if leaf.type == "date" else FILLED.get(leaf.type, "已填写")
            op = "present"
        else:
            new, op = None, "missing"
    elif leaf.type == "boolean" and isinstance(value, bool):
        new, op = not value, "eq"
    else:
        return None
    result = outcome(rule, {**facts, leaf.field: new})
    if current is not None:
        if result is None:
            effect = "off"
        elif RANK[result] < RANK[current]:
            effect = "lower"
        else:
            return None
    elif result is not None:
        effect = "fire"
    else:
        return None
    bound = new if op == "eq" else None
    return Change(leaf.field, op, bound, new, effect, result)
