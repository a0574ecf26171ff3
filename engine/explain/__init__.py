"""Explanations: why a subject got its findings, and what would change them.

``duban explain ID`` (and :meth:`engine.Engine.explain`) follows the real
run — the same selection, waivers, history, escalation and second stage as
``duban check`` — and says, for every rule that applies to the subject:

- the condition as the tree it is (all / any / not), each leaf with the
  value it read, the param beside its threshold and whether it held;
- for a fired rule, why this level (each level traced, those above the
  chosen one with the leaves that kept them from holding) and its
  counterfactuals: the nearest value of one metric that switches the finding
  off or lowers it, in ledger terms where the metric maps back to one field;
- for a rule that did not fire, the leaves that failed with their distance,
  and the nearest value that would fire it.

Modules: :mod:`.subjects` (what is explained, through the engine's stages),
:mod:`.trees` (traced conditions, levels, misses), :mod:`.nearest` (the
nearest values of one metric), :mod:`.levers` (ledger terms),
:mod:`.counterfactuals` (the two together, checked), :mod:`.words` (how
it is said).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..backends.python import trace_tree
from ..evaluate.context import HistoryView
from ..evaluate.findings import json_value, magnitude_factor
from ..evaluate.score import importance, item_score
from ..ledger import Ledger
from ..ledger.waivers import Waiver
from ..pack import Rule
from ..report import Explanation, Finding, RuleCheck, WaivedFinding
from .counterfactuals import counterfactuals
from .subjects import Subject, find_subject, rerun, run_subject
from .trees import condition_check, leaf_check, level_checks, misses

if TYPE_CHECKING:
    from ..engine import Engine

__all__ = ["explain_subject"]


def explain_subject(engine: "Engine", ledger: Ledger, key: str, as_of: date, *,
                    waivers: Sequence[Waiver] = (), history: Optional[HistoryView] = None) -> Explanation:
    """The explanation of one item, unit or county, as the run with these waivers and history makes it."""
    subject = find_subject(engine.stages, ledger, key)
    report = engine.evaluate(ledger, as_of, waivers=waivers, history=history)
    context = engine.context(as_of, waivers, history)
    facts = run_subject(engine.stages, ledger, subject, context).facts.get(subject.key, {})
    counted = {f.rule: f for f in report.findings if _own(f, subject)}
    waived = {f.rule: f for f in report.waived if _own(f, subject)}
    levered = subject.record if subject.kind in ("item", "county") else None

    def verify(record: Any) -> dict[str, str]:
        return rerun(engine.stages, ledger, subject, context, record)

    checks = [_rule_check(rule, facts, counted.get(rule.id), waived.get(rule.id), levered, as_of, verify)
              for rule in subject.rules]
    item = raw = weight = None
    if subject.kind == "item":
        item = report.item(subject.key)
        raw = float(item_score(counted.values(), item.level, engine.pack.scoring)[0])
        weight = float(importance(engine.pack.scoring, item.level))
    return Explanation(as_of=as_of.isoformat(), item=item, importance=weight, raw_points=raw, rules=checks,
                       notes=report.notes, subject=subject.key, subject_kind=subject.finding_kind,
                       subject_title=subject.title)


def _own(finding: Finding, subject: Subject) -> bool:
    return finding.subject == subject.key and finding.subject_kind == subject.finding_kind


def _rule_check(rule: Rule, facts: dict[str, Any], finding: Optional[Finding], waived: Optional[WaivedFinding],
                record: Any, as_of: date, verify: Any) -> RuleCheck:
    tree = trace_tree(rule.when, facts)
    held = tree.result
    magnitude = factor = None
    if held:
        value, exact_factor = magnitude_factor(rule, facts)
        magnitude = json_value(value) if value is not None else None
        factor = float(exact_factor)
    shown = finding or waived
    return RuleCheck(
        rule=rule.id, title=rule.title, fired=finding is not None,
        severity=shown.severity if shown else None,
        checks=[leaf_check(leaf) for leaf in tree.leaves()],
        level_checks=[[leaf_check(leaf) for leaf in trace_tree(level.when, facts, f"levels[{index}].when").leaves()]
                      for index, level in enumerate(rule.levels) if level.when is not None],
        magnitude=magnitude, factor=factor,
        points=finding.points if finding else (0.0 if waived else None),
        message=shown.message if shown else None,
        tree=condition_check(tree),
        levels=level_checks(rule, facts, held) if len(rule.levels) > 1 else [],
        escalated_from=finding.escalated_from if finding else None,
        periods=finding.periods if finding else None,
        waiver=waived.waiver if waived else None,
        counterfactuals=counterfactuals(rule, facts, record, as_of, verify) if finding or not held else [],
        misses=misses(tree) if not held else [],
    )
