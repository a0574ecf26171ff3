"""Roll-ups (SPEC Part 2 "Roll-ups"): groups, counts, points, order, the (未填) group."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import SAMPLE, make_item, make_ledger
from engine import Engine, load_ledger
from engine.rollup import UNFILLED, rollup

AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="module")
def sample_report():
    return Engine.default().evaluate(load_ledger(SAMPLE), AS_OF)


@pytest.mark.parametrize("by", ["unit", "leader", "kind", "level"])
def test_every_item_is_in_exactly_one_group(sample_report, by: str) -> None:
    groups = rollup(sample_report, by).groups
    assert sum(g.items for g in groups) == len(sample_report.items)
    for light in ("red", "yellow", "green"):
        assert sum(getattr(g, light) for g in groups) == sample_report.summary.lights[light]


@pytest.mark.parametrize("by", ["unit", "leader", "kind", "level"])
def test_groups_sort_by_red_items_then_points_then_name_with_unfilled_last(sample_report, by: str) -> None:
    groups = rollup(sample_report, by).groups
    named = [g for g in groups if g.group != UNFILLED]
    assert named == sorted(named, key=lambda g: (-g.red, -g.points, g.group))
    assert all(g.group != UNFILLED for g in groups[:len(named)])


def test_by_unit_counts_item_findings_and_the_units_own(sample_report) -> None:
    """Every finding on an item or a unit lands in one unit group; only county findings are left out."""
    groups = rollup(sample_report, "unit").groups
    counted = {s: sum(g.findings[s] for g in groups) for s in ("red", "yellow", "blue")}
    expected = {s: sum(1 for f in sample_report.findings if f.severity == s and f.subject_kind != "county")
                for s in ("red", "yellow", "blue")}
    assert counted == expected


def test_points_are_the_unrounded_sum_without_importance_and_the_top_item() -> None:
    # A provincial item (importance 1.2) with one yellow LAG-01 finding and a county one with none.
    ledger = make_ledger(
        make_item(id="P-1", unit="县住建局", level="provincial", start="2026-01-01", due="2027-01-01", progress=75),
        make_item(id="P-2", unit="县住建局"),
        make_item(id="P-3", unit="  "),
    )
    report = Engine.default().evaluate(ledger, AS_OF)
    by_unit = {g.group: g for g in rollup(report, "unit").groups}
    own = [f for f in report.findings if f.subject == "P-1"]
    assert by_unit["县住建局"].points == pytest.approx(sum(f.points for f in own))
    assert by_unit["县住建局"].top_item == "P-1"
    assert by_unit["县住建局"].top_score == report.item("P-1").score
    assert by_unit[UNFILLED].items == 1  # a blank unit is missing by the name test
