"""Reachable levels: a level that no finding can ever get is a pack error.

A graded rule tries its levels in order and the first that holds wins (the
last applies when none does). Level *i* is reachable when some facts make the
rule fire, hold for level *i* and for no level before it. A red threshold
set below the yellow one (``--set lag_red_points=5`` with
``lag_yellow_points`` 10) makes yellow unreachable: every finding is red.

The checker searches for such facts over the values that matter: for each
field the rule reads, the literals it is compared with and their neighbours,
and "missing". Fields are varied independently, so the search may find a
level reachable that real items can never reach (it never refuses a level
that can be reached); a rule whose search would be too large is not checked.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Iterable, Optional, Sequence

from .conditions import Condition, Leaf, evaluate, leaves

__all__ = ["unreachable_levels", "params_read"]

# Combinations of candidate values the search may try for one rule.
MAX_COMBINATIONS = 50_000

_STEP = Fraction(1, 1000)



def params_read(conditions: Iterable[Optional[Condition]]) -> list[str]:
    """The params whose values the conditions compare with, in first-read order."""
    seen: dict[str, None] = {}
    for condition in conditions:
        if condition is not None:
            for leaf in leaves(condition):
                if leaf.param:
                    seen.setdefault(leaf.param)
    return list(seen)


def _near(value: Any, integer: bool) -> list[Any]:
    """A literal and its neighbours on either side."""
    if isinstance(value, bool) or value is None:
        return [value]
    if isinstance(value, date):
        return [value - timedelta(days=1), value, value + timedelta(days=1)]
    if isinstance(value, (int, Fraction)):
        step = 1 if integer or Fraction(value).denominator == 1 else _STEP
        return [value - step, value, value + step]
    return [value]


def _candidates(leaves: Sequence[Leaf]) -> dict[str, list[Any]]:
    """The values worth trying for each field the leaves read (None = missing)."""
    values: dict[str, list[Any]] = {}
    types: dict[str, str] = {}

    def add(field: str, *found: Any) -> None:
        bucket = values.setdefault(field, [None])
        for value in found:
            if value not in bucket:
                bucket.append(value)

    for leaf in leaves:
        types.setdefault(leaf.field, leaf.type)
        if leaf.other is not None:
            types.setdefault(leaf.other, leaf.type)
        literals = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        for literal in literals:
            if literal is None:
                continue
            if leaf.type == "list":  # contains: a list holding the element, and one without it
                add(leaf.field, (literal,), ("—",))
            else:
                add(leaf.field, *_near(literal, leaf.type == "integer"))
    # Fields compared with each other share their candidates, so either order can be tried.
    for leaf in leaves:
        if leaf.other is not None:
            shared = values.get(leaf.field, [None]) + values.get(leaf.other, [None])
            add(leaf.field, *shared)
            add(leaf.other, *shared)
    generic = {
        "integer": [0, 1], "number": [0, 1], "boolean": [True, False], "text": ["—", "其他"],
        "date": [date(2000, 1, 1)], "list": [("—",)], "mapping": [{"—": 1}],
    }
    for field, type_ in types.items():
        bucket = values.setdefault(field, [None])
        if len(bucket) == 1:  # read only by present/missing, or only compared with another field
            add(field, *generic.get(type_, ["—"]))
        if type_ == "boolean":
            add(field, True, False)
    return values


def unreachable_levels(when: Condition, levels: Sequence[tuple[str, Optional[Condition]]]) -> list[int]:
    """The indexes of the levels (severity, condition) that no facts can reach, given ``when``.

    Only a rule with two levels or more can have one; an empty list also means
    "not checked" when the search would be too large.
    """
    if len(levels) < 2:
        return []
    conditions = [when] + [cond for _, cond in levels if cond is not None]
    candidates = _candidates([leaf for cond in conditions for leaf in leaves(cond)])
    fields = sorted(candidates)
    total = 1
    for field in fields:
        total *= len(candidates[field])
        if total > MAX_COMBINATIONS:
            return []
    reached: set[int] = set()
    for combination in itertools.product(*(candidates[f] for f in fields)):
        facts = dict(zip(fields, combination))
        try:
            if not evaluate(when, facts):
                continue
            first = next((i for i, (_, cond) in enumerate(levels) if cond is None or evaluate(cond, facts)),
                         len(levels) - 1)
        except TypeError:  # values of unrelated candidates that do not compare: not a witness
            continue
        reached.add(first)
        if len(reached) == len(levels):
            return []
    if not reached:  # the rule never fires at all on these candidates: not this check's to judge
        return []
    return [i for i in range(len(levels)) if i not in reached]
