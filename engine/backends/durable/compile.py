"""Compiling the intermediate form into durable-rules rulesets.

How a pack rule becomes a durable rule
--------------------------------------
Each rule's condition becomes ONE durable rule (``pri`` 0) whose pattern is
``$and[guard, …]``. ``not`` is pushed down to the leaves, and the condition is
written as a disjunction of *mutually exclusive* conjunctions ("cubes") of
atomic tests: ``any[a, b]`` becomes ``a  |  not-a & b``. Exclusivity matters
because durable fires a rule once per alternative of an ``$or`` that holds
(``all`` of six ``any`` of three fired 729 times for one record), and every
pending alternative takes a slot of the 64-entry matching stack. A rule has at
most :data:`MAX_CUBES_PER_RULE` cubes (durable refuses a rule with more than 15
``$and``/``$or`` nodes, error 113); a bigger condition has its largest subtrees
precomputed (below) until it fits.

Atomic tests are durable's own: ``$ex``/``$nex`` (present/missing), equality,
``$neq``, ``$lt`` … on numbers, dates, booleans and text equality, ``$m`` for
field-to-field comparisons. The negation of a leaf is exclusive too:
``not (x > 5)`` is ``$nex x  |  $ex x & x <= 5``; with a field operand it is
``$nex x | $ex x & $nex y | $ex x & $ex y & x <= y``. Every comparison carries
``$ex`` of each field it reads: a ``$m`` comparison whose right-hand field is
absent gives arbitrary results (measured: true for some records, false for
others, whatever the operator).

Precomputed tests
-----------------
What durable cannot do exactly is evaluated in Python (with
:func:`engine.conditions.evaluate`) into a flag ``tN`` of 1 or 0 that the
durable rule tests: ``contains``; ``lt``/``lte``/``gt``/``gte`` on text (durable
compares the JSON-escaped bytes past the end of the shorter string); any op
other than present/missing on list and mapping fields; ``in``/``not_in`` with a
field operand, with elements of another type or with more than
:data:`MAX_NATIVE_MEMBERS` elements (one membership flag instead of an
alternative per element: a list of thousands of ids took minutes to compile); literals that cannot be
encoded; fields read with two different types; subtrees that would make a rule
too big (above).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from ...ledger import is_missing
from ...pack.conditions import All, AnyOf, Condition, Leaf, Not, evaluate, leaves
from .cubes import (
    COMPARISONS, EXPANSION_LIMIT, FALSE, NEGATED, ORDERINGS, TRUE, Cube, TooBig, conjoin, consistent, pattern,
    properties,
)
from .encode import CONFORMS, ENCODERS, GROUPS, GUARD, MARK, NEVER_MISSING, NUMBER, TEXT, UNSAFE

__all__ = ["Plan", "plan", "MAX_PROPERTIES"]

MAX_RULES_PER_RULESET = 60
# Alternatives (cubes) per ruleset: one record can have at most 64 pending.
MAX_CUBES_PER_RULESET = 60
# Alternatives per rule: durable allows 15 $and/$or nodes in one rule.
MAX_CUBES_PER_RULE = 12
# Data properties per durable record (durable crashes at 255 with id, sid, guard).
MAX_PROPERTIES = 200
# Elements of an in / not_in list matched by durable itself; a longer list is one precomputed flag.
MAX_NATIVE_MEMBERS = 32


def _key(node: Condition) -> Any:
    """A dictionary key for a subtree: equal subtrees share one flag."""
    try:
        hash(node)
    except TypeError:
        return ("id", id(node))
    return node



def _subtrees(node: Condition) -> Iterable[Condition]:
    yield node
    if isinstance(node, Not):
        yield from _subtrees(node.item)
    elif isinstance(node, (All, AnyOf)):
        for child in node.items:
            yield from _subtrees(child)


def _open_subtrees(node: Condition, flagged: dict) -> Iterable[Condition]:
    """The subtrees of node that are not precomputed, nor inside a precomputed one."""
    if _key(node) in flagged:
        return
    yield node
    if isinstance(node, Not):
        yield from _open_subtrees(node.item, flagged)
    elif isinstance(node, (All, AnyOf)):
        for child in node.items:
            yield from _open_subtrees(child, flagged)


class _Compiler:
    """The intermediate form → cubes, flags, the fields to encode and their names."""

    def __init__(self, rules: Sequence[tuple[str, Condition]]) -> None:
        self.names: dict[str, str] = {}  # field → property name
        self.flags: dict[Any, tuple[str, Condition]] = {}  # subtree key → (flag name, subtree)
        self.literals: dict[str, dict[float, list[Any]]] = {}  # field → float → exact numeric literals
        self._native: dict[int, tuple[list[Cube], list[Cube]]] = {}  # id(leaf) → (pos, neg)
        self._hashes: set[int] = {_fnv1a_32(n) for n in ("id", "sid", "$s", GUARD)}
        self._counter = itertools.count()
        every = [leaf for _, cond in rules for leaf in leaves(cond)]
        self._plan: set[int] = {id(leaf) for leaf in every if self._can_be_native(leaf)}
        self.groups = self._field_groups(every)
        for leaf in every:
            if id(leaf) in self._plan:
                self._native[id(leaf)] = self._leaf_cubes(leaf)
        # The types every compared field is read with, natively or not.
        self.declared: dict[str, set[str]] = {}
        for leaf in every:
            if leaf.op not in ("present", "missing") and leaf.type in CONFORMS:
                for field in (leaf.field, leaf.other):
                    if isinstance(field, str):
                        self.declared.setdefault(field, set()).add(leaf.type)

    # -- names

    def _fresh(self, prefix: str) -> str:
        # durable finds a property by a 32-bit FNV-1a hash of its name, with no
        # string comparison: skip any name whose hash is already taken.
        while True:
            name = f"{prefix}{next(self._counter)}"
            code = _fnv1a_32(name)
            if code not in self._hashes:
                self._hashes.add(code)
                return name

    def prop(self, field: str) -> str:
        name = self.names.get(field)
        if name is None:
            name = self.names[field] = self._fresh("f")
        return name

    def flag(self, node: Condition) -> str:
        key = _key(node)
        entry = self.flags.get(key)
        if entry is None:
            entry = self.flags[key] = (self._fresh("t"), node)
        return entry[0]

    # -- which leaves durable evaluates, and the encoding of every field

    def _field_groups(self, leaves: list[Leaf]) -> dict[str, str]:
        """The encoding of every field read natively; drops from the plan the leaves of clashing fields."""
        while True:
            groups: dict[str, set[str]] = {}
            for leaf in leaves:
                if id(leaf) in self._plan and leaf.op not in ("present", "missing"):
                    group = GROUPS[leaf.type]
                    groups.setdefault(leaf.field, set()).add(group)
                    if leaf.other is not None:
                        groups.setdefault(leaf.other, set()).add(group)
            clashing = {f for f, g in groups.items() if len(g) > 1}
            if not clashing:
                break
            for leaf in leaves:  # a field read with two types: precompute its comparisons
                if id(leaf) in self._plan and leaf.op not in ("present", "missing") and (
                    leaf.field in clashing or leaf.other in clashing
                ):
                    self._plan.discard(id(leaf))
        result = {f: next(iter(g)) for f, g in groups.items()}
        for leaf in leaves:
            if id(leaf) in self._plan and leaf.field not in result:
                result[leaf.field] = MARK
        return result

    def _can_be_native(self, leaf: Leaf) -> bool:
        op = leaf.op
        if op in ("present", "missing"):
            return isinstance(leaf.field, str)
        group = GROUPS.get(leaf.type)
        if group is None or not isinstance(leaf.field, str):
            return False
        if op in COMPARISONS:
            if group == TEXT and op in ORDERINGS:
                return False
            if leaf.other is not None:
                return isinstance(leaf.other, str)
            return leaf.value is None or ENCODERS[group](leaf.value) is not UNSAFE
        if op in ("in", "not_in"):
            if leaf.other is not None:
                return False
            if leaf.value is None:
                return True
            if not isinstance(leaf.value, (tuple, list)) or len(leaf.value) > MAX_NATIVE_MEMBERS:
                return False
            return all(ENCODERS[group](v) is not UNSAFE for v in leaf.value)
        return False  # contains, and anything unknown

    def _literal(self, field: str, group: str, value: Any) -> Any:
        encoded = ENCODERS[group](value)
        if group == NUMBER:
            # Rule literals are written as floats: durable reads integers in rules
            # with atol(), 32 bits on Windows.
            encoded = float(encoded)
            exact = self.literals.setdefault(field, {}).setdefault(encoded, [])
            if not any(v == value and type(v) is type(value) for v in exact):
                exact.append(value)
        return encoded

    def _leaf_cubes(self, leaf: Leaf) -> tuple[list[Cube], list[Cube]]:
        """The exclusive cubes of a native leaf and of its negation."""
        p = self.prop(leaf.field)
        ex, nex = ("ex", p), ("nex", p)
        op = leaf.op
        if op == "present":
            return [frozenset({ex})], [frozenset({nex})]
        if op == "missing":
            return [frozenset({nex})], [frozenset({ex})]
        if leaf.other is None and leaf.value is None:  # compares with nothing: false
            return FALSE, TRUE
        group = self.groups[leaf.field]
        if op in COMPARISONS:
            if leaf.other is not None:
                q = self.prop(leaf.other)
                neg = [frozenset({nex}), frozenset({ex, ("nex", q)}),
                       frozenset({ex, ("ex", q), ("fcmp", p, NEGATED[op], q)})]
                pos = [frozenset({ex, ("ex", q), ("fcmp", p, op, q)})]
                return pos, [c for c in neg if consistent(c)]
            value = self._literal(leaf.field, group, leaf.value)
            return ([frozenset({ex, ("cmp", p, op, value)})],
                    [frozenset({nex}), frozenset({ex, ("cmp", p, NEGATED[op], value)})])
        values: list[Any] = []
        for element in leaf.value:
            encoded = self._literal(leaf.field, group, element)
            if encoded not in values:
                values.append(encoded)
        equal = [frozenset({ex, ("cmp", p, "eq", v)}) for v in values]
        unequal = [frozenset({ex, *(("cmp", p, "ne", v) for v in values)})]
        if op == "in":
            return equal, [frozenset({nex}), *unequal]
        return unequal, [frozenset({nex}), *equal]

    # -- conditions

    def cubes(self, node: Condition, positive: bool, flagged: dict) -> list[Cube]:
        """The exclusive cubes of node (of its negation when not positive)."""
        key = _key(node)
        if key in flagged:
            return [frozenset({("flag", flagged[key], 1 if positive else 0)})]
        if isinstance(node, Leaf):
            pos, neg = self._native[id(node)]
            return pos if positive else neg
        if isinstance(node, Not):
            return self.cubes(node.item, not positive, flagged)
        if isinstance(node, All) == positive:  # all, or the negation of any: a product
            out = TRUE
            for child in node.items:
                out = conjoin(out, self.cubes(child, positive, flagged))
            return out
        # A disjunction made exclusive: x1 | not-x1 & x2 | not-x1 & not-x2 & x3 …
        # where for `any` xi is the child, for the negation of `all` its negation.
        out, prefix = [], TRUE
        last = len(node.items) - 1
        for number, child in enumerate(node.items):
            out += conjoin(prefix, self.cubes(child, positive, flagged))
            if len(out) > EXPANSION_LIMIT:
                raise TooBig
            if number < last:
                prefix = conjoin(prefix, self.cubes(child, not positive, flagged))
        return out

    def _size(self, node: Condition, flagged: dict) -> tuple[int, int]:
        """Upper bounds of the cube counts of node and of its negation."""
        if _key(node) in flagged:
            return 1, 1
        if isinstance(node, Leaf):
            pos, neg = self._native[id(node)]
            return len(pos), len(neg)
        if isinstance(node, Not):
            pos, neg = self._size(node.item, flagged)
            return neg, pos
        sizes = [self._size(child, flagged) for child in node.items]
        if isinstance(node, AnyOf):
            sizes = [(n, p) for p, n in sizes]
        product, total = 1, 0
        for pos, neg in sizes:
            total += product * neg
            product *= pos
        return (product, total) if isinstance(node, All) else (total, product)

    def compile_rule(self, condition: Condition) -> list[Cube]:
        """The rule's exclusive cubes, precomputing subtrees until it is small enough."""
        flagged: dict = {}
        for node in _subtrees(condition):  # leaves durable cannot evaluate
            if isinstance(node, Leaf) and id(node) not in self._native:
                flagged[_key(node)] = self.flag(node)
        while True:
            if self._size(condition, flagged)[0] <= MAX_CUBES_PER_RULE:
                try:
                    cubes = self.cubes(condition, True, flagged)
                except TooBig:  # an intermediate product exploded
                    cubes = None
                if cubes is not None and self._fits(cubes):
                    if frozenset() in cubes:  # true: the other cubes cannot hold
                        cubes = [frozenset()]
                    return cubes
            # Precompute the biggest subtree not yet precomputed (the whole rule last).
            candidates = list(_open_subtrees(condition, flagged))
            candidates.sort(key=lambda n: (n is condition, -sum(self._size(n, flagged))))
            flagged[_key(candidates[0])] = self.flag(candidates[0])

    def _fits(self, cubes: list[Cube]) -> bool:
        return len(cubes) <= MAX_CUBES_PER_RULE and len(properties(cubes)) <= MAX_PROPERTIES


def _fnv1a_32(name: str) -> int:
    """The 32-bit FNV-1a hash durable keys properties and record ids with (bytes as C chars)."""
    code = 0x811C9DC5
    for byte in name.encode("utf-8"):
        code ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF  # char is signed
        code = (code * 0x01000193) & 0xFFFFFFFF
    return code


@dataclass(frozen=True)
class Plan:
    """A pack's rules compiled for durable: the rulesets, and how to build a record.

    ``rulesets`` holds, per ruleset, the indexes of its rules, their patterns
    and the properties its records carry. ``fields`` says how each field read
    natively is encoded: (field, property, encoder or None for a marker,
    compared with another field, numeric literals by float); ``flags`` are the
    precomputed tests; ``checks`` the fields whose type must still be checked.
    :meth:`record` builds a subject's durable record from its facts.
    """

    rulesets: list[tuple[list[int], list[dict], set[str]]]
    fields: list[tuple[str, str, Optional[Callable[[Any], Any]], bool, Optional[dict]]]
    flags: list[tuple[str, Condition]]
    checks: list[tuple[str, tuple[Callable[[Any], bool], ...]]]

    def record(self, facts: Mapping[str, Any]) -> Optional[dict]:
        """The durable record of one subject, or None when it must be evaluated in Python."""
        record: dict[str, Any] = {GUARD: 1}
        seen: dict[float, Any] = {}
        for field, name, encode, cross, literals in self.fields:
            value = facts.get(field)
            if value is None or (type(value) not in NEVER_MISSING and is_missing(value)):
                continue
            if encode is None:  # read by present/missing only
                record[name] = 1
                continue
            encoded = encode(value)
            if encoded is UNSAFE:
                return None
            if literals is not None:  # a number: float() rounds, and two different
                key = float(encoded)  # exact values must not meet at one float
                exact = literals.get(key)
                if exact is not None and any(v != value for v in exact):
                    return None
                if cross:
                    if key in seen and seen[key] != value:
                        return None
                    seen[key] = value
            record[name] = encoded
        for field, conforms in self.checks:
            value = facts.get(field)
            if not is_missing(value) and not any(conform(value) for conform in conforms):
                return None
        try:
            for name, node in self.flags:
                record[name] = 1 if evaluate(node, facts) else 0
        except Exception:
            return None  # the reference decides, and raises if it raises
        return record


def plan(rules: Sequence[tuple[str, Condition]]) -> Plan:
    """Compile every rule, and spread them over rulesets of at most 60 rules, 60 cubes and 200 properties."""
    compiler = _Compiler(rules)
    compiled: list[tuple[int, list[Cube]]] = []
    for index, (_, condition) in enumerate(rules):
        cubes = compiler.compile_rule(condition)
        if cubes:  # a rule that can never hold needs no durable rule
            compiled.append((index, cubes))
    rulesets: list[tuple[list[int], list[dict], set[str]]] = []
    tags: list[int] = []
    pats: list[dict] = []
    props: set[str] = set()
    cubes_in = 0
    for index, cubes in compiled:
        needed = properties(cubes)
        if tags and (len(tags) >= MAX_RULES_PER_RULESET or cubes_in + len(cubes) > MAX_CUBES_PER_RULESET
                     or len(props | needed) > MAX_PROPERTIES):
            rulesets.append((tags, pats, props))
            tags, pats, props, cubes_in = [], [], set(), 0
        tags.append(index)
        pats.append(pattern(cubes))
        props |= needed
        cubes_in += len(cubes)
    if tags:
        rulesets.append((tags, pats, props))
    # What a record carries: the encoded fields, then the flags.
    used = {name for _, cubes in compiled for name in properties(cubes)}
    compared = {atom[n] for _, cubes in compiled for cube in cubes for atom in cube
                if atom[0] == "fcmp" for n in (1, 3)}
    fields = [
        (
            field,
            name,
            None if compiler.groups[field] == MARK else ENCODERS[compiler.groups[field]],
            name in compared,
            compiler.literals.get(field, {}) if compiler.groups[field] == NUMBER else None,
        )
        for field, name in compiler.names.items() if name in used
    ]
    flags = [(name, node) for name, node in compiler.flags.values() if name in used]
    # Fields compared by the rules but not encoded (their tests are precomputed, or
    # were simplified away): a value of another type still sends its record to Python,
    # where the reference may raise on it.
    encoded = {field for field, _, encode, _, _ in fields if encode is not None}
    checks = [
        (field, tuple(CONFORMS[t] for t in sorted(types)))
        for field, types in compiler.declared.items() if field not in encoded
    ]
    return Plan(rulesets, fields, flags, checks)
