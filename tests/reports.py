"""Hand-made reports for the history and diff tests: a few findings and lights, nothing else."""

from __future__ import annotations

from typing import Iterable, Optional

from engine.report import Finding, ItemResult, Report, RulesInfo, Summary, WaivedFinding, WaiverInfo

SHA = "a" * 64
POINTS = {"red": 30.0, "yellow": 12.0, "blue": 3.0}
SCORES = {"red": 80.0, "yellow": 30.0, "green": 0.0}


def finding(subject: str, rule: str, severity: str, kind: str = "project") -> Finding:
    return Finding(
        subject=subject, subject_kind=kind, subject_title=f"{subject} 的名称", rule=rule, title=f"{rule} 规则",
        severity=severity, message=f"「{subject}」{rule} {severity}", clause="条款", remedy="整改",
        evidence={"x": 1}, points=POINTS[severity], category="进度时限",
    )


def make_report(
    as_of: str,
    findings: Iterable[tuple] = (),
    lights: Optional[dict[str, str]] = None,
    waived: Iterable[tuple] = (),
    sha: str = SHA,
) -> Report:
    """A report at ``as_of``: ``findings`` as (subject, rule, severity[, subject_kind]), items by light.

    ``waived`` findings go to the report's ``waived`` list, as a waiver puts them.
    """
    found = [finding(*f) for f in findings]
    rules: dict[str, list[str]] = {}
    for f in found:
        rules.setdefault(f.subject, []).append(f.rule)
    lights = lights or {}
    items = [
        ItemResult(id=item_id, kind="project", title=f"{item_id} 的名称", owner="张三", unit="县住建局", leader="李四",
                   light=light, score=SCORES[light], tier="high" if light == "red" else "low", rank=rank,
                   findings=rules.get(item_id, []))
        for rank, (item_id, light) in enumerate(sorted(lights.items(), key=lambda kv: (-SCORES[kv[1]], kv[0])), 1)
    ]
    waiver = WaiverInfo(item="x", rule="x", reason="暂缓", approved_by="县政府", until="2027-12-31")
    return Report(
        as_of=as_of,
        rules=RulesInfo(source="builtin", sha256=sha),
        summary=Summary(
            items=len(items),
            findings={s: sum(1 for f in found if f.severity == s) for s in ("red", "yellow", "blue")},
            lights={light: sum(1 for i in items if i.light == light) for light in ("red", "yellow", "green")},
            tiers={},
        ),
        findings=found,
        items=items,
        waived=[WaivedFinding(**finding(*w).model_dump(), waiver=waiver) for w in waived],
    )
