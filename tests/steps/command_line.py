"""当 在命令行运行 "duban …" and 那么 退出码为 …: the command line, in-process through click's runner.

The scenario's ledger (its items and units) is written to 台账.yaml in the scenario's own folder; for
check, rank, explain and validate it is passed as the LEDGER argument unless the command names a file.
Relative paths in the command (a rule folder written by 规则目录 … 中有文件 …) are read from that folder.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import traceback
from datetime import date
from typing import Any

import yaml
from click.testing import CliRunner
from pytest_bdd import parsers, then, when

from cli import main

from .scene import Scene

LEDGER_COMMANDS = {"check", "rank", "explain", "validate"}
LEDGER_FILE = "台账.yaml"


@when(parsers.re(r'在命令行运行 "(?P<command>[^"]+)"'))
def run_command(scene: Scene, command: str) -> None:
    args = shlex.split(command)
    if args and args[0] == "duban":
        args = args[1:]
    if args and args[0] in LEDGER_COMMANDS and scene.items and not any(re.search(r"\.(ya?ml|json|jsonl|ndjson)$", a) for a in args):
        (scene.workdir / LEDGER_FILE).write_text(
            yaml.safe_dump(scene.ledger(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        args.append(LEDGER_FILE)
    scene.cli_args = args
    cwd = os.getcwd()
    os.chdir(scene.workdir)
    try:
        scene.cli = CliRunner().invoke(main, args, catch_exceptions=True)
    finally:
        os.chdir(cwd)


def _result(scene: Scene) -> Any:
    assert scene.cli is not None, "还没有在命令行运行(缺少步骤「当 在命令行运行 \"duban …\"」)"
    result = scene.cli
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        trace = "".join(traceback.format_exception(result.exception))
        raise AssertionError(f"duban {' '.join(scene.cli_args)} 异常退出(不应出现 Traceback):\n{trace}")
    return result


def _shown(scene: Scene) -> str:
    result = scene.cli
    return f"duban {' '.join(scene.cli_args)}\n退出码: {result.exit_code}\n标准输出:\n{result.stdout}\n错误输出:\n{result.stderr}"


@then(parsers.re(r"退出码为 ?(?P<code>\d+)"))
def exit_code_is(scene: Scene, code: str) -> None:
    result = _result(scene)
    assert result.exit_code == int(code), _shown(scene)


@then(parsers.re(r'标准输出包含 "(?P<text>.*)"'))
def stdout_contains(scene: Scene, text: str) -> None:
    assert text in _result(scene).stdout, _shown(scene)


@then(parsers.re(r'标准输出不包含 "(?P<text>.*)"'))
def stdout_lacks(scene: Scene, text: str) -> None:
    assert text not in _result(scene).stdout, _shown(scene)


@then("标准输出为空")
def stdout_empty(scene: Scene) -> None:
    assert _result(scene).stdout == "", _shown(scene)


@then(parsers.re(r'错误输出包含 "(?P<text>.*)"'))
def stderr_contains(scene: Scene, text: str) -> None:
    assert text in _result(scene).stderr, _shown(scene)


@then(parsers.re(r'错误输出不包含 "(?P<text>.*)"'))
def stderr_lacks(scene: Scene, text: str) -> None:
    assert text not in _result(scene).stderr, _shown(scene)


@then(parsers.re(r"错误输出只有 ?(?P<count>\d+) ?行"))
def stderr_lines(scene: Scene, count: str) -> None:
    lines = [line for line in _result(scene).stderr.splitlines() if line.strip()]
    assert len(lines) == int(count), _shown(scene)


def _json(scene: Scene) -> Any:
    text = _result(scene).stdout
    try:
        return json.loads(text)
    except ValueError as exc:
        raise AssertionError(f"输出不是 JSON ({exc}):\n{_shown(scene)}") from None


def _lookup(data: Any, path: str) -> Any:
    """``summary.findings.red``, ``items[0].id``, ``findings[-1].rule``."""
    current = data
    for part in re.findall(r"[^.\[\]]+|\[-?\d+\]", path):
        try:
            current = current[int(part[1:-1])] if part.startswith("[") else current[part]
        except (KeyError, IndexError, TypeError):
            raise AssertionError(f"JSON 中没有 {path}(在 {part} 处)") from None
    return current


def _expected(text: str) -> Any:
    value = yaml.safe_load(text)
    return value.isoformat() if isinstance(value, date) else value


@then("输出是 JSON")
def output_is_json(scene: Scene) -> None:
    _json(scene)


@then(parsers.re(r'输出是 JSON[,,]? ?(且|其中) ?"(?P<path>[^"]+)" 为 (?P<value>.+)'))
def json_value_is(scene: Scene, path: str, value: str) -> None:
    actual = _lookup(_json(scene), path)
    assert actual == _expected(value), f"{path} 应为 {value},实际为 {actual!r}"


@then(parsers.re(r'(而且 )?JSON 中 "(?P<path>[^"]+)" 为 (?P<value>.+)'))
def json_more(scene: Scene, path: str, value: str) -> None:
    actual = _lookup(_json(scene), path)
    assert actual == _expected(value), f"{path} 应为 {value},实际为 {actual!r}"


@then(parsers.re(r'JSON 中 "(?P<path>[^"]+)" 的编号依次为 "(?P<ids>[^"]+)"'))
def json_ids(scene: Scene, path: str, ids: str) -> None:
    rows = _lookup(_json(scene), path)
    actual = [row.get("id", row.get("subject")) for row in rows]
    expected = [part for part in re.split(r"[、,,\s]+", ids) if part]
    assert actual == expected, f"{path} 的编号应为 {expected},实际为 {actual}"
