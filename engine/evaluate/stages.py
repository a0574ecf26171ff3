"""The pack's rules by stage, their matchers, and a chunk of items through both stages.

A pack's rules fall into three stages: ``facts`` (first-stage item rules),
``findings`` (item rules over other rules' findings, such as MULTI-01) and
``unit`` (rules whose subjects are units, such as EXC-01). :class:`Stages`
builds each stage's matcher once, on the chosen backend, and evaluates:

    items ──metrics──▶ facts ──facts matcher──▶ findings ──counts──▶ findings matcher ──▶ findings
    units ──unit facts──▶ unit matcher ──▶ findings

An engine owns one; so does each worker process.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date
from typing import Any, Mapping, Sequence

from ..backends import make_matcher
from ..ledger import Item, Ledger
from ..pack import Rule, RulePack
from ..report import Finding
from .calendar import WorkCalendar
from .findings import make_finding
from .metrics import finding_facts, item_facts, unit_facts

__all__ = ["STAGES", "Stages"]

STAGES = ("facts", "findings", "unit")


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
            self._rules["unit" if rule.subject == "unit" else rule.stage].append(rule)

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
        """The finding of ``rule``, which fired on ``item`` with these facts."""
        return make_finding(rule, facts, self.pack.scoring, item.kind, item.id, item.title)

    def evaluate_items(self, items: Sequence[Item], as_of: date, calendar: WorkCalendar) -> list[Finding]:
        """Findings of the item rules (both stages) on a chunk of items."""
        facts = [item_facts(item, as_of, calendar, self.pack.params) for item in items]
        by_id = self._by_id
        per_item: list[list[Finding]] = [[] for _ in items]
        if self._rules["facts"]:
            for index, fired in enumerate(self.matcher("facts").match(facts)):
                for rule_id in sorted(fired):
                    per_item[index].append(self.finding(by_id[rule_id], facts[index], items[index]))
        if self._rules["findings"]:
            for index, own in enumerate(per_item):
                facts[index].update(finding_facts([f.severity for f in own]))
            for index, fired in enumerate(self.matcher("findings").match(facts)):
                for rule_id in sorted(fired):
                    per_item[index].append(self.finding(by_id[rule_id], facts[index], items[index]))
        findings: list[Finding] = []
        for own in per_item:
            findings.extend(own)
        return findings

    def evaluate_units(self, ledger: Ledger) -> list[Finding]:
        """Findings of the unit rules (EXC-01): units are the subjects."""
        rules = self._rules["unit"]
        if not rules or not ledger.units:
            return []
        facts = unit_facts(ledger.units, ledger.items)
        by_id = self._by_id
        findings = []
        for unit_fact, fired in zip(facts, self.matcher("unit").match(facts)):
            for rule_id in sorted(fired):
                name = unit_fact["name"]
                findings.append(make_finding(by_id[rule_id], unit_fact, self.pack.scoring, "unit", name, name))
        return findings
