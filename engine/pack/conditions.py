"""The intermediate form of a condition: all / any / not / leaf.

A rule's ``when`` compiles (in :mod:`engine.pack.compile`) into a small tree
of :class:`All`, :class:`AnyOf`, :class:`Not` and :class:`Leaf` nodes, with
params already resolved to plain values and every field's type known. Its
consumers dispatch on the node types:

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
from typing import Any, Optional, Union

__all__ = ["OPS", "Leaf", "All", "AnyOf", "Not", "Condition", "fields_read"]

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
