"""Compact results: what evaluation keeps of a finding and of an item, until the report is written.

A :class:`FindingRow` and an :class:`ItemRow` are named tuples with the
field names of the report's :class:`~engine.report.Finding` and
:class:`~engine.report.ItemResult`, so the code that orders, counts,
filters and renders reads either the same way. They cost a fraction of a
pydantic model to build, to keep and to send between processes: a run of a
million items keeps only these, and the report's models are built when a
library user or a renderer asks for them.

An item is scored in the chunk that evaluated it (:func:`item_row`): its
score, light, tier and ranking keys depend on its own findings only. The
ranking itself (:func:`rank`) is a sort of the rows.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, NamedTuple, Optional, Sequence

from ..ledger import Item
from ..pack import SEVERITIES, Scoring
from .score import weighed_score

__all__ = ["FindingRow", "ItemRow", "item_row", "rank", "light_of", "tier_of"]

class FindingRow(NamedTuple):
    """A finding as evaluation keeps it; ``exact_points`` are the exact points behind ``points``."""

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    severity: str
    message: str
    clause: str
    remedy: str
    evidence: dict[str, Any]
    points: float
    category: str
    escalated_from: Optional[str]
    periods: Optional[int]
    exact_points: Fraction


class ItemRow(NamedTuple):
    """An item as the ranking keeps it: what the report shows, and the keys it is sorted by.

    ``order`` is the sort key: the score (as ten times its one-decimal value),
    the uncapped score (its float first; the exact fraction where floats tie),
    red findings, the id. ``rank`` is 0 until :func:`rank` numbers the rows.
    """

    id: str
    kind: str
    title: str
    owner: Optional[str]
    unit: Optional[str]
    leader: Optional[str]
    light: str
    score: float
    tier: str
    rank: int
    findings: tuple[str, ...]
    level: str
    order: tuple


def tier_of(score: Fraction, scoring: Scoring) -> str:
    for tier, bound in scoring.exact.tiers:
        if score >= bound:
            return tier
    return "low"


def light_of(findings: Iterable[Any]) -> str:
    severities = {f.severity for f in findings}
    if "red" in severities:
        return "red"
    if "yellow" in severities:
        return "yellow"
    return "green"


def item_row(item: Item, own: Sequence[Any], scoring: Scoring) -> ItemRow:
    """One item scored from its own findings: ``min(max_score, points × importance)``, rounded half up."""
    _, uncapped, score = weighed_score(own, item.level, scoring)
    reds = sum(1 for f in own if f.severity == "red")
    by_rule = {f.rule: f.severity for f in own}
    findings = tuple(sorted(by_rule, key=lambda rule: (SEVERITIES.index(by_rule[rule]), rule)))
    # Scores have one decimal: ten times the score is an integer, cheap to sort by. The uncapped
    # score sorts by its float first, which is exact where floats differ (rounding is monotonic);
    # only equal floats compare the fractions.
    order = (-int(score * 10), -float(uncapped), -uncapped, -reds, item.id)
    return ItemRow(item.id, item.kind, item.title, item.owner, item.unit, item.leader, light_of(own),
                   float(score), tier_of(score, scoring), 0, findings, item.level, order)


def rank(rows: Iterable[ItemRow]) -> list[ItemRow]:
    """Every item in priority order, numbered 1, 2, …"""
    ordered = sorted(rows, key=lambda row: row.order)
    return [row._replace(rank=number) for number, row in enumerate(ordered, start=1)]
