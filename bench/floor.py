#!/usr/bin/env python3
"""The floor: raw durable-rules matching every item, on the same facts, as fast as it goes.

    python bench/floor.py LEDGER… [--out RESULT.json]

This is what duban cannot go below while durable-rules matches every item (issue 17's design
card): the reference (bench/reference.py) computes each item's metrics, which are encoded
(untimed) into plain records of numbers, booleans and presence marks; then only the matching is
timed: the 24 first-stage item rules of the default pack, hand-written as durable JSON patterns,
in one ruleset, and the second stage (MULTI-01, LAG-03, ESC-01) in another, on records built from
the first stage's matches. The mode is the one shared/notes/durable-rules.md measured best:
``assert_facts`` per 1,000 records, ``cap`` 1,000 (one callback per rule and batch), a catch-all
rule, ``retract_facts``, a Host without timer threads, collision-free slot ids reused chunk after
chunk. Every item's set of fired rules is compared with the reference's: the result says how many
differ (0 expected). Units (EXC-01) and the county (ENT-03) are not items and are left out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reference as ref  # noqa: E402  (the same facts as the yardstick)

BATCH = 1000
CHUNK = 2000  # items whose records are encoded, matched and dropped together

# --- records --------------------------------------------------------------------------

MARKS = ("owner", "unit", "leader", "milestones", "goal", "outcome")  # 1 when present by the missing test
NUMBERS = ("days_past_due", "max_milestone_overdue_days", "days_since_start", "next_milestone_days", "slip_days",
           "progress_gap", "as_of_month", "investment_ratio", "supervision_gap_days", "report_age_days",
           "max_rectify_overdue_days", "factor_max_open_days", "factor_max_days_past_deadline", "days_since_visit",
           "problem_max_days_past_deadline", "benchmarks_missed")
FLAGS = ("completed", "begun", "not_started", "supervised", "rank_bottom_third")
PRESENT = ("due", "start", "progress_reported_on", "recognized_on", "missing_parts")  # 1 when not None


def record(kind: str, f: dict) -> dict:
    """One item's facts as durable takes them: no None, no fractions, no exponent floats."""
    out: dict[str, Any] = {"kind": kind}
    for name in MARKS:
        if name in f and not ref.missing(f[name]):
            out[name] = 1
    for name in PRESENT:
        if f.get(name) is not None:
            out[name] = 1
    for name in FLAGS:
        if f.get(name) is not None:
            out[name] = f[name]
    f = dict(f)
    if f.get("_span") and f.get("progress") is not None:  # the reference keeps these two as exact pairs
        (elapsed, span), q = f["_span"], f["progress"].denominator
        f["progress_gap"] = (100 * elapsed * q - f["progress"].numerator * span) / (span * q)
    if f.get("_ratio"):
        f["investment_ratio"] = f["_ratio"][0] / f["_ratio"][1]
    for name in NUMBERS:
        value = f.get(name)
        if value is not None:
            value = float(value)  # correctly rounded: thresholds such as 0.8 compare as the literal does
            out[name] = 0.0 if abs(value) < 1e-4 else value  # durable refuses 1e-05; no threshold is near 0
    return out


# --- the rules as durable patterns ----------------------------------------------------


def _p(*atoms: dict, alts: Optional[list] = None) -> dict:
    """A pattern: the guard AND the atoms (AND one set of mutually exclusive alternatives)."""
    parts = [{"_g": 1}, *atoms]
    if alts:
        parts.append({"$or": alts})
    return {"$and": parts}


NOT_IND = ({"$neq": {"kind": "indicator"}},)
WORK = ({"$neq": {"kind": "enterprise"}}, {"$neq": {"kind": "indicator"}})
PRTP = WORK + ({"$neq": {"kind": "excellence"}},)
OPEN = {"completed": False}

# Alternatives are mutually exclusive (durable fires a rule once per alternative that holds);
# comparisons read only literals, so an absent left-hand field makes them false.
FIRST = {
    "ECO-01": _p({"kind": "indicator"}, {"$gte": {"benchmarks_missed": 1}}),
    "ECO-02": _p({"kind": "indicator"}, {"rank_bottom_third": True}),
    "ENT-01": _p({"kind": "enterprise"}, alts=[{"$gt": {"days_since_visit": 90}}, {"$nex": {"days_since_visit": 1}}]),
    "ENT-02": _p({"kind": "enterprise"}, {"$gt": {"problem_max_days_past_deadline": 0}}),
    "EXC-02": _p({"kind": "excellence"}, {"$nex": {"goal": 1}}),
    "EXC-03": _p({"kind": "excellence"}, {"completed": True}, {"$nex": {"recognized_on": 1}}),
    "FAC-01": _p({"kind": "project"}, alts=[
        {"$gte": {"factor_max_open_days": 30}},
        {"$and": [{"$lt": {"factor_max_open_days": 30}}, {"$gt": {"factor_max_days_past_deadline": 0}}]}]),
    "LAG-01": _p(*PRTP, OPEN, {"days_past_due": 0}, {"$gte": {"progress_gap": 10}}),
    "LAG-02": _p({"kind": "project"}, OPEN, {"$gte": {"as_of_month": 2}}, {"$lt": {"investment_ratio": 0.8}}),
    "OWN-01": _p(*NOT_IND, {"$nex": {"owner": 1}}),
    "OWN-02": _p(*NOT_IND, {"$nex": {"unit": 1}}),
    "OWN-03": _p({"$nex": {"leader": 1}}, alts=[{"kind": "project"}, {"kind": "enterprise"}]),
    "PLAN-01": _p(*PRTP, {"$nex": {"due": 1}}),
    "PLAN-02": _p({"$nex": {"milestones": 1}}, alts=[{"kind": "project"}, {"kind": "reform"}]),
    "REF-01": _p({"kind": "reform"}, {"$ex": {"missing_parts": 1}}),
    "REF-02": _p({"kind": "reform"}, {"completed": True}, {"$nex": {"outcome": 1}}),
    "SCH-01": _p(*WORK, OPEN, {"$gt": {"max_milestone_overdue_days": 0}}),
    "SCH-02": _p({"kind": "project"}, {"not_started": True}, {"$gte": {"days_since_start": 30}}),
    "SCH-03": _p(*WORK, OPEN, {"$gt": {"days_past_due": 0}}),
    "SCH-04": _p(*WORK, OPEN, {"$lte": {"next_milestone_days": 7}}),
    "SCH-05": _p(*PRTP, OPEN, {"$gt": {"slip_days": 0}}),
    "SUP-01": _p(*PRTP, OPEN, alts=[
        {"$gt": {"supervision_gap_days": 30}},
        {"$and": [{"supervised": False}, {"$nex": {"start": 1}}]}]),
    "SUP-02": _p(*PRTP, {"begun": True}, OPEN, alts=[
        {"$gt": {"report_age_days": 30}},
        {"$nex": {"progress_reported_on": 1}}]),
    "SUP-03": _p(*NOT_IND, {"$gt": {"max_rectify_overdue_days": 0}}),
}
# The second stage, on records of the first stage's counts; ESC-01 reads red_periods, which
# only a history gives (absent here, as in duban without --history).
SECOND = {
    "MULTI-01": _p({"$gte": {"serious": 3}}),
    "LAG-03": _p({"lagging": True}, alts=[{"$nex": {"days_since_response": 1}}, {"$gt": {"days_since_response": 30}}]),
    "ESC-01": _p({"$gte": {"red_findings": 1}}, {"$gte": {"red_periods": 2}}),
}
BLUE = frozenset({"SCH-04", "REF-02", "EXC-03"})  # always blue; SCH-05 is blue below 90 days
LAGGING = frozenset(ref.LAGGING)


class RawDurable:
    """durable-rules driven directly, as shared/notes/durable-rules.md found best."""

    def __init__(self) -> None:
        from durable.engine import Host

        class QuietHost(Host):
            def _run(self) -> None:  # no timer threads: every action runs inside the call
                pass

        self.host = QuietHost()
        self.sink: list = []
        self.errors: list = []
        self.names = [f"floor{os.getpid()}_{n}" for n in (1, 2)]
        for name, rules in zip(self.names, (FIRST, SECOND)):
            ruleset = {rule_id: self._rule(pattern, rule_id, 0) for rule_id, pattern in rules.items()}
            ruleset["_all"] = self._rule({"_g": 1}, None, 65000)  # every record matches something
            self.host.set_rulesets({name: ruleset})
        self.slots = self._slots()
        self.seconds = [0.0, 0.0]  # wall time of each pass

    def _rule(self, pattern: dict, tag: Optional[str], pri: int) -> dict:
        sink, errors = self.sink, self.errors

        def action(c: Any) -> None:  # exactly one parameter; durable would swallow exceptions
            try:
                sink.append((tag, [m._d["id"] for m in c.m]))
            except BaseException as exc:
                errors.append(exc)

        return {"pri": pri, "all": [{"m": pattern}], "cap": BATCH, "run": action}

    def _slots(self) -> list[str]:
        """BATCH record ids that durable keeps apart (its ids are 32-bit hashes)."""
        for prefix in ("", "s", "x", "q"):
            slots = [f"{prefix}{i}" for i in range(BATCH)]
            facts = [{"id": s, "_g": 1, "serious": 0} for s in slots]
            self.sink.clear()
            try:
                self.host.assert_facts(self.names[1], facts)
            except Exception:
                continue
            seen = [i for tag, ids in self.sink if tag is None for i in ids]
            self.host.retract_facts(self.names[1], facts)
            self.sink.clear()
            if sorted(seen) == sorted(slots):
                return slots
        raise RuntimeError("no collision-free slot ids")

    def _pass(self, which: int, records: list[dict]) -> list:
        started = time.perf_counter()
        self.sink.clear()
        self.host.assert_facts(self.names[which], records)
        if self.errors:
            raise RuntimeError(f"action failed: {self.errors[0]!r}")
        fired = list(self.sink)
        self.sink.clear()
        self.host.retract_facts(self.names[which], records)
        self.seconds[which] += time.perf_counter() - started
        return fired

    def match(self, records: list[dict], seconds: list[dict]) -> list[set[str]]:
        """The fired rules of each record; ``seconds`` holds each item's second-stage inputs."""
        out: list[set[str]] = [set() for _ in records]
        for start in range(0, len(records), BATCH):
            batch = records[start:start + BATCH]
            for k, rec in enumerate(batch):
                rec["id"], rec["_g"] = self.slots[k], 1
            for tag, ids in self._pass(0, batch):
                if tag is not None:
                    for slot in ids:
                        out[start + int(slot.lstrip("sxq"))].add(tag)
            second = []
            for k in range(len(batch)):
                fired, extra = out[start + k], seconds[start + k]
                rec = {"id": self.slots[k], "_g": 1, "serious": extra["serious"](fired),
                       "red_findings": extra["reds"](fired), "lagging": bool(fired & LAGGING) and extra["work"]}
                if extra["days_since_response"] is not None:
                    rec["days_since_response"] = extra["days_since_response"]
                second.append(rec)
            for tag, ids in self._pass(1, second):
                if tag is not None:
                    for slot in ids:
                        out[start + int(slot.lstrip("sxq"))].add(tag)
        return out


def measure(paths: list[str]) -> dict:
    """Encode (untimed), match (timed), compare with the reference, chunk after chunk."""
    pack = ref.Pack(ref.RULES_DIR)
    info, _, items = ref.read_files(paths)
    as_of = ref.date.fromordinal(ref.day(info["as_of"], "ledger.as_of"))
    ctx = ref.Context(as_of, pack, ref.Calendar())
    raw = RawDurable()
    counted = differ = 0
    cpu = 0.0
    chunk: list[tuple[dict, dict, set]] = []

    def flush() -> None:
        nonlocal differ, cpu
        records = [rec for rec, _, _ in chunk]
        seconds = [extra for _, extra, _ in chunk]
        began = time.process_time()
        got = raw.match(records, seconds)
        cpu += time.process_time() - began
        differ += sum(1 for (_, _, want), have in zip(chunk, got) if want != have)
        chunk.clear()

    for path, place, it in items:
        ref.check_item(it, f"{path}: {place}")
        facts = ref.item_facts(it, ctx)
        own = ref.evaluate_item(it, ctx, pack)
        want = {x.rule.id for x in own}
        severities = {x.rule.id: x.severity for x in own if x.rule.id not in ("MULTI-01", "LAG-03")}
        # What the second stage reads, computed in Python from the first stage's rules (as duban does).
        extra = {
            "serious": lambda fired, s=severities: sum(1 for r in fired if r in s and s[r] != "blue"),
            "reds": lambda fired, s=severities: sum(1 for r in fired if s.get(r) == "red"),
            "work": it["kind"] in ref.WORK,
            "days_since_response": facts.get("days_since_response") if it["kind"] in ref.WORK else None,
        }
        chunk.append((record(it["kind"], facts), extra, want))
        counted += 1
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    wall = sum(raw.seconds)
    return {"items": counted, "wall": wall, "cpu": cpu, "first_pass": raw.seconds[0], "second_pass": raw.seconds[1],
            "us_per_item": cpu / max(counted, 1) * 1e6, "items_differ": differ}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger", nargs="+")
    parser.add_argument("--out", help="write the result as JSON here (default: print it)")
    args = parser.parse_args(argv)
    result = measure(args.ledger)
    text = json.dumps(result, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
