"""duban coverage (SPEC Part 2, "Analysts" and "Part 2 in detail"): sentences end at 。！？；!?; and line
ends; a demand contains 要, 必须, 确保 or 应 as written (主要 counts); a rule covers a sentence when, after
NFKC, one of clause and sentence contains the other; the share to one decimal; --fail-under exits 1 below."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from engine import load_pack
from engine.coverage import covers, coverage, is_demand, split_sentences
from engine.resources import builtin_policy_path

SPEECH = ROOT / "docs" / "policy" / "meeting-speech.zh.txt"
PART2_RULES = ("ENT-03", "EXC-03", "LAG-03", "SCH-05")


# --- the readings at their edges ----------------------------------------------------------------


def test_sentences_end_at_every_mark_and_line_end() -> None:
    text = "甲。乙！丙？丁；戊!己?庚;辛\n壬\r\n癸\n\n  \u3000子。 "
    assert split_sentences(text) == ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "子"]
    assert split_sentences("同志们:\n今天,我们召开会议,要求如下") == ["同志们:", "今天,我们召开会议,要求如下"]


@pytest.mark.parametrize("sentence, demand", [
    ("各部门要明确责任人", True), ("必须按期完成", True), ("确保项目按计划推进", True), ("应当及时报告", True),
    ("主要任务是梳理盘点", True),  # 主要 contains 要: matched as written
    ("服务企业发展是政府的重要职责", True), ("成绩不讲跑不了", False), ("谢谢大家", False),
])
def test_demand_words_are_matched_as_written(sentence: str, demand: bool) -> None:
    assert is_demand(sentence) is demand


def test_a_clause_covers_a_sentence_after_nfkc_either_way() -> None:
    sentence = "对于进展缓慢的项目，要深入分析原因，采取针对性措施加快进度，确保项目早日建成投产"
    assert covers("对于进展缓慢的项目,要深入分析原因,采取针对性措施加快进度", sentence)  # full-width commas
    assert covers("要深入分析原因,采取针对性措施加快进度,确保项目早日建成投产,发挥效益", "确保项目早日建成投产")
    assert not covers("要深入分析原因;采取措施", sentence)  # neither contains the other
    assert not covers("", sentence) and not covers("  ", sentence)
    assert covers("ＡＢＣ要求", "ABC要求")  # full-width letters too


# --- the built-in pack and speech ---------------------------------------------------------------


def test_the_built_in_figures(run_cli) -> None:
    result = coverage(load_pack(), SPEECH.read_text(encoding="utf-8"), "builtin")
    assert (result.demands, result.covered, result.share) == (29, 11, 37.9)
    assert result.unquoted == []
    covered = {s.index: s.rules for s in result.sentences if s.rules}
    assert covered[43] == ["EXC-03"] and "ENT-03" in covered[35]
    out = run_cli("coverage").stdout
    assert out.rstrip().endswith("要求 29 句,有规则覆盖 11 句,覆盖率 37.9%(政策文本: 内置讲话;规则包: builtin,29 条规则)")
    assert "未覆盖的要求(18 句):" in out and "  44. 对于尚未取得明显成效的单位,要帮助其查找原因" in out


def test_the_figure_without_the_four_part2_rules(run_cli, tmp_path: Path) -> None:
    """The closing note's comparison: the pack without ENT-03, EXC-03, LAG-03 and SCH-05."""
    pack = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", pack)
    for path in pack.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data and "rules" in data:
            data["rules"] = [r for r in data["rules"] if r["id"] not in PART2_RULES]
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = run_cli("coverage", "--rules", str(pack)).stdout
    assert "有规则覆盖 10 句,覆盖率 34.5%" in out and "25 条规则" in out
    # the same selection through --ignore
    assert "覆盖率 34.5%" in run_cli("coverage", "--ignore", ",".join(PART2_RULES)).stdout


def test_the_default_policy_ships_with_the_package() -> None:
    assert builtin_policy_path().read_text(encoding="utf-8") == SPEECH.read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]["docs/policy"] == "engine/policy"


# --- a policy of one's own, --fail-under --------------------------------------------------------


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.txt"
    path.write_text("各相关部门要明确责任人。会议到此结束。\n必须每月报送统计报表！主要任务是总结经验", encoding="utf-8")
    return path


@pytest.mark.parametrize("under, code", [(None, 0), ("0", 0), ("33.3", 0), ("33.4", 1), ("100", 1)])
def test_fail_under_compares_the_printed_share(run_cli, policy: Path, under, code: int) -> None:
    args = ["coverage", "--policy", str(policy)] + (["--fail-under", under] if under else [])
    out = run_cli(*args, code=code).stdout
    # 3 demands (要, 必须, 主要); OWN-01's clause contains the first; no rule quotes the others
    assert "要求 3 句,有规则覆盖 1 句,覆盖率 33.3%" in out


def test_bad_policy_and_bad_fail_under_are_usage_errors(run_cli, tmp_path: Path) -> None:
    missing = run_cli("coverage", "--policy", str(tmp_path / "none.txt"), code=2)
    assert "none.txt: 文件不存在" in missing.stderr and missing.stdout == ""
    binary = tmp_path / "speech.txt"
    binary.write_bytes("要求".encode("gb18030"))
    assert "不是 UTF-8" in run_cli("coverage", "--policy", str(binary), code=2).stderr
    run_cli("coverage", "--fail-under", "101", code=2)


def test_a_policy_without_demands_is_fully_covered(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("谢谢大家。", encoding="utf-8")
    out = run_cli("coverage", "--policy", str(path), "--fail-under", "100").stdout
    assert "要求 0 句,有规则覆盖 0 句,覆盖率 100.0%" in out and "没有未覆盖的要求。" in out


def test_every_format(run_cli, policy: Path) -> None:
    data = json.loads(run_cli("coverage", "--policy", str(policy), "--format", "json").stdout)
    assert (data["demands"], data["covered"], data["share"], data["uncovered"]) == (3, 1, 33.3, [3, 4])
    assert data["sentences"][0] == {"index": 1, "text": "各相关部门要明确责任人", "demand": True, "rules": ["OWN-01"]}
    rows = list(csv.reader(io.StringIO(run_cli("coverage", "--policy", str(policy), "--format", "csv")
                                       .stdout.lstrip("\ufeff"))))
    assert rows[0] == ["序号", "要求", "已覆盖", "句子", "规则"]
    assert rows[1:] == [["1", "是", "是", "各相关部门要明确责任人", "OWN-01"], ["2", "", "否", "会议到此结束", "—"],
                        ["3", "是", "否", "必须每月报送统计报表", "—"], ["4", "是", "否", "主要任务是总结经验", "—"]]
    markdown = run_cli("coverage", "--policy", str(policy), "--format", "markdown").stdout
    assert markdown.startswith("# 政策要求覆盖\n\n要求 3 句") and "## 未覆盖的要求(2 句)\n\n- 3. 必须每月报送" in markdown
