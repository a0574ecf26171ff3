"""The intermediate form of a condition, and its evaluation in Python.

A rule's ``when`` compiles (in :mod:`engine.pack`) into a small tree of
:class:`All`, :class:`AnyOf`, :class:`Not` and :class:`Leaf` nodes, with params
already resolved to plain values and every field's type known. Two consumers
read the tree:

- the durable-rules backend (:mod:`engine.backend_durable`), which compiles
  it into Rete rulesets to decide which rules fire;
- this module, which evaluates it in Python with a trace of every leaf: the
  explainer, the reference that the backend is tested against, and the
  fallback where durable-rules is not available.

Semantics (the spec's "Rules are data"): ``missing`` and ``present`` apply the
missing test (absent, blank, a placeholder, an empty list or mapping); every
other operator is false when either side is missing; ``not`` is plain
negation. Numbers compare exactly (floats were turned into Fractions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Union

from .ledger import is_missing

__all__ = [
    "OPS",
    "Leaf",
    "All",
    "AnyOf",
    "Not",
    "Condition",
    "LeafTrace",
    "evaluate",
    "trace",
    "fields_read",
    "PythonMatcher",
]

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "missing", "contains")


@dataclass(frozen=True)
class Leaf:
    """``field op value``: value is a literal, or another field when ``other`` is set.

    ``value`` is already exact (Fraction for decimals, ``date`` for dates, a
    tuple for ``in``/``not_in``); ``None`` for ``present``/``missing``.
    ``type`` is the vocabulary type of ``field``.
    """

    field: str
    op: str
    value: Any = None
    other: Optional[str] = None
    type: str = "text"


@dataclass(frozen=True)
class All:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    item: "Condition"


Condition = Union[Leaf, All, AnyOf, Not]


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


def fields_read(condition: Condition) -> list[str]:
    """Every field a condition reads, in first-read order, without repeats."""
    seen: dict[str, None] = {}

    def walk(node: Condition) -> None:
        if isinstance(node, Leaf):
            seen.setdefault(node.field)
            if node.other is not None:
                seen.setdefault(node.other)
        elif isinstance(node, Not):
            walk(node.item)
        else:
            for child in node.items:
                walk(child)

    walk(condition)
    return list(seen)


class PythonMatcher:
    """Decides which rules fire, in pure Python: the same interface as the durable backend."""

    backend = "python"

    def __init__(self, rules: Sequence[tuple[str, Condition]]) -> None:
        self._rules = list(rules)

    def match(self, facts: Sequence[Mapping[str, Any]]) -> list[set[str]]:
        """For each subject's facts, the ids of the rules whose condition holds."""
        return [{rule_id for rule_id, cond in self._rules if evaluate(cond, f)} for f in facts]

    def close(self) -> None:
        """Nothing to release; present for symmetry with the durable backend."""
