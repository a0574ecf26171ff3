"""The intermediate form of a rule pack: what the engine runs.

:class:`Rule` is a checked rule with params resolved and its condition in
the intermediate form of :mod:`.conditions`; :class:`RulePack` holds the
rules, the effective params and the scoring weights. Both are frozen: a pack
is built once and shared by engines, threads and worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from fractions import Fraction
from typing import Literal, Optional

from .conditions import All, Condition, Leaf
from .spec import Scalar, Scoring

__all__ = ["Level", "MagnitudeCase", "MessageCase", "Rule", "RulePack"]


@dataclass(frozen=True)
class Level:
    severity: str
    when: Optional[Condition]


@dataclass(frozen=True)
class MagnitudeCase:
    """One case of a magnitude: a metric and its scale, or "saturated"; the first case whose ``when`` holds applies."""

    field: Optional[str]
    scale: Optional[Fraction]
    saturated: bool
    when: Optional[Condition]


@dataclass(frozen=True)
class MessageCase:
    """A message template; the first case whose ``when`` holds is the finding's message."""

    text: str
    when: Optional[Condition]


@dataclass(frozen=True)
class Rule:
    """A checked rule with params resolved: the intermediate form."""

    id: str
    title: str
    clause: str
    applies_to: tuple[str, ...]
    subject: Literal["item", "unit"]
    stage: Literal["facts", "findings"]
    when: Condition
    levels: tuple[Level, ...]
    magnitude: tuple[MagnitudeCase, ...]
    messages: tuple[MessageCase, ...]
    remedy: str
    file: str
    reads: tuple[str, ...]  # every field the rule reads: its evidence

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(level.severity for level in self.levels)

    def match_condition(self) -> Condition:
        """``when`` with the ``applies_to`` test in front: what a backend matches."""
        if self.subject == "unit":
            return self.when
        kinds = Leaf("kind", "in", tuple(sorted(self.applies_to)), type="text")
        return All((kinds, self.when))


@dataclass(frozen=True)
class RulePack:
    rules: tuple[Rule, ...]
    params: dict[str, Scalar]
    defaults: dict[str, Scalar]
    scoring: Scoring
    source: str
    sha256: str
    files: tuple[str, ...] = dc_field(default=())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
