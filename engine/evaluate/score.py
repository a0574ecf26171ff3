"""Findings → scores, the order of the findings, the summary. Pure functions over data.

An item's score is ``min(max_score, sum of its points × importance)``,
rounded half up to one decimal; tiers and ranks use the rounded score. Items
rank by score (descending), then the uncapped score (the exact sum of points ×
importance, descending: it orders the items capped at 100), then red findings
(descending), then id — each item is scored in its chunk and the rows are
sorted (:mod:`engine.evaluate.rows`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, TypeVar

from ..exact import round_half_up
from ..pack import SEVERITIES, Scoring
from ..report import Finding, ItemResult, Summary

__all__ = ["importance", "item_score", "weighed_score", "order_findings", "summarize"]

TIERS = ("critical", "high", "medium", "low")
F = TypeVar("F", bound=Finding)
LIGHTS = ("red", "yellow", "green")


def importance(scoring: Scoring, level: str) -> Fraction:
    return scoring.exact.importance[level]


_ZERO = Fraction(0)


def item_score(findings: Iterable[Finding], level: str, scoring: Scoring) -> tuple[Fraction, Fraction]:
    """The exact sum of points, and the rounded, capped score."""
    raw, _, score = weighed_score(findings, level, scoring)
    return raw, score


def weighed_score(findings: Iterable[Finding], level: str, scoring: Scoring) -> tuple[Fraction, Fraction, Fraction]:
    """The exact sum of points, the uncapped score (the sum × importance) and the rounded, capped score."""
    raw = sum((f.exact_points for f in findings), _ZERO)
    if not raw:
        return _ZERO, _ZERO, _ZERO
    uncapped = raw * importance(scoring, level)
    return raw, uncapped, round_half_up(min(scoring.exact.max_score, uncapped))


def order_findings(findings: Iterable[F], ranked: list[ItemResult]) -> list[F]:
    """By the subject's rank (unit findings after the items', by unit name; the county's last),
    then severity, then rule id."""
    rank = {item.id: item.rank for item in ranked}
    units, county = len(ranked) + 1, len(ranked) + 2

    def key(f: Finding) -> tuple:
        if f.subject_kind == "unit":
            return (units, f.subject, SEVERITIES.index(f.severity), f.rule)
        if f.subject_kind == "county":
            return (county, f.subject, SEVERITIES.index(f.severity), f.rule)
        return (rank.get(f.subject, units), "", SEVERITIES.index(f.severity), f.rule)

    return sorted(findings, key=key)


def summarize(
    ranked: list[ItemResult],
    findings: list[Finding],
    categories: Iterable[str] = (),
    waived: int = 0,
    rejected: int = 0,
) -> Summary:
    """Counts of what the report shows: items by light and tier, findings by severity and category."""
    by_category = dict.fromkeys(categories, 0)
    for finding in findings:
        by_category[finding.category] = by_category.get(finding.category, 0) + 1
    return Summary.model_construct(
        items=len(ranked),
        findings={s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        lights={light: sum(1 for i in ranked if i.light == light) for light in LIGHTS},
        tiers={tier: sum(1 for i in ranked if i.tier == tier) for tier in TIERS},
        categories=by_category,
        waived=waived,
        rejected=rejected,
    )
