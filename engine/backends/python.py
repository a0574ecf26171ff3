"""The Python backend: the intermediate form evaluated in Python, with a trace.

This is the reference semantics of the rule language. It decides which rules
fire where the Rete engine is not available (Python 3.13+), it is what the
Rete backend is tested against, and its :func:`trace` is what ``duban
explain`` shows: every leaf, the value it read, the operand, the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from ..ledger import is_missing
from ..pack.conditions import All, AnyOf, Condition, Leaf, Not

__all__ = ["evaluate", "evaluate_leaf", "trace", "LeafTrace", "PythonMatcher"]


def _operand(leaf: Leaf, facts: Mapping[str, Any]) -> Any:
    return facts.get(leaf.other) if leaf.other is not None else leaf.value


def evaluate_leaf(leaf: Leaf, facts: Mapping[str, Any]) -> bool:
    """The truth of one leaf over one subject's facts."""
    left = facts.get(leaf.field)
    op = leaf.op
    if op == "missing":
        return is_missing(left)
    if op == "present":
        return not is_missing(left)
    right = _operand(leaf, facts)
    if is_missing(left) or (right is None or (leaf.other is not None and is_missing(right))):
        return False
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if op == "lt":
        return left < right
    if op == "lte":
        return left <= right
    if op == "gt":
        return left > right
    if op == "gte":
        return left >= right
    if op == "in":
        return left in right
    if op == "not_in":
        return left not in right
    if op == "contains":
        return right in left
    raise ValueError(f"unknown op {op!r}")  # the pack checker makes this unreachable


def evaluate(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """The truth of a condition over one subject's facts."""
    if isinstance(condition, Leaf):
        return evaluate_leaf(condition, facts)
    if isinstance(condition, All):
        return all(evaluate(c, facts) for c in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, facts) for c in condition.items)
    return not evaluate(condition.item, facts)


@dataclass(frozen=True)
class LeafTrace:
    """What one leaf read and decided, for ``duban explain``."""

    path: str
    field: str
    read: Any
    op: str
    operand: Any
    operand_field: Optional[str]
    result: bool


def trace(condition: Condition, facts: Mapping[str, Any], path: str = "when") -> tuple[bool, list[LeafTrace]]:
    """Evaluate like :func:`evaluate`, recording every leaf (none is short-circuited)."""
    if isinstance(condition, Leaf):
        result = evaluate_leaf(condition, facts)
        return result, [
            LeafTrace(path, condition.field, facts.get(condition.field), condition.op,
                      _operand(condition, facts), condition.other, result)
        ]
    if isinstance(condition, Not):
        inner, leaves = trace(condition.item, facts, f"{path}.not")
        return not inner, leaves
    name = "all" if isinstance(condition, All) else "any"
    results, leaves = [], []
    for index, child in enumerate(condition.items):
        result, child_leaves = trace(child, facts, f"{path}.{name}[{index}]")
        results.append(result)
        leaves.extend(child_leaves)
    return (all(results) if name == "all" else any(results)), leaves


class PythonMatcher:
    """Decides which rules fire, in pure Python: the same interface as the Rete backend."""

    backend = "python"

    def __init__(self, rules: Sequence[tuple[str, Condition]]) -> None:
        self._rules = list(rules)

    def match(self, facts: Sequence[Mapping[str, Any]]) -> list[set[str]]:
        """For each subject's facts, the ids of the rules whose condition holds."""
        return [{rule_id for rule_id, cond in self._rules if evaluate(cond, f)} for f in facts]

    def close(self) -> None:
        """Nothing to release; present for symmetry with the Rete backend."""
