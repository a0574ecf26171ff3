"""Ledger items from Gherkin tables with Chinese columns — no pytest-bdd here, plain functions.

A scenario states only what matters. Every column it does not state takes the
clean default of its kind (see :func:`defaults`): dates are relative to the
reference date, so a clean item stays clean whatever 基准日 the scenario picks.
A column that is stated with an empty cell means the field is *absent*.

The vocabulary (columns, kind names, problem types …) is documented for policy
officers in ``features/README.md``; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Optional

DEFAULT_AS_OF = date(2026, 11, 28)

KINDS = {
    "项目": "project",
    "重大项目": "project",
    "重点项目": "project",
    "企业": "enterprise",
    "重点企业": "enterprise",
    "改革": "reform",
    "改革事项": "reform",
    "重点改革": "reform",
    "创先争优": "excellence",
    "党建": "party",
    "党的建设": "party",
    "任务": "task",
    "工作任务": "task",
    "重点工作": "task",
    "指标": "indicator",
    "经济指标": "indicator",
}
KIND_NAMES = {"project": "项目", "enterprise": "企业", "reform": "改革", "excellence": "创先争优",
              "party": "党建", "task": "任务", "indicator": "指标"}

LEVELS = {"国家级": "national", "省级": "provincial", "市级": "municipal", "县级": "county"}

PROBLEM_TYPES = {
    "土地": "land",
    "用地": "land",
    "资金": "funds",
    "审批": "approval",
    "能耗": "energy",
    "用工": "labor",
    "企业诉求": "enterprise",
    "其他": "other",
}

YES = {"是", "复杂", "true", "True", "yes"}
NO = {"否", "", "false", "False", "no"}


class TableError(AssertionError):
    """A table in a feature file that the steps cannot read (a typo in a column, a bad date …)."""


# --- cell readers -------------------------------------------------------------------


def cell_text(text: str) -> Optional[str]:
    """Text as written; ``""`` (two double quotes) is an empty string; an empty cell is absent."""
    if text == "":
        return None
    if text == '""':
        return ""
    return text


def cell_date(text: str) -> Optional[str]:
    if text in ("", "无"):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise TableError(f"日期应写成 YYYY-MM-DD,实际为 {text!r}") from None


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def cell_number(text: str) -> Optional[float | int]:
    if text in ("", "无"):
        return None
    raw = text.rstrip("%").strip()
    if not _NUMBER.fullmatch(raw):
        raise TableError(f"应为数值,实际为 {text!r}")
    return float(raw) if "." in raw else int(raw)


def cell_kind(text: str) -> str:
    if text in KINDS:
        return KINDS[text]
    if text in KIND_NAMES:
        return text
    raise TableError(f"未知的事项类型 {text!r},可用: {'、'.join(KINDS)}")


def cell_level(text: str) -> Optional[str]:
    if text == "":
        return None
    if text in LEVELS:
        return LEVELS[text]
    if text in LEVELS.values():
        return text
    raise TableError(f"未知的层级 {text!r},可用: {'、'.join(LEVELS)}")


def cell_problem_type(text: str) -> str:
    if text in PROBLEM_TYPES:
        return PROBLEM_TYPES[text]
    if text in PROBLEM_TYPES.values():
        return text
    raise TableError(f"未知的问题类型 {text!r},可用: {'、'.join(PROBLEM_TYPES)}")


def cell_none(text: str) -> None:
    """A column that can only say "none" (节点: an empty cell or 无 means the item has no milestones)."""
    if text not in ("", "无"):
        raise TableError(f"此列只能留空或写 无,实际为 {text!r};请用单独的表格列出记录")
    return None


def cell_flag(text: str) -> bool:
    if text in YES:
        return True
    if text in NO:
        return False
    raise TableError(f"应为 是 或 否,实际为 {text!r}")


# --- the item table ---------------------------------------------------------------------

# column → (field path, reader). A dotted path writes into a nested mapping.
ITEM_COLUMNS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "编号": ("id", cell_text),
    "类型": ("kind", cell_kind),
    "名称": ("title", cell_text),
    "责任人": ("owner", cell_text),
    "责任单位": ("unit", cell_text),
    "联系县领导": ("leader", cell_text),
    "层级": ("level", cell_level),
    "计划开工": ("start", cell_date),
    "计划完工": ("due", cell_date),
    "实际开工": ("started_on", cell_date),
    "实际完工": ("completed_on", cell_date),
    "形象进度": ("progress", cell_number),
    "进度报告日期": ("progress_reported_on", cell_date),
    "年度计划投资": ("investment.planned", cell_number),
    "已完成投资": ("investment.completed", cell_number),
    "节点": ("milestones", cell_none),
    "最近督查": ("supervisions", cell_date),
    "最近走访": ("visits", cell_date),
    "目标": ("goal", cell_text),
    "路径": ("path", cell_text),
    "措施": ("measures", cell_text),
    "成果": ("outcome", cell_text),
    "制度性成果": ("outcome", cell_text),
    "指标值": ("value", cell_number),
    "全国": ("benchmarks.national", cell_number),
    "全省": ("benchmarks.provincial", cell_number),
    "全市": ("benchmarks.municipal", cell_number),
    "排名": ("rank", cell_number),
    "参评县数": ("rank_of", cell_number),
    "原计划完工": ("baseline_due", cell_date),
    "表彰日期": ("recognized_on", cell_date),
    "最近反馈": ("responses", cell_date),
}

# Record tables, keyed by 编号: column → (field, reader). 编号 itself picks the item.
MILESTONE_COLUMNS = {"节点": ("name", cell_text), "计划完成": ("due", cell_date), "实际完成": ("done_on", cell_date)}
PROBLEM_COLUMNS = {
    "问题类型": ("type", cell_problem_type),
    "描述": ("description", cell_text),
    "提出日期": ("raised_on", cell_date),
    "解决期限": ("deadline", cell_date),
    "解决日期": ("resolved_on", cell_date),
    "复杂": ("complex", cell_flag),
}
SUPERVISION_COLUMNS = {
    "督查日期": ("date", cell_date),
    "督查单位": ("by", cell_text),
    "发现问题": ("finding", cell_text),
    "整改期限": ("rectify_by", cell_date),
    "整改日期": ("rectified_on", cell_date),
}
VISIT_COLUMNS = {"走访日期": ("date", cell_date), "走访领导": ("leader", cell_text)}
RESPONSE_COLUMNS = {
    "反馈日期": ("date", cell_date),
    "规则": ("rule", cell_text),
    "原因": ("cause", cell_text),
    "措施": ("measures", cell_text),
    "反馈人": ("by", cell_text),
}
MEETING_COLUMNS = {"会议日期": ("date", cell_date), "会议类型": ("type", cell_text), "会议名称": ("title", cell_text)}

RECORDS = {
    "节点": ("milestones", MILESTONE_COLUMNS),
    "问题": ("issues", PROBLEM_COLUMNS),
    "督查记录": ("supervisions", SUPERVISION_COLUMNS),
    "走访记录": ("visits", VISIT_COLUMNS),
    "反馈": ("responses", RESPONSE_COLUMNS),
}


def rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    """A Gherkin table (header row first) as one mapping per row."""
    if not datatable or len(datatable) < 2:
        raise TableError("表格至少要有表头和一行数据")
    header = [h.strip() for h in datatable[0]]
    return [dict(zip(header, (c.strip() for c in row), strict=True)) for row in datatable[1:]]


def check_columns(row: dict[str, str], known: dict[str, Any], what: str) -> None:
    unknown = [c for c in row if c not in known and c != "编号"]
    if unknown:
        raise TableError(f"{what}表格中有未知的列 {unknown},可用的列: {'、'.join(known)}")


@dataclass
class StatedItem:
    """One row of 台账中有以下事项: the cells as written, not yet merged with defaults."""

    id: str
    kind: str
    cells: dict[str, str]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def stated_items(datatable: list[list[str]]) -> list[StatedItem]:
    items = []
    for row in rows(datatable):
        check_columns(row, ITEM_COLUMNS, "事项")
        item_id = row.get("编号", "")
        if not item_id:
            raise TableError("每个事项都要有编号")
        kind = cell_kind(row["类型"]) if row.get("类型") else "project"
        items.append(StatedItem(item_id, kind, row))
    return items


def record_rows(kind: str, datatable: list[list[str]]) -> list[tuple[str, dict[str, Any]]]:
    """(item id, record) pairs from a 节点/问题/督查记录/走访记录 table."""
    _, columns = RECORDS[kind]
    out = []
    for row in rows(datatable):
        check_columns(row, columns, kind)
        if not row.get("编号"):
            raise TableError(f"{kind}表格的每一行都要有编号")
        record = {}
        for column, text in row.items():
            if column == "编号":
                continue
            name, reader = columns[column]
            value = reader(text)
            if value is not None:
                record[name] = value
        out.append((row["编号"], record))
    return out


# --- the clean baseline -------------------------------------------------------------------


def _day(as_of: date, offset: int) -> str:
    return (as_of + timedelta(days=offset)).isoformat()


def defaults(kind: str, item_id: str, as_of: date) -> dict[str, Any]:
    """A clean item of ``kind`` at ``as_of``: no rule of the default pack fires on it.

    - every kind: 名称 = 类型 + 编号 (e.g. 项目P-1), 责任人 张三, 责任单位 县住建局;
    - 项目, 企业: 联系县领导 李四;
    - 项目, 改革, 任务, 党建: 计划开工 基准日前330天, 计划完工 基准日后400天, 实际开工 = 计划开工,
      形象进度 60 (序时约45), 进度报告 基准日前8天, 一个已完成的节点 (基准日前300天),
      最近督查 基准日前18天, 无问题;
    - 项目, 改革, 任务, 党建, 创先争优: 一份基准日前10天的书面反馈(回执), 原因和措施齐全;
    - 改革: 目标、路径、措施 齐全;  创先争优: 目标 齐全;
    - 企业: 最近走访 基准日前20天 (李四), 无问题;
    - 指标: 指标值 6.0, 全国 5.0, 全省 5.2, 全市 4.8, 排名 2 / 参评县数 10.
    """
    base: dict[str, Any] = {
        "id": item_id,
        "kind": kind,
        "title": f"{KIND_NAMES[kind]}{item_id}",
        "owner": "张三",
        "unit": "县住建局",
    }
    if kind in ("project", "enterprise"):
        base["leader"] = "李四"
    if kind in ("project", "reform", "task", "party"):
        base.update(
            start=_day(as_of, -330),
            due=_day(as_of, 400),
            progress=60,
            progress_reported_on=_day(as_of, -8),
            milestones=[{"name": "前期手续", "due": _day(as_of, -300), "done_on": _day(as_of, -300)}],
            supervisions=[{"date": _day(as_of, -18), "by": "县督查室"}],
        )
    if kind in ("project", "reform", "task", "party", "excellence"):
        base["responses"] = [{"date": _day(as_of, -10), "cause": "前期手续办理较慢", "measures": "倒排工期,挂图作战"}]
    if kind == "reform":
        base.update(goal="形成可复制推广的改革经验", path="试点先行、全面推开", measures="制定实施方案,按季度调度")
    if kind == "excellence":
        base["goal"] = "争创省级文明单位"
    if kind == "enterprise":
        base["visits"] = [{"date": _day(as_of, -20), "leader": "李四"}]
    if kind == "indicator":
        base.update(value=6.0, benchmarks={"national": 5.0, "provincial": 5.2, "municipal": 4.8}, rank=2, rank_of=10)
    return base


def _put(item: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with ``None`` remove) a possibly dotted field."""
    head, _, rest = path.partition(".")
    if not rest:
        if value is None:
            item.pop(head, None)
        else:
            item[head] = value
        return
    nested = dict(item.get(head) or {})
    if value is None:
        nested.pop(rest, None)
    else:
        nested[rest] = value
    if nested:
        item[head] = nested
    else:
        item.pop(head, None)


def build_item(stated: StatedItem, as_of: date) -> dict[str, Any]:
    """The ledger mapping of one item: its kind's clean defaults, overridden by what the scenario states."""
    item = defaults(stated.kind, stated.id, as_of)
    cells = stated.cells
    for column, text in cells.items():
        path, reader = ITEM_COLUMNS[column]
        value = reader(text)
        if path == "supervisions":
            value = [{"date": value, "by": "县督查室"}] if value else []
        elif path == "visits":
            value = [{"date": value, "leader": item.get("leader") or "李四"}] if value else []
        elif path == "responses":
            value = [{"date": value, "cause": "前期手续办理较慢", "measures": "倒排工期,挂图作战"}] if value else []
        _put(item, path, value if value != [] else None)
    # 实际开工 follows 计划开工 unless the scenario says otherwise.
    if "实际开工" not in cells and "start" in item and stated.kind in ("project", "reform", "task", "party"):
        item["started_on"] = item["start"]
    for name, records in stated.records.items():
        if records:
            item[name] = records
        else:
            item.pop(name, None)
    return item


def meeting_rows(datatable: list[list[str]]) -> list[dict[str, Any]]:
    """The county's meetings from a 会议日期/会议类型/会议名称 table."""
    out = []
    for row in rows(datatable):
        unknown = [c for c in row if c not in MEETING_COLUMNS]
        if unknown:
            raise TableError(f"会议表格中有未知的列 {unknown},可用的列: {'、'.join(MEETING_COLUMNS)}")
        meeting = {}
        for column, text in row.items():
            name, reader = MEETING_COLUMNS[column]
            value = reader(text)
            if value is not None:
                meeting[name] = value
        out.append(meeting)
    return out


def ledger_mapping(
    items: list[StatedItem], units: list[dict[str, Any]], as_of: date, county: str = "测试县",
    meetings: Optional[list[dict[str, Any]]] = None,
) -> dict[str, Any]:
    """The whole ledger as ``load_ledger`` and ``duban check`` read it (meetings only when stated)."""
    info: dict[str, Any] = {"county": county, "as_of": as_of.isoformat()}
    if meetings is not None:
        info["meetings"] = meetings
    return {
        "ledger": info,
        "units": units,
        "items": [build_item(item, as_of) for item in items],
    }
