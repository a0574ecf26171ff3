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

Issue 16 (a second round) extends the matrix by class — special files (FIFO, devices, /proc) for
ledgers and rule files, explicit YAML tags with odd values, --output that is an input, empty or a folder,
the one strict reader of dates and numbers, ids with invisible characters, huge lists and values — and
adds, beyond it: runs killed by SIGTERM, SIGHUP and SIGKILL mid-evaluation with real worker processes (no
worker survives), a signal during the write, exit 3 for internal errors, fork refused, the cap on --jobs,
rule pack folders (dot folders, symbolic links), and YAML's memory against JSON's for one ledger.

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
import sys
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
from conftest import SAMPLE, duban_executable, generate_ledger

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
    # --rules FILE is a pack of that one file: a ledger given there is refused for what it holds
    U("pack_is_a_ledger_file", ("check", "good.yaml", "--rules", "good.yaml"), "good.yaml", None, "未知"),
    U("pack_is_a_text_file", ("check", "good.yaml", "--rules", "notes.txt"), "notes.txt", None, "不是规则文件",
      files={"good.yaml": GOOD, "notes.txt": "规则"}),
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
    # == issue 16: a second round of hostile input ==========================================================
    # -- special files: refused before they are read (a FIFO would hang, a device would fill memory)
    Case("fifo_given_as_ledger", {}, ("check", "ledger.yaml"), "ledger.yaml", None, ("FIFO",),
         setup=lambda folder: os.mkfifo(folder / "ledger.yaml")),
    Case("dev_zero_given_as_ledger", {}, ("check", "/dev/zero"), "/dev/zero", None, ("不是普通文件", "字符设备")),
    Case("dev_urandom_given_as_ledger", {}, ("check", "/dev/urandom"), "/dev/urandom", None, ("字符设备",)),
    Case("ledger_linked_to_dev_zero", {}, ("check", "ledger.yaml"), "ledger.yaml", None, ("字符设备",),
         setup=lambda folder: os.symlink("/dev/zero", folder / "ledger.yaml")),
    Case("proc_file_beyond_the_byte_limit", {}, ("check", "/proc/self/status", "--limit", "max_file_bytes=100"),
         "/proc/self/status", None, ("过大", "100")),  # st_size is 0: the limit holds while reading
    Case("fifo_as_rule_file", {"good.yaml": GOOD, "pack/a.yaml": pack(rule())}, PACK_ARGS, "pack/r.yaml", None,
         ("FIFO",), setup=lambda folder: os.mkfifo(folder / "pack" / "r.yaml")),
    Case("rule_file_linked_to_dev_urandom", {"good.yaml": GOOD, "pack/a.yaml": pack(rule())}, PACK_ARGS,
         "pack/r.yaml", None, ("字符设备",), setup=lambda folder: os.symlink("/dev/urandom", folder / "pack" / "r.yaml")),
    Case("workbook_linked_to_dev_zero", {}, ("check", "台账.xlsx"), "台账.xlsx", None, ("字符设备",),
         setup=lambda folder: os.symlink("/dev/zero", folder / "台账.xlsx")),
    Case("csv_ledger_is_a_fifo", {}, ("check", "重点项目.csv"), "重点项目.csv", None, ("FIFO",),
         setup=lambda folder: os.mkfifo(folder / "重点项目.csv")),
    Case("mapping_is_a_fifo", {"good.yaml": GOOD}, ("check", "good.yaml", "--mapping", "映射.yaml"), "映射.yaml", None,
         ("FIFO",), setup=lambda folder: os.mkfifo(folder / "映射.yaml")),
    Case("waivers_linked_to_dev_urandom", {"good.yaml": GOOD}, ("check", "good.yaml", "--waivers", "豁免.yaml"),
         "豁免.yaml", None, ("字符设备",), setup=lambda folder: os.symlink("/dev/urandom", folder / "豁免.yaml")),
    Case("dev_zero_as_the_rules", {"good.yaml": GOOD}, ("check", "good.yaml", "--rules", "/dev/zero"), "/dev/zero",
         None, ("不是目录",)),
    # -- explicit YAML tags with odd values: located errors, not tracebacks
    L("tag_bool_maybe", Y(P("progress: !!bool maybe")), "第 3 行", "布尔"),
    L("tag_bool_empty", Y(P('progress: !!bool ""')), "第 3 行", "布尔"),
    L("tag_int_empty", Y(P('progress: !!int ""')), "第 3 行", "整数"),
    L("tag_float_empty", Y(P('progress: !!float ""')), "第 3 行", "数值"),
    L("tag_map_on_text", Y(P("progress: !!map abc")), "第 3 行", "!!map"),
    L("tag_seq_on_text", Y(P("milestones: !!seq abc")), "第 3 行", "!!seq"),
    L("tag_int_hexadecimal", Y(P("progress: !!int 0x10")), "第 3 行", "0x10"),
    L("tag_binary_not_base64", Y(P("title: !!binary '@@@'")), "第 3 行", "base64"),
    L("tag_set_refused", Y(P("goal: !!set {a, b}")), "第 3 行", "标签"),
    R("pack_tag_int_empty", pack(rule()).replace("value: 10", 'value: !!int ""'), "第 ", "整数"),
    R("pack_tag_bool_maybe", pack(rule()).replace("value: 10", "value: !!bool maybe"), "第 ", "布尔"),
    U("set_tag_bool_maybe", ("check", "good.yaml", "--set", "lag_red_points=!!bool maybe"), "--set", "lag_red_points",
      "整数"),
    U("set_tag_int_empty", ("check", "good.yaml", "--set", 'lag_red_points=!!int ""'), "--set", "lag_red_points"),
    U("set_tag_map", ("check", "good.yaml", "--set", "lag_red_points=!!map abc"), "--set", "lag_red_points"),
    U("set_5000_digits", ("check", "good.yaml", "--set", f"lag_red_points={DIGITS_5001}"), "--set",
      "lag_red_points", "位数"),
    R("scoring_weight_1e308", pack(rule(), scoring={"base": {"red": 1.0e308, "yellow": 12, "blue": 3}}),
      "scoring.base.red", "1000000"),
    R("scoring_importance_1e308", pack(rule(), scoring={"importance": {
        "national": 1.0e308, "provincial": 1.2, "municipal": 1.1, "county": 1.0}}), "scoring.importance.national"),
    # -- --output may not be an input, nor empty, nor a folder's name
    Case("output_is_the_ledger", {"good.yaml": GOOD}, ("check", "good.yaml", "--format", "json", "--output", "good.yaml"), "good.yaml",
         "--output", ("同一个文件",), output=False),
    Case("output_is_the_ledger_spelled_otherwise", {"good.yaml": GOOD},
         ("rank", "./good.yaml", "-f", "json", "--output", "sub/../good.yaml"), "sub/../good.yaml", "--output", ("同一个文件",),
         output=False, setup=directory("sub")),
    Case("output_links_to_the_ledger", {"good.yaml": GOOD}, ("check", "good.yaml", "--output", "link.json"),
         "link.json", "--output", ("同一个文件",), output=False,
         setup=lambda folder: os.symlink("good.yaml", folder / "link.json")),
    Case("output_is_a_rule_file", {"good.yaml": GOOD, "pack/r.yaml": pack(rule())},
         ("check", "good.yaml", "--rules", "pack", "-f", "csv", "--output", "pack/r.yaml"), "pack/r.yaml", "--output",
         ("同一个文件",), output=False),
    Case("output_is_the_only_rule_file", {"good.yaml": GOOD, "r.yaml": pack(rule())},
         ("explain", "P-1", "good.yaml", "--rules", "r.yaml", "-f", "json", "--output", "r.yaml"), "r.yaml", "--output",
         ("同一个文件",), output=False),
    Case("output_empty", {"good.yaml": GOOD}, ("check", "good.yaml", "--output", ""), "--output", None, ("空",),
         output=False),
    Case("output_trailing_slash", {"good.yaml": GOOD}, ("check", "good.yaml", "--output", "newdir/"), "newdir/",
         "--output", ("目录",), output=False),
    # -- one strict reader: no compact or week dates, no octal, sexagesimal or underscored numbers
    U("as_of_compact_with_extra_digits", ("check", "good.yaml", "--as-of", "2026112899"), "--as-of", None,
      "2026112899"),
    U("as_of_week_form", ("check", "good.yaml", "--as-of", "2026-W48-6"), "--as-of", None, "2026-W48-6"),
    U("as_of_full_width_digits", ("check", "good.yaml", "--as-of", "２０２６-11-28"), "--as-of", None, "半角"),
    U("as_of_impossible_says_it_does_not_exist", ("check", "good.yaml", "--as-of", "2026-02-30"), "--as-of", None,
      "不存在"),
    R("rule_date_compact_with_letters", pack(rule(when={"field": "due", "op": "lt", "value": "20261231xx"})),
      "rule X-1.when.value", "YYYY-MM-DD"),
    R("rule_date_week_form", pack(rule(when={"field": "due", "op": "lt", "value": "2026-W48-6"})),
      "rule X-1.when.value", "YYYY-MM-DD"),
    R("rule_date_compact", pack(rule(when={"field": "due", "op": "lt", "value": "20261231"})),
      "rule X-1.when.value", "YYYY-MM-DD"),
    U("set_octal_looking", ("check", "good.yaml", "--set", "lag_red_points=010"), "--set", "lag_red_points", "010"),
    U("set_sexagesimal", ("check", "good.yaml", "--set", "lag_red_points=1:30"), "--set", "lag_red_points", "1:30"),
    U("set_underscored", ("check", "good.yaml", "--set", "lag_red_points=1_0"), "--set", "lag_red_points", "1_0"),
    U("set_hexadecimal", ("check", "good.yaml", "--set", "lag_red_points=0x10"), "--set", "lag_red_points", "0x10"),
    U("set_sexagesimal_float", ("check", "good.yaml", "--set", "investment_yellow_ratio=0:30.5"), "--set",
      "investment_yellow_ratio", "0:30.5"),
    L("progress_sexagesimal", Y(P("progress: 1:30.5")), "items[0] (P-1).progress", "数值"),
    L("progress_underscored", Y(P("progress: 5_0.0")), "items[0] (P-1).progress", "数值"),
    L("rank_octal_looking", Y(P("rank: 010, rank_of: 12", id="I-1", kind="indicator")), "items[0] (I-1).rank", "整数"),
    L("date_with_full_width_digits", Y(P("due: ２０２６-12-31")), "items[0] (P-1).due", "半角"),
    L("date_compact_json", J(item(due="20261231")), "items[0] (P-1).due", "YYYY-MM-DD", file="ledger.json"),
    L("date_week_form", Y(P("due: 2026-W48-6")), "items[0] (P-1).due", "YYYY-MM-DD"),
    # -- ids that print like another: invisible and control characters are refused
    L("id_with_zero_width_space", J(item(id="P\u200b-1")), "items[0]", "不可见", file="ledger.json"),
    L("id_with_byte_order_mark", J(item(id="\ufeffP-1")), "items[0]", "U+FEFF", file="ledger.json"),
    L("id_with_a_line_break", J(item(id="P\n1")), "items[0]", "U+000A", file="ledger.json"),
    L("id_with_right_to_left_mark", Y(P(id='"P-1\u200f"')), "items[0]", "U+200F"),
    # -- limits: huge lists and values stay short in the one line that names them
    R("rule_in_list_of_20000_values", pack(rule(when={"field": "id", "op": "in",
                                                      "value": [f"P-{n}" for n in range(20_000)]})),
      "rule X-1.when.value", "上限"),
    R("rule_literal_200000_characters", pack(rule(when={"field": "progress_gap", "op": "gte", "value": "长" * 200_000})),
      "rule X-1.when.value", "类型不符"),
    R("rule_template_with_a_line_break", pack(rule(message="「{titel\n}」落后")), "rule X-1.message"),
    L("unknown_key_with_line_breaks", J({**item(), "a\nb\nc": 1}), "items[0] (P-1).a\\nb\\nc", "未知",
      file="ledger.json"),
    # -- validate checks the ledger and the pack before it says either is valid; a file given twice is one error
    Case("validate_bad_ledger_with_a_good_pack", {"ledger.yaml": Y(P("progress: 150"))},
         ("validate", "ledger.yaml", "--rules", "builtin"), "ledger.yaml", "items[0] (P-1).progress", ("150",),
         output=False),
    Case("validate_bad_ledger_and_bad_pack_in_one_run", {"ledger.yaml": Y(P("progress: 150")),
                                                         "pack/r.yaml": pack(rule(severity="orange"))},
         ("validate", "ledger.yaml", "--rules", "pack"), "pack/r.yaml", "rule X-1.severity", ("orange",), output=False),
    Case("same_file_twice", {"ledger.yaml": Y(P(), P(id="P-2"))}, ("check", "ledger.yaml", "./ledger.yaml"),
         "./ledger.yaml", None, ("文件重复",)),
]


# The cases that also run as a real process: those where a crash, a traceback or memory are at stake.
AS_A_PROCESS = {
    "empty_yaml", "binary", "control_character_in_yaml", "lone_surrogate_in_json", "broken_yaml",
    "unknown_key_near_miss", "impossible_date_with_explicit_tag", "chinese_path_as_given", "investment_10_pow_400",
    "value_5001_digits_yaml", "yaml_10000_nested_lists", "json_10000_nested_lists", "yaml_alias_bomb",
    "limit_max_items_5", "unreadable_file", "as_of_impossible", "output_is_a_directory", "set_infinite_ratio",
    "pack_broken_yaml", "rule_value_infinite", "scoring_nan", "pack_alias_bomb",
    # issue 16
    "fifo_given_as_ledger", "dev_zero_given_as_ledger", "dev_urandom_given_as_ledger", "fifo_as_rule_file",
    "tag_bool_maybe", "tag_int_empty", "set_tag_bool_maybe", "set_5000_digits", "scoring_weight_1e308",
    "output_is_the_ledger", "output_links_to_the_ledger", "output_empty", "output_trailing_slash",
    "as_of_week_form", "workbook_linked_to_dev_zero", "mapping_is_a_fifo", "rule_in_list_of_20000_values", "rule_literal_200000_characters", "same_file_twice",
    "validate_bad_ledger_with_a_good_pack",
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


START_UP_PAUSE = "DUBAN_PAUSE_AT_START_UP"  # the console script waits for a signal before its imports


def interrupt(folder: Path, args: list[str], *, whole_group: bool,
              when: str = "evaluating") -> tuple[int, str, str, float]:
    """Start duban, wait until it evaluates (or is paused at start-up), send SIGINT.

    Returns the exit code, stderr, stdout and the seconds from the signal to the end of the process.
    """
    import pty
    import signal

    master, slave = pty.openpty()
    env = {**ENV, START_UP_PAUSE: "1"} if when == "start-up" else ENV
    proc = subprocess.Popen(duban_executable() + args, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        marker = ("已评估" if when == "evaluating" else START_UP_PAUSE).encode("utf-8")
        seen = _read_until(master, marker, 120)
        assert marker in seen, f"{marker.decode()} not shown before the deadline: {seen[-2000:]!r}"
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
    """Ctrl-C pressed at once, while duban is still starting, before its libraries are imported.

    Not timed: the console script pauses at start-up until the signal comes (DUBAN_PAUSE_AT_START_UP),
    so the signal arrives at the same moment on a fast machine and on a slow one.
    """
    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    code, err, out, _ = interrupt(tmp_path, ["check", "ledger.yaml", "--output", "out.json"], whole_group=False,
                                  when="start-up")
    assert "Traceback" not in err, err[-3000:]
    assert code == 130, f"exit {code}\n{err[-3000:]}"
    assert (tmp_path / "out.json").read_bytes() == OLD_OUTPUT


# --- issue 16: killed runs, workers, internal errors --------------------------------------------------------
# A run killed by SIGTERM, SIGHUP or SIGKILL, mid-evaluation with worker processes: no worker survives it
# (they die with their parent, by the kernel's PR_SET_PDEATHSIG or a watchdog), TERM and HUP stop the run
# cleanly (exit 128 + the signal, "已中断", --output as it was, no temporary file). The ledger comes from
# bench/generate.py, large enough that the run is mid-way when the first chunk's progress is shown.

ROOT = Path(__file__).resolve().parent.parent
KILL_ITEMS = 40_000
SURVIVAL_SECONDS = 5.0  # a generous deadline, not a measurement


@pytest.fixture(scope="module")
def generated_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_ledger(tmp_path_factory.mktemp("generated") / "big.json", KILL_ITEMS, seed=16)


def children_of(pid: int) -> set[int]:
    """The processes ``pid`` started and that still run (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            continue
    return {child for child in found if is_running(child)}


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a dead child that nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def start_mid_run(folder: Path, args: list[str]) -> tuple[subprocess.Popen, int, set[int], bytes]:
    """Start duban with stderr on a terminal; return once the first chunk is evaluated and the workers run."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(duban_executable() + args, cwd=folder, env=ENV, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, start_new_session=True)
    os.close(slave)
    seen = _read_until(master, "已评估".encode("utf-8"), 180)
    assert "已评估".encode("utf-8") in seen, f"no progress before the deadline: {seen[-2000:]!r}"
    workers = children_of(proc.pid)
    assert proc.poll() is None and len(workers) >= 2, f"not mid-run: workers {workers}, exit {proc.poll()}"
    return proc, master, workers, seen


@pytest.mark.parametrize("signame, jobs", [
    ("SIGTERM", ["--jobs", "2"]),
    ("SIGHUP", ["--jobs", "2"]),
    ("SIGKILL", ["--jobs", "2"]),
    ("SIGKILL", []),  # the default: one worker per CPU above 20,000 items
], ids=["term", "hup", "kill", "kill-default-jobs"])
def test_no_worker_outlives_a_killed_run(signame: str, jobs: list[str], generated_ledger: Path,
                                         tmp_path: Path) -> None:
    import signal

    (tmp_path / "big.json").symlink_to(generated_ledger)
    (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    before = snapshot(tmp_path)
    proc, master, workers, seen = start_mid_run(
        tmp_path, ["check", "big.json", *jobs, "--format", "json", "--output", "out.json"])
    try:
        os.kill(proc.pid, getattr(signal, signame))  # the parent only, as `kill PID` does
        seen += _read_until(master, b"\x00never\x00", 60)
        code = proc.wait(timeout=60)
        deadline = time.monotonic() + SURVIVAL_SECONDS
        while any(is_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = {w for w in workers if is_running(w)}
    finally:
        for pid in [proc.pid, *workers]:
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait()
        os.close(master)
    err = seen.decode("utf-8", "replace")
    assert not survivors, f"workers {survivors} outlived the run killed by {signame}"
    assert snapshot(tmp_path) == before, "the output file changed or a temporary file was left"
    if signame == "SIGKILL":
        assert code == -signal.SIGKILL
    else:
        number = getattr(signal, signame)
        assert code == 128 + number, f"exit {code}\n{err[-3000:]}"
        assert "已中断" in err and signame in err, err[-3000:]
        assert "Traceback" not in err, err[-3000:]


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_the_write_leaves_no_temporary_file(signame: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The signal arrives while --output is being written (sent from inside the write): the file is as it was."""
    import signal

    import engine.output.write as write

    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "out.json").write_bytes(OLD_OUTPUT)
    before = snapshot(tmp_path)
    real_fsync = os.fsync

    def fsync_then_signal(fd: int) -> None:
        real_fsync(fd)
        os.kill(os.getpid(), getattr(signal, signame))  # the handler raises here, in the main thread

    class NotHandled(Exception):
        pass

    def outside_duban(signum: int, frame: Any) -> None:  # what runs if duban installed no handler of its own
        raise NotHandled(signame)

    monkeypatch.setattr(write.os, "fsync", fsync_then_signal)
    monkeypatch.chdir(tmp_path)
    previous = signal.signal(getattr(signal, signame), outside_duban)
    try:
        result = CliRunner().invoke(main, ["check", "ledger.yaml", "--format", "json", "--output", "out.json"])
        assert signal.getsignal(getattr(signal, signame)) is outside_duban, "the command left its handler behind"
    finally:
        signal.signal(getattr(signal, signame), previous)
    assert not isinstance(result.exception, NotHandled), f"{signame} was not handled by duban"
    assert result.exit_code == 128 + getattr(signal, signame), result.stderr
    assert "已中断" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_an_unexpected_exception_exits_3_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault of duban itself: exit 3 (neither 0 nor 1, which a caller reads as findings), one line, no traceback."""
    import engine.engine

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    (tmp_path / "ledger.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(engine.engine, "rank", broken)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "ledger.yaml", "--output", "out.json"])
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("错误: 内部错误(ZeroDivisionError: division by zero)"), result.stderr
    assert "--debug" in lines[-1]
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "out.json").exists()
    debugging = CliRunner().invoke(main, ["--debug", "check", "ledger.yaml"])
    assert debugging.exit_code == 3
    assert "Traceback (most recent call last)" in debugging.stderr and "ZeroDivisionError" in debugging.stderr
    assert debugging.stderr.strip().splitlines()[-1].startswith("错误: 内部错误(ZeroDivisionError")


def test_fork_refused_is_an_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At the process limit fork() fails: exit 2 with one line that says what to do (--jobs 1)."""
    import errno

    def refused() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    (tmp_path / "big.json").write_text(json.dumps({"items": [
        {"id": f"T-{n}", "kind": "task", "title": f"任务{n}"} for n in range(5_000)]}), encoding="utf-8")
    monkeypatch.setattr(os, "fork", refused)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "big.json", "--jobs", "2", "--output", "out.json"])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("错误: 工作进程: 无法启动工作进程(Resource temporarily unavailable)")
    assert "--jobs 1" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.json").exists()


def test_jobs_are_capped_at_the_chunks_and_the_cpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs 400 on a ledger of 3 chunks starts 3 workers at most (and never more than the CPUs)."""
    import engine.evaluate.workers as workers

    started: list[int] = []
    real = workers.ProcessPoolExecutor

    def recording(*args: Any, max_workers: int, **kwargs: Any) -> Any:
        started.append(max_workers)
        return real(*args, max_workers=max_workers, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", recording)
    (tmp_path / "big.json").write_text(json.dumps({"items": [
        {"id": f"T-{n}", "kind": "task", "title": f"任务{n}"} for n in range(5_000)]}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "big.json", "--jobs", "400", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert len(started) == 1 and 1 <= started[0] <= min(3, workers.cpu_count()), started


# --- issue 16: values that were misread, crashed or printed badly ------------------------------------------------


def test_a_working_day_allowance_past_the_last_date_is_no_overflow(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """--set problem_working_days=300000 near the calendar's end: the deadline is never passed, no OverflowError."""
    (tmp_path / "late.yaml").write_text(Y(P("issues: [{type: enterprise, raised_on: 8999-05-01}]",
                                            id="E-1", kind="enterprise"),
                                          head="ledger: {county: 测试县, as_of: 8999-06-01}\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "late.yaml", "--format", "json",
                                       "--set", "problem_working_days=300000"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert "ENT-02" not in [f["rule"] for f in report["findings"]]
    assert all(len(line) <= MAX_LINE for line in result.stderr.splitlines())
    assert "8999–9999" in result.stderr  # the uncovered years as one range, not 1,001 numbers


def test_a_pack_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in a folder's name: the report is written (the name shown with U+FFFD)."""
    folder = os.fsencode(tmp_path) + b"/pack\xff"
    os.mkdir(folder)
    with open(folder + b"/r.yaml", "w", encoding="utf-8") as handle:
        handle.write(pack(rule()))
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    code, out, err, _, _ = run_process(duban_executable() + ["check", "good.yaml", "--rules", os.fsdecode(b"pack\xff"),
                                                             "--format", "json"], tmp_path)
    assert code == 0, err
    assert json.loads(out)["rules"]["source"] == "pack\ufffd"


def test_a_32_digit_id_is_an_id_not_inf(tmp_path: Path) -> None:
    digits = "12345678901234567890123456789012"
    (tmp_path / "ledger.yaml").write_text(Y(f"{{id: {digits}, kind: task, title: 任务}}"), encoding="utf-8")
    (tmp_path / "ledger.json").write_text('{"items": [{"id": 9' + digits + ', "kind": "task", "title": "任务"}]}',
                                          encoding="utf-8")
    for name, expected in (("ledger.yaml", digits), ("ledger.json", "9" + digits)):
        result = CliRunner().invoke(main, ["check", str(tmp_path / name), "--format", "json"])
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["items"][0]["id"] == expected


def test_look_alike_ids_are_noted_as_probable_duplicates(tmp_path: Path) -> None:
    """P-1, Ｐ-1 (full width), p-1 and P‑1 (a non-breaking hyphen) print alike: accepted, and named in one note."""
    ids = ["P-1", "Ｐ-1", "p-1", "P\u20111", "Q-2"]
    (tmp_path / "ledger.json").write_text(J(*[item(id=i) for i in ids]), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "ledger.json"), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    note = next(n for n in json.loads(result.stdout)["notes"] if "疑为同一事项" in n)
    assert "1 组" in note and all(i in note for i in ids[:4]) and "Q-2" not in note


def test_every_error_line_is_one_short_line_whatever_the_values() -> None:
    """Diagnostic rendering itself guarantees one line: a library user's str() too."""
    from engine.errors import Diagnostic

    line = str(Diagnostic("a\nb.yaml", "items[0] (P\n1\u200b).x", "坏" * 100_000 + "\r\n", 7))
    assert "\n" not in line and "\r" not in line and "\u200b" not in line
    assert len(line) < MAX_LINE
    assert line.startswith("a\\nb.yaml: items[0] (P\\n1\\u200b).x: 坏")


# --- issue 16: special files for every kind of input; rule pack folders ------------------------------------------


def test_waivers_refuse_special_files_and_enforce_the_limit(tmp_path: Path) -> None:
    from engine.errors import LedgerError
    from engine.ledger import Limits
    from engine.ledger.waivers import load_waivers

    os.mkfifo(tmp_path / "waivers.yaml")
    for path, cause in ((tmp_path / "waivers.yaml", "FIFO"), (Path("/dev/zero"), "字符设备")):
        with pytest.raises(LedgerError) as caught:
            load_waivers(path)
        assert cause in str(caught.value)
    with pytest.raises(LedgerError) as caught:
        load_waivers("/proc/self/status", Limits(max_file_bytes=100))
    assert "过大" in str(caught.value)


def test_dot_folders_and_dot_files_in_a_pack_are_skipped(tmp_path: Path) -> None:
    """.git/, editors' .#r.yaml: not rule files (broken ones there would otherwise fail the pack)."""
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    files = {"pack/r.yaml": pack(rule()), "pack/.git/hooks/x.yaml": "rules: [", "pack/.#r.yaml": "broken: [",
             "pack/sub/.hidden/y.yml": "x: ["}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "--rules", str(tmp_path / "pack"), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in json.loads(result.stdout)["rules"]] == ["X-1"]


def test_symlinks_in_a_pack_are_followed_and_outside_files_noted(tmp_path: Path) -> None:
    """Decided: links to files and to folders are followed; a rule file from outside the pack is noted; loops end."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "b.yaml").write_text(pack(rule(id="X-2")), encoding="utf-8")
    (shared / "c.yml").write_text(pack(rule(id="X-3")), encoding="utf-8")
    pack_dir = tmp_path / "pack"
    pack_dir.mkdir()
    (pack_dir / "a.yaml").write_text(pack(rule(id="X-1")), encoding="utf-8")
    (pack_dir / "linked-file.yaml").symlink_to(shared / "b.yaml")
    (pack_dir / "linked-folder").symlink_to(shared, target_is_directory=True)
    (pack_dir / "loop").symlink_to(pack_dir, target_is_directory=True)
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "good.yaml"), "--rules", str(pack_dir),
                                       "--format", "json"])
    assert result.exit_code == 2, result.stderr  # X-2 twice: through the file link and the folder link
    assert "rules[0] (X-2).id: 规则编号重复" in result.stderr
    (pack_dir / "linked-file.yaml").unlink()
    result = CliRunner().invoke(main, ["check", str(tmp_path / "good.yaml"), "--rules", str(pack_dir),
                                       "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rules"]["selected"] == ["X-1", "X-2", "X-3"]
    notes = [n for n in report["notes"] if "规则包目录之外" in n]
    assert len(notes) == 2 and all(str(shared) in n for n in notes), report["notes"]


# --- issue 16: YAML costs what JSON costs -------------------------------------------------------------------------

MEMORY_ITEMS = 20_000

# Linux counts a child's peak memory from its parent's at fork: measured from pytest (hundreds of MB
# by now) every run would read the same. A small Python in between starts duban and reports its peak.
PEAK_OF = ("import os, subprocess, sys; p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL); "
           "_, status, usage = os.wait4(p.pid, 0); print(usage.ru_maxrss); sys.exit(os.waitstatus_to_exitcode(status))")


def peak_memory_mb(command: list[str], cwd: Path) -> float:
    proc = subprocess.run([sys.executable, "-c", PEAK_OF, *command], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1]) / 1024


def test_yaml_ledger_memory_is_within_twice_that_of_the_same_ledger_in_json(tmp_path: Path) -> None:
    """Peak memory of `duban validate` above an empty ledger's, for one ledger in YAML and in JSON.

    Memory, not time, and with a wide margin: PyYAML's node graph made YAML cost over three times JSON.
    """
    for suffix in ("json", "yaml"):
        generate_ledger(tmp_path / f"ledger.{suffix}", MEMORY_ITEMS, seed=10)
    (tmp_path / "empty.yaml").write_text("items: []\n", encoding="utf-8")
    peaks = {name: peak_memory_mb(duban_executable() + ["validate", name], tmp_path)
             for name in ("empty.yaml", "ledger.json", "ledger.yaml")}
    json_cost = peaks["ledger.json"] - peaks["empty.yaml"]
    yaml_cost = peaks["ledger.yaml"] - peaks["empty.yaml"]
    assert json_cost > 0, peaks
    assert yaml_cost <= 2 * json_cost, f"YAML {yaml_cost:.0f} MB against JSON {json_cost:.0f} MB: {peaks}"
