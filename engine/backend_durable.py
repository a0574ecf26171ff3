"""The durable-rules backend: the intermediate form compiled into Rete rulesets.

:class:`DurableMatcher` has the interface of :class:`engine.conditions.PythonMatcher`
and returns exactly what it returns, for every input. durable-rules is imported
here and nowhere else, and only lazily, so that this module imports on a Python
where durable-rules cannot (3.13+); :func:`durable_available` tells.

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

The durable fact
----------------
Built from one subject's facts with only the fields the rules read, under
synthetic names (``f0``, ``f1`` …; flags ``t0`` …), so that dotted names stay
flat and property-name hashes are known to be distinct. A value that is missing
(:func:`engine.ledger.is_missing`) is left out, so ``$ex`` is exactly
``present`` and ``$nex`` exactly ``missing``. Values are encoded by the field's
vocabulary type, and only values of exactly that Python type are encoded:

- numbers (integer, number): an integer below 2**53 stays an integer (exact in
  JSON and as a double, which is how durable compares numbers); anything else
  becomes a float. Python writes a float in exponent form below 1e-4 and from
  1e16 (``1e-05``), which durable cannot parse: a single fact fails with error
  204, a *batch* crashes the process (SIGSEGV). So only floats that are 0 or in
  ``[1e-4, 1e16)`` are encoded (no scaling: it cannot cover both ends); a rule
  literal outside that range is precomputed, and a record holding such a value
  is evaluated in Python. Rule literals are always written as floats (durable
  reads integers in rules with ``atol``, 32 bits on Windows). float() rounds,
  so two different exact values can meet at one float: a record whose value
  could be confused that way with a literal it is compared with, or with
  another field it is compared with, is evaluated in Python.
- dates become day numbers (``date.toordinal()``); booleans stay booleans;
  text stays text up to :data:`MAX_TEXT_LENGTH` characters (durable compares
  strings with 16-bit lengths: two different texts of 65,536 bytes or more
  can compare equal).
- a field read only by present/missing becomes the marker ``1``.

A value of another type (a boolean in a number field, a datetime in a date
field, a string "100" in a number field …) is never handed to durable, where
``"100" == 100`` and ``True == 1`` hold: its record is evaluated in Python by
the reference itself. So is a record whose precomputed tests raise.

Precomputed tests
-----------------
What durable cannot do exactly is evaluated in Python (with
:func:`engine.conditions.evaluate`) into a flag ``tN`` of 1 or 0 that the
durable rule tests: ``contains``; ``lt``/``lte``/``gt``/``gte`` on text (durable
compares the JSON-escaped bytes past the end of the shorter string); any op
other than present/missing on list and mapping fields; ``in``/``not_in`` with a
field operand or with elements of another type; literals that cannot be
encoded; fields read with two different types; subtrees that would make a rule
too big (above).

Pitfalls of durable-rules and what neutralises them (``/work/shared/notes``)
---------------------------------------------------------------------------
- facts, never ``post`` (an event fires one rule only);
- a catch-all rule at ``pri`` 65000 so that every record matches something (an
  unmatched record raises for the whole batch and leaves its actions pending);
  it also counts the records: each slot must fire it exactly once, so a record
  that durable dropped cannot go unnoticed;
- a Host subclass whose ``_run`` starts no timer threads: every action runs
  inside the call; one Host per matcher, ruleset names made unique by a
  process-wide counter (names cannot be registered twice);
- the guard field ``_g`` in every pattern, so the engine's own state object
  never matches;
- actions take one parameter, use ``cap`` to receive a batch of matches, and
  catch their own exceptions (durable would swallow them); the error is raised
  after the call;
- records are asserted in chunks of :data:`CHUNK_SIZE`, collected, and
  retracted, so memory stays flat; their durable ``id`` is a *slot id* from a
  set checked once per matcher to be free of hash collisions (durable
  identifies a record by a 32-bit hash of its id), reused chunk after chunk;
- at most :data:`MAX_RULES_PER_RULESET` rules and :data:`MAX_CUBES_PER_RULESET`
  cubes per ruleset (at most 64 alternatives may be pending for one record;
  beyond, error 303), at most :data:`MAX_PROPERTIES` properties per record
  (255 crash the process): more rules are spread over several rulesets;
- any durable error becomes :class:`engine.errors.EvaluationError`; the matcher
  then rebuilds its rulesets before the next call, since a failed call can
  leave actions pending in the engine;
- durable reads numbers with the C library's ``atof``: a process whose
  LC_NUMERIC does not write decimals with "." is refused;
- deleting a ruleset leaves its state's pools allocated (MBs): the state is
  deleted first, in :meth:`DurableMatcher.close` or when the matcher is
  collected.

A record "evaluated in Python" is matched by :func:`engine.conditions.evaluate`,
the reference itself; :attr:`DurableMatcher.stats` counts them.
"""

from __future__ import annotations

import itertools
import locale
import threading
import weakref
from datetime import date
from fractions import Fraction
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from .conditions import All, AnyOf, Condition, Leaf, Not, evaluate
from .errors import EvaluationError
from .ledger import is_missing

__all__ = ["DurableMatcher", "durable_available"]

# Records asserted at once; the slot ids are reused chunk after chunk.
CHUNK_SIZE = 1000
# Matches handed to one action call. Measured on 30 rules x 20,000 records (8.8
# matches each): caps of 20 to 100 are equally fast, 1 is 2.5x slower, 1000 about 20% slower.
CAP = 100
MAX_RULES_PER_RULESET = 60
# Alternatives (cubes) per ruleset: one record can have at most 64 pending.
MAX_CUBES_PER_RULESET = 60
# Alternatives per rule: durable allows 15 $and/$or nodes in one rule.
MAX_CUBES_PER_RULE = 12
# Data properties per durable record (durable crashes at 255 with id, sid, guard).
MAX_PROPERTIES = 200
# Longest text compared inside durable (its string lengths are 16-bit).
MAX_TEXT_LENGTH = 10_000

GUARD = "_g"
CATCH_ALL = "_all"
CATCH_ALL_PRI = 65000

# The only module-level state: makes ruleset names unique in the process.
_RULESET_NUMBERS = itertools.count()


def durable_available() -> bool:
    """True when durable-rules can be imported here (it cannot on Python 3.13+)."""
    try:
        import durable.engine  # noqa: F401
    except Exception:  # an ImportError, or a broken C extension
        return False
    return True


def _error(detail: str) -> EvaluationError:
    return EvaluationError(f"规则引擎 durable-rules 出错: {detail}")


def _describe(exc: BaseException) -> str:
    # durable's MessageNotHandledException keeps its text in .message, not in args.
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_locale() -> None:
    if locale.localeconv().get("decimal_point", ".") != ".":
        raise _error("当前进程的 LC_NUMERIC 不以“.”作小数点,durable-rules 会读错数值;请使用 C 或 zh_CN 等区域设置")


# --- encoding of values ------------------------------------------------------

_UNSAFE = object()  # a value durable cannot be trusted with

NUMBER, DATE, BOOLEAN, TEXT, MARK = "number", "date", "boolean", "text", "mark"
# Types is_missing() never holds for: their values skip the call.
_NEVER_MISSING = frozenset({int, float, Fraction, bool, date})
_GROUPS = {"integer": NUMBER, "number": NUMBER, "date": DATE, "boolean": BOOLEAN, "text": TEXT}


_EXACT_INT = 2**53  # integers below this are exact as doubles, where durable compares numbers


def _encode_number(value: Any) -> Any:
    """An int (exact in JSON and as a double) or a float that JSON writes without exponent."""
    kind = type(value)
    if kind is int:
        if -_EXACT_INT < value < _EXACT_INT:
            return value
    elif kind is Fraction:
        if value.denominator == 1 and -_EXACT_INT < value.numerator < _EXACT_INT:
            return value.numerator
    elif kind is not float:
        return _UNSAFE
    try:
        number = float(value)
    except (OverflowError, ValueError, ZeroDivisionError):
        return _UNSAFE
    # Exactly the floats that repr() (hence json.dumps) writes without an
    # exponent; NaN and infinities fail both tests.
    if number == 0.0 or 1e-4 <= abs(number) < 1e16:
        return number
    return _UNSAFE


def _encode_date(value: Any) -> Any:
    return value.toordinal() if type(value) is date else _UNSAFE


def _encode_boolean(value: Any) -> Any:
    return value if type(value) is bool else _UNSAFE


def _encode_text(value: Any) -> Any:
    if type(value) is not str or len(value) > MAX_TEXT_LENGTH:
        return _UNSAFE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates cannot reach the C engine
            return _UNSAFE
    return value


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    NUMBER: _encode_number,
    DATE: _encode_date,
    BOOLEAN: _encode_boolean,
    TEXT: _encode_text,
}

# Whether a value has its field's vocabulary type (else the reference may raise on it).
_CONFORMS: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: _encode_number(v) is not _UNSAFE,
    "number": lambda v: _encode_number(v) is not _UNSAFE,
    "date": lambda v: type(v) is date,
    "boolean": lambda v: type(v) is bool,
    "text": lambda v: type(v) is str,
    "list": lambda v: isinstance(v, (list, tuple)),
    "mapping": lambda v: isinstance(v, dict),
}

_NEGATED = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}
_DURABLE_OP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_COMPARISONS = frozenset(_NEGATED)
_ORDERINGS = frozenset({"lt", "lte", "gt", "gte"})

# --- cubes: exclusive conjunctions of atomic tests ---------------------------
#
# An atom is a tuple:
#   ("ex", p) / ("nex", p)         property p present / absent
#   ("cmp", p, op, value)          p op literal (op in eq ne lt lte gt gte)
#   ("fcmp", p, op, q)             p op property q ($m)
#   ("flag", t, 0|1)               precomputed test
# A cube is a frozenset of atoms; a condition is a list of pairwise exclusive
# cubes ([] is false, [frozenset()] is true).

Atom = tuple
Cube = frozenset
TRUE: list[Cube] = [frozenset()]
FALSE: list[Cube] = []


class _TooBig(Exception):
    pass


# Cubes an intermediate result may reach before a rule is declared too big.
_EXPANSION_LIMIT = 4096


def _consistent(cube: Cube) -> bool:
    present: set[str] = set()
    absent: set[str] = set()
    flags: dict[str, int] = {}
    equal: dict[str, Any] = {}
    unequal: dict[str, set] = {}
    for atom in cube:
        kind = atom[0]
        if kind == "ex":
            present.add(atom[1])
        elif kind == "nex":
            absent.add(atom[1])
        elif kind == "flag":
            if flags.setdefault(atom[1], atom[2]) != atom[2]:
                return False
        else:
            present.add(atom[1])
            if kind == "fcmp":
                present.add(atom[3])
            elif atom[2] == "eq":
                if atom[1] in equal and equal[atom[1]] != atom[3]:
                    return False
                equal[atom[1]] = atom[3]
            elif atom[2] == "ne":
                unequal.setdefault(atom[1], set()).add(atom[3])
    if present & absent:
        return False
    return not any(p in unequal and v in unequal[p] for p, v in equal.items())


def _conjoin(left: list[Cube], right: list[Cube]) -> list[Cube]:
    out: list[Cube] = []
    for a in left:
        for b in right:
            cube = a | b
            if _consistent(cube):
                out.append(cube)
                if len(out) > _EXPANSION_LIMIT:
                    raise _TooBig
    return out


def _atom_json(atom: Atom) -> dict:
    kind = atom[0]
    if kind == "ex":
        return {"$ex": {atom[1]: 1}}
    if kind == "nex":
        return {"$nex": {atom[1]: 1}}
    if kind == "flag":
        return {atom[1]: atom[2]}
    right = {"$m": atom[3]} if kind == "fcmp" else atom[3]
    if atom[2] == "eq":
        return {atom[1]: right}
    return {_DURABLE_OP[atom[2]]: {atom[1]: right}}


_ATOM_RANK = {"ex": 0, "nex": 0, "cmp": 1, "fcmp": 2, "flag": 3}


def _atom_order(atom: Atom) -> tuple:
    return (_ATOM_RANK[atom[0]], atom[1], atom[0], str(atom[2:]))


def _pattern(cubes: list[Cube]) -> dict:
    """The durable pattern of a rule: the guard AND the exclusive alternatives."""
    guard = {GUARD: 1}
    if len(cubes) == 1:
        atoms = [_atom_json(a) for a in sorted(cubes[0], key=_atom_order)]
        return {"$and": [guard, *atoms]} if atoms else guard
    branches = []
    for cube in cubes:
        atoms = [_atom_json(a) for a in sorted(cube, key=_atom_order)]
        branches.append(atoms[0] if len(atoms) == 1 else {"$and": atoms})
    return {"$and": [guard, {"$or": branches}]}


def _key(node: Condition) -> Any:
    """A dictionary key for a subtree: equal subtrees share one flag."""
    try:
        hash(node)
    except TypeError:
        return ("id", id(node))
    return node


def _leaves(node: Condition) -> Iterable[Leaf]:
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from _leaves(node.item)
    else:
        for child in node.items:
            yield from _leaves(child)


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
        leaves = [leaf for _, cond in rules for leaf in _leaves(cond)]
        self._plan: set[int] = {id(leaf) for leaf in leaves if self._can_be_native(leaf)}
        self.groups = self._field_groups(leaves)
        for leaf in leaves:
            if id(leaf) in self._plan:
                self._native[id(leaf)] = self._leaf_cubes(leaf)
        # The types every compared field is read with, natively or not.
        self.declared: dict[str, set[str]] = {}
        for leaf in leaves:
            if leaf.op not in ("present", "missing") and leaf.type in _CONFORMS:
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
                    group = _GROUPS[leaf.type]
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
        group = _GROUPS.get(leaf.type)
        if group is None or not isinstance(leaf.field, str):
            return False
        if op in _COMPARISONS:
            if group == TEXT and op in _ORDERINGS:
                return False
            if leaf.other is not None:
                return isinstance(leaf.other, str)
            return leaf.value is None or _ENCODERS[group](leaf.value) is not _UNSAFE
        if op in ("in", "not_in"):
            if leaf.other is not None:
                return False
            if leaf.value is None:
                return True
            if not isinstance(leaf.value, (tuple, list)):
                return False
            return all(_ENCODERS[group](v) is not _UNSAFE for v in leaf.value)
        return False  # contains, and anything unknown

    def _literal(self, field: str, group: str, value: Any) -> Any:
        encoded = _ENCODERS[group](value)
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
        if op in _COMPARISONS:
            if leaf.other is not None:
                q = self.prop(leaf.other)
                neg = [frozenset({nex}), frozenset({ex, ("nex", q)}),
                       frozenset({ex, ("ex", q), ("fcmp", p, _NEGATED[op], q)})]
                pos = [frozenset({ex, ("ex", q), ("fcmp", p, op, q)})]
                return pos, [c for c in neg if _consistent(c)]
            value = self._literal(leaf.field, group, leaf.value)
            return ([frozenset({ex, ("cmp", p, op, value)})],
                    [frozenset({nex}), frozenset({ex, ("cmp", p, _NEGATED[op], value)})])
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
                out = _conjoin(out, self.cubes(child, positive, flagged))
            return out
        # A disjunction made exclusive: x1 | not-x1 & x2 | not-x1 & not-x2 & x3 …
        # where for `any` xi is the child, for the negation of `all` its negation.
        out, prefix = [], TRUE
        last = len(node.items) - 1
        for number, child in enumerate(node.items):
            out += _conjoin(prefix, self.cubes(child, positive, flagged))
            if len(out) > _EXPANSION_LIMIT:
                raise _TooBig
            if number < last:
                prefix = _conjoin(prefix, self.cubes(child, not positive, flagged))
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
                except _TooBig:  # an intermediate product exploded
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
        return len(cubes) <= MAX_CUBES_PER_RULE and len(_properties(cubes)) <= MAX_PROPERTIES


def _properties(cubes: list[Cube]) -> set[str]:
    names: set[str] = set()
    for cube in cubes:
        for atom in cube:
            names.add(atom[1])
            if atom[0] == "fcmp":
                names.add(atom[3])
    return names


def _fnv1a_32(name: str) -> int:
    """The 32-bit FNV-1a hash durable keys properties and record ids with (bytes as C chars)."""
    code = 0x811C9DC5
    for byte in name.encode("utf-8"):
        code ^= byte if byte < 0x80 else (byte - 0x100) & 0xFFFFFFFF  # char is signed
        code = (code * 0x01000193) & 0xFFFFFFFF
    return code


# --- durable plumbing ---------------------------------------------------------


def _new_host() -> Any:
    try:
        from durable.engine import Host
    except Exception as exc:
        raise _error(f"无法导入 durable-rules({_describe(exc)});Python 3.13 及以上请使用 python 后端") from exc

    class QuietHost(Host):
        """A Host that starts no timer threads: every action runs inside the call."""

        def _run(self) -> None:
            pass

    return QuietHost()


def _release(handles: list[int]) -> None:
    """Free the C side of rulesets (a Host itself cannot be freed)."""
    try:
        import durable_rules_engine
    except Exception:
        handles.clear()
        return
    while handles:
        _delete(durable_rules_engine, handles.pop())


def _delete(engine: Any, handle: int) -> None:
    # delete_ruleset frees the network but not the states' own pools (MBs each):
    # delete the one state ("0", where every record goes) first.
    for call in (lambda: engine.delete_state(handle, "0"), lambda: engine.delete_ruleset(handle)):
        try:
            call()
        except Exception:
            pass


def _drop(handles: list[int], handle: int) -> None:
    """Free one ruleset that will not be used again."""
    handles.remove(handle)
    import durable_rules_engine

    _delete(durable_rules_engine, handle)


def _action(sink: list, errors: list, tag: Any) -> Callable[[Any], None]:
    """A one-parameter action that records the slot ids of a batch of matches."""

    def action(c: Any) -> None:
        try:
            messages = c.m if isinstance(c.m, list) else [c.m]
            sink.append((tag, [m._d["id"] for m in messages]))
        except BaseException as exc:  # durable would swallow it
            errors.append(exc)

    return action


def _verify_slot_ids(host: Any, handles: list[int], prefix: str, candidates: Iterable[str], count: int) -> list[str]:
    """``count`` ids from ``candidates`` that durable keeps apart when asserted together.

    Asserts them into a probe ruleset, which must fire exactly once per id.
    Should a batch fail (two ids with one hash), the ids are tried one by one
    in a fresh probe and the rejected ones skipped.
    """
    candidates = iter(candidates)
    chosen = list(itertools.islice(candidates, count))
    sink: list = []
    errors: list = []

    def probe() -> tuple[str, int]:
        name = f"{prefix}_probe{next(_RULESET_NUMBERS)}"
        rule = {"pri": 0, "all": [{"m": {GUARD: 1}}], "cap": CHUNK_SIZE, "run": _action(sink, errors, "p")}
        host.set_rulesets({name: {"probe": rule}})
        handle = host.get_ruleset(name)._handle
        handles.append(handle)
        return name, handle

    name, handle = probe()
    facts = [{"id": s, GUARD: 1} for s in chosen]
    try:
        host.assert_facts(name, facts)
        fired = [i for _, ids in sink for i in ids]
        if not errors and len(fired) == len(chosen) and set(fired) == set(chosen):
            host.retract_facts(name, facts)
            _drop(handles, handle)
            return chosen
    except Exception:
        pass  # the probe stays registered (and is freed with the matcher): facts may be left in it
    # One by one, in a fresh probe: a colliding id raises MessageObservedException.
    name, handle = probe()
    accepted: list[str] = []
    while len(accepted) < count:
        slot = chosen.pop(0) if chosen else next(candidates, None)
        if slot is None:
            raise _error("找不到足够的互不冲突的记录编号")
        sink.clear()
        errors.clear()
        try:
            host.assert_fact(name, {"id": slot, GUARD: 1})
        except Exception:
            continue
        if not errors and [i for _, ids in sink for i in ids] == [slot]:
            accepted.append(slot)
    host.retract_facts(name, [{"id": s, GUARD: 1} for s in accepted])
    _drop(handles, handle)
    return accepted


class _Ruleset:
    """One durable ruleset: its name and the properties its records carry."""

    def __init__(self, name: str, properties: list[str]) -> None:
        self.name = name
        self.properties = properties


class DurableMatcher:
    """Decides which rules fire with durable-rules: the interface of ``PythonMatcher``."""

    backend = "durable-rules"

    def __init__(self, rules: Sequence[tuple[str, Condition]]) -> None:
        self._rules = list(rules)
        self._lock = threading.Lock()
        self._closed = False
        self._broken = False
        self._stats = {"records": 0, "in_python": 0, "firings": 0, "duplicates": 0, "rulesets": 0}
        _check_locale()
        self._compile()
        self._handles: list[int] = []
        self._finalizer = weakref.finalize(self, _release, self._handles)
        self._host: Any = None
        self._build()

    # -- compilation

    def _compile(self) -> None:
        compiler = _Compiler(self._rules)
        compiled: list[tuple[int, list[Cube]]] = []
        for index, (_, condition) in enumerate(self._rules):
            cubes = compiler.compile_rule(condition)
            if cubes:  # a rule that can never hold needs no durable rule
                compiled.append((index, cubes))
        # Rulesets: at most 60 rules, 60 cubes and 200 properties each.
        rulesets: list[tuple[list[int], list[dict], set[str]]] = []
        tags: list[int] = []
        pats: list[dict] = []
        props: set[str] = set()
        cubes_in = 0
        for index, cubes in compiled:
            needed = _properties(cubes)
            if tags and (len(tags) >= MAX_RULES_PER_RULESET or cubes_in + len(cubes) > MAX_CUBES_PER_RULESET
                         or len(props | needed) > MAX_PROPERTIES):
                rulesets.append((tags, pats, props))
                tags, pats, props, cubes_in = [], [], set(), 0
            tags.append(index)
            pats.append(_pattern(cubes))
            props |= needed
            cubes_in += len(cubes)
        if tags:
            rulesets.append((tags, pats, props))
        self._plan = rulesets
        # What a record carries: the encoded fields, then the flags.
        used = {name for _, cubes in compiled for name in _properties(cubes)}
        compared = {atom[n] for _, cubes in compiled for cube in cubes for atom in cube
                    if atom[0] == "fcmp" for n in (1, 3)}
        self._fields = [
            (
                field,
                name,
                None if compiler.groups[field] == MARK else _ENCODERS[compiler.groups[field]],
                name in compared,
                compiler.literals.get(field, {}) if compiler.groups[field] == NUMBER else None,
            )
            for field, name in compiler.names.items() if name in used
        ]
        self._flags = [(name, node) for name, node in compiler.flags.values() if name in used]
        # Fields compared by the rules but not encoded (their tests are precomputed, or
        # were simplified away): a value of another type still sends its record to Python,
        # where the reference may raise on it.
        encoded = {field for field, _, encode, _, _ in self._fields if encode is not None}
        self._checks = [
            (field, tuple(_CONFORMS[t] for t in sorted(types)))
            for field, types in compiler.declared.items() if field not in encoded
        ]

    def _build(self) -> None:
        """Register the rulesets in a fresh Host (again after a failed call)."""
        _release(self._handles)
        self._host = _new_host()
        self._sink: list = []
        self._errors: list = []
        self._slots: list[str] = []
        self._slot_ids = (str(i) for i in itertools.count())
        self._prefix = f"duban{next(_RULESET_NUMBERS)}"
        self._rulesets: list[_Ruleset] = []
        try:
            for number, (tags, patterns, props) in enumerate(self._plan):
                name = f"{self._prefix}_{number}"
                definition = {
                    f"r{tag}": {"pri": 0, "all": [{"m": pattern}], "cap": CAP,
                                "run": _action(self._sink, self._errors, tag)}
                    for tag, pattern in zip(tags, patterns)
                }
                definition[CATCH_ALL] = {"pri": CATCH_ALL_PRI, "all": [{"m": {GUARD: 1}}], "cap": CAP,
                                         "run": _action(self._sink, self._errors, None)}
                self._host.set_rulesets({name: definition})
                self._handles.append(self._host.get_ruleset(name)._handle)
                self._rulesets.append(_Ruleset(name, sorted(props)))
        except Exception as exc:
            self._broken = True
            raise _error(f"无法建立规则集({_describe(exc)})") from exc
        self._stats["rulesets"] = len(self._rulesets)
        self._broken = False

    # -- records

    def _encode(self, facts: Mapping[str, Any]) -> Optional[dict]:
        """The durable record of one subject, or None when it must be evaluated in Python."""
        record: dict[str, Any] = {GUARD: 1}
        seen: dict[float, Any] = {}
        for field, name, encode, cross, literals in self._fields:
            value = facts.get(field)
            if value is None or (type(value) not in _NEVER_MISSING and is_missing(value)):
                continue
            if encode is None:  # read by present/missing only
                record[name] = 1
                continue
            encoded = encode(value)
            if encoded is _UNSAFE:
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
        for field, conforms in self._checks:
            value = facts.get(field)
            if not is_missing(value) and not any(conform(value) for conform in conforms):
                return None
        try:
            for name, node in self._flags:
                record[name] = 1 if evaluate(node, facts) else 0
        except Exception:
            return None  # the reference decides, and raises if it raises
        return record

    def _ensure_slots(self, count: int) -> None:
        if len(self._slots) >= count:
            return
        target = min(CHUNK_SIZE, max(count, 2 * len(self._slots), 64))
        self._slots = _verify_slot_ids(
            self._host, self._handles, self._prefix, itertools.chain(self._slots, self._slot_ids), target
        )

    # -- matching

    def match(self, facts: Sequence[Mapping[str, Any]]) -> list[set[str]]:
        """For each subject's facts (same order), the ids of the rules whose condition holds."""
        with self._lock:
            if self._closed:
                raise _error("匹配器已关闭")
            results: list[set[str]] = [set() for _ in facts]
            if not facts:
                return results
            _check_locale()
            pending: list[tuple[int, dict]] = []
            for index, subject in enumerate(facts):
                record = self._encode(subject)
                if record is None:
                    self._stats["in_python"] += 1
                    results[index] = {rule_id for rule_id, cond in self._rules if evaluate(cond, subject)}
                else:
                    pending.append((index, record))
            self._stats["records"] += len(facts)
            if not self._rulesets or not pending:
                return results
            if self._broken:
                self._build()
            try:
                for start in range(0, len(pending), CHUNK_SIZE):
                    self._match_chunk(pending[start:start + CHUNK_SIZE], results)
            except EvaluationError:
                self._broken = True
                raise
            except Exception as exc:
                self._broken = True
                raise _error(_describe(exc)) from exc
            return results

    def _match_chunk(self, chunk: list[tuple[int, dict]], results: list[set[str]]) -> None:
        self._ensure_slots(len(chunk))
        slots = self._slots[: len(chunk)]
        position = {slot: k for k, slot in enumerate(slots)}
        rule_ids = [rule_id for rule_id, _ in self._rules]
        single = len(self._rulesets) == 1
        for ruleset in self._rulesets:
            if single:
                batch = [record for _, record in chunk]
                for record, slot in zip(batch, slots):
                    record["id"] = slot
            else:
                names = ruleset.properties
                batch = []
                for (_, record), slot in zip(chunk, slots):
                    projected = {name: record[name] for name in names if name in record}
                    projected[GUARD] = 1
                    projected["id"] = slot
                    batch.append(projected)
            self._sink.clear()
            self._errors.clear()
            self._host.assert_facts(ruleset.name, batch)
            if self._errors:
                raise _error(f"动作出错({_describe(self._errors[0])})")
            seen = [0] * len(chunk)
            firings = 0
            before = sum(len(results[index]) for index, _ in chunk)
            for tag, ids in self._sink:
                if tag is None:
                    for slot in ids:
                        seen[position[slot]] += 1
                else:
                    rule_id = rule_ids[tag]
                    firings += len(ids)
                    for slot in ids:
                        results[chunk[position[slot]][0]].add(rule_id)
            self._stats["firings"] += firings
            # Alternatives are exclusive: a rule fires at most once per record.
            self._stats["duplicates"] += firings - (sum(len(results[index]) for index, _ in chunk) - before)
            if any(n != 1 for n in seen):
                raise _error(f"规则集 {ruleset.name} 漏掉或重复了记录({sum(1 for n in seen if n == 0)} 条未见)")
            self._sink.clear()
            self._host.retract_facts(ruleset.name, batch)
            if self._errors:
                raise _error(f"动作出错({_describe(self._errors[0])})")

    # -- life cycle

    @property
    def stats(self) -> dict[str, int]:
        """Counters for diagnosis: records seen, records evaluated in Python, rule firings,
        firings that added nothing (0 unless two rules share an id), rulesets."""
        with self._lock:
            return dict(self._stats)

    def close(self) -> None:
        """Free the rulesets' C memory; idempotent. The Host object itself cannot be freed."""
        with self._lock:
            self._closed = True
            self._host = None
            self._finalizer()

    def __enter__(self) -> "DurableMatcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
