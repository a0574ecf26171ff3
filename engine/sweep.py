"""Sweeps: the same ledger evaluated once per value of one or two params.

``duban sweep lag_red_points=15,20,25,30`` answers "what changes when a
threshold changes": for each value (for two params, each pair of the
Cartesian product, in the order given) it evaluates the ledger with that
value and counts findings by severity, items by light and by tier, and the
items whose light differs from a run with the pack's params (and any
``--set``), the *baseline*.

Every value goes through the pack checker as a ``--set`` value would: its
type, its bounds, and the levels it might make unreachable (a red threshold
at or below the yellow one) are checked for every combination before
anything is evaluated, so a bad value stops the sweep with a located error.
The ledger is loaded once, by the caller; each combination is one ordinary
:meth:`Engine.evaluate` (waivers, history and the second stage included).
"""

from __future__ import annotations

import itertools
from concurrent.futures import Executor
from datetime import date
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from pydantic import BaseModel, ConfigDict, Field

from .engine import Engine, History, PathLike, Waivers
from .errors import Diagnostic, UsageError
from .ledger import Ledger
from .report import Report

__all__ = ["SweepRow", "Sweep", "sweep"]

Axis = tuple[str, Sequence[Any]]

# Where a sweep's errors are located: the command's argument.
PLACE = "sweep"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SweepRow(_Model):
    """One evaluation of a sweep: the swept params' values and what the report counted.

    ``changed`` is the number of items whose light differs from the
    baseline's, ``changed_items`` their ids (sorted).
    """

    values: dict[str, Any]
    findings: dict[str, int]
    lights: dict[str, int]
    tiers: dict[str, int]
    changed: int = 0
    changed_items: list[str] = Field(default_factory=list)


class Sweep(_Model):
    """A sweep over one or two params: the baseline run, then one row per value (or pair)."""

    as_of: str
    rules_source: str
    params: list[str]
    baseline: SweepRow
    rows: list[SweepRow]
    notes: list[str] = Field(default_factory=list)


def _row(report: Report, names: Sequence[str], params: Mapping[str, Any],
         baseline: Optional[Mapping[str, str]] = None) -> SweepRow:
    lights = {item.id: item.light for item in report.items}
    changed = sorted(i for i, light in lights.items() if baseline is not None and baseline.get(i) != light)
    s = report.summary
    return SweepRow(values={name: params[name] for name in names}, findings=dict(s.findings), lights=dict(s.lights),
                    tiers=dict(s.tiers), changed=len(changed), changed_items=changed)


def _engine(roots: Union[PathLike, Sequence[PathLike]], params: dict[str, Any], given: Mapping[str, Any],
            **choice: Any) -> Engine:
    """The engine of one combination; a bad value is located at the sweep argument that gave it."""
    try:
        return Engine.from_path(roots, params, **choice)
    except UsageError as exc:
        raise UsageError([
            Diagnostic(PLACE, f"{d.place}={given[d.place]}" if d.place in given else d.place, d.cause)
            for d in exc.diagnostics
        ]) from None


def sweep(
    ledger: Ledger,
    axes: Sequence[Axis],
    *,
    roots: Union[PathLike, Sequence[PathLike]] = "builtin",
    params: Optional[Mapping[str, Any]] = None,
    backend: str = "auto",
    select: Optional[Iterable[str]] = None,
    ignore: Optional[Iterable[str]] = None,
    profile: Optional[str] = None,
    as_of: Optional[date] = None,
    waivers: Optional[Waivers] = None,
    history: Optional[History] = None,
    jobs: Optional[int] = None,
    executor: Optional[Executor] = None,
) -> Sweep:
    """Evaluate ``ledger`` once per value of one or two params (``axes``: ``[(name, values), …]``).

    ``params`` are the fixed overrides (``--set``) of every run, the baseline
    included; a swept value is given as ``--set`` would give it (text is read
    as a YAML scalar). Raises :class:`UsageError` for a bad axis or value and
    :class:`PackError` for a value that leaves a level unreachable. ``jobs`` and
    ``executor`` are as for :meth:`Engine.evaluate`, for every run.
    """
    names = [name for name, _ in axes]
    if not 1 <= len(axes) <= 2:
        raise UsageError.at(PLACE, " ".join(names), "应给出一个或两个参数,如 lag_red_points=15,20,25,30")
    for name, values in axes:
        if names.count(name) > 1:
            raise UsageError.at(PLACE, name, "同一参数只能扫描一次")
        if not values:
            raise UsageError.at(PLACE, name, "应给出至少一个值,如 lag_red_points=15,20")
    choice = {"backend": backend, "select": select, "ignore": ignore, "profile": profile}
    fixed = dict(params or {})
    base = Engine.from_path(roots, fixed, **choice)
    for name in names:
        if name not in base.pack.params:
            _engine(roots, {**fixed, name: None}, {}, **choice)  # the engine's own "unknown param" error
    # Every combination is checked before anything is evaluated.
    combinations = [dict(zip(names, values)) for values in itertools.product(*(values for _, values in axes))]
    engines = [_engine(roots, {**fixed, **given}, given, **choice) for given in combinations]

    def run(engine: Engine) -> Report:
        return engine.evaluate(ledger, as_of, jobs=jobs, executor=executor, waivers=waivers, history=history)

    reference = run(base)
    lights = {item.id: item.light for item in reference.items}
    rows, notes = [], set(reference.notes)
    for engine in engines:
        report = run(engine)
        notes.update(report.notes)
        rows.append(_row(report, names, engine.pack.params, lights))
    return Sweep(as_of=reference.as_of, rules_source=base.pack.source, params=names,
                 baseline=_row(reference, names, base.pack.params), rows=rows, notes=sorted(notes))
