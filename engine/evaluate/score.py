"""Findings → scores, tiers, lights and the ranking. Pure functions over data.

An item's score is ``min(max_score, sum of its points × importance)``,
rounded half up to one decimal; tiers and ranks use the rounded score. Items
rank by score (descending), then the uncapped score (the exact sum of points ×
importance, descending: it orders the items capped at 100), then red findings
(descending), then id.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Iterable, TypeVar

from ..exact import round_half_up
from ..ledger import Item
from ..pack import SEVERITIES, Scoring
from ..report import Finding, ItemResult, Summary

__all__ = [
    "importance", "item_score", "weighed_score", "tier_of", "light_of", "rank_items", "order_findings", "summarize",
]

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


def tier_of(score: Fraction, scoring: Scoring) -> str:
    for tier, bound in scoring.exact.tiers:
        if score >= bound:
            return tier
    return "low"


def light_of(findings: Iterable[Finding]) -> str:
    severities = {f.severity for f in findings}
    if "red" in severities:
        return "red"
    if "yellow" in severities:
        return "yellow"
    return "green"


def rank_items(items: Iterable[Item], findings: Iterable[Finding], scoring: Scoring) -> list[ItemResult]:
    """Every item, those without findings too, in priority order with rank 1, 2, …"""
    by_subject: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.subject_kind not in ("unit", "county"):
            by_subject[finding.subject].append(finding)
    scored = []
    for item in items:
        own = by_subject.get(item.id, [])
        _, uncapped, score = weighed_score(own, item.level, scoring)
        reds = sum(1 for f in own if f.severity == "red")
        # Scores have one decimal: ten times the score is an integer, cheap to sort by. The uncapped
        # score sorts by its float first, which is exact where floats differ (rounding is monotonic);
        # only equal floats compare the fractions.
        scored.append((-int(score * 10), -float(uncapped), -uncapped, -reds, item.id, item, own, score))
    scored.sort(key=lambda row: row[:5])
    results = []
    for rank, (*_, item, own, score) in enumerate(scored, start=1):
        results.append(
            ItemResult.model_construct(
                id=item.id,
                kind=item.kind,
                title=item.title,
                owner=item.owner,
                unit=item.unit,
                leader=item.leader,
                light=light_of(own),  # type: ignore[arg-type]
                score=float(score),
                tier=tier_of(score, scoring),  # type: ignore[arg-type]
                rank=rank,
                findings=sorted({f.rule for f in own}, key=lambda rid: _finding_key(own, rid)),
                level=item.level,
            )
        )
    return results


def _finding_key(own: list[Finding], rule_id: str) -> tuple[int, str]:
    severity = next(f.severity for f in own if f.rule == rule_id)
    return SEVERITIES.index(severity), rule_id


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
