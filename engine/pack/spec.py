"""The rule file format: what a person writes, as pydantic models.

A rule file is a mapping of ``rules``, ``params`` and ``scoring``; these
models check its shape (unknown keys are errors). What the rules *mean* —
fields, ops, params, templates, levels — is checked by :mod:`.compile`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..ledger import LEVELS

__all__ = [
    "Severity",
    "SEVERITIES",
    "Scalar",
    "LevelSpec",
    "MagnitudeSpec",
    "MessageSpec",
    "RuleSpec",
    "Scoring",
    "Weights",
    "ParamSpec",
    "ProfileSpec",
    "EscalationSpec",
    "FieldType",
    "PackFile",
]

Severity = Literal["red", "yellow", "blue"]
SEVERITIES: tuple[str, ...] = ("red", "yellow", "blue")
Scalar = Union[bool, int, float, str]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LevelSpec(_Spec):
    severity: Severity
    when: Any = None


class MagnitudeSpec(_Spec):
    field: Optional[str] = None
    scale: Optional[Union[int, float]] = Field(default=None, gt=0)
    saturated: bool = False
    when: Any = None


class MessageSpec(_Spec):
    text: str = Field(min_length=1)
    when: Any = None


class RuleSpec(_Spec):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    clause: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1)
    when: Any
    severity: Optional[Severity] = None
    levels: Optional[list[LevelSpec]] = None
    magnitude: Optional[Union[MagnitudeSpec, list[MagnitudeSpec]]] = None
    message: Union[str, list[MessageSpec]]
    remedy: str = Field(min_length=1)
    category: Optional[str] = Field(default=None, min_length=1)


# No weight needs more than a million; a larger one (1e308) would only overflow the points.
MAX_WEIGHT = 1_000_000
Weight = Annotated[Union[int, float], Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]


class Scoring(_Spec):
    """Weights of the priority score; they live in the pack, not in code."""

    base: dict[Severity, Weight] = {"red": 30, "yellow": 12, "blue": 3}
    importance: dict[Literal["national", "provincial", "municipal", "county"], Weight] = {
        "national": 1.3, "provincial": 1.2, "municipal": 1.1, "county": 1.0,
    }
    tiers: dict[Literal["critical", "high", "medium"], Weight] = {
        "critical": 70, "high": 40, "medium": 20,
    }
    max_score: Weight = 100

    @model_validator(mode="after")
    def _complete_and_ordered(self) -> "Scoring":
        for name, table, keys in (
            ("base", self.base, SEVERITIES),
            ("importance", self.importance, LEVELS),
            ("tiers", self.tiers, ("critical", "high", "medium")),
        ):
            absent = [k for k in keys if k not in table]
            if absent:
                raise ValueError(f"{name} 缺少 {', '.join(absent)}")
        if not self.tiers["critical"] >= self.tiers["high"] >= self.tiers["medium"]:
            raise ValueError("tiers 应满足 critical ≥ high ≥ medium")
        return self

    @functools.cached_property
    def exact(self) -> "Weights":
        """The weights as exact fractions, computed once."""
        return Weights(
            base={k: Fraction(str(v)) for k, v in self.base.items()},
            importance={k: Fraction(str(v)) for k, v in self.importance.items()},
            tiers=tuple((k, Fraction(str(self.tiers[k]))) for k in ("critical", "high", "medium") if k in self.tiers),
            max_score=Fraction(str(self.max_score)),
        )


@dataclass(frozen=True)
class Weights:
    base: dict[str, Fraction]
    importance: dict[str, Fraction]
    tiers: tuple[tuple[str, Fraction], ...]
    max_score: Fraction


Bound = Annotated[Union[int, float], Field(allow_inf_nan=False)]


class ParamSpec(_Spec):
    """A param written in full: its default, what it means, and the range it may take."""

    value: Scalar
    title: Optional[str] = Field(default=None, min_length=1)
    min: Optional[Bound] = None
    max: Optional[Bound] = None


class ProfileSpec(_Spec):
    """A named choice of rules (``--profile``): ids or families to select and to ignore."""

    title: str = Field(min_length=1)
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)


class EscalationSpec(_Spec):
    """升级督办: a finding at ``from`` that fired in ``periods`` periods in a row is raised to ``to``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: Severity = Field(alias="from")
    to: Severity
    periods: Union[int, dict[str, str]]


# The types a pack may declare for the extra fields it reads (``fields: {extra.phase: text}``).
FieldType = Literal["text", "number", "boolean", "date"]


class PackFile(_Spec):
    rules: list[RuleSpec] = Field(default_factory=list)
    params: dict[str, Union[Scalar, ParamSpec]] = Field(default_factory=dict)
    scoring: Optional[Scoring] = None
    profiles: dict[str, ProfileSpec] = Field(default_factory=dict)
    escalation: Optional[list[EscalationSpec]] = None
    fields: dict[str, FieldType] = Field(default_factory=dict)
