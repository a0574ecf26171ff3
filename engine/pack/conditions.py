"""The intermediate form of a condition: all / any / not / leaf.

A rule's ``when`` compiles (in :mod:`engine.pack.compile`) into a small tree
of :class:`All`, :class:`AnyOf`, :class:`Not` and :class:`Leaf` nodes, with
params already resolved to plain values and every field's type known.
:func:`evaluate` defines what a condition means. Its consumers dispatch on
the node types:

- :mod:`engine.backends.python` evaluates it in Python with a trace of every
  leaf: the explainer, the reference the Rete backend is tested against, and
  the fallback where the Rete engine is not available;
- the Rete backend under :mod:`engine.backends` compiles it into rulesets.

Semantics (the spec's "Rules are data"): ``missing`` and ``present`` apply the
missing test (absent, blank, a placeholder, an empty list or mapping); every
other operator is false when either side is missing; ``not`` is plain
negation. Numbers compare exactly (floats were turned into Fractions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Union

from ..ledger.values import is_missing

__all__ = ["OPS", "Leaf", "All", "AnyOf", "Not", "Condition", "leaves", "fields_read", "operand", "evaluate_leaf", "evaluate"]

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "missing", "contains")


@dataclass(frozen=True)
class Leaf:
    """``field op value``: value is a literal, or another field when ``other`` is set.

    ``value`` is already exact (Fraction for decimals, ``date`` for dates, a
    tuple for ``in``/``not_in``); ``None`` for ``present``/``missing``.
    ``type`` is the vocabulary type of ``field``; ``param`` names the param
    the value came from (``{param: lag_red_points}``), if any.
    """

    field: str
    op: str
    value: Any = None
    other: Optional[str] = None
    type: str = "text"
    param: Optional[str] = None  # the param the value came from, for explanations


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


def operand(leaf: Leaf, facts: Mapping[str, Any]) -> Any:
    """The right-hand side of a leaf: its literal, or the other field's value."""
    return facts.get(leaf.other) if leaf.other is not None else leaf.value


def evaluate_leaf(leaf: Leaf, facts: Mapping[str, Any]) -> bool:
    """The truth of one leaf over one subject's facts."""
    left = facts.get(leaf.field)
    op = leaf.op
    if op == "missing":
        return is_missing(left)
    if op == "present":
        return not is_missing(left)
    right = operand(leaf, facts)
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



def leaves(node: Optional[Condition]) -> Iterator[Leaf]:
    """The leaves of a condition, left to right (none for an absent condition)."""
    if node is None:
        return
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from leaves(node.item)
    else:
        for child in node.items:
            yield from leaves(child)


def fields_read(condition: Condition) -> list[str]:
    """Every field a condition reads, in first-read order, without repeats."""
    seen: dict[str, None] = {}
    for leaf in leaves(condition):
        seen.setdefault(leaf.field)
        if leaf.other is not None:
            seen.setdefault(leaf.other)
    return list(seen)
