#!/usr/bin/env python3
"""The whole job of ``duban check LEDGER --format json``, written again in plain Python from the spec.

    python bench/reference.py LEDGER… [--as-of DATE] [--output FILE]
    python bench/reference.py LEDGER… --compare [--duban PATH]   # run both, print the first difference

This is the benchmark's yardstick and an independent check of the engine's semantics: it
reads the ledger (JSON with ``json.loads``, YAML, or a ``.jsonl`` file of items beside a small
file with ``ledger`` and ``units``), computes the metrics at the reference date from the words
of ``shared/SPEC.md``, applies the 29 rules of the default pack with their levels, magnitudes,
messages, remedies and evidence, scores and ranks every item, and writes the same JSON report
as ``duban check --format json`` with the built-in pack and no options. It imports nothing
from ``engine``: the rule pack's *data* (titles, clauses, categories, message and remedy texts,
params, scoring weights, and which fields each rule reads, for the evidence) is read from
``rules/*.yaml``; the conditions themselves are written here, by hand, from the spec's table.

Where the spec leaves the bytes open, the report follows the engine's documented or observed
conventions: evidence numbers rounded to 4 decimals (integral values as integers), message
numbers rounded half up to one decimal, notes sorted, the rules' sha256 over every pack file
(``"{index}\\0{path}\\0"`` and its text, sorted by path) and then the effective params as sorted
JSON. Numbers written in the ledger are read as the decimals they are (``0.8`` is 4/5), so
that thresholds compare exactly, as with pencil and paper.

Stages, top to bottom: the pack · loading · working days · metrics · first-stage rules ·
second stage (MULTI-01, LAG-03; ESC-01 needs a history, so it never fires here) · units
(EXC-01) and the county (ENT-03) · scores and ranking · summary · the JSON text · compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Optional

HERE = Path(__file__).resolve().parent
RULES_DIR = HERE.parent / "rules"
LEGACY_ORDER = bool(os.environ.get("REF_LEGACY_ORDER"))  # development only

# =====================================================================================
# The pack: the rules' data, params, scoring weights and the sha256
# =====================================================================================

SEVERITIES = ("red", "yellow", "blue")
CATEGORIES = ("责任落实", "计划管理", "进度时限", "督查问效", "要素保障", "服务企业", "改革", "创先争优", "经济指标",
              "综合研判")
WORK = frozenset({"project", "reform", "task", "party", "excellence"})
PRTP = frozenset({"project", "reform", "task", "party"})
NOT_INDICATOR = frozenset({"project", "enterprise", "reform", "excellence", "party", "task"})
FACTOR_TYPES = frozenset({"land", "funds", "approval", "energy", "labor"})
LAGGING = ("LAG-01", "SCH-01", "SCH-03")  # LAG-03 reads these
MEETING_TYPES = frozenset({"企业座谈会", "会商会"})


class Template:
    """A message or remedy template: ``{name}`` replaced by the value as a message shows it."""

    def __init__(self, text: str, params: dict) -> None:
        self.parts: list[tuple[str, Optional[str]]] = []
        rest = text
        while "{" in rest:
            head, _, tail = rest.partition("{")
            name, _, rest = tail.partition("}")
            if name.startswith("param."):
                head, name = head + show(params[name[6:]]), None
            self.parts.append((head, name))
        self.parts.append((rest, None))

    def render(self, facts: dict) -> str:
        out = []
        for text, name in self.parts:
            out.append(text)
            if name is not None:
                out.append(show(facts.get(name)))
        return "".join(out)


class RuleData:
    """What the pack file says about one rule, beyond its condition."""

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
        # The constant part of the finding's JSON after the subject, and after the message.
        self.json_rule = f'      "rule": {_s(self.id)},\n      "title": {_s(self.title)},\n'
        self.json_tail = f'      "category": {_s(self.category)},\n      "escalated_from": null,\n      "periods": null\n    }}'


def _fields(node: Any) -> set[str]:
    """Every field a condition, level list or magnitude reads (its evidence)."""
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
        self.base = {sev: Fraction(str(scoring["base"][sev])) for sev in SEVERITIES}
        self.importance = {lv: Fraction(str(w)) for lv, w in scoring["importance"].items()}
        self.tiers = sorted(((Fraction(str(v)), k) for k, v in scoring["tiers"].items()), reverse=True)
        self.max_score = Fraction(str(scoring.get("max_score", 100)))


# =====================================================================================
# Loading: files → (ledger info, units, items), with the spec's validations
# =====================================================================================


class BadInput(Exception):
    """A ledger the reference refuses (exit 2); it names the file and the place."""


ITEM_KEYS = frozenset({"id", "kind", "title", "owner", "unit", "leader", "level", "start", "due", "started_on",
                       "completed_on", "progress", "progress_reported_on", "milestones", "investment", "issues",
                       "supervisions", "visits", "goal", "path", "measures", "outcome", "value", "benchmarks",
                       "rank", "rank_of", "baseline_due", "recognized_on", "responses", "extra"})
KINDS = frozenset({"project", "enterprise", "reform", "excellence", "party", "task", "indicator"})
LEVELS = frozenset({"national", "provincial", "municipal", "county"})
ISSUE_TYPES = frozenset({"land", "funds", "approval", "energy", "labor", "enterprise", "other"})
RECORD_KEYS = {
    "milestones": frozenset({"name", "due", "done_on"}),
    "issues": frozenset({"type", "description", "raised_on", "deadline", "resolved_on", "complex"}),
    "supervisions": frozenset({"date", "by", "finding", "rectify_by", "rectified_on"}),
    "visits": frozenset({"date", "leader"}),
    "responses": frozenset({"date", "rule", "cause", "measures", "by"}),
}
REQUIRED_DATE = {"milestones": "due", "issues": "raised_on", "supervisions": "date", "visits": "date",
                 "responses": "date"}


def read_files(paths: list[str]) -> tuple[dict, list[dict], list[dict]]:
    """Every file merged: the ``ledger`` mapping, the units and the items, in file order."""
    info: dict = {}
    units: list[dict] = []
    items: list[dict] = []
    for path in paths:
        suffix = Path(path).suffix.lower()
        with open(path, encoding="utf-8") as handle:
            if suffix == ".jsonl":
                loads = json.loads
                items.extend(loads(line) for line in handle if line.strip())
                continue
            text = handle.read()
        if suffix in (".yaml", ".yml"):
            import yaml

            doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        else:
            doc = json.loads(text)
        for key, value in (doc.get("ledger") or {}).items():
            if key == "meetings":
                info.setdefault("meetings", []).extend(value or [])
            elif key in info and info[key] != value:
                raise BadInput(f"{path}: ledger.{key}: 与其他文件不一致")
            else:
                info[key] = value
        units.extend(doc.get("units") or [])
        items.extend(doc.get("items") or [])
    return info, units, items


_ORD: dict[Any, int] = {}


def day(value: Any, where: str) -> int:
    """A ledger date (text YYYY-MM-DD, or a YAML date) as its ordinal."""
    try:
        return _ORD[value]
    except KeyError:
        pass
    except TypeError:
        raise BadInput(f"{where}: 不是日期: {value!r}") from None
    if isinstance(value, date):
        ordinal = value.toordinal()
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            ordinal = date.fromisoformat(value).toordinal()
        except ValueError:
            raise BadInput(f"{where}: 不是有效日期: {value!r}") from None
    else:
        raise BadInput(f"{where}: 日期应为 YYYY-MM-DD: {value!r}")
    _ORD[value] = ordinal
    return ordinal


def opt_day(value: Any, where: str) -> Optional[int]:
    return None if value is None else day(value, where)


def check_item(it: dict, where: str) -> None:
    """The spec's validations that are not already made by reading the values."""
    extra = it.keys() - ITEM_KEYS
    if extra:
        raise BadInput(f"{where}.{sorted(extra)[0]}: 未知字段")
    if not isinstance(it.get("id"), str) or not isinstance(it.get("title"), str):
        raise BadInput(f"{where}: id 和 title 必填")
    if it.get("kind") not in KINDS:
        raise BadInput(f"{where}.kind: 未知类型 {it.get('kind')!r}")
    if it.get("level", "county") not in LEVELS:
        raise BadInput(f"{where}.level: 未知级别 {it.get('level')!r}")
    progress = it.get("progress")
    if progress is not None and not 0 <= progress <= 100:
        raise BadInput(f"{where}.progress: 应在 0 到 100 之间")
    start, due = it.get("start"), it.get("due")
    if start is not None and due is not None and day(start, where) > day(due, where):
        raise BadInput(f"{where}.start: 计划开工晚于计划完工")
    for key, keys in RECORD_KEYS.items():
        for k, record in enumerate(it.get(key) or ()):
            if record.keys() - keys:
                raise BadInput(f"{where}.{key}[{k}]: 未知字段")
            if record.get(REQUIRED_DATE[key]) is None:
                raise BadInput(f"{where}.{key}[{k}].{REQUIRED_DATE[key]}: 必填")
            if key == "issues" and record.get("type") not in ISSUE_TYPES:
                raise BadInput(f"{where}.issues[{k}].type: 未知类型")
    investment = it.get("investment") or {}
    if any(v is not None and v < 0 for v in investment.values()):
        raise BadInput(f"{where}.investment: 金额不能为负")
    rank, rank_of = it.get("rank"), it.get("rank_of")
    if rank is not None and rank_of is not None and not 1 <= rank <= rank_of:
        raise BadInput(f"{where}.rank: 应在 1 到 rank_of 之间")


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
        try:
            return _EXACT[value]
        except KeyError:
            number = _EXACT[value] = Fraction(repr(value))
            return number
    return value


def show(value: Any) -> str:
    """A value in a message: numbers with at most one decimal (half up), missing as —, booleans 是/否."""
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
        sign, number = ("-", -number) if number < 0 else ("", number)
        tenths = (number * 10 + Fraction(1, 2)).__floor__()  # 四舍五入: half up, on the magnitude
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
        self.workday: dict[int, bool] = {}
        self.uncovered: set[int] = set()
        self.after: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}

    def is_workday(self, ordinal: int) -> tuple[bool, Optional[int]]:
        d = date.fromordinal(ordinal)
        try:
            return bool(self.official(d)), None
        except NotImplementedError:
            return d.weekday() < 5, d.year

    def add(self, start: int, count: int) -> int:
        key = (start, count)
        if key not in self.after:
            ordinal, left, years = start, count, set()
            while left > 0:
                ordinal += 1
                working, year = self.is_workday(ordinal)
                if year is not None:
                    years.add(year)
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
    """The reference date and what every item's metrics share."""

    def __init__(self, as_of: date, pack: Pack, calendar: Calendar) -> None:
        self.as_of = as_of
        self.A = as_of.toordinal()
        days_in_year = 366 if (date(as_of.year, 12, 31) - date(as_of.year, 1, 1)).days == 365 else 365
        self.year_share = Fraction(as_of.timetuple().tm_yday, days_in_year)
        self.month = as_of.month
        self.p = pack.params
        self.calendar = calendar
        self.iso: dict[int, str] = {}


def iso(ctx: Context, ordinal: Optional[int]) -> Optional[str]:
    if ordinal is None:
        return None
    text = ctx.iso.get(ordinal)
    if text is None:
        text = ctx.iso[ordinal] = date.fromordinal(ordinal).isoformat()
    return text


def event(value: Any, A: int, where: str) -> Optional[int]:
    """An event's date, or None when it is absent or after the reference date (not happened yet)."""
    if value is None:
        return None
    ordinal = day(value, where)
    return ordinal if ordinal <= A else None


def item_facts(it: dict, ctx: Context, where: str) -> dict:
    """The metrics and fields the rules, messages and evidence of this item's kind read."""
    A = ctx.A
    kind = it["kind"]
    f: dict[str, Any] = {"title": it["title"], "owner": it.get("owner"), "unit": it.get("unit"),
                         "leader": it.get("leader")}
    if kind == "indicator":
        value = it.get("value")
        given = [b for b in (it.get("benchmarks") or {}).values() if b is not None]
        f["value"] = value
        f["benchmarks_given"] = len(given)
        f["benchmarks_missed"] = None if value is None else sum(1 for b in given if value < b)
        f["max_benchmark_shortfall"] = (max(exact(b) - exact(value) for b in given)
                                        if value is not None and given else None)
        rank, rank_of = it.get("rank"), it.get("rank_of")
        f["rank"], f["rank_of"] = rank, rank_of
        f["rank_bottom_third"] = None if rank is None or rank_of is None else 3 * rank > 2 * rank_of
        return f

    # Supervision findings to rectify (SUP-03), for every kind but indicators.
    supervisions = it.get("supervisions") or ()
    last_supervision = None
    overdue_max, overdue_count = None, 0
    for s in supervisions:
        held = event(s["date"], A, where)
        if held is None:
            continue  # a record dated after as_of does not count
        if last_supervision is None or held > last_supervision:
            last_supervision = held
        rectify_by = s.get("rectify_by")
        if rectify_by is not None and event(s.get("rectified_on"), A, where) is None:
            late = A - day(rectify_by, where)
            if late > 0:
                overdue_count += 1
                if overdue_max is None or late > overdue_max:
                    overdue_max = late
    f["max_rectify_overdue_days"] = overdue_max
    f["unrectified_overdue"] = overdue_count

    if kind == "enterprise":
        visits = [v for v in (event(v["date"], A, where) for v in it.get("visits") or ()) if v is not None]
        last_visit = max(visits) if visits else None
        f["days_since_visit"] = None if last_visit is None else A - last_visit
        f["last_visit_on"] = iso(ctx, last_visit)
        late_max = None
        for p in it.get("issues") or ():
            raised = event(p["raised_on"], A, where)
            if raised is None or event(p.get("resolved_on"), A, where) is not None:
                continue
            deadline = p.get("deadline")
            if deadline is not None:
                limit = day(deadline, where)
            else:
                count = ctx.p["complex_problem_working_days"] if p.get("complex") else ctx.p["problem_working_days"]
                limit = ctx.calendar.add(raised, count)
            if limit < A and (late_max is None or A - limit > late_max):
                late_max = A - limit
        f["problem_max_days_past_deadline"] = late_max
        return f

    # Work kinds: project, reform, task, party, excellence.
    progress = it.get("progress")
    reported = it.get("progress_reported_on")
    if reported is not None:
        reported = day(reported, where)
        if reported > A:
            reported, progress = None, None  # a report after as_of: never reported, progress unknown
    progress = exact(progress)
    completed = event(it.get("completed_on"), A, where) is not None or (progress is not None and progress >= 100)
    started = event(it.get("started_on"), A, where)
    start = opt_day(it.get("start"), where)
    due = opt_day(it.get("due"), where)
    f["completed"] = completed
    f["progress"] = progress
    f["milestones"] = it.get("milestones") or []
    f["start"] = iso(ctx, start)
    f["due"] = iso(ctx, due)
    f["progress_reported_on"] = iso(ctx, reported)
    f["begun"] = started is not None or (start is not None and start <= A)
    f["days_past_due"] = None if due is None else max(0, A - due)
    f["days_since_start"] = None if start is None else A - start

    overdue_max = next_due = None
    for m in it.get("milestones") or ():
        if event(m.get("done_on"), A, where) is not None:
            continue  # done
        m_due = day(m["due"], where)
        if m_due < A:
            if overdue_max is None or A - m_due > overdue_max:
                overdue_max = A - m_due
        elif next_due is None or m_due - A < next_due:
            next_due = m_due - A
    f["max_milestone_overdue_days"] = overdue_max
    f["next_milestone_days"] = next_due

    expected = gap = None
    if start is not None and due is not None and start < due:
        span = due - start
        expected = Fraction(100 * min(max(A - start, 0), span), span)
        if progress is not None:
            gap = expected - progress
    f["expected_progress"] = expected
    f["progress_gap"] = gap

    baseline = it.get("baseline_due")
    f["baseline_due"] = None if baseline is None else iso(ctx, day(baseline, where))
    f["slip_days"] = None if baseline is None or due is None else due - day(baseline, where)

    last_response = None
    for r in it.get("responses") or ():
        when = event(r["date"], A, where)
        if when is not None and not missing(r.get("cause")) and not missing(r.get("measures")):
            if last_response is None or when > last_response:
                last_response = when
    f["days_since_response"] = None if last_response is None else A - last_response
    f["last_response_on"] = iso(ctx, last_response)

    if kind in PRTP:
        f["supervised"] = last_supervision is not None
        f["last_supervision_on"] = iso(ctx, last_supervision)
        if last_supervision is not None:
            f["supervision_gap_days"] = A - last_supervision
        else:
            f["supervision_gap_days"] = None if start is None else A - start
        f["report_age_days"] = None if reported is None else A - reported

    if kind == "project":
        f["not_started"] = (start is not None and start < A and started is None
                            and (progress is None or progress == 0) and not completed)
        investment = it.get("investment") or {}
        planned, done = investment.get("planned"), investment.get("completed")
        f["investment.planned"], f["investment.completed"] = planned, done
        ratio = None
        if planned is not None and planned > 0 and done is not None:
            ratio = exact(done) / (exact(planned) * ctx.year_share)
        f["investment_ratio"] = ratio
        f["investment_pace"] = None if ratio is None else ratio * 100
        f["investment_shortfall"] = None if ratio is None else (1 - ratio) * 100
        f["as_of_month"] = ctx.month
        open_count = 0
        open_max = late_max = open_late_max = None
        for p in it.get("issues") or ():
            if p["type"] not in FACTOR_TYPES:
                continue
            raised = event(p["raised_on"], A, where)
            if raised is None or event(p.get("resolved_on"), A, where) is not None:
                continue
            open_count += 1
            days_open = A - raised
            open_max = days_open if open_max is None else max(open_max, days_open)
            deadline = p.get("deadline")
            if deadline is not None and day(deadline, where) < A:
                late = A - day(deadline, where)
                late_max = late if late_max is None else max(late_max, late)
                open_late_max = days_open if open_late_max is None else max(open_late_max, days_open)
        f["factor_problems_open"] = open_count
        f["factor_max_open_days"] = open_max
        f["factor_max_days_past_deadline"] = late_max
        f["factor_max_open_days_past_deadline"] = open_late_max
    elif kind == "reform":
        parts = [(name, it.get(key)) for key, name in (("goal", "目标"), ("path", "路径"), ("measures", "措施"))]
        f["goal"], f["path"], f["measures"] = (value for _, value in parts)
        f["missing_parts"] = "、".join(name for name, value in parts if missing(value)) or None
        f["outcome"] = it.get("outcome")
    elif kind == "excellence":
        f["goal"] = it.get("goal")
        f["recognized_on"] = iso(ctx, event(it.get("recognized_on"), A, where))
    return f


# =====================================================================================
# First-stage rules on items: (severity, magnitude) when the rule fires, else None
# =====================================================================================
# A magnitude is a number (its factor is 1 + min(m / scale, 1)), SAT (the largest factor)
# or None (factor 1). A comparison on a missing value is false.

SAT = "saturated"


def _gte(value: Any, bound: Any) -> bool:
    return value is not None and value >= bound


def _gt(value: Any, bound: Any) -> bool:
    return value is not None and value > bound


def own01(it, f, p):
    return ("red", None) if missing(it.get("owner")) else None


def own02(it, f, p):
    return ("yellow", None) if missing(it.get("unit")) else None


def own03(it, f, p):
    return ("yellow", None) if missing(it.get("leader")) else None


def plan01(it, f, p):
    return ("red", None) if it.get("due") is None else None


def plan02(it, f, p):
    return ("yellow", None) if missing(it.get("milestones")) else None


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
    severity = "red" if slip >= p["slip_red_days"] else "yellow" if slip >= p["slip_yellow_days"] else "blue"
    return severity, slip


def lag01(it, f, p):
    gap = f["progress_gap"]
    if f["completed"] or f["days_past_due"] != 0 or not _gte(gap, p["lag_yellow_points"]):
        return None
    return ("red" if gap >= p["lag_red_points"] else "yellow"), gap


def lag02(it, f, p):
    ratio = f["investment_ratio"]
    if f["completed"] or f["as_of_month"] < p["investment_from_month"] or ratio is None:
        return None
    if ratio >= exact(p["investment_yellow_ratio"]):
        return None
    return ("red" if ratio < exact(p["investment_red_ratio"]) else "yellow"), f["investment_shortfall"]


def sup01(it, f, p):
    if f["completed"]:
        return None
    if not f["supervised"] and f["start"] is None:
        return "red", SAT
    gap = f["supervision_gap_days"]
    if not _gt(gap, p["supervision_yellow_days"]):
        return None
    return ("red" if gap > p["supervision_red_days"] else "yellow"), gap


def sup02(it, f, p):
    if not f["begun"] or f["completed"]:
        return None
    if f["progress_reported_on"] is None:
        return "red", SAT
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
        return "red", SAT
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


# Which rules apply to which kind (SPEC table, "applies to"), in rule-id order.
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

# Which message case a rule's finding shows (the cases of the rule file, in order).
MESSAGE_CASE = {
    "ENT-01": lambda f: 0 if f["days_since_visit"] is None else 1,
    "SUP-01": lambda f: 0 if not f["supervised"] and f["start"] is None else 1 if not f["supervised"] else 2,
    "SUP-02": lambda f: 0 if f["progress_reported_on"] is None else 1,
    "LAG-03": lambda f: 0 if f["days_since_response"] is None else 1,
    "ENT-03": lambda f: 0 if f["days_since_meeting"] is None else 1,
}
SCALE = {"SCH-01": 30, "SCH-02": 90, "SCH-03": 60, "SCH-05": 180, "LAG-01": 30, "LAG-02": 50, "LAG-03": 60,
         "SUP-01": 90, "SUP-02": 90, "SUP-03": 30, "FAC-01": 90, "ENT-01": 180, "ENT-02": 30, "ECO-01": 2}


def factor(rule_id: str, magnitude: Any) -> Any:
    """1 + min(magnitude / scale, 1); 2 when saturated; 1 when absent or ≤ 0 (SPEC "Priority score")."""
    if magnitude is SAT:
        return 2
    if magnitude is None or magnitude <= 0:
        return 1
    scale = SCALE[rule_id]
    return 2 if magnitude >= scale else 1 + Fraction(magnitude) / scale


# =====================================================================================
# Findings: message, evidence and points of a rule that fired
# =====================================================================================


class Finding:
    """One finding, compact: its JSON text is built once, when it is written."""

    __slots__ = ("rule", "severity", "points", "message", "evidence")

    def __init__(self, rule: RuleData, severity: str, points: Any, facts: dict) -> None:
        self.rule = rule
        self.severity = severity
        self.points = points
        case = MESSAGE_CASE.get(rule.id)
        self.message = rule.messages[case(facts) if case else 0].render(facts)
        self.evidence = [(name, facts.get(name)) for name in rule.reads]


def finding(pack: Pack, rule_id: str, severity: str, magnitude: Any, facts: dict) -> Finding:
    return Finding(pack.rules[rule_id], severity, pack.base[severity] * factor(rule_id, magnitude), facts)


ORDER = {"red": 0, "yellow": 1, "blue": 2}


def evaluate_item(it: dict, ctx: Context, pack: Pack, where: str) -> list[Finding]:
    """Every finding on one item: the first stage, then MULTI-01 and LAG-03 over it."""
    f = item_facts(it, ctx, where)
    p = ctx.p
    kind = it["kind"]
    out: list[Finding] = []
    for rule_id, test in RULES_OF[kind]:
        hit = test(it, f, p)
        if hit is not None:
            out.append(finding(pack, rule_id, hit[0], hit[1], f))
    # Second stage: it reads the first stage's findings (no waivers, no escalation without a history).
    serious = sum(1 for x in out if x.severity != "blue")
    second = []
    if serious >= p["multi_min_findings"]:
        f["serious_findings"] = serious
        second.append(finding(pack, "MULTI-01", "red", None, f))
    if kind in WORK:
        fired = sorted(x.rule.id for x in out)
        if any(r in fired for r in LAGGING):
            since = f["days_since_response"]
            if since is None or since > p["response_days"]:
                f["fired"] = fired
                f["fired_red"] = fired_red = sorted(x.rule.id for x in out if x.severity == "red")
                red = any(r in fired_red for r in LAGGING)
                second.append(finding(pack, "LAG-03", "red" if red else "yellow", SAT if since is None else since, f))
    out.extend(second)
    out.sort(key=lambda x: (ORDER[x.severity], x.rule.id))
    return out


# =====================================================================================
# Units (EXC-01) and the county (ENT-03)
# =====================================================================================


def unit_findings(units: list[dict], items: list[dict], pack: Pack) -> list[tuple[str, Finding]]:
    """EXC-01 for every unit without an excellence item (of that unit) that has a goal."""
    with_goal: dict[str, int] = {}
    for it in items:
        if it["kind"] == "excellence" and not missing(it.get("goal")) and isinstance(it.get("unit"), str):
            unit = it["unit"].strip()  # names compare without surrounding white space
            with_goal[unit] = with_goal.get(unit, 0) + 1
    out = []
    for unit in units:
        name = unit["name"]
        facts = {"name": name, "excellence_goals": with_goal.get(name.strip(), 0)}
        if facts["excellence_goals"] == 0:
            out.append((name, finding(pack, "EXC-01", "yellow", None, facts)))
    out.sort(key=lambda pair: pair[0])
    return out


def county_findings(info: dict, ctx: Context, pack: Pack) -> list[tuple[str, Finding]]:
    """ENT-03 for a ledger that records its meetings and held no 企业座谈会/会商会 lately."""
    if "meetings" not in info:
        return []
    name = info.get("county") or "本县"
    held = [day(m["date"], "ledger.meetings") for m in info["meetings"] if m.get("type") in MEETING_TYPES]
    held = [d for d in held if d <= ctx.A]
    last = max(held) if held else None
    facts = {"name": name, "meetings_recorded": True, "days_since_meeting": None if last is None else ctx.A - last,
             "last_meeting_on": iso(ctx, last)}
    since = facts["days_since_meeting"]
    if since is not None and since <= ctx.p["symposium_days"]:
        return []
    return [(name, finding(pack, "ENT-03", "yellow", None, facts))]


# =====================================================================================
# Notes: what is odd, accepted and said
# =====================================================================================

SHOWN = 10


def _sample(ids: list[str]) -> str:
    head = ", ".join(ids[:SHOWN])
    return head + (f" 等(共 {len(ids)} 个)" if len(ids) > SHOWN else "")


def item_dates(it: dict) -> Iterable[Any]:
    for key in ("start", "due", "started_on", "completed_on", "progress_reported_on", "baseline_due",
                "recognized_on"):
        yield it.get(key)
    for key, fields in (("milestones", ("due", "done_on")), ("issues", ("raised_on", "deadline", "resolved_on")),
                        ("supervisions", ("date", "rectify_by", "rectified_on")), ("visits", ("date",)),
                        ("responses", ("date",))):
        for record in it.get(key) or ():
            for name in fields:
                yield record.get(name)


def ledger_notes(units: list[dict], items: list[dict], as_of: date) -> list[str]:
    """Units not in the list, reversed actual dates, far dates, progress 100 without completion."""
    notes = []
    if units:
        known = {u["name"].strip() for u in units}
        strays = sorted(it["id"] for it in items if isinstance(it.get("unit"), str) and it["unit"].strip()
                        and it["unit"].strip() not in known)
        if strays:
            notes.append(f"{len(strays)} 个事项的责任单位不在 units 名单中: {_sample(strays)}")
    reversed_ = sorted(it["id"] for it in items if it.get("started_on") is not None
                       and it.get("completed_on") is not None
                       and day(it["started_on"], it["id"]) > day(it["completed_on"], it["id"]))
    if reversed_:
        notes.append(f"{len(reversed_)} 个事项的实际开工晚于实际完工: {_sample(reversed_)}")
    # "More than 30 years away from as_of": before as_of − 30 years or after as_of + 30 years.
    low, high = _years_from(as_of, -30).toordinal(), _years_from(as_of, 30).toordinal()
    far = sorted(it["id"] for it in items
                 if any(d is not None and not low <= day(d, it["id"]) <= high for d in item_dates(it)))
    if far:
        notes.append(f"{len(far)} 个事项有距基准日超过 30 年的日期,请核对: {_sample(far)}")
    done = sorted(it["id"] for it in items if it.get("progress") is not None and it["progress"] >= 100
                  and it.get("completed_on") is None)
    if done:
        notes.append(f"{len(done)} 个事项形象进度为 100% 但没有实际完成日期: {_sample(done)}")
    return notes


def _years_from(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# =====================================================================================
# Scores and ranking (SPEC "Priority score")
# =====================================================================================


def round_half_up_tenths(value: Fraction) -> int:
    """Ten times the value rounded half up to one decimal."""
    return (value * 10 + Fraction(1, 2)).__floor__()


def tier_of(score: Fraction, pack: Pack) -> str:
    for bound, name in pack.tiers:
        if score >= bound:
            return name
    return "low"


def light_of(findings: list[Finding]) -> str:
    severities = {x.severity for x in findings}
    return "red" if "red" in severities else "yellow" if "yellow" in severities else "green"


# =====================================================================================
# The run: load, evaluate, rank, write
# =====================================================================================


def run(paths: list[str], as_of_text: Optional[str], rules_dir: Path) -> str:
    """The JSON report's text."""
    pack = Pack(rules_dir)
    info, units, items = read_files(paths)
    for index, it in enumerate(items):
        check_item(it, f"items[{index}] ({it.get('id')})")
    seen: set[str] = set()
    for it in items:
        if it["id"] in seen:
            raise BadInput(f"items ({it['id']}).id: 编号重复")
        seen.add(it["id"])
    if as_of_text:
        as_of = date.fromisoformat(as_of_text)
    elif info.get("as_of") is not None:
        as_of = date.fromordinal(day(info["as_of"], "ledger.as_of"))
    else:
        from datetime import datetime, timezone

        as_of = (datetime.now(timezone.utc) + timedelta(hours=8)).date()  # today in Asia/Shanghai
    calendar = Calendar()
    ctx = Context(as_of, pack, calendar)

    # Evaluate and score every item; keep (sort key, item, findings, score) for the ranking.
    scored = []
    for index, it in enumerate(items):
        own = evaluate_item(it, ctx, pack, f"items[{index}] ({it['id']})")
        uncapped = sum((x.points for x in own), Fraction(0)) * pack.importance[it.get("level") or "county"]
        tenths = round_half_up_tenths(min(uncapped, pack.max_score))
        reds = sum(1 for x in own if x.severity == "red")
        # Score, then the uncapped score, then red findings (all descending), then id. The float
        # of the uncapped score orders all but exact float ties, which the Fraction then breaks.
        if LEGACY_ORDER:
            scored.append(((-tenths, -reds, it["id"]), it, own, tenths))
        else:
            scored.append(((-tenths, -float(uncapped), -uncapped, -reds, it["id"]), it, own, tenths))
    scored.sort(key=lambda row: row[0])
    subjects = unit_findings(units, items, pack) + county_findings(info, ctx, pack)
    notes = sorted(set(ledger_notes(units, items, as_of)) | set(calendar.notes()))
    return render(pack, as_of, scored, subjects, notes, info)


def render(pack: Pack, as_of: date, scored: list, subjects: list, notes: list[str], info: dict) -> str:
    """The report as duban writes it: two-space indent, fixed key order, UTF-8."""
    by_severity = dict.fromkeys(SEVERITIES, 0)
    lights = {"red": 0, "yellow": 0, "green": 0}
    tiers = {"critical": 0, "high": 0, "medium": 0, "low": 0}
    categories = dict.fromkeys(CATEGORIES, 0)
    finding_text: list[str] = []
    item_text: list[str] = []
    county = info.get("county") or "本县"
    for rank, (_, it, own, tenths) in enumerate(scored, start=1):
        light = light_of(own)
        score = Fraction(tenths, 10)
        tier = tier_of(score, pack)
        lights[light] += 1
        tiers[tier] += 1
        head = (f'      "subject": {_s(it["id"])},\n      "subject_kind": {_s(it["kind"])},\n'
                f'      "subject_title": {_s(it["title"])},\n')
        for x in own:
            by_severity[x.severity] += 1
            categories[x.rule.category] = categories.get(x.rule.category, 0) + 1
            finding_text.append(finding_json(head, x))
        ids = "[]" if not own else "[\n" + ",\n".join(f"        {_s(x.rule.id)}" for x in own) + "\n      ]"
        item_text.append(
            f'    {{\n      "id": {_s(it["id"])},\n      "kind": {_s(it["kind"])},\n      "title": {_s(it["title"])},\n'
            f'      "owner": {_v(it.get("owner"))},\n      "unit": {_v(it.get("unit"))},\n'
            f'      "leader": {_v(it.get("leader"))},\n      "light": "{light}",\n'
            f'      "score": {float(score)!r},\n      "tier": "{tier}",\n      "rank": {rank},\n'
            f'      "findings": {ids},\n      "level": {_s(it.get("level") or "county")}\n    }}')
    for name, x in subjects:
        kind = "county" if x.rule.id == "ENT-03" else "unit"
        by_severity[x.severity] += 1
        categories[x.rule.category] = categories.get(x.rule.category, 0) + 1
        head = f'      "subject": {_s(name)},\n      "subject_kind": "{kind}",\n      "subject_title": {_s(name)},\n'
        finding_text.append(finding_json(head, x))
    del county
    summary = (
        f'  "summary": {{\n    "items": {len(scored)},\n'
        f'    "findings": {_flat(by_severity)},\n    "lights": {_flat(lights)},\n    "tiers": {_flat(tiers)},\n'
        f'    "categories": {_flat(categories)},\n    "waived": 0,\n    "rejected": 0\n  }},\n'
    )
    selected = ",\n".join(f"      {_s(r)}" for r in pack.selected)
    parts = [
        '{\n  "schema_version": 1,\n',
        f'  "as_of": "{as_of.isoformat()}",\n',
        f'  "rules": {{\n    "source": "builtin",\n    "sha256": "{pack.sha256}",\n    "selected": [\n{selected}\n    ]\n  }},\n',
        summary,
        '  "notes": ' + ("[]" if not notes else "[\n" + ",\n".join(f"    {_s(n)}" for n in notes) + "\n  ]") + ",\n",
        '  "findings": ' + ("[]" if not finding_text else "[\n" + ",\n".join(finding_text) + "\n  ]") + ",\n",
        '  "items": ' + ("[]" if not item_text else "[\n" + ",\n".join(item_text) + "\n  ]") + ",\n",
        '  "waived": [],\n  "rejected": []\n}\n',
    ]
    return "".join(parts)


_s = json.encoder.encode_basestring  # a JSON string, non-ASCII as is (the C encoder)


def _v(value: Any) -> str:
    """A JSON scalar: null, true/false, a number, a string."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _s(value)
    return repr(value)


def _flat(counts: dict) -> str:
    """A mapping of counts, one per line, at the summary's depth."""
    return "{\n" + ",\n".join(f"      {_s(k)}: {v}" for k, v in counts.items()) + "\n    }"


def _evidence(value: Any) -> str:
    """An evidence value: numbers to 4 decimals (integral ones as integers), dates as text."""
    kind = type(value)
    if kind is Fraction or kind is float:
        number = round(float(value), 4)
        return repr(int(number)) if number == int(number) else repr(number)
    if kind is list:
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"          {_v(v)}" for v in value) + "\n        ]"
    return _v(value)


def finding_json(head: str, x: Finding) -> str:
    rule = x.rule
    evidence = ",\n".join(f"        {_s(name)}: {_evidence(v)}" for name, v in x.evidence)
    return (f"    {{\n{head}{rule.json_rule}"
            f'      "severity": "{x.severity}",\n      "message": {_s(x.message)},\n'
            f'      "clause": {_s(rule.clause)},\n      "remedy": {_s(rule.remedy.render({}))},\n'
            f'      "evidence": {{\n{evidence}\n      }},\n      "points": {float(x.points)!r},\n{rule.json_tail}')


# =====================================================================================
# Compare with duban
# =====================================================================================


def compare(paths: list[str], as_of: Optional[str], duban: str, ours: str) -> int:
    """Run ``duban check --format json`` on the same ledger; print the first differing line."""
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
    print(f"duban check: {seconds:.2f} s", file=sys.stderr)
    if theirs == ours:
        print(f"identical: {len(ours.encode()):,} bytes, {ours.count(chr(10)):,} lines")
        return 0
    for line in semantic_diff(json.loads(theirs), json.loads(ours))[:40]:
        print(line)
    a, b = theirs.splitlines(), ours.splitlines()
    for number, (left, right) in enumerate(zip(a, b), start=1):
        if left != right:
            break
    else:
        number = min(len(a), len(b)) + 1
    print(f"first difference at line {number} (duban {len(a):,} lines, reference {len(b):,}):")
    for line in range(max(1, number - 8), number):
        print(f"  {line:>8}   {a[line - 1]}")
    print(f"  {number:>8} - {a[number - 1] if number <= len(a) else '(end)'}   # duban")
    print(f"  {number:>8} + {b[number - 1] if number <= len(b) else '(end)'}   # reference")
    return 1


def semantic_diff(theirs: dict, ours: dict) -> list[str]:
    """What differs, by meaning: findings by (subject, rule), items by id, then the other keys."""
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
            for field in x:
                if x[field] != y.get(field):
                    out.append(f"finding {key[0]} {key[1]}.{field}: duban {x[field]!r}, reference {y.get(field)!r}")
    items_a = {i["id"]: i for i in theirs["items"]}
    items_b = {i["id"]: i for i in ours["items"]}
    for item_id in sorted(items_a.keys() | items_b.keys()):
        x, y = items_a.get(item_id, {}), items_b.get(item_id, {})
        for field in sorted(x.keys() | y.keys()):
            if x.get(field) != y.get(field):
                out.append(f"item {item_id}.{field}: duban {x.get(field)!r}, reference {y.get(field)!r}")
    if not out:
        out.append("same content, different order or layout")
    return out


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger", nargs="+", help="ledger files (.json, .yaml, .jsonl with a header file)")
    parser.add_argument("--as-of", help="the reference date (default: the ledger's as_of)")
    parser.add_argument("--output", "-o", help="write the report here (default: stdout)")
    parser.add_argument("--rules", default=str(RULES_DIR), help="the built-in pack's folder (default: rules/)")
    parser.add_argument("--compare", action="store_true", help="also run duban check and print the first difference")
    parser.add_argument("--duban", default=str(Path(sys.executable).parent / "duban"),
                        help="the duban command for --compare (default: the one beside this Python)")
    parser.add_argument("--timing", action="store_true", help="print the reference's time per item on stderr")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        text = run(args.ledger, args.as_of, Path(args.rules))
    except (BadInput, KeyError, TypeError, ValueError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if args.output:
        data = text.encode("utf-8")
        partial = args.output + ".partial"
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, args.output)
    elif not args.compare:
        sys.stdout.write(text)
    if args.timing or args.compare:
        count = text.count('\n      "rank": ')
        print(f"reference: {count:,} items in {seconds:.2f} s wall, {cpu:.2f} CPU-s "
              f"({cpu / max(count, 1) * 1e6:.0f} µs per item)", file=sys.stderr)
    if args.compare:
        return compare(args.ledger, args.as_of, args.duban, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
