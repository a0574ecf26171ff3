"""Counterfactuals are verified, not guessed (issue 15): over random items, on both backends.

For every finding of a random item, each counterfactual in ledger terms is applied to the ledger file's
form by the test (tests/ledger_changes.py, written apart from the engine's levers): the finding must go
away (or drop to the level claimed), and half the change must not do it. At the metric level, the bound
is checked on the facts the engine's stages computed: the nearest value given has the effect, half the
way to it has not. Both backends explain alike.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Engine, load_ledger
from engine.evaluate.calendar import WorkCalendar
from engine.explain.nearest import outcome
from ledger_changes import RANK, achieves, apply_change, fired_at, half_changes

AS_OF = date(2026, 11, 28)
ISO = AS_OF.isoformat()
PYTHON = Engine.default(backend="python")
DURABLE = Engine.default(backend="durable")


def day(offset: int) -> str:
    return (AS_OF + timedelta(days=offset)).isoformat()


@st.composite
def items(draw: Any) -> dict:
    """One item whose values straddle the default pack's thresholds."""
    kind = draw(st.sampled_from(["project", "project", "reform", "task", "party", "enterprise", "excellence"]))
    item: dict[str, Any] = {"id": "X-1", "kind": kind, "title": "随机事项",
                            "owner": draw(st.sampled_from(["张三", "待定"])), "unit": "县住建局",
                            "leader": draw(st.sampled_from(["李四", "", "待明确"])) or None}
    start = draw(st.one_of(st.none(), st.integers(-400, 20)))
    if start is not None:
        item["start"] = day(start)
        item["due"] = day(start + draw(st.integers(1, 700)))
    elif draw(st.booleans()):
        item["due"] = day(draw(st.integers(-60, 400)))
    if draw(st.booleans()):
        item["started_on"] = day(draw(st.integers(-300, 5)))
    if draw(st.integers(0, 9)) == 0:
        item["completed_on"] = day(draw(st.integers(-30, 5)))
    if draw(st.integers(0, 4)):  # usually reported: the lag rules need a progress figure
        item["progress"] = draw(st.integers(0, 100))
    if draw(st.integers(0, 4)):
        item["progress_reported_on"] = day(-draw(st.integers(0, 120)))
    item["milestones"] = [
        {"name": f"节点{i + 1}", "due": day(d), **({"done_on": day(d + draw(st.integers(-5, 20)))} if draw(st.booleans()) else {})}
        for i, d in enumerate(draw(st.lists(st.integers(-60, 30), max_size=3)))
    ]
    if kind == "project" and draw(st.booleans()):
        planned = draw(st.integers(0, 20000))
        item["investment"] = {"planned": planned, "completed": draw(st.integers(0, max(planned, 1)))}
    item["supervisions"] = [
        {"date": day(-d), "by": "县督查室",
         **({"rectify_by": day(-d + draw(st.integers(0, 60)))} if draw(st.booleans()) else {})}
        for d in draw(st.lists(st.integers(0, 150), max_size=2))
    ]
    if kind == "enterprise":
        item["visits"] = [{"date": day(-v), "leader": "李四"} for v in draw(st.lists(st.integers(0, 300), max_size=2))]
    if draw(st.booleans()):
        item["responses"] = [{"date": day(-draw(st.integers(0, 90))), "cause": "原因", "measures": "措施"}]
    if kind == "project" and draw(st.booleans()):
        raised = draw(st.integers(0, 120))
        item["issues"] = [{"type": draw(st.sampled_from(["land", "funds", "other"])), "description": "用地未落实",
                           "raised_on": day(-raised)}]
    if kind in ("project", "reform") and item.get("due") and draw(st.booleans()):
        item["baseline_due"] = day(draw(st.integers(-400, 200)))
    if kind in ("reform", "excellence"):
        item["goal"] = draw(st.sampled_from(["明确目标", "待定"]))
    if kind == "excellence" and draw(st.booleans()):
        item["recognized_on"] = day(-draw(st.integers(0, 30)))
    return item


def ledger_of(item: dict) -> dict:
    return {"ledger": {"county": "测试县", "as_of": ISO}, "units": [], "items": [item]}


def facts_of(engine: Engine, raw: dict) -> dict:
    ledger = load_ledger(raw)
    return engine.stages.evaluate_items(ledger.items, engine.context(AS_OF), WorkCalendar(), keep_facts=True).facts["X-1"]


def redundant(node: Any) -> bool:
    """Whether a held condition holds for two reasons at once somewhere (an ``any`` with two held branches)."""
    if node.node == "any" and sum(child.result for child in node.items) >= 2:
        return True
    return any(redundant(child) for child in node.items if child.result == node.result)


def nearest_value(op: str, bound: Any) -> Any:
    """A value that satisfies ``op bound`` and is as near to it as the check needs."""
    step = Fraction(1, 10**6)
    return {"lt": bound - step, "gt": bound + step}.get(op, bound)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items())
def test_every_counterfactual_applied_does_what_it_says_and_half_of_it_does_not(item: dict) -> None:
    raw = ledger_of(item)
    explanation = PYTHON.explain(load_ledger(raw), "X-1")
    assert DURABLE.explain(load_ledger(raw), "X-1").model_dump() == explanation.model_dump()
    facts = facts_of(PYTHON, raw)
    for rule in explanation.rules:
        pack_rule = PYTHON.pack.rule(rule.rule)
        if rule.fired and not rule.counterfactuals:  # only when two causes hold at once: no one change will do
            assert redundant(rule.tree), f"{rule.rule} fired without a counterfactual"
        for cf in rule.counterfactuals:
            before = rule.severity if rule.fired else None
            # the metric level: the nearest value has the effect; the bound itself (when it is excluded) and
            # half the way to it have not
            if isinstance(cf.bound, (int, float)) and not isinstance(cf.bound, bool):
                bound = Fraction(str(cf.bound)) if isinstance(cf.bound, float) else cf.bound
                target = nearest_value(cf.op, bound)
                assert achieves(cf, before, outcome(pack_rule, {**facts, cf.field: target})), (rule.rule, cf.text)
                if cf.op in ("lt", "gt"):
                    assert not achieves(cf, before, outcome(pack_rule, {**facts, cf.field: bound})), (rule.rule, cf.text)
                now = facts.get(cf.field)
                if isinstance(now, (int, Fraction)) and not isinstance(now, bool) and now != bound:
                    step = (Fraction(bound) - now) / 2
                    half = now + int(step) if isinstance(now, int) and isinstance(cf.bound, int) else now + step
                    assert not achieves(cf, before, outcome(pack_rule, {**facts, cf.field: half})), (rule.rule, cf.text)
            if cf.ledger is None:
                continue
            # the ledger: the change made by the test, evaluated on both backends
            change = cf.ledger.model_dump(mode="json")
            changed = load_ledger(apply_change(raw, "X-1", change, ISO))
            for engine in (PYTHON, DURABLE):
                after = fired_at(engine.evaluate(changed), "X-1", rule.rule)
                assert after == cf.severity, (engine.backend, rule.rule, cf.ledger.text, after)
            for half_ledger in half_changes(raw, "X-1", change, ISO):
                after = fired_at(PYTHON.evaluate(load_ledger(half_ledger)), "X-1", rule.rule)
                assert not achieves(cf, before, after), (rule.rule, cf.ledger.text, "half", after)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items())
def test_a_rule_that_did_not_fire_fires_at_the_value_given_and_its_misses_name_failed_leaves(item: dict) -> None:
    raw = ledger_of(item)
    explanation = PYTHON.explain(load_ledger(raw), "X-1")
    facts = facts_of(PYTHON, raw)
    for rule in explanation.rules:
        if rule.fired or rule.waiver:
            assert not rule.misses
            continue
        assert rule.misses and all(m.leaf.result != m.held for m in rule.misses)
        pack_rule = PYTHON.pack.rule(rule.rule)
        for cf in rule.counterfactuals:
            assert cf.effect == "fire"
            bound = Fraction(str(cf.bound)) if isinstance(cf.bound, float) else cf.bound
            fired = outcome(pack_rule, {**facts, cf.field: nearest_value(cf.op, bound)})
            assert fired == cf.severity, (rule.rule, cf.text)
            if cf.on:  # nothing done until that day: the day count reaches the bound then
                assert RANK[cf.severity] > 0 and date.fromisoformat(cf.on) > AS_OF
