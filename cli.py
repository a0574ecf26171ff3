"""The duban command line: parse options, call the library, render, set the exit code.

Exit codes: 0 done; 1 a finding at or above ``--fail-on``; 2 bad input or
usage (one located line per problem on stderr, no traceback); 130 interrupted.
Nothing here computes what a library user would also need.

The wheel installs this file as ``engine/cli.py``; in a checkout it is the
top-level ``cli.py`` of the design card. Both import the library as ``engine``.
"""

from __future__ import annotations

import functools
import gc
import json
import re
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Optional, Sequence

import click

from engine import DubanError, Engine, Limits, Report, UsageError, __version__, load_ledger, load_pack
from engine.backends import BACKENDS
from engine.filters import filter_report
from engine.ledger import DEFAULT_LIMITS, KINDS, LedgerFile, read_text
from engine.output import FORMATS, formats_help, render
from engine.output.write import write_atomic
from engine.resources import builtin_policy_path, sample_ledger_path

FAIL_ON = ("red", "yellow", "blue", "never")
SEVERITY_ORDER = ("red", "yellow", "blue")


# --- shared plumbing -------------------------------------------------------------


def _note(text: str) -> None:
    click.echo(f"提示: {text}", err=True)


def _parse_as_of(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError.at("--as-of", "", f"不是有效的日期 {value!r},应为 YYYY-MM-DD") from None


def _parse_sets(values: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        if not sep or not name.strip():
            raise UsageError.at("--set", value, "应写成 名称=值,例如 --set lag_red_points=25")
        params[name.strip()] = raw.strip()
    return params


def _parse_limits(values: Sequence[str]) -> Limits:
    settings: dict[str, int] = {}
    for value in values:
        name, sep, raw = value.partition("=")
        name = name.strip()
        if not sep or name not in Limits.model_fields:
            raise UsageError.at("--limit", value, f"应写成 名称=整数,名称为 {', '.join(Limits.model_fields)} 之一")
        try:
            settings[name] = int(raw)
        except ValueError:
            raise UsageError.at("--limit", value, f"{name} 的值应为整数") from None
        if settings[name] < 1:
            raise UsageError.at("--limit", value, f"{name} 的值应为正整数")
    return Limits(**settings)


def _ledger_paths(ledgers: Sequence[str]) -> list[str]:
    if ledgers:
        return list(ledgers)
    sample = sample_ledger_path()
    _note(f"未指定台账文件,使用示例台账 {sample}")
    return [str(sample)]


def _emit(text: str, output: Optional[str]) -> None:
    data = text.encode("utf-8")
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _fail_code(severities: Iterable[str], fail_on: str) -> int:
    """1 when any severity is at or above ``--fail-on``, else 0."""
    if fail_on == "never":
        return 0
    threshold = SEVERITY_ORDER.index(fail_on)
    return 1 if any(SEVERITY_ORDER.index(s) <= threshold for s in severities) else 0


def _guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Run a command body; turn duban's errors into exit 2 with one line per problem."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except DubanError as exc:
            for diagnostic in exc.diagnostics:
                click.echo(f"错误: {diagnostic}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo(("\n" if sys.stderr.isatty() else "") + "已中断", err=True)
            sys.exit(130)
        sys.exit(code or 0)

    return wrapper


def _load(ledgers: Sequence[str], opts: Any) -> Any:
    # Loading makes millions of objects and no cycles worth collecting: the
    # collector would only rescan them. The ledger then lives until the process
    # ends, so it is frozen out of later collections.
    gc.disable()
    try:
        ledger = load_ledger(_ledger_paths(ledgers), limits=_parse_limits(opts.limits or ()),
                             skip_invalid=bool(opts.skip_invalid))
    finally:
        gc.freeze()
        gc.enable()
    for rejected in ledger.rejected:  # set aside by --skip-invalid: shown as errors, the run goes on
        place = ": ".join(part for part in (rejected.file, rejected.place, rejected.cause) if part)
        click.echo(f"错误: {place}", err=True)
    if ledger.rejected:
        _note(f"--skip-invalid: 已排除 {len(ledger.rejected)} 处有错误的事项或记录,其余照常评估")
    return ledger


def _progress() -> Optional[Callable[[int, int], None]]:
    """Progress on stderr for long runs, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        if total < 20_000:
            return
        rate = done / max(time.monotonic() - started, 1e-6)
        end = "\n" if done >= total else ""
        click.echo(f"\r已评估 {done}/{total} 个事项,{rate:,.0f} 个/秒", err=True, nl=False)
        if end:
            click.echo("", err=True)

    return show


def _notes(report: Report) -> None:
    for note in report.notes:
        _note(note)


LIMIT_OPTION = click.option(
    "--limit", "limits", multiple=True, metavar="NAME=N",
    help="输入上限(可重复): max_file_bytes、max_items、max_depth、max_yaml_nodes、max_alias_expansion。",
)


# --- options, in groups that commands share ----------------------------------------------
#
# Each group is a list of click options; a command takes the groups it needs
# and receives every option in one ``Options`` namespace, so that adding an
# option touches its group and the code that reads it, not every command.


class Options(SimpleNamespace):
    """Every option a command was given, by name (absent ones read as None)."""

    def __getattr__(self, name: str) -> Any:
        return None


RULE_OPTIONS = [
    click.option("--rules", "rules", multiple=True, metavar="DIR",
                 help="规则包目录(可重复;builtin 表示内置规则包)。默认: 内置规则包。"),
    click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="覆盖规则参数(可重复)。"),
    click.option("--select", "select", multiple=True, metavar="ID",
                 help="只评估这些规则或规则族(可重复、可用逗号分隔,如 OWN,SUP-01)。"),
    click.option("--ignore", "ignore", multiple=True, metavar="ID", help="不评估这些规则或规则族(可重复)。"),
    click.option("--profile", "profile", metavar="NAME", help="使用规则包中的规则配置,如 delivery。"),
]

LEDGER_OPTIONS = [
    LIMIT_OPTION,
    click.option("--skip-invalid", "skip_invalid", is_flag=True,
                 help="有错误的事项或记录逐条报错后排除,其余照常评估(整个文件的错误仍以退出码 2 结束)。"),
]

EVALUATION_OPTIONS = [
    click.option("--waivers", "waivers", multiple=True, metavar="FILE", help="豁免文件(可重复)。"),
    click.option("--as-of", "as_of", metavar="DATE", help="基准日 YYYY-MM-DD。默认: 台账的 as_of,否则今天。"),
    click.option("--backend", type=click.Choice(BACKENDS), default="auto",
                 show_default=True, help="规则匹配后端。"),
    click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                 help="工作进程数。默认自动: 小台账在本进程内,大台账每核一个进程。结果与 N 无关。"),
]


def output_options(view: str) -> list[Callable[..., Any]]:
    """--format (the formats that support ``view``), --output and --fail-on."""
    return [
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
                     help=formats_help(view)),
        click.option("--output", "output", metavar="FILE", help="写入文件(原子写入,出错时原文件不变)。"),
        click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="never", show_default=True,
                     help="存在该等级及以上预警时以退出码 1 结束。"),
    ]


FILTER_OPTIONS = [
    click.option("--unit", "units", multiple=True, metavar="NAME", help="只列出这些责任单位的事项(可重复)。"),
    click.option("--leader", "leaders", multiple=True, metavar="NAME", help="只列出这些联系县领导的事项(可重复)。"),
    click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="只列出这些类型的事项(可重复)。"),
    click.option("--min-severity", "min_severity", type=click.Choice(SEVERITY_ORDER),
                 help="只列出该等级及以上的预警和有这些预警的事项。"),
    click.option("--top", type=click.IntRange(min=1), metavar="N", help="只列出前 N 个事项。"),
]


def options(*groups: list[Callable[..., Any]]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Apply option groups to a command, which then receives one :class:`Options`."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        names: set[str] = set()

        @functools.wraps(command)
        def with_options(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
            return command(*args, opts=Options(**given), **kwargs)

        decorated: Any = with_options
        for group in reversed(groups):
            for option in reversed(group):
                decorated = option(decorated)
        names.update(param.name for param in decorated.__click_params__)
        return decorated

    return decorate


# --- the run: engine, ledger, report, from the options --------------------------------------


def build_engine(opts: Options) -> Engine:
    """The engine the rule options ask for: packs, params, the choice of rules, the backend."""
    return Engine.from_path(list(opts.rules or ()) or ["builtin"], _parse_sets(opts.sets or ()),
                            backend=opts.backend or "auto", select=opts.select or (), ignore=opts.ignore or (),
                            profile=opts.profile)


def evaluate(ledgers: Sequence[str], opts: Options) -> Report:
    """The report of one evaluation, as the options ask for it: the whole ledger, not yet filtered."""
    engine = build_engine(opts)
    when = _parse_as_of(opts.as_of)
    return engine.evaluate(_load(ledgers, opts), as_of=when, jobs=opts.jobs, progress=_progress(),
                           waivers=list(opts.waivers or ()))


def shown(report: Report, opts: Options) -> Report:
    """What the display filters keep of the report (the one filter step of every command)."""
    return filter_report(report, units=opts.units or (), leaders=opts.leaders or (), kinds=opts.kinds or (),
                         min_severity=opts.min_severity, top=opts.top)


# --- the commands -----------------------------------------------------------------------


class DubanGroup(click.Group):
    """Usage errors become one ``错误:`` line and exit 2, like every other error."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
            sys.exit(0)
        except click.UsageError as exc:
            where = f"{exc.ctx.command_path}: " if exc.ctx else ""
            click.echo(f"错误: {where}{exc.format_message()}(用 --help 查看用法)", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"错误: {exc.format_message()}", err=True)
            sys.exit(2)
        except (click.Abort, KeyboardInterrupt):
            click.echo("已中断", err=True)
            sys.exit(130)


@click.group(cls=DubanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="duban", message="%(prog)s %(version)s")
def main() -> None:
    """督办 duban: 按县委县政府的督办要求检查重点工作台账,输出预警和优先级。"""


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("check"), FILTER_OPTIONS)
def check(ledgers: tuple[str, ...], opts: Options) -> int:
    """检查台账,列出全部预警和汇总。"""
    report = shown(evaluate(ledgers, opts), opts)
    _notes(report)
    _emit(render(opts.fmt, "check", report), opts.output)
    return _fail_code((f.severity for f in report.findings), opts.fail_on)


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("rank"), FILTER_OPTIONS)
def rank(ledgers: tuple[str, ...], opts: Options) -> int:
    """按优先级列出事项: 灯、得分、档次和主要问题。"""
    report = shown(evaluate(ledgers, opts), opts)
    _notes(report)
    _emit(render(opts.fmt, "rank", report), opts.output)
    return _fail_code((f.severity for f in report.findings), opts.fail_on)


@main.command()
@click.argument("item_id", metavar="ITEM_ID")
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("explain"))
def explain(item_id: str, ledgers: tuple[str, ...], opts: Options) -> int:
    """解释一个事项(编号)、单位(名称)或本县(县名或「本县」): 每条适用规则的条件树和读到的值、为何是这一等级、
    反事实(最近的一个取值即可消除或降级,能对应到台账时说明怎样填)、未触发规则差多少,以及得分构成。"""
    engine = build_engine(opts)
    when = _parse_as_of(opts.as_of)
    explanation = engine.explain(_load(ledgers, opts), item_id, as_of=when, waivers=list(opts.waivers or ()))
    for note in explanation.notes:
        _note(note)
    _emit(render(opts.fmt, "explain", explanation), opts.output)
    return _fail_code((r.severity for r in explanation.rules if r.fired and r.severity), opts.fail_on)


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@click.option("--rules", "rules", multiple=True, metavar="DIR", help="同时检查规则包目录(可重复)。")
@LIMIT_OPTION
@_guarded
def validate(ledgers: tuple[str, ...], rules: tuple[str, ...], limits: tuple[str, ...]) -> int:
    """校验台账(和规则包),有效时退出码 0,否则逐条列出错误并以退出码 2 结束。"""
    if rules:
        pack = load_pack(list(rules))
        click.echo(f"规则包有效: {len(pack.rules)} 条规则({pack.source})")
    ledger = load_ledger(_ledger_paths(ledgers), limits=_parse_limits(limits))
    for note in ledger.notes:
        _note(note)
    click.echo(f"台账有效: {len(ledger.items)} 个事项,{len(ledger.units)} 个单位({', '.join(ledger.sources)})")
    return 0


@main.command()
@click.argument("rule_id", required=False, metavar="[RULE_ID]")
@click.option("--rules", "rules", multiple=True, metavar="DIR", help="规则包目录(可重复)。默认: 内置规则包。")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="覆盖规则参数(可重复)。")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
              help=formats_help("rules"))
@_guarded
def rules(rule_id: Optional[str], rules: tuple[str, ...], sets: tuple[str, ...], fmt: str) -> int:
    """列出规则包中的规则、参数及其含义;给出规则编号时显示这条规则的全部内容。"""
    pack = load_pack(list(rules) or ["builtin"], _parse_sets(sets))
    if rule_id is None:
        _emit(render(fmt, "rules", pack), None)
        return 0
    found = next((r for r in pack.rules if r.id == rule_id), None)
    if found is None:
        import difflib

        hint = difflib.get_close_matches(rule_id, [r.id for r in pack.rules], n=1, cutoff=0.5)
        raise UsageError.at("RULE_ID", rule_id, "规则包中没有该规则" + (f",是否想写 {hint[0]}?" if hint else ""))
    _emit(render(fmt, "rule", (found, pack)), None)
    return 0


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
              help=formats_help("metrics"))
@_guarded
def metrics(fmt: str) -> int:
    """列出规则可读取的字段和指标(名称、类型、含义)。"""
    _emit(render(fmt, "metrics"), None)
    return 0


@main.command()
@_guarded
def schema() -> int:
    """输出台账文件的 JSON Schema。"""
    data = LedgerFile.model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["title"] = "duban 台账"
    _emit(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", None)
    return 0


_AXIS = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


def _sweep_axes(arguments: Sequence[str]) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """The leading NAME=V1,V2,… arguments (the params to sweep) and the ledgers after them."""
    axes: list[tuple[str, list[str]]] = []
    rest = list(arguments)
    while rest and _AXIS.match(rest[0]):
        name, raw = _AXIS.match(rest.pop(0)).groups()  # type: ignore[union-attr]
        values = [v.strip() for v in re.split(r"[,，]", raw)]
        if not raw.strip() or any(not v for v in values):
            raise UsageError.at("sweep", f"{name}={raw}", "值不能为空,应写成 名称=值1,值2,…")
        axes.append((name, values))
    if not axes:
        raise UsageError.at("sweep", " ".join(arguments), "应先给出要扫描的参数,如 duban sweep lag_red_points=15,20,25,30")
    return axes, rest


@main.command()
@click.argument("arguments", nargs=-1, metavar="NAME=V1,V2,… [NAME2=…] [LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("sweep")[:2])
def sweep(arguments: tuple[str, ...], opts: Options) -> int:
    """参数扫描: 对一个或两个参数的每个取值(两个参数时为各取值组合)各评估一次台账,列出预警、灯、档次和灯色变化的事项数。"""
    from engine.sweep import sweep as run_sweep

    axes, ledgers = _sweep_axes(arguments)
    result = run_sweep(
        _load(ledgers, opts), axes, roots=list(opts.rules or ()) or ["builtin"], params=_parse_sets(opts.sets or ()),
        backend=opts.backend or "auto", select=opts.select or (), ignore=opts.ignore or (), profile=opts.profile,
        as_of=_parse_as_of(opts.as_of), waivers=list(opts.waivers or ()), jobs=opts.jobs,
    )
    for note in result.notes:
        _note(note)
    _emit(render(opts.fmt, "sweep", result), opts.output)
    return 0


@main.command()
@_guarded
@options(RULE_OPTIONS, [
    click.option("--policy", "policy", metavar="TEXT_FILE", help="政策文本(UTF-8)。默认: 内置规则包引用的讲话。"),
    click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), metavar="P",
                 help="覆盖率(按一位小数)低于 P% 时以退出码 1 结束。"),
], output_options("coverage")[:2])
def coverage(opts: Options) -> int:
    """政策覆盖: 把政策文本分句,列出每句由哪些规则引用、哪些要求尚无规则覆盖,以及覆盖率。"""
    from engine.coverage import coverage as cover

    pack = load_pack(list(opts.rules or ()) or ["builtin"], _parse_sets(opts.sets or ()), select=opts.select or (),
                     ignore=opts.ignore or (), profile=opts.profile)
    if opts.policy:
        text = read_text(Path(opts.policy), opts.policy, DEFAULT_LIMITS, error=UsageError)
    else:
        text = builtin_policy_path().read_text(encoding="utf-8")
    result = cover(pack, text, opts.policy or "builtin")
    _emit(render(opts.fmt, "coverage", result), opts.output)
    return 1 if opts.fail_under is not None and result.below(opts.fail_under) else 0


if __name__ == "__main__":  # pragma: no cover
    main()
