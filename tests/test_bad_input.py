"""Bad ledgers and bad rule packs at the command line (issue: "never crash, never corrupt an output").

A table of cases, each a folder of files written into ``tmp_path``, a command
line, and what the one-line error must say. Every case must end the same way:

- exit code 2, nothing on stdout;
- stderr non-empty, every line starting with ``错误: `` or ``提示: `` and of a
  readable length (a bad value is shortened, never printed whole);
- an error line ``错误: <file as given>: <place>: <cause>`` with the expected
  place and cause fragments;
- no ``Traceback`` anywhere;
- the folder exactly as it was: a pre-existing ``--output`` file byte-identical,
  an absent one still absent, no stray temporary files.

Every case runs in-process (click's runner) with a pre-existing output file;
the cases named in ``AS_A_PROCESS`` also run as the installed ``duban``
process (run ``pip install /work/main`` after changing engine code), several
at a time, without an output file (it must still be absent afterwards), with
their peak memory measured.

At the end: a 1 MB title, dates at the ends of the calendar, and interrupted runs
(SIGINT during evaluation, with --jobs 1 and 2, to the process or to its whole group
as Ctrl-C does, and during start-up): exit 130, no traceback, --output unchanged.

The library-level details (every error of a file reported, merge rules …) are
in test_load.py and test_pack.py; this file is about what a person at the
command line sees.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Union

import pytest
import yaml
from click.testing import CliRunner

from cli import main
from conftest import SAMPLE, duban_executable

Content = Union[str, bytes, Callable[[], Union[str, bytes]]]
Alternatives = Union[str, tuple[str, ...]]

OLD_OUTPUT = b'{"previous": "run", "keep": true}\n'
MAX_LINE = 500  # characters in one stderr line: one readable line, not a dump of the input
MAX_RSS_MB = 500  # peak memory of one refused run (alias bombs, deep nesting, huge values)
IN_PROCESS_SECONDS = 15
SUBPROCESS_SECONDS = 90  # they run in parallel on a shared machine; the in-process bound is the tight one


# --- building inputs ----------------------------------------------------------------------------------

HEAD = "ledger: {county: 测试县, as_of: 2026-11-28}\n"


def Y(*items: str, head: str = HEAD) -> str:
    """A YAML ledger whose items are the given flow mappings (or any YAML node text)."""
    return head + "items:\n" + "".join(f"  - {text}\n" for text in items)


def P(extra: str = "", *, id: str = "P-1", kind: str = "project") -> str:
    """A flow-mapping item: a clean project, plus ``extra`` fields."""
    return "{" + f"id: {id}, kind: {kind}, title: 测试项目" + (f", {extra}" if extra else "") + "}"


def J(*items: dict, **top: Any) -> str:
    """A JSON ledger."""
    data = {"ledger": {"county": "测试县", "as_of": "2026-11-28"}, "items": list(items), **top}
    return json.dumps(data, ensure_ascii=False)


def item(**fields: Any) -> dict:
    return {"id": "P-1", "kind": "project", "title": "测试项目", **fields}


GOOD = Y(P())


def rule(**over: Any) -> dict:
    """A valid rule; ``over`` replaces keys (None deletes one)."""
    data: dict[str, Any] = {
        "id": "X-1",
        "title": "测试规则",
        "clause": "对于进展缓慢的项目,要深入分析原因",
        "applies_to": ["project"],
        "when": {"field": "progress_gap", "op": "gte", "value": 10},
        "severity": "yellow",
        "message": "「{title}」落后序时进度{progress_gap}个百分点",
        "remedy": "责任单位须报送赶超计划",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def pack(*rules: dict, **top: Any) -> str:
    return yaml.safe_dump({"rules": list(rules), **top}, allow_unicode=True, sort_keys=False)


def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def alias_bomb(levels: int = 12, width: int = 9, indent: str = "") -> str:
    """Billion laughs: each level repeats the previous one ``width`` times (9**12 nodes expanded)."""
    lines = [f'{indent}l0: &l0 [{", ".join(["哈"] * width)}]']
    for level in range(1, levels + 1):
        lines.append(f"{indent}l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def sample_as_json() -> str:
    data = yaml.load(SAMPLE.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return json.dumps(data, ensure_ascii=False, default=str)


# --- special files ------------------------------------------------------------------------------------


def bind_socket(folder: Path, name: str) -> None:
    """A UNIX socket file: it exists, is not a folder, and cannot be opened for reading."""
    cwd = os.getcwd()
    os.chdir(folder)  # bind a short relative path: socket paths are limited to ~108 bytes
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(name)
        sock.close()
    finally:
        os.chdir(cwd)


def unreadable_file(folder: Path) -> None:
    """ledger.yaml that cannot be read: chmod 000, or (as root, where chmod 000 does not stop reading) a socket."""
    path = folder / "ledger.yaml"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    try:
        with open(path, "rb"):
            readable = True
    except PermissionError:
        readable = False
    if readable:  # running as root
        path.chmod(0o644)
        path.unlink()
        bind_socket(folder, "ledger.yaml")


def symlink_loop(folder: Path) -> None:
    os.symlink("loop-b.yaml", folder / "loop-a.yaml")
    os.symlink("loop-a.yaml", folder / "loop-b.yaml")


def directory(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).mkdir(parents=True)


# --- the matrix ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, Content]
    args: tuple[str, ...]
    named: Alternatives                 # the file (or option) the error line names, as given
    place: Optional[Alternatives] = None  # what follows the file on that line (None: not checked)
    causes: tuple[Alternatives, ...] = ()  # fragments the same line must contain
    forbid: tuple[str, ...] = ()          # fragments no line may contain
    setup: Optional[Callable[[Path], None]] = None
    output: bool = True                   # add --output out.json

    def command(self) -> list[str]:
        return list(self.args) + (["--output", "out.json"] if self.output else [])


def L(name: str, content: Content, place: Optional[Alternatives] = None, *causes: Alternatives,
      file: str = "ledger.yaml", forbid: tuple[str, ...] = (), command: str = "check") -> Case:
    """A case with one bad ledger file."""
    return Case(name, {file: content}, (command, file), file, place, causes, forbid=forbid)


PACK_ARGS = ("check", "good.yaml", "--rules", "pack")


def R(name: str, content: Content, place: Optional[Alternatives] = None, *causes: Alternatives,
      extra: Optional[dict[str, Content]] = None, args: tuple[str, ...] = PACK_ARGS,
      named: Alternatives = "pack/r.yaml", forbid: tuple[str, ...] = ()) -> Case:
    """A case with one bad rule file pack/r.yaml (and a good ledger)."""
    files: dict[str, Content] = {"good.yaml": GOOD, "pack/r.yaml": content, **(extra or {})}
    return Case(name, files, args, named, place, causes, forbid=forbid)


def U(name: str, args: tuple[str, ...], named: str, place: Optional[str] = None, *causes: Alternatives,
      files: Optional[dict[str, Content]] = None) -> Case:
    """A bad option: the 'file' of the error line is the option."""
    return Case(name, files if files is not None else {"good.yaml": GOOD}, args, named, place, causes)


BIG = "1" + "0" * 400            # 10**400: more than any float
DIGITS_5001 = "1" + "0" * 5000   # beyond Python's default int-from-text limit (4300 digits)
MEGA = 1 << 20

CASES: list[Case] = [
    # -- files that are not ledgers at all
    L("empty_yaml", "", None, "空"),
    L("comments_only_yaml", "# 台账待填写\n", None, "空"),
    L("empty_json", "", "第 1 行", "JSON", file="ledger.json"),
    L("binary", bytes(range(256)) * 8, None, "二进制"),
    L("damaged_excel_workbook", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, None, "工作簿已损坏",
      file="台账.xlsx"),
    L("gbk_text", Y(P("owner: 张三")).encode("gbk"), None, "UTF-8"),
    L("utf16_text_from_excel", GOOD.encode("utf-16"), None, ("UTF-8", "二进制")),
    L("control_character_in_yaml", Y(P('goal: "a\x07b"')), "第 ", "YAML"),
    L("lone_surrogate_in_json", J(item(title="\\ud800")).replace("\\\\ud800", "\\ud800"), "items[0] (P-1).title",
      file="ledger.json"),
    # -- syntax
    L("broken_yaml", Y(P("milestones: [{name: 开工, due: 2026-03-01}")), "第 ", "YAML"),
    L("yaml_tab_indentation", HEAD + "items:\n\t- " + P() + "\n", "第 ", "YAML"),
    L("yaml_two_documents", GOOD + "---\n" + GOOD, "第 ", "YAML"),
    L("yaml_duplicate_key", Y("id: P-1\n    kind: project\n    title: 甲\n    title: 乙"), "第 6 行", "重复", "title"),
    L("broken_json", '{"items": [}', "第 1 行第 12 列", "JSON", file="ledger.json"),
    L("json_trailing_comma", '{"items": [],}', "第 1 行", "JSON", file="ledger.json"),
    L("json_duplicate_key", '{"items": [{"id": "P-1", "kind": "project", "title": "甲", "title": "乙"}]}', None,
      "重复", "title", file="ledger.json"),
    # -- shape
    L("top_level_list_yaml", "- " + P() + "\n", None, "顶层"),
    L("top_level_list_json", json.dumps([item()]), None, "顶层", file="ledger.json"),
    L("top_level_text", "清溪县重点项目台账\n", None, "顶层"),
    L("missing_items", HEAD + "units: []\n", "items", "缺少"),
    L("items_misspelled", HEAD + "item:\n  - " + P() + "\n", "item", "'items'"),
    L("items_not_a_list", HEAD + "items: " + P() + "\n", "items", "列表"),
    L("item_not_a_mapping", Y("P-1"), "items[0]", "映射"),
    L("missing_id", Y("{kind: project, title: 测试项目}"), "items[0].id", "缺少"),
    L("blank_id", Y('{id: "  ", kind: project, title: 测试项目}'), "items[0].id", "空"),
    L("missing_kind", Y("{id: P-1, title: 测试项目}"), "items[0] (P-1).kind", "缺少"),
    L("missing_title", Y("{id: P-1, kind: project}"), "items[0] (P-1).title", "缺少"),
    L("unknown_kind", Y("{id: P-1, kind: projekt, title: 测试项目}"), "items[0] (P-1).kind", "projekt"),
    L("unknown_level", Y(P("level: provincal")), "items[0] (P-1).level", "provincal"),
    L("unknown_issue_type", Y(P("issues: [{type: money, raised_on: 2026-01-05}]")),
      "items[0] (P-1).issues[0].type", "money"),
    # -- unknown keys, with "did you mean" for a near miss
    L("unknown_key_near_miss", Y(P("progres: 50")), "items[0] (P-1).progres", "'progress'"),
    L("unknown_key", Y(P("colour: red")), "items[0] (P-1).colour", "未知"),
    L("unknown_nested_key_near_miss", Y(P("investment: {planed: 100}")), "items[0] (P-1).investment.planed",
      "'planned'"),
    L("unknown_key_one_megabyte_long", lambda: J({**item(), "progres" * (MEGA // 7): 1}), "items[0] (P-1).",
      "未知", file="ledger.json"),
    # -- wrong types
    L("title_is_a_number", Y("{id: P-1, kind: project, title: 12345}"), "items[0] (P-1).title", "文本"),
    L("progress_is_text", Y(P('progress: "50%"')), "items[0] (P-1).progress", "数值"),
    L("progress_is_a_boolean", Y(P("progress: true")), "items[0] (P-1).progress", "数值"),
    L("milestones_is_a_mapping", Y(P("milestones: {name: 开工, due: 2026-03-01}")),
      "items[0] (P-1).milestones", "列表"),
    L("complex_is_text", Y(P('issues: [{type: land, raised_on: 2026-01-05, complex: "是"}]')),
      "items[0] (P-1).issues[0].complex", "true 或 false"),
    L("rank_is_a_fraction", Y(P("rank: 2.5, rank_of: 10", id="I-1", kind="indicator")), "items[0] (I-1).rank", "整数"),
    L("binary_tag_title", Y("{id: P-1, kind: project, title: !!binary 5rWL6K+V}"), "items[0] (P-1).title", "文本"),
    L("unknown_local_tag", Y(P("owner: !person 张三")), "第 ", "标签"),
    L("int_tag_on_text", Y(P("progress: !!int 五十")), None, ("五十", "整数", "数值")),
    L("float_tag_on_text", Y(P("progress: !!float abc")), None, ("abc", "数值")),
    # -- values out of range
    L("progress_minus_1", Y(P("progress: -1")), "items[0] (P-1).progress", "-1"),
    L("progress_101", Y(P("progress: 101")), "items[0] (P-1).progress", "101"),
    L("progress_100_point_5", Y(P("progress: 100.5")), "items[0] (P-1).progress", "100.5"),
    L("investment_completed_negative", Y(P("investment: {planned: 1000, completed: -5}")),
      "items[0] (P-1).investment.completed", "-5"),
    L("investment_planned_negative", Y(P("investment: {planned: -0.01}")), "items[0] (P-1).investment.planned",
      "-0.01"),
    L("rank_above_rank_of", Y(P("rank: 11, rank_of: 10", id="I-1", kind="indicator")), "items[0] (I-1).rank", "11"),
    # -- dates
    L("impossible_date", Y(P("due: 2026-02-30")), "items[0] (P-1).due", "2026-02-30"),
    L("impossible_milestone_date", Y(P("milestones: [{name: 开工, due: 2026-13-01}]")),
      "items[0] (P-1).milestones[0].due", "2026-13-01"),
    L("impossible_header_date", Y(P(), head="ledger: {county: 测试县, as_of: 2026-02-29}\n"), "ledger.as_of",
      "2026-02-29"),
    L("impossible_date_with_explicit_tag", Y(P("due: !!timestamp 2026-02-30")), None, ("2026-02-30", "日期")),
    L("date_as_a_number", Y(P("due: 20261231")), "items[0] (P-1).due", "20261231"),
    L("date_as_excel_serial_json", J(item(due=46022)), "items[0] (P-1).due", "46022", file="ledger.json"),
    L("date_with_slashes", Y(P("due: 2026/12/31")), "items[0] (P-1).due", "2026/12/31"),
    L("due_before_start", Y(P("start: 2026-05-01, due: 2026-04-01")), "items[0] (P-1).start", "早于"),
    L("supervision_without_date", Y(P("supervisions: [{by: 县督查室, finding: 进度滞后}]")),
      "items[0] (P-1).supervisions[0].date", "缺少"),
    L("chinese_path_as_given", Y(P("due: 2026-02-30")), "items[0] (P-1).due", "2026-02-30",
      file="各单位/县住建局 台账.yaml"),
    # -- duplicates
    L("duplicate_id_in_one_file", Y(P(), P(kind="task")), "items[1] (P-1).id", "重复"),
    Case("duplicate_id_across_files", {"a.yaml": GOOD, "b.yaml": Y(P(kind="task"))}, ("check", "a.yaml", "b.yaml"),
         "b.yaml", "items[0] (P-1).id", ("重复", "a.yaml")),
    L("duplicate_unit", HEAD + "units:\n  - {name: 县住建局}\n  - {name: 县住建局}\nitems:\n  - " + P() + "\n",
      "units[1].name", "重复"),
    # -- huge numbers: refused at their place, shortened in the message
    L("progress_10_pow_400", J(item()).replace('"测试项目"', '"测试项目", "progress": ' + BIG), "items[0] (P-1).progress",
      file="ledger.json"),
    L("progress_1e400", Y(P("progress: 1.0e+400")), "items[0] (P-1).progress", "有限"),
    L("investment_10_pow_400", Y(P(f"investment: {{planned: {BIG}, completed: 5}}")),
      "items[0] (P-1).investment.planned"),
    L("investment_1e308_times_10", J(item()).replace('"测试项目"', '"测试项目", "investment": {"planned": 1e309}'),
      "items[0] (P-1).investment.planned", "有限", file="ledger.json"),
    L("value_5001_digits_yaml", Y(P(f"value: {DIGITS_5001}", id="I-1", kind="indicator")), None,
      forbid=("set_int_max_str_digits",)),
    L("value_5001_digits_json", J(item(id="I-1", kind="indicator")).replace('"测试项目"', '"测试项目", "value": ' + DIGITS_5001),
      None, file="ledger.json", forbid=("set_int_max_str_digits",)),
    L("progress_nan_json", J(item()).replace('"测试项目"', '"测试项目", "progress": NaN'), "items[0] (P-1).progress",
      "有限", file="ledger.json"),
    L("value_minus_infinity_json", J(item(id="I-1", kind="indicator")).replace('"测试项目"', '"测试项目", "value": -Infinity'),
      "items[0] (I-1).value", "有限", file="ledger.json"),
    L("kind_one_megabyte_long", lambda: J(item(kind="projekt" * (MEGA // 7))), "items[0] (P-1).kind", "projekt",
      file="ledger.json"),
    # -- deep nesting, alias bombs: refused quickly, without a RecursionError
    L("yaml_10000_nested_lists", "items: " + nested_lists(10_000) + "\n", "第 1 行"),
    L("yaml_10000_nested_mappings", "items: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", "第 1 行"),
    L("yaml_100_nested_lists_in_an_item", Y(P("goal: " + nested_lists(100))), "第 3 行", "嵌套"),
    L("json_10000_nested_lists", '{"items": ' + nested_lists(10_000) + "}", ("items", "第 "), "嵌套",
      file="ledger.json"),
    L("json_100_nested_lists_in_an_item", J(item()).replace('"测试项目"', '"测试项目", "goal": ' + nested_lists(100)),
      ("items[0]", "第 "), "嵌套", file="ledger.json"),
    L("yaml_alias_bomb", alias_bomb() + "items: []\n", "第 ", "别名"),
    L("yaml_alias_bomb_inside_an_item",
      HEAD + "items:\n  - id: P-1\n    kind: project\n    title: 测试项目\n    goal:\n" + alias_bomb(indent="      "),
      "第 ", "别名"),
    # -- limits, configurable with --limit
    Case("limit_max_items_5", {"sample.yaml": lambda: SAMPLE.read_bytes()},
         ("check", "sample.yaml", "--limit", "max_items=5"), "sample.yaml", "items", ("上限 5",)),
    Case("limit_max_file_bytes_100", {"sample.yaml": lambda: SAMPLE.read_bytes()},
         ("check", "sample.yaml", "--limit", "max_file_bytes=100"), "sample.yaml", None, ("过大", "100")),
    Case("limit_max_depth_3_yaml", {"sample.yaml": lambda: SAMPLE.read_bytes()},
         ("check", "sample.yaml", "--limit", "max_depth=3"), "sample.yaml", "第 ", ("嵌套过深", "3")),
    Case("limit_max_depth_3_json", {"sample.json": sample_as_json},
         ("rank", "sample.json", "--limit", "max_depth=3"), "sample.json", None, ("嵌套过深", "3")),
    Case("limit_max_yaml_nodes_100", {"sample.yaml": lambda: SAMPLE.read_bytes()},
         ("check", "sample.yaml", "--limit", "max_yaml_nodes=100"), "sample.yaml", "第 ", ("100",)),
    U("limit_unknown_name", ("check", "good.yaml", "--limit", "max_itmes=5"), "--limit", "max_itmes=5", "max_items"),
    U("limit_not_a_number", ("check", "good.yaml", "--limit", "max_items=很多"), "--limit", "max_items=很多", "整数"),
    U("limit_zero", ("check", "good.yaml", "--limit", "max_depth=0"), "--limit", "max_depth=0", "正整数"),
    # -- files that cannot be read
    L("missing_file", None, None, "不存在", file="nope.yaml"),  # type: ignore[arg-type]
    Case("directory_given_as_ledger", {}, ("check", "ledger.yaml"), "ledger.yaml", None, ("目录",),
         setup=directory("ledger.yaml")),
    Case("symlink_loop", {}, ("check", "loop-a.yaml"), "loop-a.yaml", None, ("无法读取",), setup=symlink_loop),
    Case("path_through_a_file", {"a.yaml": GOOD}, ("check", "a.yaml/b.yaml"), "a.yaml/b.yaml", None, ("无法读取",)),
    Case("unreadable_file", {}, ("check", "ledger.yaml"), "ledger.yaml", None, (("无权", "无法读取"),),
         setup=unreadable_file),
    Case("socket_given_as_ledger", {}, ("check", "sock.yaml"), "sock.yaml", None, ("无法读取",),
         setup=lambda folder: bind_socket(folder, "sock.yaml")),
    Case("good_and_bad_file", {"good.yaml": GOOD, "bad.yaml": Y(P("progress: 150"))},
         ("check", "good.yaml", "bad.yaml"), "bad.yaml", "items[0] (P-1).progress", ("150",)),
    # -- the other commands refuse the same way
    L("rank_with_impossible_date", Y(P("due: 2026-02-30")), "items[0] (P-1).due", "2026-02-30", command="rank"),
    Case("explain_with_broken_ledger", {"ledger.yaml": Y(P("progress: 150"))}, ("explain", "P-1", "ledger.yaml"),
         "ledger.yaml", "items[0] (P-1).progress", ("150",)),
    U("explain_unknown_item", ("explain", "P-404", "good.yaml"), "ITEM_ID", "P-404", "没有"),
    # -- options
    U("as_of_impossible", ("check", "good.yaml", "--as-of", "2026-02-30"), "--as-of", None, "2026-02-30"),
    U("as_of_a_word", ("check", "good.yaml", "--as-of", "明天"), "--as-of", None, "明天"),
    U("as_of_a_number", ("check", "good.yaml", "--as-of", "20261128"), "--as-of", None, "20261128"),
    U("as_of_slashes", ("rank", "good.yaml", "--as-of", "2026/11/28"), "--as-of", None, "2026/11/28"),
    U("as_of_with_time", ("check", "good.yaml", "--as-of", "2026-11-28T08:00"), "--as-of", None, "2026-11-28T08:00"),
    Case("output_is_a_directory", {"good.yaml": GOOD, "outdir/keep.txt": "x"},
         ("check", "good.yaml", "--output", "outdir"), "outdir", output=False),
    U("set_unknown_param", ("check", "good.yaml", "--set", "lag_red_pionts=25"), "--set", "lag_red_pionts",
      "lag_red_points"),
    U("set_wrong_type", ("check", "good.yaml", "--set", "lag_red_points=二十"), "--set", "lag_red_points", "整数"),
    U("set_without_equals", ("check", "good.yaml", "--set", "lag_red_points"), "--set", None, "="),
    U("set_infinite_ratio", ("check", "good.yaml", "--set", "investment_yellow_ratio=.inf"), "--set",
      "investment_yellow_ratio"),
    U("set_nan_ratio", ("check", "good.yaml", "--set", "investment_yellow_ratio=.nan"), "--set",
      "investment_yellow_ratio"),
    # -- rule packs: folders
    U("pack_folder_missing", ("check", "good.yaml", "--rules", "nopack"), "nopack", None, "不存在"),
    U("pack_is_a_file", ("check", "good.yaml", "--rules", "good.yaml"), "good.yaml", None, "目录"),
    Case("pack_folder_without_yaml", {"good.yaml": GOOD, "pack/readme.txt": "规则"}, PACK_ARGS, "pack", None, ("没有",)),
    R("pack_with_only_an_empty_file", "", None, "没有", named=("pack", "pack/r.yaml")),
    R("pack_with_a_folder_named_yaml", pack(rule()), None, "目录", named="pack/x.yaml",
      extra={"pack/x.yaml/keep.txt": "x"}),
    # -- rule packs: files
    R("pack_broken_yaml", "rules:\n  - id: X-1\n    when: {field: progress_gap, op: gte\n", "第 ", "YAML"),
    R("pack_binary", bytes(range(256)) * 4, None, "二进制"),
    R("pack_gbk_text", pack(rule()).encode("gbk"), None, "UTF-8"),
    R("pack_top_level_list", yaml.safe_dump([rule()], allow_unicode=True), None, "顶层"),
    R("pack_unknown_top_key", "rule:\n" + pack(rule())[len("rules:\n"):], "rule", "未知"),
    R("pack_alias_bomb", alias_bomb() + pack(rule()), "第 ", "别名"),
    R("pack_deep_nesting", pack(rule(when=json.loads('{"not": ' * 40 + '{"field": "progress_gap", "op": "gte", "value": 10}'
                                                    + "}" * 40))), "第 ", "嵌套"),
    R("pack_value_5001_digits", pack(rule()).replace("value: 10", f"value: {DIGITS_5001}"), None,
      forbid=("set_int_max_str_digits",)),
    # -- rule packs: rules
    R("rule_missing_id", pack(rule(id=None)), "rules[0].id", "缺少"),
    R("rule_missing_title", pack(rule(title=None)), "rule X-1.title", "缺少"),
    R("rule_missing_when", pack(rule(when=None)), "rule X-1.when", "缺少"),
    R("rule_unknown_key", pack(rule(colour="red")), "rule X-1.colour", "未知"),
    R("rule_key_near_miss", pack(rule(remedy=None, remedey="加快进度")), "rule X-1.remedey", "'remedy'"),
    R("rule_unknown_op", pack(rule(when={"field": "progress", "op": "greater", "value": 50})), "rule X-1.when.op",
      "'greater'"),
    R("rule_regex_op", pack(rule(when={"field": "title", "op": "matches", "value": "([a-"})), "rule X-1.when.op",
      "'matches'"),
    R("rule_unknown_field_near_miss", pack(rule(when={"field": "progres_gap", "op": "gte", "value": 10})),
      "rule X-1.when.field", "'progress_gap'"),
    R("rule_unknown_leaf_key", pack(rule(when={"field": "progress_gap", "op": "gte", "value": 10, "unit": "%"})),
      "rule X-1.when", "'unit'"),
    R("rule_unknown_param", pack(rule(when={"field": "progress_gap", "op": "gte", "value": {"param": "lag_points"}})),
      "rule X-1.when.value", "'lag_points'"),
    R("rule_param_of_wrong_type", pack(rule(when={"field": "progress_gap", "op": "gte", "value": {"param": "p"}}),
                                       params={"p": "十个百分点"}), "rule X-1.when.value", "十个百分点"),
    R("rule_value_of_wrong_type", pack(rule(when={"field": "progress_gap", "op": "gte", "value": "ten"})),
      "rule X-1.when.value", "'ten'"),
    R("rule_op_of_wrong_type", pack(rule(when={"field": "title", "op": "gt", "value": 3})), "rule X-1.when.op", "gt"),
    R("rule_in_without_a_list", pack(rule(when={"field": "kind", "op": "in", "value": "project"})),
      "rule X-1.when.value", "列表"),
    R("rule_impossible_date", pack(rule(when={"field": "due", "op": "lt", "value": "2026-02-30"})),
      "rule X-1.when.value", "2026-02-30"),
    R("rule_when_is_text", pack(rule(when="progress_gap >= 10")), "rule X-1.when", "映射"),
    R("rule_all_empty", pack(rule(when={"all": []})), "rule X-1.when.all", "非空"),
    R("rule_applies_to_text", pack(rule(applies_to="project")), "rule X-1.applies_to", "列表"),
    R("rule_applies_to_unknown_kind", pack(rule(applies_to=["projekt"])), "rule X-1.applies_to[0]", "projekt"),
    R("rule_unknown_severity", pack(rule(severity="orange")), "rule X-1.severity", "orange"),
    R("rule_without_severity", pack(rule(severity=None)), "rule X-1.severity"),
    R("rule_unreachable_level", pack(rule(severity=None, levels=[
        {"severity": "yellow"}, {"severity": "red", "when": {"field": "progress_gap", "op": "gte", "value": 20}}])),
      "rule X-1.levels[1]", "永远不会到达"),
    R("rule_template_unbalanced", pack(rule(message="「{title」落后")), "rule X-1.message", "花括号"),
    R("rule_template_near_miss", pack(rule(message="「{titel}」落后")), "rule X-1.message", "'title'"),
    R("rule_template_expression", pack(rule(remedy="{progress_gap * 2}")), "rule X-1.remedy", "表达式"),
    R("rule_duplicate_id_in_one_file", pack(rule(), rule(title="另一条")), "rules[1] (X-1).id", "重复"),
    R("rule_duplicate_id_across_files", pack(rule()), "rules[0] (X-1).id", "pack/a.yaml", named="pack/r.yaml",
      extra={"pack/a.yaml": pack(rule())}),
    R("rule_duplicate_id_with_builtin", pack(rule(id="OWN-01")), "rules[0] (OWN-01).id", "重复",
      args=("check", "good.yaml", "--rules", "builtin", "--rules", "pack")),
    R("param_defined_twice", pack(rule(), params={"p": 1}), "params.p", "重复", extra={"pack/a.yaml": pack(params={"p": 2})},
      named=("pack/r.yaml", "pack/a.yaml")),
    R("rule_scale_zero", pack(rule(magnitude={"field": "progress_gap", "scale": 0})), "rule X-1.magnitude"),
    # -- rule packs: numbers that are not numbers
    R("rule_value_infinite", pack(rule(when={"field": "progress_gap", "op": "gte", "value": float("inf")})),
      "rule X-1.when.value"),
    R("rule_value_nan", pack(rule(when={"field": "progress_gap", "op": "gte", "value": float("nan")})),
      "rule X-1.when.value"),
    R("param_infinite", pack(rule(when={"field": "progress_gap", "op": "gte", "value": {"param": "p"}}),
                             params={"p": float("inf")}), ("params.p", "rule X-1.when.value")),
    R("rule_scale_infinite", pack(rule(magnitude={"field": "progress_gap", "scale": float("inf")})),
      "rule X-1.magnitude"),
    R("scoring_nan", pack(rule(), scoring={"base": {"red": float("nan"), "yellow": 12, "blue": 3}}), "scoring.base"),
    R("scoring_negative_weight", pack(rule(), scoring={"base": {"red": -30, "yellow": 12, "blue": 3}}),
      "scoring.base", "-30"),
]


# The cases that also run as a real process: those where a crash, a traceback or memory are at stake.
AS_A_PROCESS = {
    "empty_yaml", "binary", "control_character_in_yaml", "lone_surrogate_in_json", "broken_yaml",
    "unknown_key_near_miss", "impossible_date_with_explicit_tag", "chinese_path_as_given", "investment_10_pow_400",
    "value_5001_digits_yaml", "yaml_10000_nested_lists", "json_10000_nested_lists", "yaml_alias_bomb",
    "limit_max_items_5", "unreadable_file", "as_of_impossible", "output_is_a_directory", "set_infinite_ratio",
    "pack_broken_yaml", "rule_value_infinite", "scoring_nan", "pack_alias_bomb",
}
SUB_CASES = [case for case in CASES if case.name in AS_A_PROCESS]


def _ids() -> list[str]:
    return [case.name for case in CASES]


def test_the_matrix_is_large_and_names_are_unique() -> None:
    assert len(CASES) >= 40
    assert len(set(_ids())) == len(CASES)
    assert len(SUB_CASES) == len(AS_A_PROCESS) >= 20


# --- running a case --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    before: dict[str, Any]
    after: dict[str, Any]
    crash: str = ""     # an uncaught exception (in-process)
    max_rss_mb: float = 0.0


def prepare(case: Case, folder: Path, *, existing_output: bool) -> None:
    for name, content in case.files.items():
        if content is None:
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content() if callable(content) else content
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if case.setup:
        case.setup(folder)
    if existing_output and case.output:
        (folder / "out.json").write_bytes(OLD_OUTPUT)


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder``: kind, size and content hash (symlinks and sockets are not followed)."""
    seen: dict[str, Any] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                seen[rel] = ("dir",)
            elif stat.S_ISREG(info.st_mode):
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except PermissionError:
                    digest = None
                seen[rel] = ("file", info.st_size, info.st_mtime_ns, digest)
            else:
                seen[rel] = ("special", stat.S_IFMT(info.st_mode))
    return seen


def run_in_process(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    monkeypatch.chdir(folder)
    before = snapshot(folder)
    started = time.monotonic()
    result = CliRunner().invoke(main, case.command(), catch_exceptions=True)
    seconds = time.monotonic() - started
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    return Outcome(result.exit_code, result.stdout, result.stderr, seconds, before, snapshot(folder), crash)


ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}


def run_process(command: list[str], folder: Path, timeout: float = 120) -> tuple[int, str, str, float, float]:
    """Run and reap a process ourselves, to read its own peak memory (ru_maxrss)."""
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=folder, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout)
    if any(reader.is_alive() for reader in readers):
        proc.kill()
        for reader in readers:
            reader.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    return (proc.returncode, chunks["out"].decode("utf-8", "replace"), chunks["err"].decode("utf-8", "replace"),
            time.monotonic() - started, usage.ru_maxrss / 1024)


@pytest.fixture(scope="module")
def process_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """The cases in AS_A_PROCESS, each run once as the installed duban process, several at a time."""
    entries = []
    for case in SUB_CASES:
        folder = tmp_path_factory.mktemp(f"proc-{case.name}")
        prepare(case, folder, existing_output=False)
        entries.append((case, folder, snapshot(folder)))

    def run(entry: tuple[Case, Path, dict]) -> tuple[str, Outcome]:
        case, folder, before = entry
        code, out, err, seconds, rss = run_process(duban_executable() + case.command(), folder)
        return case.name, Outcome(code, out, err, seconds, before, snapshot(folder), max_rss_mb=rss)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, entries))


def _alternatives(value: Alternatives) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def check_outcome(case: Case, outcome: Outcome, seconds: float) -> None:
    report = (f"\ncase {case.name}: duban {' '.join(case.command())}\nexit {outcome.code}\n"
              f"stdout:\n{outcome.stdout[:2000]}\nstderr:\n{outcome.stderr[:4000]}\n{outcome.crash[-4000:]}")
    assert not outcome.crash, "uncaught exception" + report
    assert outcome.code == 2, "exit code should be 2" + report
    assert "Traceback" not in outcome.stderr + outcome.stdout, report
    assert outcome.stdout == "", "nothing may be printed on stdout on error" + report
    lines = outcome.stderr.rstrip("\n").split("\n")
    assert outcome.stderr.strip(), "stderr is empty" + report
    for line in lines:
        assert line.startswith(("错误: ", "提示: ")), f"line not starting with 错误:/提示: {line[:200]!r}" + report
        assert len(line) <= MAX_LINE, f"an error line of {len(line)} characters" + report
    for fragment in case.forbid:
        assert fragment not in outcome.stderr, f"{fragment!r} should not be shown" + report
    prefixes = [f"错误: {named}: " for named in _alternatives(case.named)]
    candidates = [line for line in lines if line.startswith(tuple(prefixes))]
    assert candidates, f"no error line names {case.named!r}" + report

    def fits(line: str) -> bool:
        rest = line[next(len(p) for p in prefixes if line.startswith(p)):]
        if case.place is not None and not rest.startswith(_alternatives(case.place)):
            return False
        return all(any(word in rest for word in _alternatives(cause)) for cause in case.causes)

    assert any(fits(line) for line in candidates), (
        f"no line names place {case.place!r} with causes {case.causes!r}" + report)
    assert outcome.after == outcome.before, "files changed or created: " + repr(
        {k: (outcome.before.get(k), outcome.after.get(k)) for k in set(outcome.before) | set(outcome.after)
         if outcome.before.get(k) != outcome.after.get(k)}) + report
    assert outcome.seconds < seconds, f"took {outcome.seconds:.1f} s" + report


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_bad_input_in_process(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare(case, tmp_path, existing_output=True)
    outcome = run_in_process(case, tmp_path, monkeypatch)
    check_outcome(case, outcome, IN_PROCESS_SECONDS)
    if case.output:
        assert (tmp_path / "out.json").read_bytes() == OLD_OUTPUT


@pytest.mark.parametrize("case", SUB_CASES, ids=[case.name for case in SUB_CASES])
def test_bad_input_as_a_process(case: Case, process_outcomes: dict[str, Outcome]) -> None:
    outcome = process_outcomes[case.name]
    check_outcome(case, outcome, SUBPROCESS_SECONDS)
    # The folder had no out.json: the snapshot comparison shows that none was created, nor a temporary file.
    assert outcome.max_rss_mb < MAX_RSS_MB, f"{case.name}: peak memory {outcome.max_rss_mb:.0f} MB"


# --- beyond the matrix -------------------------------------------------------------------------------------


def test_one_megabyte_title_is_handled_quickly(tmp_path: Path) -> None:
    """A 1 MB title: accepted (the title intact in the report) or refused with one located line; fast either way."""
    title = "县" * MEGA
    (tmp_path / "ledger.json").write_text(J(item(title=title, owner="张三")), encoding="utf-8")
    code, out, err, seconds, rss = run_process(
        duban_executable() + ["check", "ledger.json", "--format", "json", "--output", "out.json"], tmp_path)
    assert "Traceback" not in err
    assert seconds < 60, f"{seconds:.1f} s"
    assert code in (0, 2), err[:2000]
    if code == 2:
        assert err.startswith("错误: ledger.json: items[0] (P-1).title: "), err[:2000]
        assert all(len(line) <= MAX_LINE for line in err.splitlines())
        assert not (tmp_path / "out.json").exists()
    else:
        report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
        assert report["items"][0]["title"] == title


@pytest.mark.parametrize("args", [
    ["--as-of", "9999-12-31"],
    ["--as-of", "9999-12-30"],
    ["--as-of", "0001-01-01"],
    [],  # the ledger's own as_of
], ids=["as-of-9999-12-31", "as-of-9999-12-30", "as-of-0001-01-01", "ledger-as-of-9999-12-31"])
def test_extreme_dates_never_crash(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid dates at the ends of the calendar: evaluated (exit 0) or refused with a located line (exit 2)."""
    ledger = Y(
        P("start: 0001-01-01, due: 9999-12-31, progress: 5, progress_reported_on: 2026-01-01, "
          "milestones: [{name: 验收, due: 9999-12-31}], supervisions: [{date: 0001-01-01, rectify_by: 0001-01-02}]"),
        P("issues: [{type: funds, raised_on: 9999-12-25}, {type: land, raised_on: 0001-01-01}]",
          id="E-1", kind="enterprise"),
        head="ledger: {county: 测试县, as_of: 9999-12-31}\n",
    )
    (tmp_path / "ledger.yaml").write_text(ledger, encoding="utf-8")
    (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "ledger.yaml", "--format", "json", "--output", "out.json", *args])
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    assert not crash, crash[-3000:]
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert all(line.startswith(("错误: ", "提示: ")) for line in result.stderr.splitlines()), result.stderr
        assert (tmp_path / "out.json").read_bytes() == OLD_OUTPUT
    else:
        json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))


# --- interrupted runs ----------------------------------------------------------------------------------------
# Ctrl-C during a long run: exit 130, "已中断", no traceback, --output as it was, no temporary file left.
# The ledger has 20,000 bare items: quick to load. Its first chunk (2,000 indicators) is quick to evaluate,
# the other 18,000 projects take several seconds. stderr is a pseudo-terminal, so duban shows its progress
# ("已评估 2000/20000 …") after the first chunk: the signal is sent then, while the projects are evaluated.

INTERRUPT_ITEMS = 20_000  # cli._progress shows progress from 20,000 items on
STOP_SECONDS = 3.0        # Ctrl-C must stop the run promptly, not after the chunks in flight


@pytest.fixture(scope="module")
def long_ledger() -> bytes:
    quick = [{"id": f"I-{n:05d}", "kind": "indicator", "title": f"指标{n}", "value": 5.0} for n in range(2_000)]
    slow = [{"id": f"T-{n:05d}", "kind": "project", "title": f"项目{n}", "start": "2026-01-01",
             "due": "2026-12-31", "progress": n % 100} for n in range(INTERRUPT_ITEMS - len(quick))]
    return json.dumps({"ledger": {"county": "测试县", "as_of": "2026-11-28"}, "items": quick + slow},
                      ensure_ascii=False).encode("utf-8")


def _read_until(fd: int, marker: bytes, seconds: float) -> bytes:
    """Read a pseudo-terminal until ``marker`` appears, it closes, or time runs out."""
    import select

    data = b""
    deadline = time.monotonic() + seconds
    while marker not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        data += chunk
    return data


def interrupt(folder: Path, args: list[str], *, whole_group: bool,
              when: str = "evaluating") -> tuple[int, str, str, float]:
    """Start duban, wait until it evaluates (or a fixed moment), send SIGINT.

    Returns the exit code, stderr, stdout and the seconds from the signal to the end of the process.
    """
    import pty
    import signal

    master, slave = pty.openpty()
    proc = subprocess.Popen(duban_executable() + args, cwd=folder, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        if when == "evaluating":
            seen = _read_until(master, "已评估".encode("utf-8"), 120)
            assert "已评估".encode("utf-8") in seen, f"no progress shown before the deadline: {seen[-2000:]!r}"
        else:
            seen = b""
            time.sleep(float(when))
        assert proc.poll() is None, "the run ended before it could be interrupted"
        if whole_group:  # what Ctrl-C in a terminal does: the main process and its workers get SIGINT
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        seen += _read_until(master, b"\x00never\x00", 30)
        code = proc.wait(timeout=30)
        stopped = time.monotonic() - signalled
        out = proc.stdout.read()  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # our own process group: duban and its workers
            proc.wait()
        os.close(master)
        proc.stdout.close()  # type: ignore[union-attr]
    return code, seen.decode("utf-8", "replace"), out.decode("utf-8", "replace"), stopped


@pytest.mark.parametrize("jobs, whole_group, existing", [
    ("1", False, True),
    ("1", True, False),
    ("2", False, True),
    ("2", True, True),
], ids=["jobs-1", "jobs-1-ctrl-c-to-the-group-output-absent", "jobs-2", "jobs-2-ctrl-c-to-the-group"])
def test_interrupted_run_exits_130_and_keeps_the_output(jobs: str, whole_group: bool, existing: bool,
                                                        long_ledger: bytes, tmp_path: Path) -> None:
    (tmp_path / "long.json").write_bytes(long_ledger)
    if existing:
        (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    before = snapshot(tmp_path)
    started = time.monotonic()
    code, err, out, stopped = interrupt(tmp_path, ["check", "--jobs", jobs, "--format", "json", "--output",
                                                   "out.json", "long.json"], whole_group=whole_group)
    assert code == 130, f"exit {code}\n{err[-3000:]}"
    assert "Traceback" not in err, err[-3000:]
    assert "已中断" in err, err[-3000:]
    assert out == ""
    assert snapshot(tmp_path) == before, "the output file changed or a temporary file was left"
    assert stopped < STOP_SECONDS, f"the run went on for {stopped:.1f} s after Ctrl-C"
    assert time.monotonic() - started < 90


def test_interrupt_at_start_up_exits_130_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C pressed at once, while duban is still starting (importing its libraries)."""
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    code, err, out, _ = interrupt(tmp_path, ["check", "ledger.yaml", "--output", "out.json"], whole_group=False,
                                  when="0.25")
    assert "Traceback" not in err, err[-3000:]
    assert code == 130, f"exit {code}\n{err[-3000:]}"
    assert (tmp_path / "out.json").read_bytes() == OLD_OUTPUT
