"""假如 …: the reference date, the ledger (items, records, units), params and rule files."""

from __future__ import annotations

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


@given(parsers.re(r"县里召开了以下会议[::]?"))
def county_meetings(scene: Scene, datatable: list[list[str]]) -> None:
    """The ledger records the county's meetings (ledger.meetings), these among them."""
    scene.meetings = (scene.meetings or []) + meeting_rows(datatable)


@given(parsers.re(r"台账记录县里的会议,但(一次也)?没有召开过"))
def no_meetings(scene: Scene) -> None:
    scene.meetings = []
