"""The pack's rules by stage, their matchers, and the subjects through the stages in order.

A pack's rules fall into four stages: ``facts`` (first-stage item rules),
``findings`` (item rules over the first stage's findings, such as MULTI-01,
LAG-03 and ESC-01), ``unit`` (rules on units, such as EXC-01) and ``county``
(rules on the county itself, such as ENT-03). :class:`Stages` builds each
stage's matcher once, on the chosen backend, and evaluates one chunk of
items in the order of the spec::

    items ──metrics──▶ facts ──first stage──▶ findings ──waivers──▶ ──escalation──▶
          ──counts, fired──▶ second stage ──▶ findings ──waivers──▶ (findings, waived)
    units ──unit facts──▶ unit stage ──waivers──▶ ──escalation──▶ (findings, waived)
    ledger ──county facts──▶ county stage ──waivers──▶ ──escalation──▶ (findings, waived)

An engine owns one; so does each worker process.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..backends import make_matcher
from ..ledger import Item, Ledger
from ..ledger.waivers import Waiver
from ..pack import Rule, RulePack
from ..report import Finding
from .calendar import WorkCalendar
from .context import Context
from .findings import make_finding, severity_of
from .metrics import county_facts, finding_facts, item_facts, unit_facts

__all__ = ["STAGES", "Outcome", "Stages"]

STAGES = ("facts", "findings", "unit", "county")


@dataclass
class Outcome:
    """What a stage produced: findings that count, waived ones with their waiver, and waiver use.

    ``used`` holds the (file, index) of every waiver that covered a finding;
    ``returned`` the (file, index, subject, rule) of expired waivers whose
    finding is back. ``facts`` holds, when asked for (``keep_facts``, for
    ``duban explain``), each subject's facts as its last stage read them.
    """

    findings: list[Finding] = field(default_factory=list)
    waived: list[tuple[Finding, Waiver]] = field(default_factory=list)
    used: set[tuple[str, int]] = field(default_factory=set)
    returned: set[tuple[str, int, str, str]] = field(default_factory=set)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def extend(self, other: "Outcome") -> None:
        self.findings.extend(other.findings)
        self.waived.extend(other.waived)
        self.used |= other.used
        self.returned |= other.returned
        self.facts.update(other.facts)


class Stages:
    """One pack's rules, grouped by stage, with one matcher per stage built on first use."""

    def __init__(self, pack: RulePack, backend: str) -> None:
        self.pack = pack
        self.backend = backend
        self._lock = threading.Lock()
        self._matchers: dict[str, Any] = {}
        self._by_id: dict[str, Rule] = {rule.id: rule for rule in pack.rules}
        self._rules: dict[str, list[Rule]] = defaultdict(list)
        for rule in pack.rules:
            self._rules[rule.stage if rule.subject == "item" else rule.subject].append(rule)

    def rules(self, stage: str) -> list[Rule]:
        """The rules of one stage, in id order."""
        return list(self._rules.get(stage, ()))

    def matcher(self, stage: str) -> Any:
        """The backend's matcher of one stage: ``match(facts)`` gives, per subject's facts, the
        ids of that stage's rules that fire. Built once, shared by threads."""
        with self._lock:
            matcher = self._matchers.get(stage)
            if matcher is None:
                rules = [(r.id, r.match_condition()) for r in self._rules[stage]]
                matcher = self._matchers[stage] = make_matcher(self.backend, rules)
            return matcher

    def finding(self, rule: Rule, facts: Mapping[str, Any], item: Item) -> Finding:
        """The finding of ``rule``, which fired on ``item`` with these facts (no waiver, no escalation)."""
        return make_finding(rule, facts, self.pack.scoring, item.kind, item.id, item.title)

    # -- deciding one finding: waived, raised, or as it fired

    def _decide(self, rule: Rule, facts: Mapping[str, Any], kind: str, subject: str, title: str,
                context: Context, outcome: Outcome, escalate: bool) -> None:
        severity = severity_of(rule, facts)
        waiver = context.waiver_for(subject, rule.id)
        if waiver is not None:  # a waived finding keeps the severity it fired at and is never raised
            finding = make_finding(rule, facts, self.pack.scoring, kind, subject, title, severity)
            outcome.waived.append((finding, waiver))
            outcome.used.add((waiver.file, waiver.index))
            return
        expired = context.expired_for(subject, rule.id)
        if expired is not None:
            outcome.returned.add((expired.file, expired.index, subject, rule.id))
        raised = context.raise_for(subject, rule.id, severity) if escalate else None
        outcome.findings.append(make_finding(rule, facts, self.pack.scoring, kind, subject, title, severity, raised))

    # -- the subjects

    def evaluate_items(self, items: Sequence[Item], context: Context, calendar: WorkCalendar, *,
                       keep_facts: bool = False) -> Outcome:
        """Both item stages on a chunk of items, with waivers and escalation between them.

        ``keep_facts`` keeps each item's facts (after the second stage's counts) in the outcome.
        """
        history = context.history
        facts = [item_facts(item, context.as_of, calendar, self.pack.params, fields=self.pack.fields,
                            history=history) for item in items]
        by_id = self._by_id
        per_item = [Outcome() for _ in items]
        if self._rules["facts"]:
            for index, fired in enumerate(self.matcher("facts").match(facts)):
                item = items[index]
                for rule_id in sorted(fired):
                    self._decide(by_id[rule_id], facts[index], item.kind, item.id, item.title, context,
                                 per_item[index], escalate=True)
        if self._rules["findings"]:
            # The second stage sees the first after waivers and escalation.
            for index, own in enumerate(per_item):
                facts[index].update(finding_facts([(f.rule, f.severity) for f in own.findings]))
            for index, fired in enumerate(self.matcher("findings").match(facts)):
                item = items[index]
                for rule_id in sorted(fired):
                    self._decide(by_id[rule_id], facts[index], item.kind, item.id, item.title, context,
                                 per_item[index], escalate=False)
        outcome = Outcome()
        for own in per_item:
            outcome.extend(own)
        if keep_facts:
            outcome.facts.update((item.id, item_facts_) for item, item_facts_ in zip(items, facts))
        return outcome

    def evaluate_units(self, ledger: Ledger, context: Context, *, keep_facts: bool = False) -> Outcome:
        """The unit rules (EXC-01): the ledger's units are the subjects."""
        outcome = Outcome()
        if not self._rules["unit"] or not ledger.units:
            return outcome
        facts = unit_facts(ledger.units, ledger.items)
        if keep_facts:
            outcome.facts.update((unit_fact["name"], unit_fact) for unit_fact in facts)
        for unit_fact, fired in zip(facts, self.matcher("unit").match(facts)):
            name = unit_fact["name"]
            for rule_id in sorted(fired):
                self._decide(self._by_id[rule_id], unit_fact, "unit", name, name, context, outcome, escalate=True)
        return outcome

    def evaluate_county(self, ledger: Ledger, context: Context, *, keep_facts: bool = False) -> Outcome:
        """The county rules (ENT-03): the county itself is the one subject."""
        outcome = Outcome()
        if not self._rules["county"]:
            return outcome
        facts = county_facts(ledger.info, context.as_of)
        if keep_facts:
            outcome.facts[facts["name"]] = facts
        (fired,) = self.matcher("county").match([facts])
        name = facts["name"]
        for rule_id in sorted(fired):
            self._decide(self._by_id[rule_id], facts, "county", name, name, context, outcome, escalate=True)
        return outcome
