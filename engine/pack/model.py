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

__all__ = [
    "CATEGORIES",
    "FAMILY_CATEGORIES",
    "family_of",
    "Level",
    "MagnitudeCase",
    "MessageCase",
    "Rule",
    "Param",
    "Profile",
    "Escalation",
    "RulePack",
]

# The categories of the spec, in the order reports list them; a custom pack's
# rule without one takes its family's, or 其他 for a family of its own.
FAMILY_CATEGORIES: dict[str, str] = {
    "OWN": "责任落实",
    "PLAN": "计划管理",
    "SCH": "进度时限",
    "LAG": "进度时限",
    "SUP": "督查问效",
    "ESC": "督查问效",
    "FAC": "要素保障",
    "ENT": "服务企业",
    "REF": "改革",
    "EXC": "创先争优",
    "ECO": "经济指标",
    "MULTI": "综合研判",
}
CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys([*FAMILY_CATEGORIES.values(), "其他"]))


def family_of(rule_id: str) -> str:
    """The family of a rule id: the part before the first dash (``SUP`` of ``SUP-01``)."""
    return rule_id.split("-", 1)[0]


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
    subject: Literal["item", "unit", "county"]
    stage: Literal["facts", "findings"]
    when: Condition
    levels: tuple[Level, ...]
    magnitude: tuple[MagnitudeCase, ...]
    messages: tuple[MessageCase, ...]
    remedy: str
    file: str
    reads: tuple[str, ...]  # every field the rule reads: its evidence
    category: str = "其他"

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(level.severity for level in self.levels)

    def match_condition(self) -> Condition:
        """``when`` with the ``applies_to`` test in front: what a backend matches."""
        if self.subject != "item":
            return self.when
        kinds = Leaf("kind", "in", tuple(sorted(self.applies_to)), type="text")
        return All((kinds, self.when))


@dataclass(frozen=True)
class Param:
    """What a param means and the range it may take (``duban rules`` lists them)."""

    name: str
    title: Optional[str] = None
    min: Optional[Fraction] = None
    max: Optional[Fraction] = None


@dataclass(frozen=True)
class Profile:
    """A named choice of rules: ``--profile NAME`` adds its select and ignore lists."""

    name: str
    title: str
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Escalation:
    """升级督办: a finding at ``from_`` whose rule fired on the subject in the
    ``periods − 1`` recorded periods just before is raised to ``to``."""

    from_: str
    to: str
    periods: int


@dataclass(frozen=True)
class RulePack:
    """A checked pack: the selected rules, the effective params, the weights and the rest.

    ``available`` is every rule id of the pack, selected or not (waivers may
    name any of them); ``selected`` says whether a selection left rules out.
    """

    rules: tuple[Rule, ...]
    params: dict[str, Scalar]
    defaults: dict[str, Scalar]
    scoring: Scoring
    source: str
    sha256: str
    files: tuple[str, ...] = dc_field(default=())
    param_info: dict[str, Param] = dc_field(default_factory=dict)
    profiles: dict[str, Profile] = dc_field(default_factory=dict)
    escalation: tuple[Escalation, ...] = ()
    fields: dict[str, str] = dc_field(default_factory=dict)
    available: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what loading noticed (a rule file linked from outside the pack)

    @property
    def categories(self) -> list[str]:
        """The categories of the pack's rules, in the order reports list them."""
        present = {rule.category for rule in self.rules}
        known = [c for c in CATEGORIES if c in present]
        return known + sorted(present - set(known))

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
