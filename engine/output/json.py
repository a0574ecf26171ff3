"""JSON: the report of the spec (``schema_version`` 1), deterministic bytes."""

from __future__ import annotations

import json
from typing import Any, Optional

from ..pack import RulePack
from ..report import Explanation, Report, Validation
from . import views

__all__ = ["dumps", "check", "rank", "explain", "rules", "metrics", "validate"]


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
        "rules": [
            {"id": r.id, "title": r.title, "applies_to": list(r.applies_to), "severities": list(r.severities),
             "clause": r.clause, "remedy": r.remedy, "file": r.file}
            for r in pack.rules
        ],
    })


def metrics() -> str:
    return dumps([
        {"name": m.name, "subject": m.subject, "type": m.type, "derived": m.derived, "stage": m.stage,
         "meaning": m.meaning}
        for m in views.metrics_entries()
    ])


def validate(result: Validation) -> str:
    return dumps(result.model_dump(mode="json"))
