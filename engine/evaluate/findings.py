"""A rule that fired → a finding: its level, magnitude, evidence, message and points.

The backend only decides *whether* a rule fires; everything else about the
finding is computed here, in Python, for the matches only.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any, Mapping, Optional

from pydantic import BaseModel

from ..pack.conditions import evaluate
from ..pack import Rule, Scoring
from ..pack.templates import render as render_template
from .rows import FindingRow

__all__ = ["escalated_suffix", "severity_of", "magnitude_factor", "message_of", "json_value", "make_finding"]


def escalated_suffix(periods: int) -> str:
    """The end of an escalated finding's message (SPEC: "(连续N期未整改,升级督办)")."""
    return f"(连续{periods}期未整改,升级督办)"


def severity_of(rule: Rule, facts: Mapping[str, Any]) -> str:
    """The first level whose condition holds (the pack checker guarantees the last one can)."""
    for level in rule.levels:
        if level.when is None or evaluate(level.when, facts):
            return level.severity
    return rule.levels[-1].severity


def magnitude_factor(rule: Rule, facts: Mapping[str, Any]) -> tuple[Optional[Any], Fraction]:
    """The magnitude read and its factor ``1 + min(magnitude / scale, 1)``.

    Saturated cases give 2; an absent or non-positive magnitude, or a rule
    without one, gives 1.
    """
    for case in rule.magnitude:
        if case.when is not None and not evaluate(case.when, facts):
            continue
        if case.saturated:
            return None, Fraction(2)
        value = facts.get(case.field) if case.field else None
        if value is None or value <= 0 or case.scale is None:
            return value, Fraction(1)
        return value, 1 + min(Fraction(value) / case.scale, Fraction(1))
    return None, Fraction(1)


def message_of(rule: Rule, facts: Mapping[str, Any]) -> str:
    """The rendered message: the first message case whose condition holds."""
    for case in rule.messages:
        if case.when is None or evaluate(case.when, facts):
            return render_template(case.text, facts)
    return render_template(rule.messages[-1].text, facts)


def json_value(value: Any) -> Any:
    """A fact value as JSON data: exact numbers as floats (4 decimals), dates as text."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, (Fraction, float)):
        number = round(float(value), 4)
        return int(number) if number == int(number) and abs(number) < 2**53 else number
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def make_finding(
    rule: Rule,
    facts: Mapping[str, Any],
    scoring: Scoring,
    subject_kind: str,
    subject: str,
    subject_title: str,
    severity: Optional[str] = None,
    raised: Optional[Any] = None,
) -> FindingRow:
    """Build the finding of a rule that fired on one subject, as a compact row.

    ``severity`` is the level it fired at (computed when not given); ``raised``
    (an escalation: ``to`` and ``periods``) raises it, with its points at the
    new severity and the message saying so.
    """
    fired_at = severity or severity_of(rule, facts)
    severity = raised.to if raised else fired_at
    _, factor = magnitude_factor(rule, facts)
    points = scoring.exact.base[severity] * factor
    message = message_of(rule, facts)
    if raised:
        message += escalated_suffix(raised.periods)
    return FindingRow(
        subject, subject_kind, subject_title, rule.id, rule.title, severity, message, rule.clause,
        render_template(rule.remedy, facts), {name: json_value(facts.get(name)) for name in sorted(rule.reads)},
        float(points), rule.category, fired_at if raised else None, raised.periods if raised else None, points,
    )
