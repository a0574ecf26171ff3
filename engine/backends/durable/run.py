"""Running durable-rules: its C binding driven directly, slot ids, chunks asserted and retracted.

Pitfalls of durable-rules and what neutralises them (``/work/shared/notes``)
---------------------------------------------------------------------------
- facts, never ``post`` (an event fires one rule only);
- a catch-all rule at ``pri`` 65000 so that every record matches something (an
  unmatched record raises for the whole batch and leaves its actions pending);
  it also counts the records: each slot must fire it exactly once, so a record
  that durable dropped cannot go unnoticed;
- no Host: durable's Python layer starts timer threads and builds a Closure
  and a Content per match (reference cycles, garbage for the collector); the
  rulesets are created and their matches drained through the C binding
  (``start_action_for_state`` / ``complete_and_start_action``), matches read
  back as record ids only; ruleset names made unique by a process-wide
  counter (names cannot be registered twice);
- the guard field ``_g`` in every pattern, so the engine's own state object
  never matches;
- rules use ``cap``: their matches come back in batches, not one by one;
- records are asserted in chunks of :data:`CHUNK_SIZE`, collected, and
  retracted, so memory stays flat; their durable ``id`` is a *slot id* from a
  set checked once per matcher to be free of hash collisions (durable
  identifies a record by a 32-bit hash of its id), reused chunk after chunk;
- at most :data:`MAX_RULES_PER_RULESET` rules and :data:`MAX_CUBES_PER_RULESET`
  cubes per ruleset (at most 64 alternatives may be pending for one record;
  beyond, error 303), at most :data:`MAX_PROPERTIES` properties per record
  (255 crash the process): more rules are spread over several rulesets;
- any durable error becomes :class:`engine.errors.EvaluationError`; the matcher
  then rebuilds its rulesets before the next call, since a failed call can
  leave actions pending in the engine;
- durable reads numbers with the C library's ``atof``: a process whose
  LC_NUMERIC does not write decimals with "." is refused;
- deleting a ruleset leaves its state's pools allocated (MBs): the state is
  deleted first, in :meth:`DurableMatcher.close` or when the matcher is
  collected.

A record "evaluated in Python" is matched by :func:`engine.backends.python.evaluate`,
the reference itself; :attr:`DurableMatcher.stats` counts them.
"""

from __future__ import annotations

import itertools
import json
import locale
import threading
import weakref
from typing import Any, Callable, Iterable, Mapping, Sequence

from ...errors import EvaluationError
from ...pack.conditions import Condition, evaluate
from .compile import plan
from .encode import GUARD

__all__ = ["DurableMatcher", "durable_available"]

# Records asserted at once; the slot ids are reused chunk after chunk.
CHUNK_SIZE = 1000
# Matches handed to one action call. Measured on 30 rules x 20,000 records (8.8
# matches each): caps of 20 to 100 are equally fast, 1 is 2.5x slower, 1000 about 20% slower.
CAP = 100

CATCH_ALL = "_all"
CATCH_ALL_PRI = 65000

# The only module-level state: makes ruleset names unique in the process.
_RULESET_NUMBERS = itertools.count()


def durable_available() -> bool:
    """True when durable-rules can be imported here (it cannot on Python 3.13+)."""
    try:
        import durable_rules_engine  # noqa: F401
    except Exception:  # an ImportError, or a broken C extension
        return False
    return True


def _error(detail: str) -> EvaluationError:
    return EvaluationError(f"规则引擎 durable-rules 出错: {detail}")


def _describe(exc: BaseException) -> str:
    # durable's MessageNotHandledException keeps its text in .message, not in args.
    message = getattr(exc, "message", None)
    text = message if isinstance(message, str) else str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _check_locale() -> None:
    if locale.localeconv().get("decimal_point", ".") != ".":
        raise _error("当前进程的 LC_NUMERIC 不以“.”作小数点,durable-rules 会读错数值;请使用 C 或 zh_CN 等区域设置")


# --- durable plumbing ---------------------------------------------------------


def _binding() -> Any:
    """durable's C binding, which duban drives directly (no Host, no Closure per action)."""
    try:
        import durable_rules_engine
    except Exception as exc:
        raise _error(f"无法导入 durable-rules({_describe(exc)});Python 3.13 及以上请使用 python 后端") from exc
    return durable_rules_engine


# What the binding's assert and retract calls answer first: a record no rule took, or one
# already there (two ids with one hash), each an error; 3 means nothing happened.
_NOT_HANDLED, _OBSERVED, _NOTHING = 1, 2, 3


class _Refused(Exception):
    """A record durable did not take: no rule matched it, or its id's hash was already there."""

    def __init__(self, code: int) -> None:
        super().__init__("MessageNotHandled" if code == _NOT_HANDLED else "MessageObserved")
        self.code = code


def _create(engine: Any, handles: list[int], name: str, definition: dict) -> int:
    """Register one ruleset (rule name → pattern, ``pri`` and ``cap``; no actions) and keep its handle."""
    handle = engine.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
    handles.append(handle)
    return handle


def _drain(engine: Any, handle: int, state: int) -> list[tuple[str, list[str]]]:
    """Every batch of matches pending for the state, as (rule name, record ids), each completed."""
    fired: list[tuple[str, list[str]]] = []
    started = engine.start_action_for_state(handle, state)
    message = started[1] if started else None
    while message:
        for rule, matches in json.loads(message).items():
            matches = matches if isinstance(matches, list) else [matches]
            fired.append((rule, [match["m"]["id"] if "m" in match else match["id"] for match in matches]))
        message = engine.complete_and_start_action(handle, state)
    return fired


def _call(engine: Any, call: Callable[[int, str], tuple[int, int]], handle: int,
          records: list[dict]) -> list[tuple[str, list[str]]]:
    """Assert or retract records in one call; the matches they completed, as ``_drain`` gives them."""
    code, state = call(handle, json.dumps(records, ensure_ascii=False))
    if code == _NOTHING:
        return []
    if code in (_NOT_HANDLED, _OBSERVED):
        raise _Refused(code)
    return _drain(engine, handle, state)


def _release(handles: list[int]) -> None:
    """Free the C side of rulesets."""
    try:
        import durable_rules_engine
    except Exception:
        handles.clear()
        return
    while handles:
        _delete(durable_rules_engine, handles.pop())


def _delete(engine: Any, handle: int) -> None:
    # delete_ruleset frees the network but not the states' own pools (MBs each):
    # delete the one state ("0", where every record goes) first.
    for call in (lambda: engine.delete_state(handle, "0"), lambda: engine.delete_ruleset(handle)):
        try:
            call()
        except Exception:
            pass


def _drop(engine: Any, handles: list[int], handle: int) -> None:
    """Free one ruleset that will not be used again."""
    handles.remove(handle)
    _delete(engine, handle)


def _verify_slot_ids(engine: Any, handles: list[int], prefix: str, candidates: Iterable[str], count: int) -> list[str]:
    """``count`` ids from ``candidates`` that durable keeps apart when asserted together.

    Asserts them into a probe ruleset, which must fire exactly once per id.
    Should a batch fail (two ids with one hash), the ids are tried one by one
    in a fresh probe and the rejected ones skipped.
    """
    candidates = iter(candidates)
    chosen = list(itertools.islice(candidates, count))

    def probe() -> int:
        name = f"{prefix}_probe{next(_RULESET_NUMBERS)}"
        return _create(engine, handles, name, {"probe": {"pri": 0, "all": [{"m": {GUARD: 1}}], "cap": CHUNK_SIZE}})

    def ids(fired: list[tuple[str, list[str]]]) -> list[str]:
        return [i for _, batch in fired for i in batch]

    handle = probe()
    facts = [{"id": s, GUARD: 1} for s in chosen]
    try:
        fired = ids(_call(engine, engine.assert_facts, handle, facts))
        if len(fired) == len(chosen) and set(fired) == set(chosen):
            _call(engine, engine.retract_facts, handle, facts)
            _drop(engine, handles, handle)
            return chosen
    except Exception:
        pass  # the probe stays registered (and is freed with the matcher): facts may be left in it
    # One by one, in a fresh probe: a colliding id is refused.
    handle = probe()
    accepted: list[str] = []
    # Collisions are rare (a few in a million pairs): a binding that refuses id after id is broken.
    for _ in range(2 * count + 64):
        if len(accepted) == count:
            break
        slot = chosen.pop(0) if chosen else next(candidates, None)
        if slot is None:
            break
        try:
            fired = ids(_call(engine, engine.assert_facts, handle, [{"id": slot, GUARD: 1}]))
        except Exception:
            continue
        if fired == [slot]:
            accepted.append(slot)
    if len(accepted) < count:
        raise _error("找不到足够的互不冲突的记录编号")
    _call(engine, engine.retract_facts, handle, [{"id": s, GUARD: 1} for s in accepted])
    _drop(engine, handles, handle)
    return accepted


class _Ruleset:
    """One durable ruleset: its name, its handle, the properties its records carry, and which
    rule (by index into the matcher's rules) each of its rule names stands for."""

    def __init__(self, name: str, handle: int, properties: list[str], tags: dict[str, int]) -> None:
        self.name = name
        self.handle = handle
        self.properties = properties
        self.tags = tags


class DurableMatcher:
    """Decides which rules fire with durable-rules: the interface of ``PythonMatcher``."""

    backend = "durable-rules"

    def __init__(self, rules: Sequence[tuple[str, Condition]]) -> None:
        self._rules = list(rules)
        self._lock = threading.Lock()
        self._closed = False
        self._broken = False
        self._stats = {"records": 0, "in_python": 0, "firings": 0, "duplicates": 0, "rulesets": 0}
        _check_locale()
        self._plan = plan(self._rules)
        self._handles: list[int] = []
        self._finalizer = weakref.finalize(self, _release, self._handles)
        self._engine: Any = None
        self._build()

    # -- rulesets

    def _build(self) -> None:
        """Register the rulesets afresh (again after a failed call)."""
        _release(self._handles)
        self._engine = _binding()
        self._slots: list[str] = []
        self._slot_ids = (str(i) for i in itertools.count())
        self._prefix = f"duban{next(_RULESET_NUMBERS)}"
        self._rulesets: list[_Ruleset] = []
        try:
            for number, (tags, patterns, props) in enumerate(self._plan.rulesets):
                name = f"{self._prefix}_{number}"
                definition = {f"r{tag}": {"pri": 0, "all": [{"m": pattern}], "cap": CAP}
                              for tag, pattern in zip(tags, patterns)}
                definition[CATCH_ALL] = {"pri": CATCH_ALL_PRI, "all": [{"m": {GUARD: 1}}], "cap": CAP}
                handle = _create(self._engine, self._handles, name, definition)
                self._rulesets.append(_Ruleset(name, handle, sorted(props), {f"r{tag}": tag for tag in tags}))
        except Exception as exc:
            self._broken = True
            raise _error(f"无法建立规则集({_describe(exc)})") from exc
        self._stats["rulesets"] = len(self._rulesets)
        self._broken = False

    # -- slot ids

    def _ensure_slots(self, count: int) -> None:
        if len(self._slots) >= count:
            return
        target = min(CHUNK_SIZE, max(count, 2 * len(self._slots), 64))
        self._slots = _verify_slot_ids(
            self._engine, self._handles, self._prefix, itertools.chain(self._slots, self._slot_ids), target
        )

    # -- matching

    def match(self, facts: Sequence[Mapping[str, Any]]) -> list[set[str]]:
        """For each subject's facts (same order), the ids of the rules whose condition holds."""
        with self._lock:
            if self._closed:
                raise _error("匹配器已关闭")
            results: list[set[str]] = [set() for _ in facts]
            if not facts:
                return results
            _check_locale()
            pending: list[tuple[int, dict]] = []
            for index, subject in enumerate(facts):
                record = self._plan.record(subject)
                if record is None:
                    self._stats["in_python"] += 1
                    results[index] = {rule_id for rule_id, cond in self._rules if evaluate(cond, subject)}
                else:
                    pending.append((index, record))
            self._stats["records"] += len(facts)
            if not self._rulesets or not pending:
                return results
            if self._broken:
                self._build()
            try:
                for start in range(0, len(pending), CHUNK_SIZE):
                    self._match_chunk(pending[start:start + CHUNK_SIZE], results)
            except EvaluationError:
                self._broken = True
                raise
            except Exception as exc:
                self._broken = True
                raise _error(_describe(exc)) from exc
            return results

    def _match_chunk(self, chunk: list[tuple[int, dict]], results: list[set[str]]) -> None:
        self._ensure_slots(len(chunk))
        slots = self._slots[: len(chunk)]
        position = {slot: k for k, slot in enumerate(slots)}
        rule_ids = [rule_id for rule_id, _ in self._rules]
        single = len(self._rulesets) == 1
        engine = self._engine
        for ruleset in self._rulesets:
            if single:
                batch = [record for _, record in chunk]
                for record, slot in zip(batch, slots):
                    record["id"] = slot
            else:
                names = ruleset.properties
                batch = []
                for (_, record), slot in zip(chunk, slots):
                    projected = {name: record[name] for name in names if name in record}
                    projected[GUARD] = 1
                    projected["id"] = slot
                    batch.append(projected)
            fired = _call(engine, engine.assert_facts, ruleset.handle, batch)
            seen = [0] * len(chunk)
            firings = 0
            before = sum(len(results[index]) for index, _ in chunk)
            for rule, ids in fired:
                if rule == CATCH_ALL:
                    for slot in ids:
                        seen[position[slot]] += 1
                else:
                    rule_id = rule_ids[ruleset.tags[rule]]
                    firings += len(ids)
                    for slot in ids:
                        results[chunk[position[slot]][0]].add(rule_id)
            self._stats["firings"] += firings
            # Alternatives are exclusive: a rule fires at most once per record.
            self._stats["duplicates"] += firings - (sum(len(results[index]) for index, _ in chunk) - before)
            if any(n != 1 for n in seen):
                raise _error(f"规则集 {ruleset.name} 漏掉或重复了记录({sum(1 for n in seen if n == 0)} 条未见)")
            if _call(engine, engine.retract_facts, ruleset.handle, batch):
                raise _error(f"规则集 {ruleset.name} 在撤回记录时又触发了规则")

    # -- life cycle

    @property
    def stats(self) -> dict[str, int]:
        """Counters for diagnosis: records seen, records evaluated in Python, rule firings,
        firings that added nothing (0 unless two rules share an id), rulesets."""
        with self._lock:
            return dict(self._stats)

    def close(self) -> None:
        """Free the rulesets' C memory; idempotent."""
        with self._lock:
            self._closed = True
            self._finalizer()

    def __enter__(self) -> "DurableMatcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
