"""The engine: a checked rule pack plus a matcher, applied to a ledger at a date.

One item's way through :meth:`Engine.evaluate`::

    item ──item_facts(as_of)──▶ facts ──matcher──▶ rules that fired
         ──make_finding──▶ findings ──(finding counts)──▶ second-stage rules (MULTI-01)
    units ──unit_facts──▶ unit rules (EXC-01)
    all findings ──score──▶ ranked items ──▶ Report

An engine holds no global state: two engines with different packs or params
live side by side in one process and may be used from several threads.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from .calendar import WorkCalendar
from .conditions import PythonMatcher, trace
from .errors import EvaluationError, UsageError
from .findings import json_value, magnitude_factor, make_finding, message_of, severity_of
from .ledger import Item, Ledger
from .metrics import finding_facts, item_facts, unit_facts
from .pack import BUILTIN, Rule, RulePack, load_pack
from .report import Explanation, Finding, LeafCheck, Report, RuleCheck, RulesInfo
from .score import importance, item_score, order_findings, rank_items, summarize

__all__ = ["Engine"]

PathLike = Union[str, os.PathLike]
Progress = Callable[[int, int], None]

# Reference dates duban accepts: working-day arithmetic needs room after the date.
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)

# Items per chunk: facts exist for one chunk at a time, so memory stays flat.
CHUNK_SIZE = 2000
# Below this many items a run stays in-process; worker start-up would cost more than it saves.
PARALLEL_THRESHOLD = 20_000


def _durable_available() -> bool:
    try:
        from .backend_durable import durable_available
    except ImportError:
        return False
    return durable_available()


class Engine:
    """Evaluates ledgers against one rule pack with fixed params.

    ``backend`` is ``"durable"`` (the Rete engine; the default where it is
    installed), ``"python"`` (the same intermediate form evaluated in Python),
    or ``"auto"``.
    """

    def __init__(self, pack: RulePack, *, backend: str = "auto") -> None:
        if backend not in ("auto", "durable", "python"):
            raise UsageError.at("backend", "", f"未知的求值后端 {backend!r},应为 auto、durable 或 python")
        self.pack = pack
        self.notes: list[str] = []
        if backend == "auto":
            backend = "durable" if _durable_available() else "python"
            if backend == "python":
                self.notes.append("durable-rules 不可用(需要 Python < 3.13),规则改由 Python 直接求值,结果相同")
        self.backend = backend
        self._lock = threading.Lock()
        self._matchers: dict[str, Any] = {}
        self._by_id: dict[str, Rule] = {rule.id: rule for rule in pack.rules}
        self._stages: dict[str, list[Rule]] = defaultdict(list)
        for rule in pack.rules:
            stage = "unit" if rule.subject == "unit" else rule.stage
            self._stages[stage].append(rule)

    # -- construction

    @classmethod
    def default(cls, params: Optional[Mapping[str, Any]] = None, *, backend: str = "auto") -> "Engine":
        """The engine with the built-in rule pack."""
        return cls(load_pack(BUILTIN, dict(params or {})), backend=backend)

    @classmethod
    def from_path(
        cls,
        path: Union[PathLike, Sequence[PathLike]],
        params: Optional[Mapping[str, Any]] = None,
        *,
        backend: str = "auto",
    ) -> "Engine":
        """An engine with the rule pack(s) in ``path`` (``"builtin"`` names the default pack)."""
        return cls(load_pack(path, dict(params or {})), backend=backend)

    # -- matching

    def _matcher(self, stage: str) -> Any:
        with self._lock:
            matcher = self._matchers.get(stage)
            if matcher is None:
                rules = [(r.id, r.match_condition()) for r in self._stages[stage]]
                if self.backend == "durable":
                    from .backend_durable import DurableMatcher

                    matcher = DurableMatcher(rules)
                else:
                    matcher = PythonMatcher(rules)
                self._matchers[stage] = matcher
            return matcher

    # -- evaluation

    def resolve_as_of(self, ledger: Ledger, as_of: Optional[date]) -> date:
        """``as_of`` if given, else the ledger's, else today; within the years duban can count."""
        resolved = as_of or ledger.info.as_of or date.today()
        if not (EARLIEST <= resolved <= LATEST):
            raise UsageError.at("as_of", resolved.isoformat(), f"基准日应在 {EARLIEST} 到 {LATEST} 之间")
        return resolved

    def evaluate_items(self, items: Sequence[Item], as_of: date, calendar: WorkCalendar) -> list[Finding]:
        """Findings of the item rules (both stages) on a chunk of items."""
        facts = [item_facts(item, as_of, calendar, self.pack.params) for item in items]
        by_id = self._by_id
        findings: list[Finding] = []
        per_item: list[list[Finding]] = [[] for _ in items]
        if self._stages["facts"]:
            for index, fired in enumerate(self._matcher("facts").match(facts)):
                for rule_id in sorted(fired):
                    per_item[index].append(self._finding(by_id[rule_id], facts[index], items[index]))
        if self._stages["findings"]:
            for index, own in enumerate(per_item):
                facts[index].update(finding_facts([f.severity for f in own]))
            for index, fired in enumerate(self._matcher("findings").match(facts)):
                for rule_id in sorted(fired):
                    per_item[index].append(self._finding(by_id[rule_id], facts[index], items[index]))
        for own in per_item:
            findings.extend(own)
        return findings

    def _finding(self, rule: Rule, facts: Mapping[str, Any], item: Item) -> Finding:
        return make_finding(rule, facts, self.pack.scoring, item.kind, item.id, item.title)

    def evaluate_units(self, ledger: Ledger) -> list[Finding]:
        """Findings of the unit rules (EXC-01): units are the subjects."""
        rules = self._stages["unit"]
        if not rules or not ledger.units:
            return []
        facts = unit_facts(ledger.units, ledger.items)
        by_id = self._by_id
        findings = []
        for unit_fact, fired in zip(facts, self._matcher("unit").match(facts)):
            for rule_id in sorted(fired):
                name = unit_fact["name"]
                findings.append(make_finding(by_id[rule_id], unit_fact, self.pack.scoring, "unit", name, name))
        return findings

    def evaluate(
        self,
        ledger: Ledger,
        as_of: Optional[date] = None,
        *,
        jobs: Optional[int] = None,
        progress: Optional[Progress] = None,
    ) -> Report:
        """Evaluate every item and unit of ``ledger`` at ``as_of`` into a ranked report.

        Items are evaluated in chunks of :data:`CHUNK_SIZE`. ``jobs`` is the
        number of worker processes: ``None`` chooses (in-process for a
        county-sized ledger, one worker per core for a large one), 1 keeps
        everything in this process. The result is identical for any ``jobs``.
        ``progress(done, total)`` is called after each chunk.
        """
        as_of = self.resolve_as_of(ledger, as_of)
        items = ledger.items
        if jobs is None:
            jobs = 1 if len(items) < PARALLEL_THRESHOLD else (os.cpu_count() or 1)
        if jobs < 1:
            raise UsageError.at("--jobs", str(jobs), "工作进程数应为正整数")
        chunks = [items[i:i + CHUNK_SIZE] for i in range(0, len(items), CHUNK_SIZE)]
        calendar = WorkCalendar()
        if jobs == 1 or len(chunks) <= 1:
            results = ((self.evaluate_items(chunk, as_of, calendar), set()) for chunk in chunks)
        else:
            results = self._evaluate_in_workers(chunks, as_of, jobs)
        findings: list[Finding] = []
        done = 0
        for chunk, (chunk_findings, years) in zip(chunks, results):
            findings.extend(chunk_findings)
            calendar.uncovered_years.update(years)
            done += len(chunk)
            if progress:
                progress(done, len(items))
        findings.extend(self.evaluate_units(ledger))
        return self.assemble(ledger, as_of, findings, calendar.notes())

    def _evaluate_in_workers(
        self, chunks: list[list[Item]], as_of: date, jobs: int
    ) -> Iterable[tuple[list[Finding], set[int]]]:
        """Chunks evaluated in worker processes, yielded in order.

        Where the platform can fork, workers inherit the chunks (no copying, no
        pickling of the ledger) and receive only chunk numbers; elsewhere each
        chunk is sent. Findings come back as plain tuples. A worker owns its own
        engine (and durable-rules Host), so a crash of the native engine takes
        down only the worker; it is reported as an :class:`EvaluationError`,
        never as missing findings.
        """
        forking = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forking else "spawn")
        shared = chunks if forking else None
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=context,
            initializer=_init_worker, initargs=(self.pack, self.backend, as_of, shared),
        )
        finished = False
        try:
            futures = [
                pool.submit(_evaluate_chunk, index if forking else chunk)
                for index, chunk in enumerate(chunks)
            ]
            for future in futures:
                rows, years = future.result()
                yield [_finding_from_row(row) for row in rows], years
            finished = True
        except BrokenProcessPool:
            raise EvaluationError.at("", "工作进程", "工作进程异常退出,评估未完成(可用 --jobs 1 在单进程中重试)") from None
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                # Interrupted or failed: stop the workers now instead of letting queued chunks run.
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()
                pool.shutdown(wait=False, cancel_futures=True)

    def assemble(self, ledger: Ledger, as_of: date, findings: list[Finding], calendar_notes: Iterable[str]) -> Report:
        """Score, rank and order the findings into the report."""
        ranked = rank_items(ledger.items, findings, self.pack.scoring)
        ordered = order_findings(findings, ranked)
        notes = sorted(set(ledger.notes) | set(calendar_notes) | set(self.notes))
        return Report(
            as_of=as_of.isoformat(),
            rules=RulesInfo(source=self.pack.source, sha256=self.pack.sha256),
            summary=summarize(ranked, ordered),
            notes=notes,
            findings=ordered,
            items=ranked,
        )

    # -- explanation

    def explain(self, ledger: Ledger, item_id: str, as_of: Optional[date] = None) -> Explanation:
        """Every rule that applies to one item, fired or not, with what each condition read."""
        item = next((i for i in ledger.items if i.id == item_id), None)
        if item is None:
            raise UsageError.at("ITEM_ID", item_id, "台账中没有该编号的事项")
        as_of = self.resolve_as_of(ledger, as_of)
        report = self.evaluate(ledger, as_of)
        facts = item_facts(item, as_of, WorkCalendar(), self.pack.params)
        own = [f for f in report.findings if f.subject == item.id]
        facts.update(finding_facts([f.severity for f in own if f.rule not in self._second_stage_ids()]))
        checks = []
        for rule in self.pack.rules:
            if rule.subject != "item" or item.kind not in rule.applies_to:
                continue
            fired, leaves = trace(rule.when, facts)
            level_checks = [
                [_leaf(t) for t in trace(level.when, facts)[1]] for level in rule.levels if level.when is not None
            ]
            magnitude = factor = points = None
            severity = message = None
            if fired:
                severity = severity_of(rule, facts)
                value, exact_factor = magnitude_factor(rule, facts)
                magnitude = json_value(value) if value is not None else None
                factor = float(exact_factor)
                points = next((f.points for f in own if f.rule == rule.id), None)
                message = message_of(rule, facts)
            checks.append(RuleCheck(
                rule=rule.id, title=rule.title, fired=fired, severity=severity,
                checks=[_leaf(t) for t in leaves], level_checks=level_checks,
                magnitude=magnitude, factor=factor, points=points, message=message,
            ))
        raw, _ = item_score(own, item.level, self.pack.scoring)
        return Explanation(
            as_of=as_of.isoformat(),
            item=report.item(item.id),
            importance=float(importance(self.pack.scoring, item.level)),
            raw_points=float(raw),
            rules=checks,
            notes=report.notes,
        )

    def _second_stage_ids(self) -> set[str]:
        return {rule.id for rule in self._stages["findings"]}


def _leaf(t: Any) -> LeafCheck:
    return LeafCheck(
        path=t.path, field=t.field, read=json_value(t.read), op=t.op,
        operand=json_value(t.operand), operand_field=t.operand_field, result=t.result,
    )


# --- worker processes -------------------------------------------------------------
# Each worker process holds exactly one engine and the run's chunks, set once by
# the pool's initializer; this module-level slot is only ever filled in workers.

_worker: dict[str, Any] = {}


def _init_worker(pack: RulePack, backend: str, as_of: date, chunks: Optional[list[list[Item]]]) -> None:
    # The inherited ledger never becomes garbage here: keep the collector off it.
    gc.freeze()
    # Ctrl-C reaches the whole process group; the parent alone decides what to do.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(engine=Engine(pack, backend=backend), as_of=as_of, chunks=chunks)


def _evaluate_chunk(chunk: Union[int, list[Item]]) -> tuple[list[tuple], set[int]]:
    items = _worker["chunks"][chunk] if isinstance(chunk, int) else chunk
    calendar = WorkCalendar()
    findings = _worker["engine"].evaluate_items(items, _worker["as_of"], calendar)
    return [_finding_to_row(f) for f in findings], calendar.uncovered_years


_FINDING_FIELDS = tuple(Finding.model_fields)


def _finding_to_row(finding: Finding) -> tuple:
    """A finding as a plain tuple: cheap to send between processes."""
    return tuple(getattr(finding, name) for name in _FINDING_FIELDS) + (finding.exact_points,)


def _finding_from_row(row: tuple) -> Finding:
    finding = Finding.model_construct(**dict(zip(_FINDING_FIELDS, row[:-1])))
    finding._exact_points = row[-1]
    return finding
