"""The Python backend: the intermediate form evaluated in Python, with a trace.

It matches with the reference semantics of the rule language
(:func:`engine.pack.conditions.evaluate`): it decides which rules fire where
the Rete engine is not available (Python 3.13+), it is what the Rete backend
is tested against, and its :func:`trace_tree` is what ``duban explain``
shows: the condition as the tree it is, every leaf with the value it read,
the operand, the param it came from and the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from ..pack.conditions import All, Condition, Leaf, Not, evaluate, evaluate_leaf, operand

__all__ = ["evaluate", "evaluate_leaf", "trace", "trace_tree", "LeafTrace", "TraceNode", "PythonMatcher"]


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
    param: Optional[str] = None
    type: str = "text"


@dataclass(frozen=True)
class TraceNode:
    """One node of a traced condition: ``all``, ``any``, ``not`` or ``leaf``, and whether it held."""

    node: str
    result: bool
    items: tuple["TraceNode", ...] = ()
    leaf: Optional[LeafTrace] = None

    def leaves(self) -> list[LeafTrace]:
        """The leaves under this node, depth first (the order the condition reads them)."""
        if self.leaf is not None:
            return [self.leaf]
        return [leaf for child in self.items for leaf in child.leaves()]


def trace_tree(condition: Condition, facts: Mapping[str, Any], path: str = "when") -> TraceNode:
    """Evaluate like :func:`evaluate`, keeping the tree and every leaf (none is short-circuited)."""
    if isinstance(condition, Leaf):
        result = evaluate_leaf(condition, facts)
        leaf = LeafTrace(path, condition.field, facts.get(condition.field), condition.op,
                         operand(condition, facts), condition.other, result, condition.param, condition.type)
        return TraceNode("leaf", result, leaf=leaf)
    if isinstance(condition, Not):
        inner = trace_tree(condition.item, facts, f"{path}.not")
        return TraceNode("not", not inner.result, (inner,))
    name = "all" if isinstance(condition, All) else "any"
    children = tuple(trace_tree(child, facts, f"{path}.{name}[{index}]") for index, child in enumerate(condition.items))
    results = [child.result for child in children]
    return TraceNode(name, all(results) if name == "all" else any(results), children)


def trace(condition: Condition, facts: Mapping[str, Any], path: str = "when") -> tuple[bool, list[LeafTrace]]:
    """Evaluate like :func:`evaluate`, recording every leaf (none is short-circuited)."""
    tree = trace_tree(condition, facts, path)
    return tree.result, tree.leaves()


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
