"""Nothing in a data file runs code (issue item 3).

- YAML tags that would construct Python objects (``!!python/object/apply:os.system`` …) are refused,
  in ledgers, rule files and ``--set`` values, and the sentinel file they would create never appears;
- message and remedy templates are ``{name}`` only: attribute access, indexing, conversions, format
  specs and expressions are refused when the pack loads, and the renderer itself never evaluates;
- values are data: a title or a rule value that looks like code or like a template is copied, not run;
- Python files in a rule pack folder are never imported;
- the package source has no eval/exec/unsafe YAML/pickle/__import__/str.format on templates;
- a template engine only in the HTML renderer: Jinja2 in engine/output/html.py, always with
  autoescaping on, and templates that never turn it off or mark text safe.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import engine.ledger.yaml_reader
import engine.pack.templates
from cli import main
from conftest import ROOT
from engine import Engine, load_ledger, load_pack
from engine.errors import LedgerError, PackError

HEAD = "ledger: {county: 测试县, as_of: 2026-11-28}\n"
GOOD_ITEM = "{id: P-1, kind: project, title: 测试项目, owner: 张三}"


def payloads(sentinel: Path) -> dict[str, str]:
    """YAML nodes that an unsafe loader would turn into code execution (each would create ``sentinel``)."""
    s = str(sentinel)
    return {
        "object_apply_os_system": f'!!python/object/apply:os.system ["touch {s}"]',
        "object_apply_subprocess": f'!!python/object/apply:subprocess.check_call [["touch", "{s}"]]',
        "object_new_popen": f'!!python/object/new:subprocess.Popen [["touch", "{s}"]]',
        "object_apply_exec": f'!!python/object/apply:builtins.exec ["open(\'{s}\', \'w\').close()"]',
        "object_apply_eval": f'!!python/object/apply:builtins.eval ["__import__(\'os\').system(\'touch {s}\')"]',
        "name_os_system": "!!python/name:os.system",
        "module_os": "!!python/module:os",
        "object_state": "!!python/object:argparse.Namespace {x: 1}",
        "verbatim_tag": f'!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {s}"]',
        "tuple": "!!python/tuple [1, 2]",
    }


TAG_DIRECTIVE = '%TAG !py! tag:yaml.org,2002:python/\n---\n'


def ledger_with(payload: str, where: str) -> str:
    if where == "document":
        return payload + "\n"
    if where == "items":
        return HEAD + f"items: {payload}\n"
    if where == "item":
        return HEAD + f"items:\n  - {payload}\n"
    if where == "field":
        return HEAD + f"items:\n  - id: P-1\n    kind: project\n    title: {payload}\n"
    raise AssertionError(where)


RULE = {
    "id": "X-1", "title": "测试规则", "clause": "条款", "applies_to": ["project"],
    "when": {"field": "progress_gap", "op": "gte", "value": 10}, "severity": "yellow",
    "message": "「{title}」落后{progress_gap}个百分点", "remedy": "加快进度",
}


def rule_file_with(payload: str, where: str) -> str:
    body = yaml.safe_dump({"rules": [RULE]}, allow_unicode=True, sort_keys=False)
    if where == "rules":
        return f"rules: {payload}\n"
    if where == "when":
        return body.replace("  when:\n", f"  when: {payload}\n  unused:\n", 1)
    if where == "params":
        return body + f"params:\n  p: {payload}\n"
    if where == "message":
        return body.replace("  message:", f"  message: {payload}\n  unused:", 1)
    raise AssertionError(where)


def invoke(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result


def assert_refused(result: Any, file: str, *words: str) -> None:
    text = f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.exit_code == 2, text
    assert "Traceback" not in result.stderr, text
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith(("错误: ", "提示: ")) for line in lines), text
    assert any(line.startswith(f"错误: {file}: ") and all(w in line for w in words) for line in lines), text


# --- YAML tags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["document", "items", "item", "field"])
@pytest.mark.parametrize("name", list(payloads(Path("/x"))))
def test_python_tags_in_a_ledger_are_refused(name: str, where: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = tmp_path / "pwned"
    (tmp_path / "ledger.yaml").write_text(ledger_with(payloads(sentinel)[name], where), encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--output", "out.json"], tmp_path, monkeypatch)
    assert_refused(result, "ledger.yaml", "标签")
    assert not sentinel.exists()
    assert not (tmp_path / "out.json").exists()
    with pytest.raises(LedgerError):
        load_ledger(tmp_path / "ledger.yaml")
    assert not sentinel.exists()


@pytest.mark.parametrize("where", ["rules", "when", "params", "message"])
@pytest.mark.parametrize("name", ["object_apply_os_system", "object_new_popen", "name_os_system", "verbatim_tag"])
def test_python_tags_in_a_rule_file_are_refused(name: str, where: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = tmp_path / "pwned"
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "r.yaml").write_text(rule_file_with(payloads(sentinel)[name], where), encoding="utf-8")
    (tmp_path / "ledger.yaml").write_text(HEAD + f"items:\n  - {GOOD_ITEM}\n", encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "pack"], tmp_path, monkeypatch)
    assert_refused(result, "pack/r.yaml", "标签")
    assert not sentinel.exists()
    with pytest.raises(PackError):
        load_pack(tmp_path / "pack")
    assert not sentinel.exists()


def test_tag_directive_shorthand_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = tmp_path / "pwned"
    text = TAG_DIRECTIVE + HEAD + f'items:\n  - !py!object/apply:os.system ["touch {sentinel}"]\n'
    (tmp_path / "ledger.yaml").write_text(text, encoding="utf-8")
    assert_refused(invoke(["validate", "ledger.yaml"], tmp_path, monkeypatch), "ledger.yaml", "标签")
    assert not sentinel.exists()


def test_python_tags_refused_by_the_real_process(tmp_path: Path, run_duban: Any) -> None:
    """The installed command: a ledger and a rule pack with object-constructing tags, side by side."""
    sentinel = tmp_path / "pwned"
    p = payloads(sentinel)
    (tmp_path / "ledger.yaml").write_text(ledger_with(p["object_apply_os_system"], "field"), encoding="utf-8")
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "r.yaml").write_text(rule_file_with(p["object_new_popen"], "when"), encoding="utf-8")
    (tmp_path / "clean.yaml").write_text(HEAD + f"items:\n  - {GOOD_ITEM}\n", encoding="utf-8")
    (tmp_path / "out.json").write_bytes(b"old")
    proc = run_duban("check", "ledger.yaml", "--output", "out.json", code=2, cwd=tmp_path)
    assert proc.stderr.startswith("错误: ledger.yaml: 第 5 行"), proc.stderr
    assert "标签" in proc.stderr
    proc = run_duban("check", "clean.yaml", "--rules", "pack", "--output", "out.json", code=2, cwd=tmp_path)
    assert proc.stderr.startswith("错误: pack/r.yaml: "), proc.stderr
    assert "标签" in proc.stderr
    assert not sentinel.exists()
    assert (tmp_path / "out.json").read_bytes() == b"old"


def test_set_value_is_read_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--set values are read as YAML scalars: a tag there is only a badly typed value."""
    sentinel = tmp_path / "pwned"
    (tmp_path / "ledger.yaml").write_text(HEAD + f"items:\n  - {GOOD_ITEM}\n", encoding="utf-8")
    for value in (payloads(sentinel)["object_apply_os_system"], payloads(sentinel)["name_os_system"]):
        result = invoke(["check", "ledger.yaml", "--set", f"lag_red_points={value}"], tmp_path, monkeypatch)
        assert_refused(result, "--set", "lag_red_points")
    assert not sentinel.exists()


def test_the_yaml_reader_builds_data_tags_only() -> None:
    """YAML is built from the parser's events by duban's own reader, from a closed table of core data tags."""
    reader = engine.ledger.yaml_reader
    source = reader._EventSource
    assert issubclass(source, yaml.constructor.SafeConstructor)  # used only to parse, and safe even so
    assert not issubclass(source, yaml.constructor.FullConstructor)  # FullConstructor and UnsafeConstructor
    tags = set(reader.SCALAR_TAGS) | set(reader.MAPPING_TAGS) | set(reader.SEQUENCE_TAGS)
    assert {tag for tag in tags if tag not in (None, "!")} <= {
        f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "map", "seq")}
    assert not [tag for tag in tags if tag and "python" in tag], tags


def test_json_ledgers_have_no_object_hooks(tmp_path: Path) -> None:
    """Keys that object hooks elsewhere act on are plain unknown fields here."""
    data = {"items": [{"id": "P-1", "kind": "project", "title": "t", "__class__": "os.system",
                       "$type": "System.Diagnostics.Process", "__reduce__": ["os.system", ["touch x"]]}]}
    path = tmp_path / "ledger.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    causes = {d.place: d.cause for d in caught.value.diagnostics}
    assert set(causes) == {"items[0] (P-1).__class__", "items[0] (P-1).$type", "items[0] (P-1).__reduce__"}


# --- templates --------------------------------------------------------------------------------------------


BAD_TEMPLATES = [
    "{title.__class__}",
    "{title.__class__.__mro__}",
    "{__import__}",
    "{__class__}",
    "{__builtins__}",
    "{0}",
    "{}",
    "{title!r}",
    "{title!s}",
    "{title:>10}",
    "{title:{owner}}",
    "{title[0]}",
    "{investment.__dict__}",
    "{title.upper}",
    "{ title }",
    "{progress * 2}",
    "{__import__('os').system('touch x')}",
    "{title",
    "title}",
]


@pytest.mark.parametrize("field", ["message", "remedy"])
@pytest.mark.parametrize("template", BAD_TEMPLATES)
def test_templates_that_reach_further_than_a_name_are_refused_at_load(template: str, field: str,
                                                                       tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [{**RULE, field: template}]}, allow_unicode=True),
                                     encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path)
    places = [d.place for d in caught.value.diagnostics]
    assert f"rule X-1.{field}" in places, caught.value


@pytest.mark.parametrize("template", ["{title.__class__}", "{__import__}", "{0}", "{title!r}", "{title:>10}"])
def test_bad_template_at_the_command_line(template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "r.yaml").write_text(
        yaml.safe_dump({"rules": [{**RULE, "message": template}]}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "ledger.yaml").write_text(HEAD + f"items:\n  - {GOOD_ITEM}\n", encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "pack", "--output", "out.json"], tmp_path, monkeypatch)
    assert_refused(result, "pack/r.yaml", "rule X-1.message")
    assert not (tmp_path / "out.json").exists()


def test_the_renderer_never_evaluates_even_unchecked_templates() -> None:
    """Defence in depth: names the checker would refuse render as missing, not as attributes or calls."""
    render = engine.pack.templates.render
    facts = {"title": "项目", "owner": "张三"}
    assert render("{title.__class__}|{__import__}|{title!r}|{title:>10}|{0}", facts) == "—|—|—|—|—"
    assert render("{{title}} {title}", facts) == "{title} 项目"


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_values_that_look_like_code_or_templates_are_copied_verbatim(backend: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"
    code = f"__import__('os').system('touch {sentinel}')"
    title = "{owner}{__import__}{{x}}%s%(owner)s${owner}" + code
    rule = {**RULE, "when": {"field": "title", "op": "contains", "value": f"'); {code} #\"\\"},
            "message": "「{title}」负责人{owner}", "remedy": "{owner}: 请核实"}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    eng = Engine.from_path(tmp_path, backend=backend)
    ledger = load_ledger({"ledger": {"as_of": "2026-11-28"}, "items": [
        {"id": "P-1", "kind": "project", "title": title + f"'); {code} #\"\\", "owner": "{title}"},
        {"id": "P-2", "kind": "project", "title": "普通项目", "owner": code},
    ]})
    report = eng.evaluate(ledger)
    assert [f.subject for f in report.findings] == ["P-1"]
    finding = report.findings[0]
    assert finding.message == f"「{title}'); {code} #\"\\」负责人{{title}}"
    assert finding.remedy == "{title}: 请核实"
    assert not sentinel.exists()


def test_python_files_in_a_rule_pack_are_never_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = tmp_path / "pwned"
    pack = tmp_path / "pack"
    (pack / "sub").mkdir(parents=True)
    code = f"open({str(sentinel)!r}, 'w').close()\n"
    for name in ("__init__.py", "evil.py", "conftest.py", "rules.py", "sub/__init__.py", "sub/x.py"):
        (pack / name).write_text(code, encoding="utf-8")
    (pack / "r.yaml").write_text(yaml.safe_dump({"rules": [RULE]}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "ledger.yaml").write_text(HEAD + f"items:\n  - {GOOD_ITEM}\n", encoding="utf-8")
    result = invoke(["check", "ledger.yaml", "--rules", "pack", "--format", "json"], tmp_path, monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert not sentinel.exists()


def test_a_file_name_is_never_given_to_a_shell(tmp_path: Path, run_duban: Any) -> None:
    sentinel = tmp_path / "pwned"
    name = f"$(touch {sentinel.name});touch {sentinel.name}`touch {sentinel.name}`.yaml"
    (tmp_path / name).write_text(HEAD + "items:\n  - {id: P-1, kind: project, title: t, progress: 150}\n",
                                 encoding="utf-8")
    proc = run_duban("check", name, code=2, cwd=tmp_path)
    assert proc.stderr.startswith(f"错误: {name}: items[0] (P-1).progress: "), proc.stderr
    assert not sentinel.exists()


# --- the source -------------------------------------------------------------------------------------------


SOURCES = sorted((ROOT / "engine").rglob("*.py")) + [ROOT / "cli.py"]

FORBIDDEN_TEXT = [
    (r"\beval\s*\(", "eval("),
    (r"\bexec\s*\(", "exec("),
    (r"__import__", "__import__"),
    (r"\bpickle\b", "pickle"),
    (r"\bmarshal\b", "marshal"),
    (r"\bshelve\b", "shelve"),
    (r"yaml\.(unsafe_load|full_load|load_all|unsafe_load_all|full_load_all)\b", "unsafe YAML loading"),
    (r"yaml\.(Loader|UnsafeLoader|FullLoader|CLoader|CUnsafeLoader|CFullLoader)\b", "an unsafe YAML loader"),
    (r"\bjinja2?\b", "Jinja2"),
    (r"\bmarkupsafe\b|\bMarkup\b", "text marked safe from escaping"),
    (r"\bmako\b|string\.Template\b", "a template engine"),
    (r"\bos\.system\b|\bos\.popen\b|\bsubprocess\b", "a shell"),
]


# The one module that may use Jinja2 (the HTML renderer); test_jinja_only_with_autoescape holds it to that.
HTML_RENDERER = ROOT / "engine" / "output" / "html.py"
TEMPLATES = sorted((ROOT / "engine" / "output" / "templates").iterdir())


@pytest.mark.parametrize("path", SOURCES, ids=[p.relative_to(ROOT).as_posix() for p in SOURCES])
def test_source_has_no_code_execution(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, what in FORBIDDEN_TEXT:
            if what == "Jinja2" and path == HTML_RENDERER:
                continue
            if re.search(pattern, line):
                found.append(f"{path.name}:{number}: {what}: {line.strip()}")
        for match in re.finditer(r"yaml\.load\s*\(", line):
            if not re.search(r"Loader\s*=\s*(yaml\.)?(C?SafeLoader|_SafeLoader)\b", line[match.end():]):
                found.append(f"{path.name}:{number}: yaml.load( without a safe Loader: {line.strip()}")
    tree = ast.parse(text, filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in {"eval", "exec", "compile", "__import__", "breakpoint"}:
            found.append(f"{path.name}:{node.lineno}: call of {func.id}()")
        if isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if owner in {"pickle", "marshal", "importlib", "builtins"}:
                found.append(f"{path.name}:{node.lineno}: {owner}.{func.attr}()")
            if owner == "yaml" and "load" in func.attr and func.attr != "safe_load":
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if loader is None or "SafeLoader" not in ast.unparse(loader):
                    found.append(f"{path.name}:{node.lineno}: yaml.{func.attr}() without a safe Loader")
            # str.format / format_map on anything but a literal could reach attributes ("{0.__class__}")
            if func.attr in {"format", "format_map"} and not isinstance(func.value, ast.Constant):
                found.append(f"{path.name}:{node.lineno}: .{func.attr}() on a non-literal template")
    assert not found, "\n".join(found)


def test_jinja_only_with_autoescape() -> None:
    """The HTML renderer builds its one Jinja2 environment with autoescape=True and never a bare Template."""
    tree = ast.parse(HTML_RENDERER.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    names = [ast.unparse(node.func) for node in calls]
    environments = [node for node, name in zip(calls, names) if name.split(".")[-1] == "Environment"]
    assert len(environments) == 1, names
    autoescape = [k.value for k in environments[0].keywords if k.arg == "autoescape"]
    assert len(autoescape) == 1 and isinstance(autoescape[0], ast.Constant) and autoescape[0].value is True
    assert not [name for name in names if name.split(".")[-1] in ("Template", "from_string", "Markup")], names
    import engine.output.html

    env = engine.output.html.environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.name for p in TEMPLATES])
def test_templates_never_turn_escaping_off(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in (r"\|\s*safe\b", r"autoescape", r"\bMarkup\b", r"\|\s*forceescape", r"\|\s*tojson"):
        assert not re.search(pattern, text), f"{path.name}: {pattern}"


def test_the_grep_would_catch_what_it_looks_for(tmp_path: Path) -> None:
    """The source check is not vacuous: it flags each pattern in a planted file."""
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import yaml, pickle\n"
        "eval('1')\nexec('x=1')\n__import__('os')\n"
        "yaml.load(open('f'))\nyaml.load(open('f'), Loader=yaml.SafeLoader)\n"
        "pickle.load(open('f', 'rb'))\n"
        "template = '{0}'\ntemplate.format(1)\n"
        "import jinja2\nfrom markupsafe import Markup\n",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError) as caught:
        test_source_has_no_code_execution(planted)
    message = str(caught.value)
    for what in ("eval(", "exec(", "__import__", "pickle", "yaml.load( without a safe Loader", ".format()", "Jinja2",
                 "text marked safe"):
        assert what in message, what
    assert "planted.py:6" not in message, message  # yaml.load with Loader=yaml.SafeLoader is fine


# --- issue 16: the one YAML reader and the one scalar reader -------------------------------------------------


@pytest.mark.parametrize("text", [
    "base: &b !!python/object/apply:os.system ['touch {s}']\nitems: [*b]\n",
    "items:\n  - <<: !!python/object/new:subprocess.Popen [['touch', '{s}']]\n    id: P-1\n",
    "items: !<tag:yaml.org,2002:python/tuple> [1]\n",
    "items: !!omap [{a: 1}]\n",
], ids=["anchored", "merge-key", "verbatim", "omap"])
def test_tags_are_refused_wherever_they_hide(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anchors, aliases and merge keys go through the same closed table of data tags."""
    sentinel = tmp_path / "pwned"
    (tmp_path / "ledger.yaml").write_text(text.replace("{s}", str(sentinel)), encoding="utf-8")
    assert_refused(invoke(["check", "ledger.yaml"], tmp_path, monkeypatch), "ledger.yaml", "标签")
    assert not sentinel.exists()


def test_set_values_are_read_by_the_ledgers_scalar_reader() -> None:
    """--set and params= read text with the reader the ledgers use: no YAML tags, no octal, no sexagesimal."""
    from engine.ledger import read_scalar

    assert [read_scalar(t) for t in ("25", "-3", "0.5", "1.0e+3", "true", "no", "~")] == [25, -3, 0.5, 1000.0, True,
                                                                                          False, None]
    for text in ("010", "1:30", "1_000", "0x10", "!!python/name:os.system", "!!int 5", "1e3"):
        assert read_scalar(text) == text
