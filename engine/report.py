"""The report: findings, ranked items and a summary — the spec's JSON schema.

Pure data. Computing happens in :mod:`engine.findings` and
:mod:`engine.score`; showing happens in :mod:`engine.render`.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = ["Finding", "ItemResult", "Summary", "RulesInfo", "Report", "LeafCheck", "RuleCheck", "Explanation"]

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Model):
    """One warning: a rule that fired on a subject (an item, or a unit for EXC-01)."""

    subject: str
    subject_kind: str
    subject_title: str
    rule: str
    title: str
    severity: Literal["red", "yellow", "blue"]
    message: str
    clause: str
    remedy: str
    evidence: dict[str, Any]
    points: float
    # The exact points, for the score: ``points`` is their nearest float.
    _exact_points: Fraction = PrivateAttr(default=Fraction(0))

    @property
    def exact_points(self) -> Fraction:
        return self._exact_points if self._exact_points else Fraction(self.points)


class ItemResult(_Model):
    """One ledger item's place in the ranking."""

    id: str
    kind: str
    title: str
    owner: Optional[str]
    unit: Optional[str]
    leader: Optional[str]
    light: Literal["red", "yellow", "green"]
    score: float
    tier: Literal["critical", "high", "medium", "low"]
    rank: int
    findings: list[str]


class Summary(_Model):
    items: int
    findings: dict[str, int]
    lights: dict[str, int]
    tiers: dict[str, int]


class RulesInfo(_Model):
    source: str
    sha256: str


class Report(_Model):
    """What one evaluation produced; ``to_json()`` gives deterministic bytes."""

    schema_version: int = SCHEMA_VERSION
    as_of: str
    rules: RulesInfo
    summary: Summary
    notes: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    items: list[ItemResult] = Field(default_factory=list)

    def to_json(self) -> str:
        """The report as JSON text: UTF-8, two-space indent, fixed key order."""
        return self.model_dump_json(indent=2) + "\n"

    def findings_for(self, subject: str) -> list[Finding]:
        return [f for f in self.findings if f.subject == subject]

    def item(self, item_id: str) -> ItemResult:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)


# --- explanations ---------------------------------------------------------------


class LeafCheck(_Model):
    """One condition leaf as evaluated: the value read, the operator, the operand, the result."""

    path: str
    field: str
    read: Any
    op: str
    operand: Any
    operand_field: Optional[str]
    result: bool


class RuleCheck(_Model):
    """One rule that applies to the explained subject, fired or not."""

    rule: str
    title: str
    fired: bool
    severity: Optional[str]
    checks: list[LeafCheck]
    level_checks: list[list[LeafCheck]]
    magnitude: Optional[float]
    factor: Optional[float]
    points: Optional[float]
    message: Optional[str]


class Explanation(_Model):
    """Why an item got its findings and its score."""

    as_of: str
    item: ItemResult
    importance: float
    raw_points: float
    rules: list[RuleCheck]
    notes: list[str] = Field(default_factory=list)
