"""假如 …: the reference date, the ledger (items, records, units), params and rule files."""

from __future__ import annotations

import json
import re
from datetime import date

import yaml
from pytest_bdd import given, parsers

from .ledger import RECORDS, TableError, meeting_rows, record_rows, rows, stated_items
from .scene import Scene


@given(parsers.re(r"基准日为 ?(?P<day>\d{4}-\d{2}-\d{2})"))
def reference_date(scene: Scene, day: str) -> None:
    scene.as_of = date.fromisoformat(day)


@given(parsers.re(r"(未列出|其余)的?字段均(取|为)合规的默认值"))
def clean_defaults() -> None:
    """Documentation only: unstated columns always take the clean defaults (features/README.md)."""


@given(parsers.re(r"台账中(还)?有以下事项[::]?"))
def ledger_items(scene: Scene, datatable: list[list[str]]) -> None:
    for item in stated_items(datatable):
        if any(other.id == item.id for other in scene.items):
            raise TableError(f"事项编号 {item.id!r} 重复")
        scene.items.append(item)


@given(parsers.re(r"事项有以下(?P<kind>节点|问题|督查记录|走访记录|反馈)[::]?"))
def item_records(scene: Scene, kind: str, datatable: list[list[str]]) -> None:
    """Records replace the item's default records of that kind (its first table), then add up."""
    name, _ = RECORDS[kind]
    for item_id, record in record_rows(kind, datatable):
        scene.item(item_id).records.setdefault(name, []).append(record)


@given(parsers.re(r"县里有以下单位[::]?"))
def county_units(scene: Scene, datatable: list[list[str]]) -> None:
    for row in rows(datatable):
        unknown = set(row) - {"单位", "负责人"}
        if unknown or "单位" not in row:
            raise TableError(f"单位表格的列应为 单位、负责人,实际为 {list(row)}")
        unit = {"name": row["单位"]}
        if row.get("负责人"):
            unit["head"] = row["负责人"]
        scene.units.append(unit)


@given(parsers.re(r'参数 "(?P<name>[A-Za-z_][A-Za-z0-9_]*)" 设为 (?P<value>\S+)'))
def set_param(scene: Scene, name: str, value: str) -> None:
    """Like ``--set name=value``: the value is read as a YAML scalar."""
    scene.params[name] = yaml.safe_load(value)


@given(parsers.re(r'规则目录 "(?P<folder>[^"]+)" 中有文件 "(?P<filename>[^"]+)"[::]?'))
def rule_file(scene: Scene, folder: str, filename: str, docstring: str) -> None:
    path = scene.workdir / folder / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(docstring + "\n", encoding="utf-8")


@given(parsers.re(r'有文件 "(?P<filename>[^"]+)"[::]?'))
def any_file(scene: Scene, filename: str, docstring: str) -> None:
    """A file of the scenario's folder, written as it stands (a ledger with errors, a JSON Lines file …)."""
    (scene.workdir / filename).write_text(docstring + "\n", encoding="utf-8")


@given(parsers.re(r'台账的事项逐行写入 "(?P<lines>[^"]+)",台账信息和单位写入 "(?P<header>[^"]+)"'))
def json_lines_ledger(scene: Scene, lines: str, header: str) -> None:
    """The scenario's ledger as two files of one run: its items one per line (JSON Lines), the rest in YAML."""
    data = scene.ledger()
    head = {"ledger": data["ledger"], "units": data["units"], "items": []}
    (scene.workdir / header).write_text(yaml.safe_dump(head, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (scene.workdir / lines).write_text(
        "".join(json.dumps(item, ensure_ascii=False, default=str) + "\n" for item in data["items"]), encoding="utf-8")


@given(parsers.re(r"县里召开了以下会议[::]?"))
def county_meetings(scene: Scene, datatable: list[list[str]]) -> None:
    """The ledger records the county's meetings (ledger.meetings), these among them."""
    scene.meetings = (scene.meetings or []) + meeting_rows(datatable)


@given(parsers.re(r"台账记录县里的会议,但(一次也)?没有召开过"))
def no_meetings(scene: Scene) -> None:
    scene.meetings = []


@given(parsers.re(r"(?P<dates>\d{4}-\d{2}-\d{2}(?:[、,, 和]+\d{4}-\d{2}-\d{2})*) 的督办检查已记入历史"))
def recorded_periods(scene: Scene, dates: str) -> None:
    """Each earlier period evaluated on the ledger as it stood then, in date order, and recorded."""
    for day in sorted(re.findall(r"\d{4}-\d{2}-\d{2}", dates)):
        when = date.fromisoformat(day)
        if when >= scene.as_of:
            raise TableError(f"记入历史的基准日 {day} 应早于本期基准日 {scene.as_of}")
        scene.record(when)


WAIVER_COLUMNS = {"对象": "item", "规则": "rule", "理由": "reason", "批准": "approved_by", "起始": "from", "截止": "until"}


@given(parsers.re(r"有以下豁免[::]?"))
def waivers(scene: Scene, datatable: list[list[str]]) -> None:
    for row in rows(datatable):
        unknown = [c for c in row if c not in WAIVER_COLUMNS]
        if unknown:
            raise TableError(f"豁免表格中有未知的列 {unknown},可用的列: {'、'.join(WAIVER_COLUMNS)}")
        entry = {"reason": "经批准暂缓", "approved_by": "县政府常务会议"}
        entry.update({WAIVER_COLUMNS[c]: v for c, v in row.items() if v})
        scene.waivers.append(entry)
