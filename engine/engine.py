"""The engine: a checked rule pack plus a matcher, applied to a ledger at a date.

One run of :meth:`Engine.evaluate`, in the order of the spec (Part 2, "Order
of evaluation")::

    items ──metrics(as_of, history)──▶ facts ──first stage──▶ findings
          ──waivers──▶ ──escalation──▶ ──second stage (MULTI-01, LAG-03, ESC-01)──▶ ──waivers──▶
    units, the county ──their facts──▶ their rules ──waivers──▶ ──escalation──▶
    all findings ──score──▶ ranked items ──▶ Report (findings, items, waived, rejected, notes)

Items go through :mod:`engine.evaluate.stages` a chunk at a time, in this
process, in worker processes or on a caller's executor (a Dask cluster, say);
units, the county and the ranking are computed here. An engine holds no
global state: two engines with different packs or params live side by side
in one process and may be used from several threads (a worker process keeps
the stages of the last packs it evaluated, by their sha256).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from datetime import date, datetime
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union
from zoneinfo import ZoneInfo

from ._collector import existing_frozen
from .backends import choose_backend
from .errors import Diagnostic, LedgerError, UsageError
from .evaluate.calendar import WorkCalendar
from .evaluate.context import Context, HistoryView
from .evaluate.metrics import extra_problems
from .evaluate.plausibility import plausibility_notes
from .evaluate.score import order_findings, summarize
from .evaluate.evaluation import Evaluation
from .evaluate.rows import rank
from .evaluate.stages import Outcome, Stages
from .evaluate.waivers import check_waivers, waived_rows, waiver_notes
from .evaluate.workers import Job, evaluate_in_workers, evaluate_with_executor
from .ledger import Item, Ledger, load_ledger
from .ledger.waivers import Waiver, load_waivers
from .pack import BUILTIN, RulePack, load_pack
from .history import HistoryStore, open_history
from .history.view import HistoryView as RecordedView
from .report import Explanation, Finding, PeriodCounts, Report, RulesInfo

__all__ = ["Engine"]

PathLike = Union[str, os.PathLike]
Progress = Callable[[int, int], None]
LedgerLike = Union[Ledger, Mapping[str, Any]]
Waivers = Union[PathLike, Sequence[Union[PathLike, Waiver]]]
History = Union[PathLike, HistoryStore, HistoryView]

# Reference dates duban accepts: working-day arithmetic needs room after the date.
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)

# Items per chunk: facts exist for one chunk at a time, so memory stays flat.
CHUNK_SIZE = 2000
# Below this many items a run stays in-process; worker start-up would cost more than it saves.
PARALLEL_THRESHOLD = 20_000


class Engine:
    """Evaluates ledgers against one rule pack with fixed params and a fixed choice of rules.

    ``backend`` is one of :data:`engine.backends.BACKENDS`: the Rete engine
    (the default where it is installed), ``"python"`` (the same intermediate
    form evaluated in Python), or ``"auto"`` to choose.
    """

    def __init__(self, pack: RulePack, *, backend: str = "auto") -> None:
        self.pack = pack
        self.backend, notes = choose_backend(backend)
        self.notes: list[str] = list(notes) + list(pack.notes)
        self.stages = Stages(pack, self.backend)

    # -- construction

    @classmethod
    def default(
        cls,
        params: Optional[Mapping[str, Any]] = None,
        *,
        backend: str = "auto",
        select: Optional[Iterable[str]] = None,
        ignore: Optional[Iterable[str]] = None,
        profile: Optional[str] = None,
    ) -> "Engine":
        """The engine with the built-in rule pack; ``select``/``ignore``/``profile`` choose its rules."""
        return cls(load_pack(BUILTIN, dict(params or {}), select=select, ignore=ignore, profile=profile),
                   backend=backend)

    @classmethod
    def from_path(
        cls,
        path: Union[PathLike, Sequence[PathLike]],
        params: Optional[Mapping[str, Any]] = None,
        *,
        backend: str = "auto",
        select: Optional[Iterable[str]] = None,
        ignore: Optional[Iterable[str]] = None,
        profile: Optional[str] = None,
    ) -> "Engine":
        """An engine with the rule pack(s) in ``path`` (``"builtin"`` names the default pack)."""
        return cls(load_pack(path, dict(params or {}), select=select, ignore=ignore, profile=profile),
                   backend=backend)

    # -- evaluation

    def resolve_as_of(self, ledger: Ledger, as_of: Optional[date]) -> date:
        """``as_of`` if given, else the ledger's, else today; within the years duban can count.

        "Today" is the date in China (Asia/Shanghai), where the office works,
        whatever the time zone of the machine: the same run gives the same
        report on a server set to UTC.
        """
        resolved = as_of or ledger.info.as_of or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        if not (EARLIEST <= resolved <= LATEST):
            raise UsageError.at("as_of", resolved.isoformat(), f"基准日应在 {EARLIEST} 到 {LATEST} 之间")
        return resolved

    def evaluate_items(self, items: Sequence[Item], as_of: date, calendar: WorkCalendar) -> list[Finding]:
        """Findings of the item rules (both stages) on a chunk of items, without waivers or history."""
        return self.stages.evaluate_items(items, Context(as_of), calendar).findings

    def evaluate_units(self, ledger: Ledger) -> list[Finding]:
        """Findings of the unit rules (EXC-01): units are the subjects."""
        return self.stages.evaluate_units(ledger, Context(self.resolve_as_of(ledger, None))).findings

    def evaluate(
        self,
        ledger: LedgerLike,
        as_of: Optional[date] = None,
        *,
        jobs: Optional[int] = None,
        progress: Optional[Progress] = None,
        waivers: Optional[Waivers] = None,
        history: Optional[History] = None,
        executor: Optional[Executor] = None,
    ) -> Report:
        """Evaluate every item, unit and the county of ``ledger`` at ``as_of`` into a ranked report.

        ``ledger`` is what :func:`~engine.load_ledger` returns, or a mapping in
        the ledger file's form (``{"items": [...]}``), which is loaded as
        ``load_ledger`` loads it (a :class:`LedgerError` if it is invalid).
        ``waivers`` are waiver files (paths) or waivers already loaded;
        ``history`` is a history (a path to an SQLite history, an open
        :class:`~engine.history.HistoryStore`, or its view for ``as_of``): the
        periods recorded before ``as_of`` drive escalation, ESC-01 and the
        history metrics. Nothing is recorded here (see ``HistoryStore.record``).
        Items are evaluated in chunks of :data:`CHUNK_SIZE`. ``jobs`` is the
        number of worker processes: ``None`` chooses (in-process for a
        county-sized ledger, one worker per core for a large one), 1 keeps
        everything in this process. ``executor`` is any
        :class:`concurrent.futures.Executor` (a thread or process pool, a Dask
        client's ``get_executor()``): each chunk is then one task submitted to
        it, with its items, the pack, the backend and the run's context; the
        executor is used, not shut down. ``jobs`` (more than 1) and
        ``executor`` together are a :class:`UsageError`. The result is
        identical for any ``jobs`` and any executor. ``progress(done, total)``
        is called after each chunk.
        """
        return self.run(ledger, as_of, jobs=jobs, progress=progress, waivers=waivers, history=history,
                        executor=executor).report()

    @existing_frozen()
    def run(
        self,
        ledger: LedgerLike,
        as_of: Optional[date] = None,
        *,
        jobs: Optional[int] = None,
        progress: Optional[Progress] = None,
        waivers: Optional[Waivers] = None,
        history: Optional[History] = None,
        executor: Optional[Executor] = None,
    ) -> Evaluation:
        """:meth:`evaluate`, with the result in compact form: an :class:`Evaluation` whose
        ``report()`` builds the report's models and whose JSON can be written as a stream."""
        if executor is not None and jobs is not None and jobs != 1:
            raise UsageError.at("--jobs", str(jobs), "不能同时指定工作进程数和执行器(executor/--dask):工作进程由执行器提供")
        ledger = as_ledger(ledger)
        as_of = self.resolve_as_of(ledger, as_of)
        self._check_extras(ledger)
        loaded = _waivers(waivers)
        notes = check_waivers(loaded, ledger, self.pack)
        view = history_view(history, as_of)
        context = self.context(as_of, loaded, view)
        items = ledger.items
        if jobs is None:
            jobs = 1 if len(items) < PARALLEL_THRESHOLD else (os.cpu_count() or 1)
        if jobs < 1:
            raise UsageError.at("--jobs", str(jobs), "工作进程数应为正整数")
        chunks = [items[i:i + CHUNK_SIZE] for i in range(0, len(items), CHUNK_SIZE)]
        calendar = WorkCalendar()
        if executor is not None:
            results = evaluate_with_executor(executor, Job(self.pack, self.backend, context), chunks)
        elif jobs == 1 or len(chunks) <= 1:
            results = ((self.stages.evaluate_items(chunk, context, calendar), set()) for chunk in chunks)
        else:
            results = evaluate_in_workers(self.pack, self.backend, chunks, context, jobs)
        outcome = Outcome()
        done = 0
        for chunk, (chunk_outcome, years) in zip(chunks, results):
            outcome.extend(chunk_outcome)
            calendar.uncovered_years.update(years)
            done += len(chunk)
            if progress:
                progress(done, len(items))
        outcome.extend(self.stages.evaluate_units(ledger, context, tallies=outcome.units))
        outcome.extend(self.stages.evaluate_county(ledger, context))
        notes += waiver_notes(loaded, as_of, outcome.used, outcome.returned)
        notes += plausibility_notes(outcome.oddities)
        evaluation = self.assemble(ledger, as_of, outcome, [*calendar.notes(), *notes])
        if view is None:
            return evaluation
        lights = evaluation.summary.lights
        periods = [PeriodCounts(as_of=day, red=red, yellow=yellow) for day, red, yellow in view.series()]
        periods.append(PeriodCounts(as_of=evaluation.as_of, red=lights["red"], yellow=lights["yellow"]))
        return evaluation.model_copy(update={"periods": periods})

    def _check_extras(self, ledger: Ledger) -> None:
        """Extra values must have the types the pack declares: a located ledger error otherwise."""
        if not self.pack.fields:
            return
        problems = []
        for item in ledger.items:
            for name, cause in extra_problems(item, self.pack.fields):
                file, place = ledger.origin(item.id)
                problems.append(Diagnostic(file, f"{place} ({item.id}).{name}", cause))
        if problems:
            raise LedgerError(problems)

    def assemble(self, ledger: Ledger, as_of: date, outcome: Outcome, notes: Iterable[str]) -> Evaluation:
        """Rank the scored items and order the findings into the run's result."""
        ranked = rank(outcome.items)
        ordered = order_findings(outcome.findings, ranked)
        waived = order_findings(waived_rows(outcome.waived), ranked)
        return Evaluation(
            as_of=as_of.isoformat(),
            county=ledger.info.county,
            rules=RulesInfo(source=self.pack.source, sha256=self.pack.sha256,
                            selected=[rule.id for rule in self.pack.rules]),
            summary=summarize(ranked, ordered, self.pack.categories, waived=len(waived),
                              rejected=len(ledger.rejected)),
            notes=sorted(set(ledger.notes) | set(notes) | set(self.notes)),
            findings=ordered,
            items=ranked,
            waived=waived,
            rejected=list(ledger.rejected),
        )

    # -- explanation

    def explain(
        self,
        ledger: LedgerLike,
        item_id: str,
        as_of: Optional[date] = None,
        *,
        waivers: Optional[Waivers] = None,
        history: Optional[History] = None,
    ) -> Explanation:
        """Why one subject got its findings: an item (by id), a unit (by name) or the county (its name or 本县).

        Every rule that applies to it, fired or not, as the condition tree it
        is, with what each leaf read; for a fired rule, why this level and the
        nearest changes that switch the finding off or lower it (in ledger
        terms where a metric maps back to one field); for an unfired rule, the
        leaves that failed and their distance; for an item, the score's
        breakdown. ``ledger``, ``waivers`` and ``history`` are as for
        :meth:`evaluate`: the explanation follows the same run. An unknown id
        raises :class:`~engine.errors.UnknownItemError` (a KeyError too) with
        "是否想写" for near ids, units and the county among them.
        """
        from .explain import explain_subject

        ledger = as_ledger(ledger)
        as_of = self.resolve_as_of(ledger, as_of)
        return explain_subject(self, ledger, item_id, as_of, waivers=_waivers(waivers),
                               history=history_view(history, as_of))

    def context(self, as_of: date, waivers: Sequence[Waiver] = (), history: Optional[HistoryView] = None) -> Context:
        """What one run decides beyond the rules (waivers, escalation, history), as :meth:`evaluate` builds it."""
        return Context(as_of, tuple(waivers), self.pack.escalation, history)


def as_ledger(ledger: Any) -> Ledger:
    """A :class:`Ledger` as given, or a mapping loaded as ``load_ledger`` loads it; anything else is refused."""
    if isinstance(ledger, Ledger):
        return ledger
    if isinstance(ledger, Mapping):
        return load_ledger(ledger)
    raise UsageError.at(
        "ledger", type(ledger).__name__,
        "应为 load_ledger() 返回的台账(Ledger)或台账映射(如 {\"items\": [...]});"
        "文件请先读取: engine.evaluate(load_ledger(\"台账.yaml\"))",
    )


def _waivers(waivers: Optional[Waivers]) -> list[Waiver]:
    """Waivers given as paths (loaded in order) or as Waiver objects."""
    if waivers is None:
        return []
    if isinstance(waivers, (str, os.PathLike)):
        waivers = [waivers]
    loaded: list[Waiver] = []
    for entry in waivers:
        loaded.extend([entry] if isinstance(entry, Waiver) else load_waivers(entry))
    return loaded


def history_view(history: Optional[History], as_of: date) -> Optional[HistoryView]:
    """The view of the periods before ``as_of`` of a history given as a path, a store or a view."""
    if history is None:
        return None
    if isinstance(history, (str, os.PathLike)):
        with open_history(history) as store:
            return RecordedView.build(store, as_of)
    if isinstance(history, HistoryStore):
        return RecordedView.build(history, as_of)
    return history
