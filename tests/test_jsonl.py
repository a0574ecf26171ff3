"""JSON Lines ledgers: one item per line, `ledger` and `units` from another file of the same run.

SPEC Part 2 "Scale", JSON Lines: ids unique as always; errors name the line
(`items.jsonl: 第 1203 行 (P-1203).progress: …`); duban reads the file in chunks and never holds more
of it than it must. The same ledger as one JSON file and as a header file plus a .jsonl gives the same
report, byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import SAMPLE, generate_ledger, make_item
from engine import Engine, LedgerError, load_ledger
from engine.ledger import jsonl as jsonl_module
from engine.ledger import parse_document, read as read_module


def write_lines(path: Path, *lines: Any) -> Path:
    """A .jsonl file: a dict or list is one JSON line, a str is written as it is (a broken or blank line)."""
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def write_header(path: Path, units: tuple[str, ...] = ("县住建局",)) -> Path:
    """A county file: ledger and units, no items (YAML, as an office writes it)."""
    data = {"ledger": {"county": "测试县", "as_of": "2026-11-28"}, "units": [{"name": u} for u in units], "items": []}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def errors_of(*sources: Path, **options: Any) -> list[str]:
    with pytest.raises(LedgerError) as caught:
        load_ledger(list(sources), **options)
    assert str(caught.value).splitlines() == [str(d) for d in caught.value.diagnostics]
    return [str(d) for d in caught.value.diagnostics]


def split_ledger(data: dict, folder: Path, name: str) -> tuple[Path, Path]:
    """The same ledger as a header file (ledger, units) and a .jsonl of its items."""
    header = folder / f"{name}.county.json"
    header.write_text(json.dumps({k: v for k, v in data.items() if k != "items"} | {"items": []},
                                 ensure_ascii=False), encoding="utf-8")
    return header, write_lines(folder / f"{name}.jsonl", *data["items"])


# --- the same report, byte for byte ---------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """bench/generate.py's ledger of 1,200 items as JSON, and as its .county.json header plus .jsonl."""
    folder = tmp_path_factory.mktemp("generated")
    for out in ("ledger.json", "ledger.jsonl"):
        generate_ledger(folder / out, 1200, seed=3)
    return folder / "ledger.json", folder / "ledger.county.json", folder / "ledger.jsonl"


def test_the_generated_ledger_gives_the_same_json_report_as_one_file_and_as_json_lines(
        generated: tuple[Path, Path, Path], run_cli: Any) -> None:
    whole, header, lines = generated
    one = run_cli("check", str(whole), "--format", "json").stdout_bytes
    two = run_cli("check", str(header), str(lines), "--format", "json").stdout_bytes
    assert json.loads(one)["summary"]["items"] == 1200
    assert one == two


def test_the_generated_ledger_loads_to_the_same_ledger(generated: tuple[Path, Path, Path]) -> None:
    whole, header, lines = generated
    one, two = load_ledger(whole), load_ledger([header, lines])
    assert two.items == one.items
    assert (two.info, two.units, two.notes) == (one.info, one.units, one.notes)
    assert two.sources == [str(header), str(lines)]
    assert two.origin(two.items[0].id) == (str(lines), "第 1 行")
    assert two.origin(two.items[-1].id) == (str(lines), f"第 {len(two.items)} 行")


def test_the_sample_county_as_json_lines_ranks_like_the_yaml(tmp_path: Path, run_cli: Any) -> None:
    data = parse_document(SAMPLE.read_text(encoding="utf-8"), str(SAMPLE), ".yaml")
    header, lines = split_ledger(data, tmp_path, "sample")
    for command in ("check", "rank"):
        expected = run_cli(command, str(SAMPLE), "--format", "json").stdout_bytes
        assert run_cli(command, str(header), str(lines), "--format", "json").stdout_bytes == expected


def test_beside_json_lines_a_header_file_needs_no_items_and_alone_it_does(tmp_path: Path) -> None:
    header = tmp_path / "county.yaml"
    header.write_text("ledger:\n  county: 示例县\nunits:\n  - name: 县发改局\n", encoding="utf-8")
    lines = tmp_path / "items.jsonl"
    lines.write_text(json.dumps(make_item(id="P-1"), ensure_ascii=False) + "\n", encoding="utf-8")
    ledger = load_ledger([header, lines])
    assert [item.id for item in ledger.items] == ["P-1"] and ledger.info.county == "示例县"
    assert [unit.name for unit in ledger.units] == ["县发改局"]
    with pytest.raises(LedgerError, match="county.yaml: items: 缺少必填字段"):
        load_ledger(header)


def test_a_json_lines_file_alone_is_a_ledger_without_units_or_ledger_info(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.ndjson", make_item(id="P-1"), make_item(id="P-2"))
    ledger = load_ledger(path)
    assert [i.id for i in ledger.items] == ["P-1", "P-2"]
    assert ledger.units == [] and ledger.info.county is None and ledger.info.as_of is None


def test_blank_lines_are_skipped_but_counted_and_a_byte_order_mark_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(make_item(id="P-1")).encode() + b"\r\n\r\n   \n"
                     + json.dumps(make_item(id="P-2")).encode())  # no line end after the last line
    ledger = load_ledger(path)
    assert [(i.id, ledger.origin(i.id)) for i in ledger.items] == [("P-1", (str(path), "第 1 行")),
                                                                    ("P-2", (str(path), "第 4 行"))]


def test_an_empty_json_lines_file_is_a_ledger_with_no_items(tmp_path: Path) -> None:
    ledger = load_ledger(write_lines(tmp_path / "items.jsonl", "", ""))
    assert ledger.items == [] and any("没有事项" in note for note in ledger.notes)


# --- errors name the line -------------------------------------------------------------------------


@pytest.mark.parametrize("line, expected", [
    (make_item(id="P-9", progress="很多"), "第 3 行 (P-9).progress: 应为数值,实际为 '很多'"),
    (make_item(id="P-9", progress=150), "第 3 行 (P-9).progress: 应在 0 到 100 之间,实际为 150"),
    (make_item(id="P-9", due="2026-02-30"), "第 3 行 (P-9).due: 不存在的日期 2026-02-30"),
    (make_item(id="P-9", milestones=[{"name": "开工", "due": "2026-13-01"}]),
     "第 3 行 (P-9).milestones[0].due: 不存在的日期 2026-13-01"),
    (make_item(id="P-9", progres=10), "第 3 行 (P-9).progres: 未知的字段 'progres',是否想写 'progress'?"),
    ('{"id": "P-9", "kind": ', "第 3 行第 23 列: JSON 语法错误: 缺少值(或有多余的逗号)"),
    ('{"id": "P-9", "id": "P-10", "kind": "project", "title": "t"}', "第 3 行: JSON 错误: 重复的键 'id'"),
    ('[1, 2]', "第 3 行: 应为一个事项(JSON 对象 {…}),实际为列表"),
    ('"P-9"', "第 3 行: 应为一个事项(JSON 对象 {…}),实际为文本"),
    ("null", "第 3 行: 应为一个事项(JSON 对象 {…}),实际为null"),
    ('{"units": [{"name": "县住建局"}]}', "第 3 行: 这一行含 units,不是事项"),
    ('{"ledger": {"county": "测试县"}, "items": []}', "第 3 行: 这一行含 ledger、items,不是事项"),
])
def test_an_error_names_the_file_and_the_line(tmp_path: Path, line: Any, expected: str) -> None:
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1"), "", line)
    [found] = errors_of(path)
    assert found.startswith(f"{path}: {expected}")


def test_a_line_of_ledger_info_says_where_it_belongs(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.jsonl", {"ledger": {"county": "测试县"}})
    [found] = errors_of(path)
    assert "台账信息(ledger)和责任单位(units)请写在同一次运行的另一个台账文件中" in found


def test_every_bad_line_is_reported_in_line_order_across_chunks(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "CHUNK_LINES", 2)
    path = write_lines(tmp_path / "items.jsonl",
                       make_item(id="P-1"), "{", make_item(id="P-3", progress=-1), make_item(id="P-4"),
                       make_item(id="P-5", due="2026-1-5", kind="projct"), "7", make_item(id="P-7"))
    assert [line.split(": ", 2)[1] for line in errors_of(path)] == [
        "第 2 行第 2 列", "第 3 行 (P-3).progress", "第 5 行 (P-5).kind", "第 5 行 (P-5).due", "第 6 行"]


def test_a_duplicate_id_names_both_lines_within_the_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1"), make_item(id="P-2"), make_item(id="P-1"))
    assert errors_of(path) == [f"{path}: 第 3 行 (P-1).id: 编号重复,已见于 {path} 第 1 行"]


def test_a_duplicate_id_across_the_header_file_and_the_json_lines(tmp_path: Path) -> None:
    header = tmp_path / "county.json"
    header.write_text(json.dumps({"units": [], "items": [make_item(id="P-1")]}, ensure_ascii=False), encoding="utf-8")
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-2"), make_item(id="P-1"))
    assert errors_of(header, path) == [f"{path}: 第 2 行 (P-1).id: 编号重复,已见于 {header} items[0]"]


def test_a_duplicate_id_is_reported_with_the_other_errors_of_the_file(tmp_path: Path) -> None:
    header = write_header(tmp_path / "county.yaml")
    other = tmp_path / "more.json"
    other.write_text(json.dumps({"items": [make_item(id="P-2")]}), encoding="utf-8")
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1", progress="x"), make_item(id="P-2"),
                       make_item(id="P-1"))
    assert errors_of(header, other, path) == [
        f"{path}: 第 1 行 (P-1).progress: 应为数值,实际为 'x'",
        f"{path}: 第 2 行 (P-2).id: 编号重复,已见于 {other} items[0]",
        f"{path}: 第 3 行 (P-1).id: 编号重复,已见于 {path} 第 1 行",
    ]


def test_an_extra_value_of_the_wrong_type_names_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "rules.yaml").write_text(yaml.safe_dump({
        "fields": {"extra.budget": "number"},
        "rules": [{"id": "X-01", "title": "t", "clause": "c", "applies_to": ["project"],
                   "when": {"field": "extra.budget", "op": "present"}, "severity": "yellow",
                   "message": "m", "remedy": "r"}]}, allow_unicode=True), encoding="utf-8")
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1"), make_item(id="P-2", extra={"budget": "很多"}))
    with pytest.raises(LedgerError) as caught:
        Engine.from_path(folder).evaluate(load_ledger(path))
    assert [str(d) for d in caught.value.diagnostics] == [f"{path}: 第 2 行 (P-2).extra.budget: 规则包声明为数值,实际为 '很多'"]


def test_a_line_in_gbk_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(json.dumps(make_item(id="P-1")).encode() + b"\n"
                     + json.dumps(make_item(id="P-2", title="县城污水处理厂"), ensure_ascii=False).encode("gbk") + b"\n")
    [found] = errors_of(path)
    assert found.startswith(f"{path}: 第 2 行: 是 GBK/GB18030 编码的文本")


def test_a_workbook_named_jsonl_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    [found] = errors_of(path)
    assert "是 Excel 工作簿" in found


def test_the_limits_hold_for_json_lines(tmp_path: Path) -> None:
    from engine import Limits

    path = write_lines(tmp_path / "items.jsonl", *(make_item(id=f"P-{n}") for n in range(1, 5)))
    assert errors_of(path, limits=Limits(max_items=3)) == [
        f"{path}: 第 4 行: 事项过多: 超过上限 3 个(可用 --limit max_items 调整)"]
    size = path.stat().st_size
    [too_big] = errors_of(path, limits=Limits(max_file_bytes=size - 1))
    assert "文件过大" in too_big
    deep = write_lines(tmp_path / "deep.jsonl", '{"id": "P-1", "extra": {"a": ' + "[" * 40 + "]" * 40 + "}}")
    [nested] = errors_of(deep)
    assert nested.startswith(f"{deep}: 第 1 行") and "嵌套过深" in nested


# --- read a chunk at a time, never the whole text -----------------------------------------------------


def test_the_file_is_read_line_by_line_and_validated_a_chunk_at_a_time(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_lines(tmp_path / "items.jsonl", *(make_item(id=f"P-{n}") for n in range(1, 12)))

    def whole_file(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a JSON Lines ledger is not read whole")

    monkeypatch.setattr(read_module, "read_bytes", whole_file)
    monkeypatch.setattr(jsonl_module, "CHUNK_LINES", 4)
    sizes: list[int] = []
    validate = jsonl_module.validate_file
    monkeypatch.setattr(jsonl_module, "validate_file",
                        lambda data, *args, **kwargs: sizes.append(len(data["items"])) or validate(data, *args, **kwargs))
    ledger = load_ledger(path)
    assert len(ledger.items) == 11 and sizes == [4, 4, 3]


# --- the command line -----------------------------------------------------------------------------------


def test_the_command_line_exits_2_with_one_line_per_error_and_no_traceback(tmp_path: Path, run_duban: Any) -> None:
    header = write_header(tmp_path / "county.yaml")
    write_lines(tmp_path / "items.jsonl", make_item(id="P-1", progress="abc"), "", make_item(id="P-3", due="2026-02-30"),
                '{"id": "P-4", "id": "P-5"}', "{oops", make_item(id="P-1"))
    proc = run_duban("check", header.name, "items.jsonl", code=2, cwd=tmp_path)
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "错误: items.jsonl: 第 1 行 (P-1).progress: 应为数值,实际为 'abc'",
        "错误: items.jsonl: 第 3 行 (P-3).due: 不存在的日期 2026-02-30",
        "错误: items.jsonl: 第 4 行: JSON 错误: 重复的键 'id'",
        "错误: items.jsonl: 第 5 行第 2 列: JSON 语法错误: 键应写在双引号中(或有多余的逗号)",
        "错误: items.jsonl: 第 6 行 (P-1).id: 编号重复,已见于 items.jsonl 第 1 行",
    ]


def test_skip_invalid_sets_bad_lines_aside_and_evaluates_the_rest(tmp_path: Path, run_cli: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "CHUNK_LINES", 3)
    header = write_header(tmp_path / "county.yaml")
    path = write_lines(tmp_path / "items.jsonl",
                       make_item(id="P-1"), make_item(id="P-2", progress="abc"), "[]",
                       make_item(id="P-4", milestones=[{"name": "开工", "due": "2026-02-30"}]),
                       '{"id": "P-5", "id": "P-6"}', make_item(id="P-7"))
    ledger = load_ledger([header, path], skip_invalid=True)
    assert [(i.id, ledger.origin(i.id)[1]) for i in ledger.items] == [("P-1", "第 1 行"), ("P-4", "第 4 行"),
                                                                       ("P-7", "第 6 行")]
    assert ledger.items[1].milestones == []  # a bad record drops only itself
    assert [(r.place, r.id) for r in ledger.rejected] == [
        ("第 2 行 (P-2).progress", "P-2"), ("第 3 行", None), ("第 4 行 (P-4).milestones[0].due", "P-4"),
        ("第 5 行", None)]
    result = run_cli("check", str(header), str(path), "--skip-invalid", "--format", "json")
    report = json.loads(result.stdout)
    assert sorted(item["id"] for item in report["items"]) == ["P-1", "P-4", "P-7"]  # in rank order
    assert [r["place"] for r in report["rejected"]] == [r.place for r in ledger.rejected]
    assert f"错误: {path}: 第 3 行: 应为一个事项(JSON 对象 {{…}}),实际为列表" in result.stderr.splitlines()


def test_skip_invalid_still_refuses_a_duplicate_id(tmp_path: Path, run_cli: Any) -> None:
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1"), make_item(id="P-1"))
    result = run_cli("check", str(path), "--skip-invalid", code=2)
    assert f"错误: {path}: 第 2 行 (P-1).id: 编号重复,已见于 {path} 第 1 行" in result.stderr.splitlines()


def test_validate_and_explain_read_json_lines(tmp_path: Path, run_cli: Any) -> None:
    header = write_header(tmp_path / "county.yaml")
    path = write_lines(tmp_path / "items.jsonl", make_item(id="P-1"), make_item(id="P-2", progress=5))
    assert json.loads(run_cli("validate", str(header), str(path), "--format", "json").stdout)["items"] == 2
    assert "P-2" in run_cli("explain", "P-2", str(header), str(path), "--as-of", "2026-11-28").stdout
