#!/usr/bin/env python3
"""The whole job of ``duban check LEDGER --format json``, written again in plain Python from the spec.

    python bench/reference.py LEDGER… [--as-of DATE] [--output FILE]
    python bench/reference.py LEDGER… --compare [--duban PATH]   # run both, print the first difference

The benchmark's yardstick, and an independent check of the engine's semantics. It reads the
ledger (JSON with ``json.loads``, YAML, or a ``.jsonl`` file of items, one per line, beside a
small file with ``ledger`` and ``units``), computes the metrics at the reference date from the
words of SPEC.md, applies the 29 rules of the default pack with their levels, magnitudes,
messages, remedies and evidence, scores and ranks every item, and writes the same JSON report
as ``duban check --format json`` with the built-in pack and no options (no waivers, no history,
no selection). It imports nothing from ``engine``. The pack's *data* is read from
``rules/*.yaml`` — titles, clauses, categories, message and remedy texts, params, scoring
weights, and which fields each rule reads (its evidence); the conditions themselves are
written here by hand, from the spec's table.

Exactness as the spec asks: numbers written in the ledger are the decimals they are (0.8 is
4/5), metrics are fractions, and each finding's points and each item's score are computed
exactly where a threshold, a rounding or a tie can depend on it (floats elsewhere, with the
exact value computed whenever a float is too close to call).

Where the spec leaves the bytes open, the report follows the engine's conventions as its
output shows them: evidence numbers rounded to 4 decimals (integral ones as integers), message
numbers rounded half up (四舍五入, on the magnitude) to one decimal, notes sorted, the sha256
over every pack file (``"{index}\\0{path}\\0"`` then its text, sorted by path) and then the
effective params as sorted JSON.

Stages, top to bottom: the pack · reading · dates and validation · values · working days ·
metrics · first-stage rules · findings and the second stage (MULTI-01, LAG-03; ESC-01 reads a
history, so it never fires here) · units (EXC-01) and the county (ENT-03) · notes · scores and
ranking · the JSON text · the run · compare.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE.parent / "rules"

SEVERITIES = ("red", "yellow", "blue")
CATEGORIES = ("责任落实", "计划管理", "进度时限", "督查问效", "要素保障", "服务企业", "改革", "创先争优",
              "经济指标", "综合研判")
WORK = frozenset({"project", "reform", "task", "party", "excellence"})
PRTP = frozenset({"project", "reform", "task", "party"})
FACTOR_TYPES = frozenset({"land", "funds", "approval", "energy", "labor"})
LAGGING = ("LAG-01", "SCH-01", "SCH-03")  # what LAG-03 looks for among the first stage's findings
MEETING_TYPES = frozenset({"企业座谈会", "会商会"})

# =====================================================================================
# The pack: the rules' data, params, scoring weights and the sha256
# =====================================================================================


class Template:
    """A message or remedy: ``{name}`` is replaced by the value as a message shows it."""

    def __init__(self, text: str, params: dict) -> None:
        literal, self.names = [], []
        rest = text
        while "{" in rest:
            head, _, tail = rest.partition("{")
            name, _, rest = tail.partition("}")
            literal.append(head.replace("{", "{{").replace("}", "}}"))
            if name.startswith("param."):  # a param is the same for every finding
                literal.append(show(params[name[6:]]).replace("{", "{{").replace("}", "}}"))
            else:
                literal.append("{}")
                self.names.append(name)
        literal.append(rest.replace("{", "{{").replace("}", "}}"))
        self.format = "".join(literal).format
        self.constant = not self.names

    def render(self, facts: dict) -> str:
        return self.format(*[show(facts.get(name)) for name in self.names])


class RuleData:
    """What the pack says about one rule beyond its condition, and its constant JSON."""

    def __init__(self, raw: dict, params: dict) -> None:
        self.id: str = raw["id"]
        self.title: str = raw["title"]
        self.clause: str = raw["clause"]
        self.category: str = raw["category"]
        message = raw["message"]
        texts = [message] if isinstance(message, str) else [case["text"] for case in message]
        self.messages = [Template(text, params) for text in texts]
        self.remedy = Template(raw["remedy"], params)
        self.reads = sorted(_fields(raw.get("when")) | _fields(raw.get("levels")) | _fields(raw.get("magnitude")))
        # The finding's JSON around what varies (subject, severity, message, evidence values, points).
        rule = f'      "rule": {_s(self.id)},\n      "title": {_s(self.title)},\n'
        self.json_head = {sev: f'{rule}      "severity": "{sev}",\n      "message": ' for sev in SEVERITIES}
        self.json_clause = f'      "clause": {_s(self.clause)},\n'
        self.json_remedy = f'      "remedy": {_s(self.remedy.render({}))},\n' if self.remedy.constant else None
        self.json_mid = f'{self.json_clause}{self.json_remedy}      "evidence": {{\n' if self.json_remedy else None
        self.json_keys = [f"        {_s(name)}: " for name in self.reads]
        self.json_tail = (f',\n      "category": {_s(self.category)},\n      "escalated_from": null,\n'
                          f'      "periods": null\n    }}')


def _fields(node: Any) -> set[str]:
    """Every field a condition, level list or magnitude reads: the rule's evidence."""
    out: set[str] = set()
    if isinstance(node, list):
        for entry in node:
            out |= _fields(entry)
    elif isinstance(node, dict):
        if isinstance(node.get("field"), str):
            out.add(node["field"])
        value = node.get("value")
        if isinstance(value, dict) and "field" in value:
            out.add(value["field"])
        for key in ("when", "all", "any", "not"):
            if key in node:
                out |= _fields(node[key])
    return out


class Pack:
    """The built-in pack read from its folder: rules by id, params, scoring, sha256."""

    def __init__(self, folder: Path) -> None:
        import yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        files = sorted(folder.rglob("*.yaml"), key=lambda p: p.relative_to(folder).as_posix())
        digest = hashlib.sha256()
        raw_rules: list[dict] = []
        self.params: dict[str, Any] = {}
        scoring: dict = {}
        for index, path in enumerate(files):
            text = path.read_text(encoding="utf-8")
            digest.update(f"{index}\0{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(text.encode())
            data = yaml.load(text, Loader=loader) or {}
            raw_rules.extend(data.get("rules", []))
            for name, value in data.get("params", {}).items():
                self.params[name] = value["value"] if isinstance(value, dict) else value
            scoring.update(data.get("scoring", {}))
        digest.update(json.dumps(self.params, sort_keys=True, ensure_ascii=False).encode())
        self.sha256 = digest.hexdigest()
        self.rules = {raw["id"]: RuleData(raw, self.params) for raw in raw_rules}
        self.selected = sorted(self.rules)
        self.base = {sev: exact(scoring["base"][sev]) for sev in SEVERITIES}
        self.importance = {level: exact(w) for level, w in scoring["importance"].items()}
        self.tiers = sorted(((exact(v), name) for name, v in scoring["tiers"].items()), reverse=True)
        self.max_score = exact(scoring.get("max_score", 100))
        self.tier_tenths = [(bound * 10, name) for bound, name in self.tiers]
        # Whole-number magnitudes give points in 1/scale; × importance: a grain of 1/grain.
        self.grain = math.lcm(*SCALE.values()) * math.lcm(*(Fraction(w).denominator for w in self.importance.values()))
        self.max_units = self.max_score * self.grain


# =====================================================================================
# Reading: files → the ``ledger`` mapping, the units, and the items as they come
# =====================================================================================


class BadInput(Exception):
    """A ledger the reference refuses (exit 2), with the file and the place."""


def read_files(paths: list[str]) -> tuple[dict, list[dict], Iterator[tuple[str, str, dict]]]:
    """Every file merged: ``ledger`` and units at once; the items as (file, place, item), JSON Lines
    files streamed line by line after the others (their ledger and units come from another file)."""
    info: dict = {}
    units: list[dict] = []
    documents: list[tuple[str, list]] = []
    lines: list[str] = []
    for path in paths:
        suffix = Path(path).suffix.lower()
        if suffix == ".jsonl":
            lines.append(path)
            continue
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if suffix in (".yaml", ".yml"):
            import yaml

            doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        else:
            doc = json.loads(text)
        del text
        for key, value in (doc.get("ledger") or {}).items():
            if key == "meetings":
                info.setdefault("meetings", []).extend(value or [])
            elif key in info and info[key] != value:
                raise BadInput(f"{path}: ledger.{key}: 与其他文件不一致")
            else:
                info[key] = value
        units.extend(doc.get("units") or [])
        documents.append((path, doc.get("items") or []))

    def items() -> Iterator[tuple[str, str, dict]]:
        for path, listed in documents:
            for index in range(len(listed)):
                item, listed[index] = listed[index], None  # let each item go once it is evaluated
                yield path, f"items[{index}]", item
        for path in lines:
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield path, f"第 {number} 行", json.loads(line)

    return info, units, items()


# =====================================================================================
# Dates and validation
# =====================================================================================

ORD: dict[Any, int] = {}  # a ledger date (text, or a YAML date) → its ordinal
ISO: dict[Any, str] = {}  # the same → YYYY-MM-DD


def day(value: Any, where: str) -> int:
    """A ledger date as its ordinal; an error unless it is YYYY-MM-DD (or a YAML date)."""
    try:
        return ORD[value]
    except KeyError:
        pass
    except TypeError:
        raise BadInput(f"{where}: 不是日期: {value!r}") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise BadInput(f"{where}: 不是有效日期: {value!r}") from None
    else:
        raise BadInput(f"{where}: 日期应为 YYYY-MM-DD: {value!r}")
    ORD[value] = parsed.toordinal()
    ISO[value] = parsed.isoformat()
    return ORD[value]


ITEM_KEYS = frozenset({"id", "kind", "title", "owner", "unit", "leader", "level", "start", "due", "started_on",
                       "completed_on", "progress", "progress_reported_on", "milestones", "investment", "issues",
                       "supervisions", "visits", "goal", "path", "measures", "outcome", "value", "benchmarks",
                       "rank", "rank_of", "baseline_due", "recognized_on", "responses", "extra"})
ITEM_DATES = ("start", "due", "started_on", "completed_on", "progress_reported_on", "baseline_due", "recognized_on")
# Each record list: its keys, the date it must have, and all its dates.
RECORDS = {
    "milestones": (frozenset({"name", "due", "done_on"}), "due", ("due", "done_on")),
    "issues": (frozenset({"type", "description", "raised_on", "deadline", "resolved_on", "complex"}), "raised_on",
               ("raised_on", "deadline", "resolved_on")),
    "supervisions": (frozenset({"date", "by", "finding", "rectify_by", "rectified_on"}), "date",
                     ("date", "rectify_by", "rectified_on")),
    "visits": (frozenset({"date", "leader"}), "date", ("date",)),
    "responses": (frozenset({"date", "rule", "cause", "measures", "by"}), "date", ("date",)),
}
KINDS = frozenset({"project", "enterprise", "reform", "excellence", "party", "task", "indicator"})
LEVELS = frozenset({"national", "provincial", "municipal", "county"})
ISSUE_TYPES = frozenset({"land", "funds", "approval", "energy", "labor", "enterprise", "other"})


def check_item(it: dict, where: str) -> None:
    """The spec's validations (SPEC "The ledger"); every date is read once here, into ORD."""
    if not ITEM_KEYS.issuperset(it):
        raise BadInput(f"{where}.{sorted(it.keys() - ITEM_KEYS)[0]}: 未知字段")
    if not isinstance(it.get("id"), str) or not isinstance(it.get("title"), str):
        raise BadInput(f"{where}: id 和 title 必填")
    if it.get("kind") not in KINDS:
        raise BadInput(f"{where}.kind: 未知类型 {it.get('kind')!r}")
    if it.get("level", "county") not in LEVELS:
        raise BadInput(f"{where}.level: 未知级别 {it.get('level')!r}")
    for key in ITEM_DATES:
        value = it.get(key)
        if value is not None and value not in ORD:
            day(value, f"{where}.{key}")
    if it.get("start") is not None and it.get("due") is not None and ORD[it["start"]] > ORD[it["due"]]:
        raise BadInput(f"{where}.start: 计划开工晚于计划完工")
    progress = it.get("progress")
    if progress is not None and not 0 <= progress <= 100:
        raise BadInput(f"{where}.progress: 应在 0 到 100 之间,实际为 {progress}")
    for key, (keys, required, dates) in RECORDS.items():
        for k, record in enumerate(it.get(key) or ()):
            if not keys.issuperset(record):
                raise BadInput(f"{where}.{key}[{k}]: 未知字段 {sorted(record.keys() - keys)[0]}")
            if record.get(required) is None:
                raise BadInput(f"{where}.{key}[{k}].{required}: 必填")
            for name in dates:
                value = record.get(name)
                if value is not None and value not in ORD:
                    day(value, f"{where}.{key}[{k}].{name}")
            if key == "issues" and record.get("type") not in ISSUE_TYPES:
                raise BadInput(f"{where}.issues[{k}].type: 未知类型 {record.get('type')!r}")
    if any(v is not None and v < 0 for v in (it.get("investment") or {}).values()):
        raise BadInput(f"{where}.investment: 金额不能为负")
    rank, rank_of = it.get("rank"), it.get("rank_of")
    if rank is not None and rank_of is not None and not 1 <= rank <= rank_of:
        raise BadInput(f"{where}.rank: 应在 1 到 {rank_of} 之间,实际为 {rank}")


# =====================================================================================
# Values: the missing test, exact numbers, how a message shows a value
# =====================================================================================

PLACEHOLDERS = frozenset({"待定", "待明确", "未定", "暂无", "无", "未知", "tbd", "n/a", "na", "-", "—", "?"})


def missing(value: Any) -> bool:
    """Absent, blank, a placeholder (Latin ones in any case), or an empty list or mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip()
        return not text or text.lower() in PLACEHOLDERS
    if isinstance(value, (list, dict)):
        return not value
    return False


_EXACT: dict[float, Fraction] = {}


def exact(value: Any) -> Any:
    """A ledger number as the decimal written in the file: ints stay ints, 0.8 is 4/5."""
    if type(value) is float:
        number = _EXACT.get(value)
        if number is None:
            number = _EXACT[value] = Fraction(repr(value))
        return number
    return value


def show(value: Any) -> str:
    """A value in a message: numbers with at most one decimal (half up), missing as —, 是/否."""
    if value is None:
        return "—"
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "是" if value else "否"
    if kind is int:
        return str(value)
    if kind is float or kind is Fraction:
        number = exact(value)
        n, d = number.numerator, number.denominator
        sign, n = ("-", -n) if n < 0 else ("", n)
        tenths = (20 * n + d) // (2 * d)  # ⌊10 × |value| + ½⌋: 四舍五入, half up on the magnitude
        if not tenths:
            return "0"
        return f"{sign}{tenths // 10}" if tenths % 10 == 0 else f"{sign}{tenths // 10}.{tenths % 10}"
    if kind is list:
        return str(len(value))
    return str(value)


# =====================================================================================
# Working days: the official calendar, Monday to Friday beyond it
# =====================================================================================


class Calendar:
    """The N-th working day strictly after D; remembers the years the calendar does not cover."""

    def __init__(self) -> None:
        import chinese_calendar

        self.official = chinese_calendar.is_workday
        self.uncovered: set[int] = set()
        self.after: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}

    def add(self, start: int, count: int) -> int:
        key = (start, count)
        if key not in self.after:
            ordinal, left, years = start, count, set()
            while left > 0:
                ordinal += 1
                d = date.fromordinal(ordinal)
                try:
                    working = bool(self.official(d))
                except NotImplementedError:  # a year the official calendar does not cover
                    working = d.weekday() < 5
                    years.add(d.year)
                left -= working
            self.after[key] = (ordinal, tuple(years))
        ordinal, years = self.after[key]
        self.uncovered.update(years)
        return ordinal

    def notes(self) -> list[str]:
        if not self.uncovered:
            return []
        years = "、".join(str(y) for y in sorted(self.uncovered))
        return [f"官方节假日日历未覆盖 {years} 年,这些年份的工作日按周一至周五计算"]


# =====================================================================================
# Metrics: one item's facts at the reference date (SPEC "Reference date and derived metrics")
# =====================================================================================


class Context:
    """The reference date, the params and the calendar that every item's metrics share."""

    def __init__(self, as_of: date, pack: Pack, calendar: Calendar) -> None:
        self.as_of = as_of
        self.A = as_of.toordinal()
        days_in_year = (date(as_of.year + 1, 1, 1) - date(as_of.year, 1, 1)).days
        self.year_share = Fraction(as_of.timetuple().tm_yday, days_in_year)  # 序时进度
        self.month = as_of.month
        self.p = pack.params
        self.calendar = calendar


def item_facts(it: dict, ctx: Context) -> dict:
    """The metrics and fields that the rules, messages and evidence of this item's kind read.

    Dates are ordinals (validated into ORD beforehand). An event dated after as_of has not
    happened; planned dates always count.
    """
    A, O = ctx.A, ORD
    kind = it["kind"]
    f: dict[str, Any] = {"title": it["title"], "owner": it.get("owner"), "unit": it.get("unit"),
                         "leader": it.get("leader")}
    if kind == "indicator":
        value = it.get("value")
        given = [b for b in (it.get("benchmarks") or {}).values() if b is not None]
        f["value"] = value
        f["benchmarks_given"] = len(given)
        f["benchmarks_missed"] = None if value is None else sum(1 for b in given if exact(value) < exact(b))
        f["max_benchmark_shortfall"] = (max(exact(b) - exact(value) for b in given)
                                        if value is not None and given else None)
        rank, rank_of = it.get("rank"), it.get("rank_of")
        f["rank"], f["rank_of"] = rank, rank_of
        f["rank_bottom_third"] = None if rank is None or rank_of is None else 3 * rank > 2 * rank_of
        return f

    # Supervision records (SUP-01) and their findings to rectify (SUP-03): every kind but indicators.
    last_supervision = last_supervision_on = overdue_max = None
    overdue_count = 0
    for s in it.get("supervisions") or ():
        held = O[s["date"]]
        if held > A:
            continue  # a record dated after as_of does not count
        if last_supervision is None or held > last_supervision:
            last_supervision, last_supervision_on = held, s["date"]
        rectify_by, rectified = s.get("rectify_by"), s.get("rectified_on")
        if rectify_by is not None and (rectified is None or O[rectified] > A) and O[rectify_by] < A:
            overdue_count += 1
            late = A - O[rectify_by]
            if overdue_max is None or late > overdue_max:
                overdue_max = late
    f["max_rectify_overdue_days"] = overdue_max
    f["unrectified_overdue"] = overdue_count

    if kind == "enterprise":
        visits = [(O[v["date"]], v["date"]) for v in it.get("visits") or () if O[v["date"]] <= A]
        last_visit, last_visit_on = max(visits) if visits else (None, None)
        f["days_since_visit"] = None if last_visit is None else A - last_visit
        f["last_visit_on"] = None if last_visit is None else ISO[last_visit_on]
        late_max = None
        for p in it.get("issues") or ():
            resolved = p.get("resolved_on")
            if O[p["raised_on"]] > A or (resolved is not None and O[resolved] <= A):
                continue  # not raised yet, or resolved
            if p.get("deadline") is not None:
                limit = O[p["deadline"]]
            else:  # raised_on + 15 working days (30 when complex)
                count = ctx.p["complex_problem_working_days" if p.get("complex") else "problem_working_days"]
                limit = ctx.calendar.add(O[p["raised_on"]], count)
            if limit < A and (late_max is None or A - limit > late_max):
                late_max = A - limit
        f["problem_max_days_past_deadline"] = late_max
        return f

    # Work kinds: project, reform, task, party, excellence.
    progress = exact(it.get("progress"))
    reported = it.get("progress_reported_on")
    if reported is not None and O[reported] > A:
        reported, progress = None, None  # a report after as_of: never reported, its progress unknown
    done_on, started_on = it.get("completed_on"), it.get("started_on")
    completed = (done_on is not None and O[done_on] <= A) or (progress is not None and progress >= 100)
    started = started_on is not None and O[started_on] <= A
    start = None if it.get("start") is None else O[it["start"]]
    due = None if it.get("due") is None else O[it["due"]]
    f["completed"] = completed
    f["progress"] = progress
    f["milestones"] = it.get("milestones") or []
    f["start"] = None if start is None else ISO[it["start"]]
    f["due"] = None if due is None else ISO[it["due"]]
    f["progress_reported_on"] = None if reported is None else ISO[reported]
    f["begun"] = started or (start is not None and start <= A)
    f["days_past_due"] = None if due is None else max(0, A - due)
    f["days_since_start"] = None if start is None else A - start

    overdue_max = next_due = None
    for m in it.get("milestones") or ():
        if m.get("done_on") is not None and O[m["done_on"]] <= A:
            continue  # done
        m_due = O[m["due"]]
        if m_due < A:
            if overdue_max is None or A - m_due > overdue_max:
                overdue_max = A - m_due
        elif next_due is None or m_due - A < next_due:
            next_due = m_due - A
    f["max_milestone_overdue_days"] = overdue_max
    f["next_milestone_days"] = next_due

    # The progress gap 100 × elapsed / span − progress, as an exact (numerator, denominator) pair:
    # LAG-01 compares it in integers and makes it a fraction only when it fires.
    f["_span"] = None
    if start is not None and due is not None and start < due:
        span = due - start
        f["_span"] = (min(max(A - start, 0), span), span)

    baseline = it.get("baseline_due")
    f["baseline_due"] = None if baseline is None else ISO[baseline]
    f["slip_days"] = None if baseline is None or due is None else due - O[baseline]

    last_response = last_response_on = None
    for r in it.get("responses") or ():
        when = O[r["date"]]
        if when <= A and not missing(r.get("cause")) and not missing(r.get("measures")):
            if last_response is None or when > last_response:
                last_response, last_response_on = when, r["date"]
    f["days_since_response"] = None if last_response is None else A - last_response
    f["last_response_on"] = None if last_response is None else ISO[last_response_on]

    if kind in PRTP:
        f["supervised"] = last_supervision is not None
        f["last_supervision_on"] = None if last_supervision is None else ISO[last_supervision_on]
        if last_supervision is not None:
            f["supervision_gap_days"] = A - last_supervision
        else:  # never supervised: days since the planned start
            f["supervision_gap_days"] = None if start is None else A - start
        f["report_age_days"] = None if reported is None else A - O[reported]

    if kind == "project":
        f["not_started"] = (start is not None and start < A and not started
                            and (progress is None or progress == 0) and not completed)
        investment = it.get("investment") or {}
        planned, done = investment.get("planned"), investment.get("completed")
        f["investment.planned"], f["investment.completed"] = planned, done
        # The investment ratio completed / (planned × 序时进度), as an exact pair (LAG-02 as LAG-01).
        f["_ratio"] = None
        if planned is not None and planned > 0 and done is not None:
            done, planned, share = exact(done), exact(planned), ctx.year_share
            f["_ratio"] = (done.numerator * planned.denominator * share.denominator,
                           done.denominator * planned.numerator * share.numerator)
        f["as_of_month"] = ctx.month
        open_count = 0
        open_max = late_max = open_late_max = None
        for p in it.get("issues") or ():
            resolved = p.get("resolved_on")
            if (p["type"] not in FACTOR_TYPES or O[p["raised_on"]] > A
                    or (resolved is not None and O[resolved] <= A)):
                continue
            open_count += 1
            days_open = A - O[p["raised_on"]]
            open_max = days_open if open_max is None else max(open_max, days_open)
            if p.get("deadline") is not None and O[p["deadline"]] < A:
                late = A - O[p["deadline"]]
                late_max = late if late_max is None else max(late_max, late)
                open_late_max = days_open if open_late_max is None else max(open_late_max, days_open)
        f["factor_problems_open"] = open_count
        f["factor_max_open_days"] = open_max
        f["factor_max_days_past_deadline"] = late_max
        f["factor_max_open_days_past_deadline"] = open_late_max
    elif kind == "reform":
        f["goal"], f["path"], f["measures"] = it.get("goal"), it.get("path"), it.get("measures")
        absent = [name for key, name in (("goal", "目标"), ("path", "路径"), ("measures", "措施")) if missing(f[key])]
        f["missing_parts"] = "、".join(absent) or None
        f["outcome"] = it.get("outcome")
    elif kind == "excellence":
        f["goal"] = it.get("goal")
        recognized = it.get("recognized_on")
        f["recognized_on"] = None if recognized is None or O[recognized] > A else ISO[recognized]
    return f


# =====================================================================================
# First-stage rules on items: (severity, magnitude) when the rule fires, else None
# =====================================================================================
# A magnitude is a number (factor 1 + min(m / scale, 1)), SAT (the largest factor) or None
# (factor 1). A comparison on a missing value is false. ``p`` holds the params.

SAT = "saturated"


def _gte(value: Any, bound: Any) -> bool:
    return value is not None and value >= bound


def _gt(value: Any, bound: Any) -> bool:
    return value is not None and value > bound


def own01(it, f, p):
    return ("red", None) if missing(f["owner"]) else None


def own02(it, f, p):
    return ("yellow", None) if missing(f["unit"]) else None


def own03(it, f, p):
    return ("yellow", None) if missing(f["leader"]) else None


def plan01(it, f, p):
    return ("red", None) if f["due"] is None else None


def plan02(it, f, p):
    return ("yellow", None) if missing(f["milestones"]) else None


def sch01(it, f, p):
    overdue = f["max_milestone_overdue_days"]
    if f["completed"] or not _gt(overdue, 0):
        return None
    return ("red" if overdue >= p["milestone_red_days"] else "yellow"), overdue


def sch02(it, f, p):
    days = f["days_since_start"]
    if not f["not_started"] or not _gte(days, p["not_started_yellow_days"]):
        return None
    return ("red" if days >= p["not_started_red_days"] else "yellow"), days


def sch03(it, f, p):
    late = f["days_past_due"]
    return ("red", late) if not f["completed"] and _gt(late, 0) else None


def sch04(it, f, p):
    soon = f["next_milestone_days"]
    return ("blue", None) if not f["completed"] and soon is not None and soon <= p["milestone_soon_days"] else None


def sch05(it, f, p):
    slip = f["slip_days"]
    if f["completed"] or not _gt(slip, 0):
        return None
    return ("red" if slip >= p["slip_red_days"] else "yellow" if slip >= p["slip_yellow_days"] else "blue"), slip


def _at_least(n: int, d: int, bound: Any) -> bool:
    """n / d ≥ bound (d > 0), exactly, in integers."""
    bound = exact(bound)
    return n * bound.denominator >= bound.numerator * d


def lag01(it, f, p):
    progress = f["progress"]
    if f["completed"] or f["days_past_due"] != 0 or f["_span"] is None or progress is None:
        return None
    elapsed, span = f["_span"]
    q = progress.denominator  # gap = (100 × elapsed × q − progress × q × span) / (span × q)
    if not _at_least(100 * elapsed * q - progress.numerator * span, span * q, p["lag_yellow_points"]):
        return None
    f["expected_progress"] = expected = Fraction(100 * elapsed, span)  # what its message and evidence show
    f["progress_gap"] = gap = expected - progress
    return ("red" if gap >= exact(p["lag_red_points"]) else "yellow"), gap


def lag02(it, f, p):
    if f["completed"] or f["as_of_month"] < p["investment_from_month"] or f["_ratio"] is None:
        return None
    if _at_least(*f["_ratio"], p["investment_yellow_ratio"]):
        return None
    f["investment_ratio"] = ratio = Fraction(*f["_ratio"])  # what its message and evidence show
    f["investment_pace"] = ratio * 100
    f["investment_shortfall"] = (1 - ratio) * 100
    return ("red" if ratio < exact(p["investment_red_ratio"]) else "yellow"), f["investment_shortfall"]


def sup01(it, f, p):
    if f["completed"]:
        return None
    if not f["supervised"] and f["start"] is None:
        return "red", SAT  # never supervised and no planned start
    gap = f["supervision_gap_days"]
    if not _gt(gap, p["supervision_yellow_days"]):
        return None
    return ("red" if gap > p["supervision_red_days"] else "yellow"), gap


def sup02(it, f, p):
    if not f["begun"] or f["completed"]:
        return None
    if f["progress_reported_on"] is None:
        return "red", SAT  # never reported
    age = f["report_age_days"]
    if not _gt(age, p["report_yellow_days"]):
        return None
    return ("red" if age > p["report_red_days"] else "yellow"), age


def sup03(it, f, p):
    late = f["max_rectify_overdue_days"]
    return ("red", late) if _gt(late, 0) else None


def fac01(it, f, p):
    oldest, late = f["factor_max_open_days"], f["factor_max_days_past_deadline"]
    by_age = _gte(oldest, p["factor_yellow_days"])
    if not by_age and not _gt(late, 0):
        return None
    red = _gte(oldest, p["factor_red_days"]) or _gt(late, 0)
    # The magnitude: the longest open among the problems that qualify.
    return ("red" if red else "yellow"), (oldest if by_age else f["factor_max_open_days_past_deadline"])


def ent01(it, f, p):
    since = f["days_since_visit"]
    if since is None:
        return "red", SAT  # never visited
    if since <= p["visit_yellow_days"]:
        return None
    return ("red" if since > p["visit_red_days"] else "yellow"), since


def ent02(it, f, p):
    late = f["problem_max_days_past_deadline"]
    return ("red", late) if _gt(late, 0) else None


def ref01(it, f, p):
    return ("yellow", None) if f["missing_parts"] is not None else None


def ref02(it, f, p):
    return ("blue", None) if f["completed"] and missing(f["outcome"]) else None


def exc02(it, f, p):
    return ("yellow", None) if missing(f["goal"]) else None


def exc03(it, f, p):
    return ("blue", None) if f["completed"] and f["recognized_on"] is None else None


def eco01(it, f, p):
    missed, given = f["benchmarks_missed"], f["benchmarks_given"]
    if not _gte(missed, 1):
        return None
    return ("red" if missed == given and given >= 2 else "yellow"), f["max_benchmark_shortfall"]


def eco02(it, f, p):
    return ("yellow", None) if f["rank_bottom_third"] is True else None


# The rules that apply to each kind (SPEC's table, "applies to"), in rule-id order.
RULES_OF = {
    "project": (("FAC-01", fac01), ("LAG-01", lag01), ("LAG-02", lag02), ("OWN-01", own01), ("OWN-02", own02),
                ("OWN-03", own03), ("PLAN-01", plan01), ("PLAN-02", plan02), ("SCH-01", sch01), ("SCH-02", sch02),
                ("SCH-03", sch03), ("SCH-04", sch04), ("SCH-05", sch05), ("SUP-01", sup01), ("SUP-02", sup02),
                ("SUP-03", sup03)),
    "enterprise": (("ENT-01", ent01), ("ENT-02", ent02), ("OWN-01", own01), ("OWN-02", own02), ("OWN-03", own03),
                   ("SUP-03", sup03)),
    "reform": (("LAG-01", lag01), ("OWN-01", own01), ("OWN-02", own02), ("PLAN-01", plan01), ("PLAN-02", plan02),
               ("REF-01", ref01), ("REF-02", ref02), ("SCH-01", sch01), ("SCH-03", sch03), ("SCH-04", sch04),
               ("SCH-05", sch05), ("SUP-01", sup01), ("SUP-02", sup02), ("SUP-03", sup03)),
    "task": (("LAG-01", lag01), ("OWN-01", own01), ("OWN-02", own02), ("PLAN-01", plan01), ("SCH-01", sch01),
             ("SCH-03", sch03), ("SCH-04", sch04), ("SCH-05", sch05), ("SUP-01", sup01), ("SUP-02", sup02),
             ("SUP-03", sup03)),
    "excellence": (("EXC-02", exc02), ("EXC-03", exc03), ("OWN-01", own01), ("OWN-02", own02), ("SCH-01", sch01),
                   ("SCH-03", sch03), ("SCH-04", sch04), ("SUP-03", sup03)),
    "indicator": (("ECO-01", eco01), ("ECO-02", eco02)),
}
RULES_OF["party"] = RULES_OF["task"]
assert all(list(rules) == sorted(rules) for rules in RULES_OF.values())

# Which of the rule file's message cases a finding shows (in the file's order).
MESSAGE_CASE = {
    "ENT-01": lambda f: 0 if f["days_since_visit"] is None else 1,
    "SUP-01": lambda f: 0 if not f["supervised"] and f["start"] is None else 1 if not f["supervised"] else 2,
    "SUP-02": lambda f: 0 if f["progress_reported_on"] is None else 1,
    "LAG-03": lambda f: 0 if f["days_since_response"] is None else 1,
    "ENT-03": lambda f: 0 if f["days_since_meeting"] is None else 1,
}
# The scale at which each magnitude saturates (SPEC's table, "magnitude, scale").
SCALE = {"SCH-01": 30, "SCH-02": 90, "SCH-03": 60, "SCH-05": 180, "LAG-01": 30, "LAG-02": 50, "LAG-03": 60,
         "SUP-01": 90, "SUP-02": 90, "SUP-03": 30, "FAC-01": 90, "ENT-01": 180, "ENT-02": 30, "ECO-01": 2}
ORDER = {"red": 0, "yellow": 1, "blue": 2}


# =====================================================================================
# Findings, and the second stage
# =====================================================================================


class Finding:
    """One finding, compact. ``points`` is the float of the exact points; ``exact_points()``
    gives them as a fraction, computed only when a score needs it."""

    __slots__ = ("rule", "severity", "base", "magnitude", "points", "whole", "message", "remedy", "evidence")

    def __init__(self, rule: RuleData, severity: str, base: Any, magnitude: Any, facts: dict) -> None:
        self.rule = rule
        self.severity = severity
        self.base = base
        self.magnitude = magnitude
        scale = SCALE.get(rule.id)
        self.points = points_float(base, magnitude, scale)
        # Whole points or points in 1/scale (an integer magnitude, or a factor of 1 or 2): see Scored.
        self.whole = type(base) is int and (magnitude is None or magnitude is SAT or type(magnitude) is int
                                            or magnitude <= 0 or magnitude >= scale)
        case = MESSAGE_CASE.get(rule.id)
        self.message = rule.messages[case(facts) if case else 0].render(facts)
        self.remedy = None if rule.json_remedy else rule.remedy.render(facts)
        self.evidence = [facts.get(name) for name in rule.reads]

    def exact_points(self) -> Any:
        """base × (1 + min(magnitude / scale, 1)); 2 × base saturated; base when absent or ≤ 0."""
        m, scale = self.magnitude, SCALE.get(self.rule.id)
        if m is SAT:
            return self.base * 2
        if m is None or m <= 0:
            return self.base
        return self.base * (1 + min(Fraction(m) / scale, 1))


def points_float(base: Any, m: Any, scale: Optional[int]) -> float:
    """The nearest float to the exact points base × (1 + m / scale), in integers where it can
    (int / int is correctly rounded in Python)."""
    if m is SAT:
        return float(base * 2)
    if m is None or m <= 0:
        return float(base)
    if m >= scale:
        return float(base * 2)
    if type(base) is int:
        if type(m) is int:
            return base * (scale + m) / scale
        if type(m) is Fraction:  # m = n / d: base × (scale·d + n) / (scale·d)
            return base * (scale * m.denominator + m.numerator) / (scale * m.denominator)
    return float(base * (1 + Fraction(m) / scale))


def evaluate_item(it: dict, ctx: Context, pack: Pack) -> list[Finding]:
    """Every finding on one item: the first stage, then MULTI-01 and LAG-03 over its findings."""
    f = item_facts(it, ctx)
    p, rules, base = ctx.p, pack.rules, pack.base
    kind = it["kind"]
    out: list[Finding] = []
    for rule_id, test in RULES_OF[kind]:
        hit = test(it, f, p)
        if hit is not None:
            out.append(Finding(rules[rule_id], hit[0], base[hit[0]], hit[1], f))
    # The second stage reads the first (no waivers; without a history nothing escalates, and
    # ESC-01's red_periods is absent, so it cannot fire).
    serious = sum(1 for x in out if x.severity != "blue")
    second = []
    if serious >= p["multi_min_findings"]:
        f["serious_findings"] = serious
        second.append(Finding(rules["MULTI-01"], "red", base["red"], None, f))
    if kind in WORK:
        fired = [x.rule.id for x in out]  # sorted: RULES_OF lists each kind's rules in id order
        if any(r in fired for r in LAGGING):
            since = f["days_since_response"]
            if since is None or since > p["response_days"]:
                f["fired"] = fired
                f["fired_red"] = fired_red = [x.rule.id for x in out if x.severity == "red"]
                severity = "red" if any(r in fired_red for r in LAGGING) else "yellow"
                second.append(Finding(rules["LAG-03"], severity, base[severity], SAT if since is None else since, f))
    out.extend(second)
    out.sort(key=lambda x: (ORDER[x.severity], x.rule.id))
    return out


# =====================================================================================
# Units (EXC-01) and the county (ENT-03)
# =====================================================================================


def unit_findings(units: list[dict], goals: dict[str, int], pack: Pack) -> list[tuple[str, str, Finding]]:
    """EXC-01 for every unit with no excellence item (of that unit) that has a goal."""
    out = []
    for unit in units:
        name = unit["name"]
        facts = {"name": name, "excellence_goals": goals.get(name.strip(), 0)}  # names compare stripped
        if facts["excellence_goals"] == 0:
            out.append((name, "unit", Finding(pack.rules["EXC-01"], "yellow", pack.base["yellow"], None, facts)))
    out.sort(key=lambda row: row[0])
    return out


def county_findings(info: dict, ctx: Context, pack: Pack) -> list[tuple[str, str, Finding]]:
    """ENT-03 for a ledger that records its meetings (``meetings`` present, even empty)."""
    if "meetings" not in info:
        return []
    held = [day(m["date"], "ledger.meetings") for m in info["meetings"] if m.get("type") in MEETING_TYPES]
    held = [d for d in held if d <= ctx.A]  # meetings after as_of have not happened
    last = max(held) if held else None
    since = None if last is None else ctx.A - last
    if since is not None and since <= ctx.p["symposium_days"]:
        return []
    name = info.get("county") or "本县"
    facts = {"name": name, "meetings_recorded": True, "days_since_meeting": since,
             "last_meeting_on": None if last is None else date.fromordinal(last).isoformat()}
    return [(name, "county", Finding(pack.rules["ENT-03"], "yellow", pack.base["yellow"], None, facts))]


# =====================================================================================
# Notes: what is odd, accepted and said
# =====================================================================================


def _sample(ids: list[str], shown: int = 10) -> str:
    head = ", ".join(ids[:shown])
    return head + (f" 等(共 {len(ids)} 个)" if len(ids) > shown else "")


class Notes:
    """Collects, item by item, what the notes name: units not listed, reversed actual dates,
    progress 100 without completion; dates far from as_of are found from the dates read."""

    def __init__(self, units: list[dict]) -> None:
        self.known = {u["name"].strip() for u in units} if units else None
        self.strays: list[str] = []
        self.reversed: list[str] = []
        self.done: list[str] = []

    def see(self, it: dict) -> None:
        unit = it.get("unit")
        if self.known is not None and isinstance(unit, str) and unit.strip() and unit.strip() not in self.known:
            self.strays.append(it["id"])
        if (it.get("started_on") is not None and it.get("completed_on") is not None
                and ORD[it["started_on"]] > ORD[it["completed_on"]]):
            self.reversed.append(it["id"])
        if it.get("progress") is not None and it["progress"] >= 100 and it.get("completed_on") is None:
            self.done.append(it["id"])

    def far_values(self, as_of: date) -> set:
        """Dates more than 30 years away from as_of (before as_of − 30 years, after as_of + 30 years)."""
        low, high = _years_from(as_of, -30).toordinal(), _years_from(as_of, 30).toordinal()
        return {value for value, ordinal in ORD.items() if not low <= ordinal <= high}

    def notes(self, far: list[str]) -> list[str]:
        out = []
        if self.strays:
            out.append(f"{len(self.strays)} 个事项的责任单位不在 units 名单中: {_sample(sorted(self.strays))}")
        if self.reversed:
            out.append(f"{len(self.reversed)} 个事项的实际开工晚于实际完工: {_sample(sorted(self.reversed))}")
        if far:
            out.append(f"{len(far)} 个事项有距基准日超过 30 年的日期,请核对: {_sample(sorted(far))}")
        if self.done:
            out.append(f"{len(self.done)} 个事项形象进度为 100% 但没有实际完成日期: {_sample(sorted(self.done))}")
        return out


def item_dates(it: dict) -> Iterable[Any]:
    for key in ITEM_DATES:
        yield it.get(key)
    for key, (_, _, dates) in RECORDS.items():
        for record in it.get(key) or ():
            for name in dates:
                yield record.get(name)


def _years_from(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# =====================================================================================
# Scores and ranking (SPEC "Priority score")
# =====================================================================================


class Scored:
    """One item's place in the ranking: its public fields, findings, light, score and tier.

    The score is computed in floats and made exact where it matters. An item whose findings all
    have whole-number magnitudes (most) has an uncapped score that is a whole multiple of
    1 / ``pack.grain``: that integer, read off the float, is exact, and so are its rounding and
    its order. For the others the exact fraction is computed when a float is too close to call.
    """

    __slots__ = ("fields", "own", "importance", "uncapped", "units", "reds", "tenths", "light", "tier")

    def __init__(self, fields: tuple, own: list[Finding], importance: Any, pack: Pack) -> None:
        self.fields = fields  # id, kind, title, owner, unit, leader, level
        self.own = own
        self.importance = importance
        self.reds = sum(1 for x in own if x.severity == "red")
        self.uncapped = sum(x.points for x in own) * float(importance)
        self.units: Any = None  # the exact uncapped score × grain, once known
        if pack.grain and all(x.whole for x in own):
            self.units = round(self.uncapped * pack.grain)
            capped = min(self.units, pack.max_units)
            self.tenths = (20 * capped + pack.grain) // (2 * pack.grain)  # ⌊10 × score + ½⌋
        else:
            x10 = min(self.uncapped, float(pack.max_score)) * 10 + 0.5
            tenths = int(x10 // 1)
            if min(x10 - tenths, tenths + 1 - x10) < 1e-6:  # too close to a rounding boundary
                tenths = (min(self.exact_units(pack) / pack.grain, pack.max_score) * 10 + Fraction(1, 2)).__floor__()
            self.tenths = tenths
        self.light = "red" if self.reds else "yellow" if any(x.severity == "yellow" for x in own) else "green"
        self.tier = next((name for bound, name in pack.tier_tenths if self.tenths >= bound), "low")

    def exact_units(self, pack: Pack) -> Any:
        """The uncapped score (sum of points × importance) × grain, exactly."""
        if self.units is None:
            self.units = sum((x.exact_points() for x in self.own), Fraction(0)) * self.importance * pack.grain
        return self.units

    def key(self) -> tuple:
        return (-self.tenths, -self.uncapped, -self.reds, self.fields[0])


def rank(scored: list[Scored], pack: Pack) -> None:
    """Score, then the uncapped score, then red findings (all descending), then id. The floats
    order the uncapped scores except where two are too close to tell: such runs are sorted exactly."""
    scored.sort(key=Scored.key)
    start = 0
    while start < len(scored):
        end = start + 1
        while (end < len(scored) and scored[end].tenths == scored[start].tenths
               and scored[end - 1].uncapped - scored[end].uncapped <= 1e-9 * max(1.0, scored[end - 1].uncapped)):
            end += 1
        if end - start > 1:
            scored[start:end] = sorted(scored[start:end], key=lambda s: (-s.exact_units(pack), -s.reds, s.fields[0]))
        start = end


# =====================================================================================
# The JSON text: duban's layout (two-space indent, fixed key order, UTF-8), written as a stream
# =====================================================================================

_s = json.encoder.encode_basestring  # a JSON string with non-ASCII as is (the C encoder)


def _v(value: Any) -> str:
    """A JSON scalar."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _s(value)
    return repr(value)


def _evidence(value: Any) -> str:
    """An evidence value: numbers to 4 decimals (integral ones as integers), lists one per line."""
    kind = type(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is Fraction or kind is float:
        number = round(float(value), 4)
        return repr(int(number)) if number == int(number) else repr(number)
    if kind is list:
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"          {_v(v)}" for v in value) + "\n        ]"
    return _v(value)


def _list(lines: list[str], indent: str) -> str:
    return "[]" if not lines else "[\n" + ",\n".join(lines) + "\n" + indent + "]"


def _counts(counts: dict) -> str:
    return "{\n" + ",\n".join(f"      {_s(k)}: {v}" for k, v in counts.items()) + "\n    }"


def finding_json(head: str, x: Finding) -> str:
    rule = x.rule
    mid = rule.json_mid or f'{rule.json_clause}      "remedy": {_s(x.remedy)},\n      "evidence": {{\n'
    evidence = ",\n".join([key + (str(value) if type(value) is int else _evidence(value))
                            for key, value in zip(rule.json_keys, x.evidence)])
    return (f"    {{\n{head}{rule.json_head[x.severity]}{_s(x.message)},\n{mid}{evidence}\n      }},\n"
            f'      "points": {x.points!r}{rule.json_tail}')


def report_chunks(pack: Pack, as_of: date, scored: list[Scored], subjects: list, notes: list[str],
                  summary: dict) -> Iterator[str]:
    """The report's text, a piece at a time: head and summary, findings, items."""
    selected = ",\n".join(f"      {_s(r)}" for r in pack.selected)
    yield (f'{{\n  "schema_version": 1,\n  "as_of": "{as_of.isoformat()}",\n'
           f'  "rules": {{\n    "source": "builtin",\n    "sha256": "{pack.sha256}",\n'
           f'    "selected": [\n{selected}\n    ]\n  }},\n'
           f'  "summary": {{\n    "items": {summary["items"]},\n    "findings": {_counts(summary["findings"])},\n'
           f'    "lights": {_counts(summary["lights"])},\n    "tiers": {_counts(summary["tiers"])},\n'
           f'    "categories": {_counts(summary["categories"])},\n    "waived": 0,\n    "rejected": 0\n  }},\n'
           f'  "notes": {_list([f"    {_s(n)}" for n in notes], "  ")},\n')
    # Findings: by the subject's rank, then severity, then rule id; units', then the county's, last.
    yield '  "findings": '
    first = True
    buffer: list[str] = []
    for s in scored:
        if not s.own:
            continue
        item_id, kind, title = s.fields[0], s.fields[1], s.fields[2]
        head = (f'      "subject": {_s(item_id)},\n      "subject_kind": {_s(kind)},\n'
                f'      "subject_title": {_s(title)},\n')
        for x in s.own:
            buffer.append(finding_json(head, x))
        if len(buffer) >= 4096:
            yield ("[\n" if first else ",\n") + ",\n".join(buffer)
            first, buffer = False, []
    for name, kind, x in subjects:
        buffer.append(finding_json(f'      "subject": {_s(name)},\n      "subject_kind": "{kind}",\n'
                                   f'      "subject_title": {_s(name)},\n', x))
    if buffer:
        yield ("[\n" if first else ",\n") + ",\n".join(buffer)
        first = False
    yield "[]" if first else "\n  ]"
    yield ',\n  "items": '
    buffer = []
    for number, s in enumerate(scored, start=1):
        item_id, kind, title, owner, unit, leader, level = s.fields
        ids = _list([f"        {_s(x.rule.id)}" for x in s.own], "      ")
        buffer.append(
            f'    {{\n      "id": {_s(item_id)},\n      "kind": {_s(kind)},\n      "title": {_s(title)},\n'
            f'      "owner": {_v(owner)},\n      "unit": {_v(unit)},\n      "leader": {_v(leader)},\n'
            f'      "light": "{s.light}",\n      "score": {s.tenths / 10!r},\n'
            f'      "tier": "{s.tier}",\n      "rank": {number},\n'
            f'      "findings": {ids},\n      "level": {_s(level)}\n    }}')
        if len(buffer) >= 4096 or number == len(scored):
            yield ("[\n" if number <= 4096 else ",\n") + ",\n".join(buffer)
            buffer = []
    yield "[]" if not scored else "\n  ]"
    yield ',\n  "waived": [],\n  "rejected": []\n}\n'


def summary_of(scored: list[Scored], subjects: list, pack: Pack) -> dict:
    """Findings by severity and category (items, units, county), items by light and tier."""
    findings = dict.fromkeys(SEVERITIES, 0)
    categories = dict.fromkeys(CATEGORIES, 0)
    lights = {"red": 0, "yellow": 0, "green": 0}
    tiers = {"critical": 0, "high": 0, "medium": 0, "low": 0}
    for s in scored:
        lights[s.light] += 1
        tiers[s.tier] += 1
        for x in s.own:
            findings[x.severity] += 1
            categories[x.rule.category] = categories.get(x.rule.category, 0) + 1
    for _, _, x in subjects:
        findings[x.severity] += 1
        categories[x.rule.category] = categories.get(x.rule.category, 0) + 1
    return {"items": len(scored), "findings": findings, "lights": lights, "tiers": tiers, "categories": categories}


# =====================================================================================
# The run: read, validate, evaluate and score item by item, rank, write
# =====================================================================================


def run(paths: list[str], as_of_text: Optional[str], rules_dir: Path) -> tuple[int, Iterator[str]]:
    """The number of items, and the JSON report's text as pieces."""
    pack = Pack(rules_dir)
    info, units, items = read_files(paths)
    if as_of_text:
        as_of = date.fromisoformat(as_of_text)
    elif info.get("as_of") is not None:
        as_of = date.fromordinal(day(info["as_of"], "ledger.as_of"))
    else:
        as_of = (datetime.now(timezone.utc) + timedelta(hours=8)).date()  # today in Asia/Shanghai
    calendar = Calendar()
    ctx = Context(as_of, pack, calendar)
    notes = Notes(units)
    goals: dict[str, int] = {}  # excellence items with a goal, by their unit (EXC-01)
    seen: set[str] = set()
    scored: list[Scored] = []
    importance = pack.importance
    for path, place, it in items:
        where = f"{path}: {place} ({it.get('id')})"
        check_item(it, where)
        if it["id"] in seen:
            raise BadInput(f"{where}.id: 编号重复")
        seen.add(it["id"])
        notes.see(it)
        if it["kind"] == "excellence" and isinstance(it.get("unit"), str) and not missing(it.get("goal")):
            goals[it["unit"].strip()] = goals.get(it["unit"].strip(), 0) + 1
        level = it.get("level") or "county"
        fields = (it["id"], it["kind"], it["title"], it.get("owner"), it.get("unit"), it.get("leader"), level)
        scored.append(Scored(fields, evaluate_item(it, ctx, pack), importance[level], pack))
    rank(scored, pack)
    subjects = unit_findings(units, goals, pack) + county_findings(info, ctx, pack)
    far_values = notes.far_values(as_of)
    far = far_items(paths, far_values) if far_values else []
    all_notes = sorted(set(notes.notes(far)) | set(calendar.notes()))
    return len(scored), report_chunks(pack, as_of, scored, subjects, all_notes, summary_of(scored, subjects, pack))


def far_items(paths: list[str], far: set) -> list[str]:
    """The ids of the items with a date far from as_of (a rare case: the files are read again)."""
    _, _, items = read_files(paths)
    return [it["id"] for _, _, it in items if any(d is not None and d in far for d in item_dates(it))]


# =====================================================================================
# Compare with duban
# =====================================================================================


def compare(paths: list[str], as_of: Optional[str], duban: str, ours: str) -> int:
    """Run ``duban check --format json`` on the same ledger and print what differs, and where."""
    cmd = [duban, "check", *paths, "--format", "json"]
    if as_of:
        cmd += ["--as-of", as_of]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        print(f"duban check failed ({done.returncode}): {done.stderr.strip()[-2000:]}", file=sys.stderr)
        return 2
    theirs = done.stdout
    print(f"duban check: {seconds:.2f} s wall", file=sys.stderr)
    if theirs == ours:
        print(f"identical: {len(ours.encode()):,} bytes, {ours.count(chr(10)):,} lines")
        return 0
    for line in semantic_diff(json.loads(theirs), json.loads(ours))[:40]:
        print(line)
    a, b = theirs.splitlines(), ours.splitlines()
    number = next((n for n, (x, y) in enumerate(zip(a, b), start=1) if x != y), min(len(a), len(b)) + 1)
    print(f"first differing line: {number} (duban {len(a):,} lines, reference {len(b):,}):")
    for line in range(max(1, number - 6), number):
        print(f"  {line:>8}   {a[line - 1]}")
    print(f"  {number:>8} - {a[number - 1] if number <= len(a) else '(end)'}   # duban")
    print(f"  {number:>8} + {b[number - 1] if number <= len(b) else '(end)'}   # reference")
    return 1


def semantic_diff(theirs: dict, ours: dict) -> list[str]:
    """What differs by meaning: the top keys, findings by (subject, rule), items by id; else the order."""
    out = []
    for key in ("as_of", "rules", "summary", "notes", "waived", "rejected"):
        if theirs.get(key) != ours.get(key):
            out.append(f"{key}: duban {json.dumps(theirs.get(key), ensure_ascii=False)}")
            out.append(f"{' ' * len(key)}  reference {json.dumps(ours.get(key), ensure_ascii=False)}")
    a = {(f["subject"], f["rule"]): f for f in theirs["findings"]}
    b = {(f["subject"], f["rule"]): f for f in ours["findings"]}
    for key in sorted(a.keys() | b.keys()):
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            who, f = ("reference only", y) if x is None else ("duban only", x)
            out.append(f"finding {key[0]} {key[1]}: {who}: {f['severity']} {f['message']} "
                       f"{json.dumps(f['evidence'], ensure_ascii=False)}")
        elif x != y:
            out.extend(f"finding {key[0]} {key[1]}.{field}: duban {x[field]!r}, reference {y.get(field)!r}"
                       for field in x if x[field] != y.get(field))
    items_a = {i["id"]: i for i in theirs["items"]}
    items_b = {i["id"]: i for i in ours["items"]}
    reranked = []
    for item_id in sorted(items_a.keys() | items_b.keys()):
        x, y = items_a.get(item_id, {}), items_b.get(item_id, {})
        fields = [field for field in sorted(x.keys() | y.keys()) if x.get(field) != y.get(field)]
        if fields == ["rank"]:
            reranked.append(item_id)
        else:
            out.extend(f"item {item_id}.{field}: duban {x.get(field)!r}, reference {y.get(field)!r}"
                       for field in fields)
    if reranked:
        first = min(reranked, key=lambda i: items_a[i]["rank"])
        out.append(f"ranks: {len(reranked)} items ranked differently, nothing else about them differs; the first "
                   f"is {first} (duban rank {items_a[first]['rank']}, reference {items_b[first]['rank']}, "
                   f"score {items_a[first]['score']})")
    return out or ["the same findings and items, in another order or layout"]


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger", nargs="+", help="ledger files (.json, .yaml/.yml, .jsonl beside a header file)")
    parser.add_argument("--as-of", help="the reference date (default: the ledger's as_of, else today)")
    parser.add_argument("--output", "-o", help="write the report here (default: stdout)")
    parser.add_argument("--rules", default=str(RULES_DIR), help="the built-in pack's folder (default: rules/)")
    parser.add_argument("--compare", action="store_true", help="also run duban check; print the first difference")
    parser.add_argument("--duban", default=str(Path(sys.executable).parent / "duban"),
                        help="the duban command for --compare (default: the one beside this Python)")
    parser.add_argument("--timing", action="store_true", help="print the time per item on stderr")
    args = parser.parse_args(argv)
    # The reference makes no reference cycles: counting frees everything, and the cyclic collector
    # would only walk the parsed ledger again and again (as a lean script would, it is switched off).
    gc.disable()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        count, chunks = run(args.ledger, args.as_of, Path(args.rules))
        if args.output:
            partial = args.output + ".partial"
            with open(partial, "w", encoding="utf-8") as handle:
                handle.writelines(chunks)
            os.replace(partial, args.output)
            text = None
        else:
            text = "".join(chunks)
    except (BadInput, KeyError, TypeError, ValueError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if text is not None and not args.compare:
        sys.stdout.write(text)
    if args.timing or args.compare:
        print(f"reference: {count:,} items in {seconds:.2f} s wall, {cpu:.2f} CPU-s "
              f"({cpu / max(count, 1) * 1e6:.0f} µs of CPU per item)", file=sys.stderr)
    if args.compare:
        return compare(args.ledger, args.as_of, args.duban, text or Path(args.output).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
