"""A rule's conditions as traced trees, its levels, and the leaves that kept a condition from holding.

The trace itself is the Python backend's (:func:`engine.backends.python.trace_tree`):
the same semantics the engine matches with. Here it becomes the report's
:class:`~engine.report.ConditionCheck`, and a condition that did not hold
is *blamed* on its leaves: for ``all`` the children that failed, for
``any`` every child, under ``not`` the leaves that held — each with how far
its value is from the other outcome.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Optional

from ..backends.python import LeafTrace, TraceNode, trace_tree
from ..evaluate.findings import json_value
from ..exact import exact
from ..pack import Rule
from ..report import ConditionCheck, LeafCheck, LevelCheck, Miss
from .words import checked_leaf_text, distance_text

__all__ = ["leaf_check", "condition_check", "misses", "level_checks", "distance"]

# The operator that holds exactly when ``op`` does not (for a leaf that must stop holding).
NEGATED = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt", "eq": "ne", "ne": "eq"}


def leaf_check(leaf: LeafTrace) -> LeafCheck:
    return LeafCheck(
        path=leaf.path, field=leaf.field, read=json_value(leaf.read), op=leaf.op,
        operand=json_value(leaf.operand), operand_field=leaf.operand_field, result=leaf.result, param=leaf.param,
    )


def condition_check(node: TraceNode) -> ConditionCheck:
    """A traced node as the report's tree."""
    if node.leaf is not None:
        return ConditionCheck(node="leaf", result=node.result, leaf=leaf_check(node.leaf))
    return ConditionCheck(node=node.node, result=node.result,  # type: ignore[arg-type]
                          items=[condition_check(child) for child in node.items])


def _number(value: Any) -> Optional[Fraction]:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        return None
    return Fraction(exact(value))


def distance(leaf: LeafTrace, held: bool = True) -> Optional[Any]:
    """How much the value a numeric leaf read must move for the leaf to become ``held``.

    Integers move to the nearest integer that satisfies the comparison;
    other numbers to its bound. None for a missing value or a leaf that is
    not a numeric comparison.
    """
    op = leaf.op if held else NEGATED.get(leaf.op)
    read, bound = _number(leaf.read), _number(leaf.operand)
    if op is None or read is None or bound is None:
        return None
    integer = leaf.type == "integer"
    step = 1 if integer else 0
    gap = {
        "lt": read - bound + step, "lte": read - bound, "gt": bound - read + step, "gte": bound - read,
        "eq": abs(read - bound), "ne": Fraction(step) if read == bound else Fraction(0),
    }[op]
    if op == "ne" and not integer and read == bound:
        return None
    return json_value(max(gap, Fraction(0)))


def misses(node: TraceNode, want: bool = True) -> list[Miss]:
    """The leaves that kept ``node`` from being ``want``, with their distance."""
    if node.result == want:
        return []
    if node.leaf is not None:
        gap = distance(node.leaf, want)
        text = checked_leaf_text(node.leaf) + (" 不成立" if want else " 成立(在「并非」之下)")
        if node.leaf.read is None and node.leaf.op not in ("present", "missing"):
            text += "(值缺失,比较不成立)"
        return [Miss(leaf=leaf_check(node.leaf), held=want, distance=gap, text=text + distance_text(gap))]
    if node.node == "not":
        return misses(node.items[0], not want)
    # all wanted true, or any wanted false: the children that are not so; otherwise every child.
    blamed = [c for c in node.items if c.result != want] if (node.node == "all") == want else list(node.items)
    return [miss for child in blamed for miss in misses(child, want)]


def level_checks(rule: Rule, facts: Mapping[str, Any], fired: bool) -> list[LevelCheck]:
    """The levels of a rule in order: each traced, whether it held, the one chosen and why not those before it."""
    checks = []
    chosen_seen = False
    for index, level in enumerate(rule.levels):
        tree = trace_tree(level.when, facts, f"levels[{index}].when") if level.when is not None else None
        held = tree.result if tree is not None else True
        chosen = fired and held and not chosen_seen
        chosen_seen = chosen_seen or chosen
        checks.append(LevelCheck(
            severity=level.severity, when=condition_check(tree) if tree is not None else None, held=held,
            chosen=chosen, misses=misses(tree) if (fired and not chosen_seen and tree is not None) else [],
        ))
    return checks
