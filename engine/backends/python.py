"""The Python backend: the intermediate form evaluated in Python, with a trace.

It matches with the reference semantics of the rule language
(:func:`engine.pack.conditions.evaluate`): it decides which rules fire where
the Rete engine is not available (Python 3.13+), it is what the Rete backend
is tested against, and its :func:`trace` is what ``duban explain`` shows:
every leaf, the value it read, the operand, the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from ..pack.conditions import All, Condition, Leaf, Not, evaluate, evaluate_leaf, operand

__all__ = ["evaluate", "evaluate_leaf", "trace", "LeafTrace", "PythonMatcher"]


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
                      operand(condition, facts), condition.other, result)
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
