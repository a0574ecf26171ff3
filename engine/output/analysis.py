"""The analysts' views, format-independently: a sweep's rows and a policy coverage's sentences.

Like :mod:`.views` (whose labels they use), these only arrange what the
library computed (:class:`engine.sweep.Sweep`, :class:`engine.coverage.Coverage`).
"""

from __future__ import annotations

from typing import Any

from .views import LIGHT_ZH, SEVERITY_ZH, TIER_ZH, Table, shown

__all__ = ["sweep_table", "sweep_footer", "coverage_table", "coverage_lines", "coverage_share_line",
           "coverage_uncovered_lines"]


# --- sweep -------------------------------------------------------------------------

_SWEEP_COUNTS = (
    [("findings", s, f"预警{SEVERITY_ZH[s]}") for s in SEVERITY_ZH]
    + [("lights", light, LIGHT_ZH[light]) for light in LIGHT_ZH]
    + [("tiers", tier, TIER_ZH[tier]) for tier in TIER_ZH]
)


_GROUPS = (("findings", "预警", SEVERITY_ZH), ("lights", "灯", {k: v[0] for k, v in LIGHT_ZH.items()}),
           ("tiers", "档次", TIER_ZH))


def sweep_table(result: Any, wide: bool = False) -> Table:
    """One row per value (or pair of values): the counts of the run and the items whose light changed.

    Narrow (terminal, Markdown) a group's counts share a cell, ``红/黄/蓝`` as ``20/24/6``, so that a row
    fits 80 columns; ``wide`` (CSV) gives each count its column and adds the ids of the changed items.
    """
    if wide:
        headers = [*result.params, *(label for _, _, label in _SWEEP_COUNTS), "灯变化", "灯变化的事项"]
    else:
        headers = [*result.params, *(f"{title} {'/'.join(names.values())}" for _, title, names in _GROUPS), "灯变化"]
    rows = []
    for row in result.rows:
        cells: list[Any] = [shown(row.values[name]) for name in result.params]
        if wide:
            cells += [getattr(row, group).get(key, 0) for group, key, _ in _SWEEP_COUNTS]
            cells += [row.changed, " ".join(row.changed_items)]
        else:
            cells += ["/".join(str(getattr(row, group).get(key, 0)) for key in names) for group, _, names in _GROUPS]
            cells.append(row.changed)
        rows.append(cells)
    return headers, rows


def sweep_footer(result: Any) -> str:
    """What the rows are compared with: the run with the pack's params (and any --set)."""
    base = result.baseline
    values = ",".join(f"{name}={shown(base.values[name])}" for name in result.params)
    findings = ",".join(f"{SEVERITY_ZH[k]} {v}" for k, v in base.findings.items())
    lights = ",".join(f"{LIGHT_ZH[k]} {v}" for k, v in base.lights.items())
    return (f"基准日 {result.as_of};对照: 规则包参数({values}),预警 {findings};{lights}。"
            f"灯变化: 与对照相比灯色改变的事项数。")


# --- coverage ----------------------------------------------------------------------


def coverage_table(result: Any, wide: bool = False) -> Table:
    """Every sentence of the policy: whether it is a demand and the rules that quote it.

    ``wide`` (for CSV) adds whether the sentence is covered, so that a
    spreadsheet can filter the uncovered demands.
    """
    rows = []
    for s in result.sentences:
        row = [s.index, "是" if s.demand else "", s.text, ",".join(s.rules) or "—"]
        if wide:
            row.insert(2, "是" if s.covered else "否")
        rows.append(row)
    headers = ["序号", "要求", "句子", "规则"]
    if wide:
        headers.insert(2, "已覆盖")
    return headers, rows


def coverage_lines(result: Any) -> list[str]:
    """Every sentence in a line (terminal): its place, 要求 ✓/✗ for a demand covered or not, the text, the rules.

    Lines rather than a grid, so that a long sentence wraps on a narrow terminal without widening the rest.
    """
    lines = []
    for s in result.sentences:
        mark = ("要求 ✓" if s.covered else "要求 ✗") if s.demand else "     ·"
        lines.append(f"{s.index:>3}. {mark} {s.text}" + (f"  【{','.join(s.rules)}】" if s.rules else ""))
    return lines


def coverage_share_line(result: Any) -> str:
    """The share of demands covered, as the figure to quote."""
    policy = "内置讲话" if result.policy == "builtin" else result.policy
    return (f"要求 {result.demands} 句,有规则覆盖 {result.covered} 句,覆盖率 {result.share:.1f}%"
            f"(政策文本: {policy};规则包: {result.rules_source},{len(result.rules)} 条规则)")


def coverage_uncovered_lines(result: Any) -> list[str]:
    """The demands that no rule quotes, one line each with their place in the policy."""
    missing = result.uncovered_sentences()
    lines = [f"未覆盖的要求({len(missing)} 句):"] + [f"  {s.index}. {s.text}" for s in missing] if missing else [
        "没有未覆盖的要求。"]
    if result.unquoted:
        lines.append(f"未引用政策文本的规则: {','.join(result.unquoted)}")
    return lines
