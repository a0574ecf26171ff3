"""The durable-rules backend returns exactly what the Python reference returns.

Every case is checked three ways: DurableMatcher, PythonMatcher, and the
result stated by hand. The random test compares the two matchers on random
condition trees and random facts.
"""

from __future__ import annotations

import itertools

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.backends.durable import DurableMatcher, durable_available
from engine.backends.durable import compile as durable_compile
from engine.backends.durable import encode as durable_encode
from engine.backends.durable import run as durable_run
from engine.backends.python import PythonMatcher
from engine.pack.conditions import All, AnyOf, Leaf, Not
from engine.errors import EvaluationError



def test_durable_is_available_on_the_supported_pythons() -> None:
    """durable-rules is a dependency below Python 3.13: these tests must run, never be skipped."""
    assert sys.version_info >= (3, 13) or durable_available()

ROOT = Path(__file__).resolve().parent.parent


def outcome(matcher_class: type, rules: list, facts: list) -> Any:
    """The result of a matcher, or the type of the exception it raised."""
    matcher = matcher_class(rules)
    try:
        return matcher.match(facts)
    except Exception as exc:  # the reference raises on some inputs; so must the backend
        return type(exc)
    finally:
        matcher.close()


def both(rules: list, facts: list, python: int | None = 0) -> list[set[str]]:
    """Match with both backends and assert they agree.

    Also that no rule fired twice for a record, and that ``python`` records
    (when given) were handed to the reference instead of durable.
    """
    durable = DurableMatcher(rules)
    try:
        got = durable.match(facts)
        assert durable.stats["duplicates"] == 0
        if python is not None:
            assert durable.stats["in_python"] == python
    finally:
        durable.close()
    assert got == PythonMatcher(rules).match(facts)
    return got


def n(field: str, op: str, value: Any = None, other: str | None = None) -> Leaf:
    return Leaf(field, op, value, other, "number")


def check(condition: Any, cases: list[tuple[dict, bool]], python: int | None = 0) -> None:
    """The condition and its negation, against the truth stated for each facts mapping."""
    rules = [("R", condition), ("NOT", Not(condition))]
    facts = [f for f, _ in cases]
    expected = [{"R"} if truth else {"NOT"} for _, truth in cases]
    assert both(rules, facts, python) == expected


# --- every op, by hand ------------------------------------------------------

FOUR_FIFTHS = Fraction(4, 5)
BELOW = Fraction(79, 100)
ABOVE = Fraction(81, 100)


@pytest.mark.parametrize(
    "op, truths",
    [
        #           4/5    0.79   0.81   1      absent None   待定
        ("eq", [True, False, False, False, False, False, False]),
        ("ne", [False, True, True, True, False, False, False]),
        ("lt", [False, True, False, False, False, False, False]),
        ("lte", [True, True, False, False, False, False, False]),
        ("gt", [False, False, True, True, False, False, False]),
        ("gte", [True, False, True, True, False, False, False]),
    ],
)
def test_number_comparisons_at_the_boundary(op: str, truths: list[bool]) -> None:
    values = [Fraction("0.8"), BELOW, ABOVE, 1]
    facts = [{"x": v} for v in values] + [{}, {"x": None}, {"x": "待定"}]
    check(n("x", op, FOUR_FIFTHS), list(zip(facts, truths)))


def test_fraction_boundaries_that_floats_cannot_tell_apart() -> None:
    third = Fraction(1, 3)
    near = Fraction(333333333333333333, 10**18)  # the same float as 1/3
    assert float(near) == float(third)
    # The record whose value meets the literal at one float goes to the reference.
    check(n("x", "eq", third), [({"x": third}, True), ({"x": near}, False), ({"x": 0.5}, False)], python=1)
    check(n("x", "lt", third), [({"x": near}, True), ({"x": third}, False)], python=1)
    check(n("x", "gte", 0.8), [({"x": FOUR_FIFTHS}, False), ({"x": Fraction(0.8)}, True)], python=1)
    big = 2**53
    check(Leaf("k", "eq", big, type="integer"), [({"k": big}, True), ({"k": big + 1}, False)], python=1)
    check(Leaf("k", "gt", big, type="integer"), [({"k": big + 1}, True), ({"k": big}, False)], python=1)
    # between two fields as well
    check(n("x", "gt", other="y"), [({"x": third, "y": near}, True), ({"x": near, "y": third}, False)], python=2)
    check(n("x", "gt", other="y"), [({"x": third, "y": 0}, True), ({"x": 0, "y": near}, False)])


def test_tiny_and_huge_numbers() -> None:
    # Python writes these floats as 1e-06 or 1e+17, which durable cannot parse.
    tiny, huge = Fraction(1, 10**6), 10**17
    check(n("x", "gt", 0), [({"x": tiny}, True), ({"x": huge}, True), ({"x": -tiny}, False), ({"x": 0}, False)],
          python=3)
    # literals out of range are precomputed; the records holding them go to the reference
    check(n("x", "lt", Fraction(1, 10**5)), [({"x": tiny}, True), ({"x": Fraction(1, 10**4)}, False), ({}, False)],
          python=1)
    check(n("x", "gte", huge), [({"x": huge}, True), ({"x": 10**16 - 1}, False), ({"x": 10**15}, False)], python=2)
    check(n("x", "eq", 1e-7), [({"x": 1e-7}, True), ({"x": Fraction(1, 10**7)}, False)], python=2)
    check(n("x", "lt", Fraction(1, 10**4)), [({"x": Fraction(1, 10**4)}, False), ({"x": Fraction(-1, 10**4)}, True),
                                            ({"x": 10**15}, False), ({"x": -(10**15)}, True)])


def test_integer_field_and_booleans() -> None:
    i = Leaf("k", "eq", 1, type="integer")
    # True == 1 in Python as in durable; the backend agrees with Python either way.
    check(i, [({"k": 1}, True), ({"k": True}, True), ({"k": 0}, False), ({"k": False}, False), ({}, False)], python=2)
    b = Leaf("flag", "eq", True, type="boolean")
    check(b, [({"flag": True}, True), ({"flag": False}, False), ({"flag": 1}, True), ({"flag": None}, False)],
          python=1)
    check(Leaf("flag", "eq", False, type="boolean"), [({"flag": False}, True), ({"flag": 0}, True), ({}, False)],
          python=1)
    check(Leaf("flag", "ne", True, type="boolean"), [({"flag": False}, True), ({"flag": True}, False), ({}, False)])
    check(Leaf("flag", "lt", True, type="boolean"), [({"flag": False}, True), ({"flag": True}, False)])
    # durable says "100" == 100 and True == 1.0; Python does not: no such value reaches durable.
    check(n("x", "eq", 100), [({"x": "100"}, False), ({"x": 100}, True)], python=1)
    check(Leaf("t", "eq", "100", type="text"), [({"t": 100}, False), ({"t": "100"}, True)], python=1)
    check(n("x", "eq", 1), [({"x": True}, True), ({"x": 1.0}, True)], python=1)


def test_dates() -> None:
    new_year = date(2026, 1, 1)
    check(Leaf("d", "lt", new_year, type="date"),
          [({"d": date(2025, 12, 31)}, True), ({"d": new_year}, False), ({"d": None}, False)])
    check(Leaf("d", "eq", new_year, type="date"), [({"d": new_year}, True), ({"d": date(2026, 1, 2)}, False)])
    start_before_due = Leaf("start", "lt", None, "due", "date")
    check(start_before_due, [
        ({"start": new_year, "due": date(2026, 6, 30)}, True),
        ({"start": date(2026, 7, 1), "due": date(2026, 6, 30)}, False),
        ({"start": new_year, "due": new_year}, False),
        ({"start": new_year}, False),  # missing right-hand field: false, and its negation true
        ({"due": new_year}, False),
        ({"start": new_year, "due": None}, False),
        ({}, False),
    ])


def test_text() -> None:
    check(Leaf("t", "eq", "甲", type="text"), [
        ({"t": "甲"}, True), ({"t": "甲 "}, False), ({"t": "乙"}, False),
        ({"t": "待定"}, False), ({"t": "TBD"}, False), ({"t": ""}, False), ({"t": None}, False), ({}, False),
    ])
    check(Leaf("t", "ne", "甲", type="text"), [({"t": "乙"}, True), ({"t": "甲"}, False), ({"t": "待定"}, False)])
    check(Leaf("t", "lt", "b", type="text"), [({"t": "a"}, True), ({"t": "b"}, False), ({"t": "a" * 3}, True),
                                               ({"t": "B"}, True), ({"t": "ba"}, False), ({}, False)])
    check(Leaf("t", "eq", None, "u", "text"), [({"t": "甲", "u": "甲"}, True), ({"t": "甲", "u": "乙"}, False),
                                               ({"t": "甲", "u": "待定"}, False), ({"t": "甲"}, False)])
    odd = ['say "hi"', "back\\slash", "tab\there", "new\nline", "{brace}", "comma,", "'quote'", "😀"]
    check(Leaf("t", "in", tuple(odd), type="text"), [({"t": v}, True) for v in odd] + [({"t": "say"}, False)])


def test_long_text_is_compared_exactly() -> None:
    # durable keeps string lengths in 16 bits: "y" * 65536 would equal "".
    long_a, long_b = "x" * 70000 + "a", "x" * 70000 + "b"
    check(Leaf("t", "eq", long_a, type="text"), [({"t": long_a}, True), ({"t": long_b}, False), ({"t": "x"}, False)])
    check(Leaf("t", "eq", "y", type="text"), [({"t": "y" * 65537}, False), ({"t": "y"}, True)], python=1)


def test_in_and_not_in() -> None:
    values = (1, 2, Fraction(5, 2))
    check(n("x", "in", values), [({"x": 2}, True), ({"x": Fraction(5, 2)}, True), ({"x": 3}, False), ({}, False)])
    check(n("x", "not_in", values), [({"x": 3}, True), ({"x": 2}, False), ({}, False), ({"x": None}, False)])
    check(Leaf("t", "in", ("甲", "乙"), type="text"), [({"t": "乙"}, True), ({"t": "丙"}, False), ({"t": "待定"}, False)])
    check(n("x", "in", ()), [({"x": 1}, False), ({}, False)])
    check(n("x", "not_in", ()), [({"x": 1}, True), ({}, False)])
    check(Leaf("d", "in", (date(2026, 1, 1),), type="date"),
          [({"d": date(2026, 1, 1)}, True), ({"d": date(2026, 1, 2)}, False)])
    check(Leaf("flag", "in", (True,), type="boolean"), [({"flag": True}, True), ({"flag": False}, False)])
    # elements of another type are compared by Python, as Python does (1 in (True,) holds)
    check(n("x", "in", (True, "1")), [({"x": 1}, True), ({"x": 2}, False)])


def test_present_and_missing() -> None:
    absent = [{}, {"v": None}, {"v": ""}, {"v": "  "}, {"v": "待定"}, {"v": "tbd"}, {"v": "N/A"}, {"v": []}, {"v": {}}]
    present = [{"v": 0}, {"v": False}, {"v": "王无忌"}, {"v": [0]}, {"v": {"k": None}}, {"v": date(2026, 1, 1)}]
    for vocabulary_type in ("text", "list", "mapping", "number"):
        check(Leaf("v", "present", type=vocabulary_type), [(f, False) for f in absent] + [(f, True) for f in present])
        check(Leaf("v", "missing", type=vocabulary_type), [(f, True) for f in absent] + [(f, False) for f in present])


def test_contains() -> None:
    check(Leaf("t", "contains", "乙", type="text"),
          [({"t": "甲乙"}, True), ({"t": "甲"}, False), ({"t": "待定"}, False), ({}, False)])
    check(Leaf("tags", "contains", "a", type="list"),
          [({"tags": ["a", "b"]}, True), ({"tags": ["b"]}, False), ({"tags": []}, False), ({}, False)])
    check(Leaf("t", "contains", None, "u", "text"), [({"t": "甲乙", "u": "乙"}, True), ({"t": "甲乙", "u": "待定"}, False)])


def test_missing_right_hand_field() -> None:
    # durable alone says "x > y" when y is absent; the backend must not.
    gt = n("x", "gt", other="y")
    check(gt, [({"x": 1, "y": 0}, True), ({"x": 1}, False), ({"y": 0}, False), ({"x": 1, "y": None}, False),
               ({"x": 0, "y": 1}, False), ({"x": 1, "y": 1}, False), ({}, False)])
    for op in ("eq", "ne", "lt", "lte", "gte"):
        check(n("x", op, other="y"), [({"x": 1}, False), ({"x": 1, "y": "待定"}, False)])
    check(n("x", "eq", other="x"), [({"x": 1}, True), ({}, False)])
    check(n("x", "eq", None), [({"x": 1}, False), ({}, False)])  # a literal None compares with nothing


def test_nested_all_any_not() -> None:
    a, b, c = n("a", "gt", 0), n("b", "gt", 0), n("c", "gt", 0)
    d, e = Leaf("d", "eq", "是", type="text"), Leaf("e", "missing", type="text")
    condition = All((AnyOf((a, b)), Not(All((c, AnyOf((d, Not(e))))))))
    check(condition, [
        ({"a": 1}, True),                           # c is absent, so the inner all is false
        ({"a": 1, "c": 1}, True),                   # d false, e missing: not e false
        ({"a": 1, "c": 1, "e": "有"}, False),        # not e holds
        ({"b": 1, "c": 1, "d": "是"}, False),
        ({"c": 1}, False),                          # neither a nor b
        ({"a": 0, "b": 0}, False),
        ({"b": 2, "c": 0, "d": "是"}, True),
    ])
    check(AnyOf(()), [({}, False), ({"a": 1}, False)])
    check(All(()), [({}, True), ({"a": 1}, True)])
    check(Not(Not(AnyOf((a, Not(b))))), [({"a": 1}, True), ({"b": 1}, False), ({}, True)])


def test_wide_conditions_are_precomputed_but_exact() -> None:
    wide_any = AnyOf(tuple(n(f"x{i}", "gt", i) for i in range(20)))
    wide_in = n("x", "in", tuple(range(40)))
    deep = All(tuple(AnyOf((n(f"a{i}", "gt", 0), n(f"b{i}", "lt", 0), Leaf(f"c{i}", "present"))) for i in range(8)))
    cases = [{}, {"x19": 20}, {"x3": 3}, {"x": 39}, {"x": 40}] + [
        {**{f"a{i}": 1 for i in range(8)}}, {**{f"c{i}": "有" for i in range(8)}, "x0": 5},
        {**{f"b{i}": -1 for i in range(7)}},
    ]
    rules = [("ANY", wide_any), ("IN", wide_in), ("DEEP", deep), ("NOT", Not(deep))]
    got = both(rules, cases)
    assert got[1] == {"ANY", "NOT"} and got[3] == {"IN", "NOT"} and got[5] == {"DEEP"}


def test_a_field_read_with_two_types() -> None:
    rules = [("N", n("v", "eq", 2)), ("T", Leaf("v", "eq", "甲", type="text")), ("P", Leaf("v", "present"))]
    assert both(rules, [{"v": 2}, {"v": "甲"}, {}, {"v": "待定"}]) == [{"N", "P"}, {"T", "P"}, set(), set()]


def test_the_reference_raises_so_does_the_backend() -> None:
    rules = [("LT", n("x", "lt", 5))]
    facts = [{"x": 1}, {"x": "abc"}]  # "abc" < 5 raises TypeError in Python
    assert outcome(PythonMatcher, rules, facts) is TypeError
    assert outcome(DurableMatcher, rules, facts) is TypeError


# --- random trees against the reference -------------------------------------

FIELDS = {
    "n1": "number", "n2": "number", "i1": "integer", "d1": "date", "d2": "date",
    "b1": "boolean", "s1": "text", "s2": "text", "l1": "list", "m1": "mapping",
}
NUMBERS = [0, 1, 2, -1, 100, Fraction(4, 5), Fraction(1, 3), Fraction(333333333333333333, 10**18),
           Fraction(1, 10**6), 10**17, 2**53, 2**53 + 1, 0.5, Fraction(0.8), Fraction(-7, 2)]
DATES = [date(2026, 1, 1) + timedelta(days=k) for k in range(4)]
TEXTS = ["甲", "乙", "甲乙", "a", "ab", "b", "A", " a", "a ", "待定", "TBD", "", " ", '"q"', "x\\y", "100"]
WRONG = [True, "100", 1, date(2026, 1, 1), ["a"]]


def _values(kind: str) -> st.SearchStrategy:
    return {
        "number": st.sampled_from(NUMBERS) | st.fractions(min_value=-3, max_value=3, max_denominator=4),
        "integer": st.sampled_from([0, 1, 2, -1, 2**53, 2**53 + 1]),
        "date": st.sampled_from(DATES),
        "boolean": st.booleans(),
        "text": st.sampled_from(TEXTS),
        "list": st.lists(st.sampled_from(["a", "b", 1]), max_size=3),
        "mapping": st.sampled_from([{}, {"k": 1}, {"k": None}]),
    }[kind]


@st.composite
def leaves(draw: Any) -> Leaf:
    field = draw(st.sampled_from(sorted(FIELDS)))
    kind = FIELDS[field]
    ops = {
        "number": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present", "missing"],
        "integer": ["eq", "ne", "lt", "gte", "in", "present", "missing"],
        "date": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "present", "missing"],
        "boolean": ["eq", "ne", "lt", "in", "present", "missing"],
        "text": ["eq", "ne", "lt", "gte", "in", "not_in", "contains", "present", "missing"],
        "list": ["contains", "present", "missing"],
        "mapping": ["present", "missing"],
    }[kind]
    op = draw(st.sampled_from(ops))
    if op in ("present", "missing"):
        return Leaf(field, op, None, None, kind)
    if op in ("in", "not_in"):
        return Leaf(field, op, tuple(draw(st.lists(_values(kind), max_size=4))), None, kind)
    if op == "contains":
        item = st.sampled_from(["a", "甲", "b", 1]) if kind == "list" else st.sampled_from(TEXTS)
        return Leaf(field, op, draw(item), None, kind)
    same = [f for f, k in FIELDS.items() if k == kind]
    if draw(st.integers(0, 4)) == 0:
        return Leaf(field, op, None, draw(st.sampled_from(same)), kind)
    value = None if draw(st.integers(0, 15)) == 0 else draw(_values(kind))
    return Leaf(field, op, value, None, kind)


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(inner, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=8,
)


@st.composite
def subject_facts(draw: Any) -> dict:
    facts = {}
    for field, kind in FIELDS.items():
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue  # absent
        if choice == 1:
            facts[field] = draw(st.sampled_from([None, "待定", "TBD", ""]))
        elif choice == 2 and draw(st.integers(0, 3)) == 0:
            facts[field] = draw(st.sampled_from(WRONG))
        else:
            facts[field] = draw(_values(kind))
    return facts


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rules=st.lists(conditions, min_size=1, max_size=5).map(lambda cs: [(f"R{i}", c) for i, c in enumerate(cs)]),
    facts=st.lists(subject_facts(), min_size=1, max_size=8),
)
def test_random_conditions_match_the_reference(rules: list, facts: list) -> None:
    expected = outcome(PythonMatcher, rules, facts)
    durable = DurableMatcher(rules)
    try:
        try:
            got = durable.match(facts)
        except Exception as exc:
            got = type(exc)
        assert got == expected
        assert durable.stats["duplicates"] == 0
    finally:
        durable.close()


# --- size: many rules, many facts, several matchers -------------------------


def test_more_than_sixty_rules_and_more_than_sixty_four_matches() -> None:
    rules = [(f"GT{i:03}", n("x", "gt", i)) for i in range(150)]
    rules += [(f"ANY{i:03}", AnyOf((n("y", "lt", i), Not(n("x", "ne", i))))) for i in range(30)]
    facts = [{"x": x, "y": y} for x in (-1, 0, 70, 149, 150, 1000) for y in (0, 10, None)]
    matcher = DurableMatcher(rules)
    try:
        assert matcher.stats["rulesets"] >= 3 and not matcher._plan.flags
        got = matcher.match(facts)
        assert got == PythonMatcher(rules).match(facts)
        assert len(got[facts.index({"x": 1000, "y": 0})]) == 179  # far more than 64 rules for one record
        assert matcher.stats["duplicates"] == 0
    finally:
        matcher.close()


def _synthetic(count: int, seed: int = 0) -> list[dict]:
    out = []
    for k in range(count):
        r = (k * 7919 + seed) % 1000
        out.append({
            "x": Fraction(r, 10), "y": r % 17, "t": "甲乙丙待"[r % 4] if r % 4 else "待定",
            "d": date(2026, 1, 1) + timedelta(days=r % 40), "b": bool(r % 3),
        })
    return out


SIZE_RULES = [
    ("X", n("x", "gte", 50)),
    ("Y", All((Leaf("y", "lt", 5, type="integer"), Not(Leaf("t", "missing"))))),
    ("D", Leaf("d", "gt", date(2026, 1, 20), type="date")),
    ("B", AnyOf((Leaf("b", "eq", False, type="boolean"), Leaf("t", "in", ("丙",), type="text")))),
]


def test_more_facts_than_a_chunk_reuses_slot_ids() -> None:
    facts = _synthetic(2 * durable_run.CHUNK_SIZE + 500)
    matcher = DurableMatcher(SIZE_RULES)
    try:
        expected = PythonMatcher(SIZE_RULES).match(facts)
        assert matcher.match(facts) == expected
        assert matcher.match(facts[::-1]) == expected[::-1]  # the same matcher, again
        assert len(matcher._slots) == durable_run.CHUNK_SIZE
        assert matcher.stats["records"] == 2 * len(facts) and matcher.stats["in_python"] == 0
    finally:
        matcher.close()


def test_two_matchers_alternately_and_from_threads() -> None:
    other_rules = [("Z", n("x", "lt", 10)), ("W", Leaf("t", "eq", "乙", type="text"))]
    one, two = DurableMatcher(SIZE_RULES), DurableMatcher(other_rules)
    try:
        batches = [_synthetic(300 + 50 * k, seed=k) for k in range(8)]
        for facts in batches[:3]:
            assert one.match(facts) == PythonMatcher(SIZE_RULES).match(facts)
            assert two.match(facts) == PythonMatcher(other_rules).match(facts)

        def run(job: tuple[DurableMatcher, list, list]) -> bool:
            matcher, rules, facts = job
            return matcher.match(facts) == PythonMatcher(rules).match(facts)

        jobs = [(m, r, f) for f in batches for m, r in ((one, SIZE_RULES), (two, other_rules))]
        with ThreadPoolExecutor(max_workers=4) as pool:
            assert all(pool.map(run, jobs))
    finally:
        one.close()
        two.close()


# --- errors and life cycle ---------------------------------------------------


class _Failing:
    """durable's binding with ``assert_facts`` replaced: raising, or answering a refusal code."""

    def __init__(self, binding: Any, answer: Any) -> None:
        self._binding = binding
        self._answer = answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._binding, name)

    def assert_facts(self, handle: int, text: str) -> Any:
        if isinstance(self._answer, BaseException):
            raise self._answer
        return self._answer


def test_a_durable_error_becomes_an_evaluation_error_and_the_matcher_recovers() -> None:
    import durable_rules_engine

    matcher = DurableMatcher(SIZE_RULES)
    facts = _synthetic(20)
    try:
        matcher.match(facts)  # the slot ids are chosen on the real binding
        matcher._engine = _Failing(matcher._engine, durable_rules_engine.error("Could not assert facts, error code: 101"))
        with pytest.raises(EvaluationError, match="规则引擎 durable-rules 出错: error: Could not assert facts"):
            matcher.match(facts)
        assert matcher.match(facts) == PythonMatcher(SIZE_RULES).match(facts)  # rebuilt on the real binding
        assert matcher._engine is durable_rules_engine
    finally:
        matcher.close()


@pytest.mark.parametrize("code, name", [(1, "MessageNotHandled"), (2, "MessageObserved")])
def test_a_record_durable_refuses_is_an_evaluation_error(code: int, name: str) -> None:
    matcher = DurableMatcher(SIZE_RULES)
    try:
        matcher.match(_synthetic(5))
        matcher._engine = _Failing(matcher._engine, (code, 0))
        with pytest.raises(EvaluationError, match=f"_Refused: {name}"):
            matcher.match(_synthetic(5))
        assert matcher.match(_synthetic(5)) == PythonMatcher(SIZE_RULES).match(_synthetic(5))
    finally:
        matcher.close()


def test_close_is_idempotent_and_a_closed_matcher_refuses() -> None:
    matcher = DurableMatcher(SIZE_RULES)
    assert matcher.match([{"x": 60}]) == [{"X"}]
    matcher.close()
    matcher.close()
    with pytest.raises(EvaluationError, match="已关闭"):
        matcher.match([{"x": 60}])


def test_no_rules_and_no_facts() -> None:
    matcher = DurableMatcher([])
    assert matcher.match([{"x": 1}, {}]) == [set(), set()]
    assert matcher.match([]) == []
    matcher.close()
    assert both([("NEVER", AnyOf(())), ("ALSO", n("x", "eq", None))], [{"x": 1}]) == [set()]


def test_colliding_slot_ids_are_skipped() -> None:
    # durable identifies a record by a 32-bit FNV-1a hash of its id: these two collide.
    assert durable_compile._fnv1a_32("c693596") == durable_compile._fnv1a_32("c1170850")
    handles: list[int] = []
    try:
        slots = durable_run._verify_slot_ids(durable_run._binding(), handles, "collide", ["c693596", "c1170850", "x1", "x2"], 3)
        assert slots == ["c693596", "x1", "x2"]
    finally:
        durable_run._release(handles)


def test_a_binding_that_refuses_every_id_is_an_error_not_a_loop() -> None:
    handles: list[int] = []
    refusing = _Failing(durable_run._binding(), (2, 0))
    try:
        with pytest.raises(EvaluationError, match="找不到足够的互不冲突的记录编号"):
            durable_run._verify_slot_ids(refusing, handles, "refuse", (str(i) for i in itertools.count()), 8)
    finally:
        durable_run._release(handles)


def test_property_names_hash_like_durable() -> None:
    # durable's own constants for "id" and "sid" (HASH_ID, HASH_SID in its C source)
    assert durable_compile._fnv1a_32("id") == 926444256
    assert durable_compile._fnv1a_32("sid") == 3593476751
    compiler = durable_compile._Compiler([(f"R{i}", n(f"field.{i}", "gt", i)) for i in range(300)])
    names = list(compiler.names.values())
    assert len({durable_compile._fnv1a_32(name) for name in names}) == len(names) == 300


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.fractions() | st.integers())
def test_encoded_numbers_are_never_written_with_an_exponent(value: Any) -> None:
    encoded = durable_encode.encode_number(value)
    if encoded is not durable_encode.UNSAFE:
        assert "e" not in repr(encoded) and "n" not in repr(encoded)
    elif isinstance(value, float) and value == value and abs(value) != float("inf"):
        assert "e" in repr(value)


def test_number_encoding_boundaries() -> None:
    import math

    for value in (1e-4, 1e16, 0.0, -0.0, 9999999999999998.0, -1e-4):
        encoded = durable_encode.encode_number(value)
        assert (encoded is durable_encode.UNSAFE) == ("e" in repr(value))
    assert durable_encode.encode_number(math.nextafter(1e-4, 0)) is durable_encode.UNSAFE
    assert durable_encode.encode_number(math.nextafter(1e16, 0)) == math.nextafter(1e16, 0)
    assert durable_encode.encode_number(10**400) is durable_encode.UNSAFE
    assert durable_encode.encode_number(True) is durable_encode.UNSAFE


def test_importing_the_module_does_not_import_durable() -> None:
    code = (
        "import sys; import engine.backends.durable as b; "
        "assert 'durable' not in sys.modules and 'durable_rules_engine' not in sys.modules; "
        "sys.modules['durable_rules_engine'] = None; assert not b.durable_available()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_thread_safety_of_one_matcher() -> None:
    matcher = DurableMatcher(SIZE_RULES)
    expected = {k: PythonMatcher(SIZE_RULES).match(_synthetic(200, k)) for k in range(6)}
    failures: list[int] = []

    def work(k: int) -> None:
        for _ in range(3):
            if matcher.match(_synthetic(200, k)) != expected[k]:
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    matcher.close()
    assert failures == []
