"""JSON: the report of the spec (``schema_version`` 1), deterministic bytes."""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from ..diff import Diff
from ..history import PeriodInfo
from ..pack import RulePack
from ..report import Explanation, Report, Rollup, Validation
from . import views

__all__ = ["dumps", "check", "rank", "explain", "rules", "rule", "metrics", "rollup", "history", "diff", "validate"]


def dumps(data: Any) -> str:
    """Plain data as JSON text: UTF-8 characters, two-space indent, a final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def check(report: Report) -> str:
    return report.to_json()


def rank(report: Report, top: Optional[int] = None) -> str:
    return report.model_copy(update={"items": views.ranked_items(report, top)}).to_json()


def explain(explanation: Explanation) -> str:
    return dumps(explanation.model_dump(mode="json"))


def rules(pack: RulePack) -> str:
    return dumps({
        "source": pack.source,
        "sha256": pack.sha256,
        "params": pack.params,
        "param_info": {
            name: {"title": info.title, "default": pack.defaults.get(name),
                   "min": None if info.min is None else float(info.min),
                   "max": None if info.max is None else float(info.max)}
            for name, info in sorted(pack.param_info.items())
        },
        "profiles": {p.name: {"title": p.title, "select": list(p.select), "ignore": list(p.ignore)}
                     for p in pack.profiles.values()},
        "rules": [
            {"id": r.id, "title": r.title, "category": r.category, "applies_to": list(r.applies_to),
             "severities": list(r.severities), "clause": r.clause, "remedy": r.remedy, "file": r.file}
            for r in pack.rules
        ],
    })


def rule(subject: tuple) -> str:
    rule_, pack = subject
    return dumps({
        "id": rule_.id, "title": rule_.title, "category": rule_.category, "applies_to": list(rule_.applies_to),
        "clause": rule_.clause, "subject": rule_.subject, "stage": rule_.stage,
        "when": _condition(rule_.when),
        "levels": [{"severity": lv.severity, "when": _condition(lv.when)} for lv in rule_.levels],
        "magnitude": [{"field": c.field, "scale": None if c.scale is None else float(c.scale),
                       "saturated": c.saturated, "when": _condition(c.when)} for c in rule_.magnitude],
        "messages": [{"text": m.text, "when": _condition(m.when)} for m in rule_.messages],
        "remedy": rule_.remedy, "file": rule_.file, "reads": list(rule_.reads),
    })


def _condition(node: Any) -> Any:
    """The condition IR as plain data (all / any / not / leaf)."""
    from ..evaluate.findings import json_value
    from ..pack.conditions import All, Leaf, Not

    if node is None:
        return None
    if isinstance(node, Leaf):
        leaf: dict[str, Any] = {"field": node.field, "op": node.op}
        if node.other is not None:
            leaf["value"] = {"field": node.other}
        elif node.op not in ("present", "missing"):
            leaf["value"] = json_value(node.value)
        if node.param:
            leaf["param"] = node.param
        return leaf
    if isinstance(node, Not):
        return {"not": _condition(node.item)}
    return {"all" if isinstance(node, All) else "any": [_condition(c) for c in node.items]}


def metrics() -> str:
    return dumps([
        {"name": m.name, "subject": m.subject, "type": m.type, "derived": m.derived, "stage": m.stage,
         "meaning": m.meaning}
        for m in views.metrics_entries()
    ])


def rollup(rollup: Rollup) -> str:
    return rollup.model_dump_json(indent=2) + "\n"


def history(periods: Sequence[PeriodInfo]) -> str:
    return dumps({"periods": [p.model_dump(mode="json") for p in periods]})


def diff(difference: Diff) -> str:
    return difference.to_json()


def validate(result: Validation) -> str:
    return dumps(result.model_dump(mode="json"))


def coverage(result: Any) -> str:
    return dumps(result.model_dump(mode="json"))


def sweep(result: Any) -> str:
    return dumps(result.model_dump(mode="json"))
