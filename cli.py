"""The duban command line: parse options, call the library, render, set the exit code.

Exit codes (decided in :mod:`engine._exits`): 0 done; 1 a finding at or
above ``--fail-on``; 2 bad input or usage (one located line per problem on
stderr, no traceback); 3 an internal error (a fault of duban: one line, the
traceback only with ``--debug``); 130 interrupted by Ctrl-C, 143 by SIGTERM,
129 by SIGHUP (``--output`` as it was). Nothing here computes what a library
user would also need.

The wheel installs this file as ``engine/cli.py``; in a checkout it is the
top-level ``cli.py`` of the design card. Both import the library as ``engine``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gc
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import Executor
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import click

from engine import DubanError, Engine, Limits, Report, UsageError, __version__, load_ledger, load_pack
from engine._click_zh import CLICK_ZH, HelpFormatter
from engine._exits import guarded as _guarded
from engine._exits import internal_error, interrupted, signals_stop_the_run
from engine.backends import BACKENDS
from engine import engine as engine_module
from engine.cluster import LOCAL, dask_executor
from engine.diff import choose_periods, compare, load_report
from engine.filters import filter_report
from engine.errors import Diagnostic, one_line
from engine.history import HistoryStore, open_history
from engine.evaluate.evaluation import Evaluation
from engine.evaluate.workers import cpu_count
from engine.ledger import DEFAULT_LIMITS, KINDS, STDIN, LedgerFile, ScalarError, parse_date, read_text
from engine.notices import build_notices
from engine.output import FORMATS, OutputFormat, choose_format, formats_for, formats_help, render
from engine.output.write import check_target, write_atomic
from engine.pack.params import PARAMS_ORIGIN
from engine.report import ErrorInfo, Validation
from engine.resources import builtin_policy_path, sample_ledger_path
from engine.rollup import ROLLUP_KEYS, rollup as roll_up

FAIL_ON = ("red", "yellow", "blue", "never")
SEVERITY_ORDER = ("red", "yellow", "blue")
COLOR = ("auto", "always", "never")


# --- click speaks Chinese ---------------------------------------------------------------
#
# click builds its own texts (help headings, "No such option", "Missing
# argument" …) through gettext's ``_``, bound in each of its modules. This one
# hook replaces that ``_`` with a lookup in CLICK_ZH, active only while duban's
# command line runs (a context variable), so that another click program in the
# same process keeps its English.

_SPEAKING_CHINESE: contextvars.ContextVar[bool] = contextvars.ContextVar("duban_click_zh", default=False)


def _click_gettext(message: str) -> str:
    return CLICK_ZH.get(message, message) if _SPEAKING_CHINESE.get() else message


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return _click_gettext(singular if n == 1 else plural)


for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
    if hasattr(_module, "_"):
        _module._ = _click_gettext  # type: ignore[attr-defined]
    if hasattr(_module, "ngettext"):
        _module.ngettext = _click_ngettext  # type: ignore[attr-defined]


# --- shared plumbing -------------------------------------------------------------

MAX_MESSAGE = 480  # characters of one note or error line


def _note(text: str) -> None:
    """A note on stderr, unless the running command was given ``--quiet``."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.params.get("quiet"):
        return
    click.echo(f"提示: {one_line(text, MAX_MESSAGE)}", err=True)


def _parse_as_of(value: Optional[str], option: str = "--as-of") -> Optional[date]:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ScalarError as exc:
        raise UsageError.at(option, "", exc.cause) from None


def _note_defaulted_as_of(ledger: Any, opts: Any, as_of: str) -> None:
    """Say so when no reference date was given anywhere and today (China time) was taken."""
    if opts.as_of is None and ledger.info.as_of is None:
        _note(f"未给出基准日(--as-of 或台账的 as_of),按北京时间取今天 {as_of}")


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


def _emit(text: str | bytes, output: Optional[str]) -> None:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if output is not None:
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


@contextlib.contextmanager
def _params_from_set() -> Iterator[None]:
    """The library names ``params=`` in its errors; here the values came from ``--set``."""
    try:
        yield
    except UsageError as exc:
        if not any(d.file == PARAMS_ORIGIN for d in exc.diagnostics):
            raise
        raise UsageError([
            Diagnostic("--set", d.place, d.cause, d.line) if d.file == PARAMS_ORIGIN else d for d in exc.diagnostics
        ]) from None


def _inputs(ledgers: Sequence[str], opts: Any) -> list[str]:
    """Every file (or folder of files) the run reads: --output may be none of them."""
    found = [path for path in ledgers if path != STDIN]
    found += [root for root in (opts.rules or ()) if root != "builtin"]
    for name in ("waivers", "mapping", "history"):
        value = getattr(opts, name)
        if value:
            found += [value] if isinstance(value, str) else list(value)
    return found


def _load(ledgers: Sequence[str], opts: Any) -> Any:
    # Loading makes millions of objects and no cycles worth collecting: the
    # collector would only rescan them. The ledger then lives until the process
    # ends, so it is frozen out of later collections.
    gc.disable()
    try:
        ledger = load_ledger(_ledger_paths(ledgers), limits=_parse_limits(opts.limits or ()),
                             skip_invalid=bool(opts.skip_invalid), mapping=opts.mapping)
    finally:
        gc.freeze()
        gc.enable()
    for rejected in ledger.rejected:  # set aside by --skip-invalid: shown as errors, the run goes on
        click.echo(f"错误: {Diagnostic(rejected.file, rejected.place, rejected.cause)}", err=True)
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
                 help="规则包目录或规则文件(可重复;builtin 表示内置规则包)。默认: 内置规则包。"),
    click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="覆盖规则参数(可重复)。"),
    click.option("--select", "select", multiple=True, metavar="ID",
                 help="只评估这些规则或规则族(可重复、可用逗号分隔,如 OWN,SUP-01)。"),
    click.option("--ignore", "ignore", multiple=True, metavar="ID", help="不评估这些规则或规则族(可重复)。"),
    click.option("--profile", "profile", metavar="NAME", help="使用规则包中的规则配置,如 delivery。"),
]

MAPPING_OPTION = click.option(
    "--mapping", "mapping", metavar="FILE",
    help="映射文件(YAML): 按单位自己的表格格式读取 .xlsx/.csv 台账。",
)

LEDGER_OPTIONS = [
    LIMIT_OPTION,
    MAPPING_OPTION,
    click.option("--skip-invalid", "skip_invalid", is_flag=True,
                 help="有错误的事项或记录逐条报错后排除,其余照常评估(整个文件的错误仍以退出码 2 结束)。"),
]

EVALUATION_OPTIONS = [
    click.option("--waivers", "waivers", multiple=True, metavar="FILE", help="豁免文件(可重复)。"),
    click.option("--as-of", "as_of", metavar="DATE", help="基准日 YYYY-MM-DD。默认: 台账的 as_of,否则今天(北京时间)。"),
    click.option("--backend", type=click.Choice(BACKENDS), default="auto",
                 show_default=True, help="规则匹配后端。"),
    click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                 help="工作进程数。默认自动: 小台账在本进程内,大台账每核一个进程。结果与 N 无关。"),
    click.option("--dask", "dask", metavar="ADDRESS",
                 help="在 Dask 集群上评估事项: local 在本机启动进程集群(进程数按 --jobs,默认每核一个,"
                      "用完关闭),或已有调度器的地址,如 tcp://主机:8786。需要安装 duban[dask]。结果与单进程相同。"),
    click.option("--history", "history", metavar="FILE",
                 help="历史库(SQLite 文件,首次记录时创建): 读取基准日之前记录的各期。"),
]


def output_options(view: str, fail_on: bool = True) -> list[Callable[..., Any]]:
    """-f/--format (the formats that support ``view``), -o/--output, -q/--quiet, --color and --fail-on."""
    names = [name for name, f in FORMATS.items() if view in f.views]
    group = [
        click.option("-f", "--format", "fmt", type=click.Choice(names),
                     help=formats_help(view) + "默认: table,给出 --output 时按其扩展名。"),
        click.option("-o", "--output", "output", metavar="FILE", help="写入文件(原子写入,出错时原文件不变)。"),
        click.option("-q", "--quiet", "quiet", is_flag=True, help="不输出提示(错误照常输出)。"),
        click.option("--color", "color", type=click.Choice(COLOR), default="auto", show_default=True,
                     help="表格中等级和灯的颜色: auto 仅在终端上(遵循 NO_COLOR),always,never。从不写入文件。"),
    ]
    if fail_on:
        group.append(click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="never",
                                  show_default=True, help="存在该等级及以上预警时以退出码 1 结束。"))
    return group


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


def output_format(opts: Options, view: str) -> OutputFormat:
    """The format asked for: --format, else the one --output's extension names, else the table."""
    return choose_format(opts.fmt, opts.output, view)


def _terminal(opts: Options) -> dict[str, Any]:
    """Colour and width for a table printed on a terminal; none for a file or a pipe."""
    on_screen = not opts.output and sys.stdout.isatty()
    if opts.color == "always":
        color = not opts.output
    elif opts.color == "never":
        color = False
    else:
        color = on_screen and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return {"color": color, "width": shutil.get_terminal_size().columns if on_screen else None}


def emit(opts: Options, view: str, subject: Any = None, **options: Any) -> None:
    """Render ``subject`` as the options ask and write it to --output or stdout.

    A run's compact result goes to the JSON renderer as it is (its report is a stream of rows);
    the other formats lay out the report's models, built here.
    """
    chosen = output_format(opts, view)
    if isinstance(subject, Evaluation) and chosen.name != "json":
        subject = subject.report()
    if chosen.terminal:
        options.update(_terminal(opts))
    _emit(render(chosen.name, view, subject, **options), opts.output)


def build_engine(opts: Options) -> Engine:
    """The engine the rule options ask for: packs, params, the choice of rules, the backend."""
    with _params_from_set():
        return Engine.from_path(list(opts.rules or ()) or ["builtin"], _parse_sets(opts.sets or ()),
                                backend=opts.backend or "auto", select=opts.select or (), ignore=opts.ignore or (),
                                profile=opts.profile)


@contextlib.contextmanager
def opened_history(opts: Options) -> Iterator[Optional[HistoryStore]]:
    """The store ``--history`` names (checked at once, closed at the end), or None."""
    if opts.record and not opts.history:
        raise UsageError.at("--record", "", "需要同时给出 --history FILE(记录到哪个历史库)")
    if not opts.history:
        yield None
        return
    missing = not opts.record and not Path(opts.history).exists()
    with open_history(opts.history) as store:
        if missing:
            _note(f"历史库 {opts.history} 不存在,按没有记录过的历史处理(用 --record 记录本期)")
        yield store


def evaluate(ledgers: Sequence[str], opts: Options, engine: Optional[Engine] = None) -> Evaluation:
    """The result of one evaluation, as the options ask for it: the whole ledger, not yet filtered
    (with ``engine`` when the command has already built it). It is the compact form of the report
    (rows, not models): filters and renderers read it as a report, and its JSON is a stream.

    ``--record`` records it here, whole, before any display filter (SPEC: "--record records the whole
    evaluation, whatever display filters were given").
    """
    check_target(opts.output, _inputs(ledgers, opts))
    with opened_history(opts) as history:
        engine = engine or build_engine(opts)
        when = _parse_as_of(opts.as_of)
        ledger = _load(ledgers, opts)
        with workers(opts, len(ledger.items)) as (jobs, executor):
            report = engine.run(ledger, as_of=when, jobs=jobs, executor=executor, progress=_progress(),
                                waivers=list(opts.waivers or ()), history=history)
        _note_defaulted_as_of(ledger, opts, report.as_of)
        if opts.record and history is not None:
            replaced = history.record(report)
            if replaced:
                _note(replaced)
    return report


@contextlib.contextmanager
def workers(opts: Options, items: int) -> Iterator[tuple[Optional[int], Optional[Executor]]]:
    """``jobs`` and ``executor`` for the engine, as --jobs and --dask ask, for ``items`` items.

    ``--dask local`` starts a cluster of --jobs processes (default: one per CPU; never more than
    the chunks or the CPUs) for the block; with a scheduler's address the cluster decides, so
    --jobs is refused.
    """
    if not opts.dask:
        yield opts.jobs, None
        return
    if opts.dask != LOCAL and opts.jobs is not None:
        raise UsageError.at("--jobs", str(opts.jobs), "连接已有的 Dask 集群(--dask 地址)时不能指定 --jobs: 工作进程数由集群决定")
    chunks = -(-items // engine_module.CHUNK_SIZE)
    count = max(1, min(opts.jobs or cpu_count(), chunks, cpu_count()))
    with dask_executor(opts.dask, count) as executor:
        yield None, executor


def shown(report: Report, opts: Options) -> Report:
    """What the display filters keep of the report (the one filter step of every command)."""
    return filter_report(report, units=opts.units or (), leaders=opts.leaders or (), kinds=opts.kinds or (),
                         min_severity=opts.min_severity, top=opts.top)


# --- the commands -----------------------------------------------------------------------


class DubanContext(click.Context):
    """A context whose help is wrapped by display width (Chinese counts double)."""

    formatter_class = HelpFormatter


class DubanCommand(click.Command):
    """A command whose usage line names its options in Chinese."""

    context_class = DubanContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class DubanGroup(click.Group):
    """Usage errors become one ``错误:`` line and exit 2, like every other error; click speaks Chinese."""

    command_class = DubanCommand
    context_class = DubanContext

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        speaking = _SPEAKING_CHINESE.set(True)
        try:
            with signals_stop_the_run():
                return super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=False)
            sys.exit(0)
        except click.UsageError as exc:
            where = f"{exc.ctx.command_path}: " if exc.ctx else ""
            click.echo(f"错误: {where}{one_line(exc.format_message(), MAX_MESSAGE)}(用 --help 查看用法)", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"错误: {one_line(exc.format_message(), MAX_MESSAGE)}", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("已中断", err=True)
            sys.exit(130)
        except KeyboardInterrupt as exc:
            interrupted(exc)
        except Exception as exc:  # noqa: BLE001 - a fault outside a command body (an option's callback …)
            internal_error(exc)
        finally:
            _SPEAKING_CHINESE.reset(speaking)


@click.group(cls=DubanGroup, context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(__version__, "--version", prog_name="duban", message="%(prog)s %(version)s",
                      help="显示版本并退出。")
@click.option("--debug", is_flag=True, help="内部错误时显示详细信息(traceback),供报告缺陷。")
def main(debug: bool) -> None:
    """督办 duban: 按县委县政府的督办要求检查重点工作台账,输出预警和优先级。"""


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("check"), FILTER_OPTIONS,
         [click.option("--record", is_flag=True,
                       help="把本次评估记录到 --history 历史库,作为基准日这一期(已有则替换;不受显示筛选影响)。")])
def check(ledgers: tuple[str, ...], opts: Options) -> int:
    """检查台账,列出全部预警和汇总。"""
    output_format(opts, "check")
    report = shown(evaluate(ledgers, opts), opts)
    _notes(report)
    emit(opts, "check", report)
    return _fail_code((f.severity for f in report.findings), opts.fail_on)


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("rank"), FILTER_OPTIONS)
def rank(ledgers: tuple[str, ...], opts: Options) -> int:
    """按优先级列出事项: 灯、得分、档次和主要问题。"""
    output_format(opts, "rank")
    report = shown(evaluate(ledgers, opts), opts)
    _notes(report)
    emit(opts, "rank", report)
    return _fail_code((f.severity for f in report.findings), opts.fail_on)


@main.command()
@click.argument("item_id", metavar="ITEM_ID")
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("explain"))
def explain(item_id: str, ledgers: tuple[str, ...], opts: Options) -> int:
    """解释一个事项(编号)、单位(名称)或本县(县名或「本县」): 每条适用规则的条件树和读到的值、为何是这一等级、
    反事实(最近的一个取值即可消除或降级,能对应到台账时说明怎样填)、未触发规则差多少,以及得分构成。"""
    output_format(opts, "explain")
    check_target(opts.output, _inputs(ledgers, opts))
    with opened_history(opts) as history:
        engine = build_engine(opts)
        when = _parse_as_of(opts.as_of)
        ledger = _load(ledgers, opts)
        explanation = engine.explain(ledger, item_id, as_of=when, waivers=list(opts.waivers or ()), history=history)
    for note in explanation.notes:
        _note(note)
    _note_defaulted_as_of(ledger, opts, explanation.as_of)
    emit(opts, "explain", explanation)
    return _fail_code((r.severity for r in explanation.rules if r.fired and r.severity), opts.fail_on)


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@click.option("--rules", "rules", multiple=True, metavar="DIR", help="同时检查规则包目录或规则文件(可重复)。")
@LIMIT_OPTION
@MAPPING_OPTION
@_guarded
@options(output_options("validate", fail_on=False))
def validate(ledgers: tuple[str, ...], rules: tuple[str, ...], limits: tuple[str, ...], mapping: Optional[str],
             opts: Options) -> int:
    """校验台账(和规则包),有效时退出码 0,否则逐条列出错误并以退出码 2 结束。

    -f json 输出一个 JSON 对象(ok、files、items、units、rules、notes、errors),供 CI 读取;退出码不变。
    """
    output_format(opts, "validate")
    result, error = validation(ledgers, rules, limits, mapping)
    for note in result.notes:
        _note(note)
    emit(opts, "validate", result)
    if error is not None:
        raise error
    return 0


def validation(
    ledgers: Sequence[str], rules: Sequence[str], limits: Sequence[str], mapping: Optional[str] = None
) -> tuple[Validation, Optional[DubanError]]:
    """Check the pack (when given) and the ledger; every error of both, and what was valid."""
    paths = _ledger_paths(ledgers)
    found: dict[str, Any] = {}
    errors: list[DubanError] = []
    if rules:
        try:
            pack = load_pack(list(rules))
            found.update(rules=len(pack.rules), rules_source=pack.source)
        except DubanError as exc:
            errors.append(exc)
    try:
        ledger = load_ledger(paths, limits=_parse_limits(limits), mapping=mapping)
        found.update(items=len(ledger.items), units=len(ledger.units), notes=ledger.notes)
        paths = list(ledger.sources)
    except DubanError as exc:
        errors.append(exc)
    diagnostics = [d for exc in errors for d in exc.diagnostics]
    result = Validation(ok=not diagnostics, files=paths, **found,
                        errors=[ErrorInfo(file=d.file, place=d.place, cause=d.cause) for d in diagnostics])
    error = None if not errors else errors[0] if len(errors) == 1 else DubanError(diagnostics)
    return result, error


@main.command()
@click.argument("rule_id", required=False, metavar="[RULE_ID]")
@click.option("--rules", "rules", multiple=True, metavar="DIR", help="规则包目录或规则文件(可重复)。默认: 内置规则包。")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="覆盖规则参数(可重复)。")
@_guarded
@options(output_options("rules", fail_on=False))
def rules(rule_id: Optional[str], rules: tuple[str, ...], sets: tuple[str, ...], opts: Options) -> int:
    """列出规则包中的规则、参数及其含义;给出规则编号时显示这条规则的全部内容。"""
    output_format(opts, "rules" if rule_id is None else "rule")
    with _params_from_set():
        pack = load_pack(list(rules) or ["builtin"], _parse_sets(sets))
    if rule_id is None:
        emit(opts, "rules", pack)
        return 0
    found = next((r for r in pack.rules if r.id == rule_id), None)
    if found is None:
        import difflib

        hint = difflib.get_close_matches(rule_id, [r.id for r in pack.rules], n=1, cutoff=0.5)
        raise UsageError.at("RULE_ID", rule_id, "规则包中没有该规则" + (f",是否想写 {hint[0]}?" if hint else ""))
    emit(opts, "rule", (found, pack))
    return 0


@main.command()
@_guarded
@options(output_options("metrics", fail_on=False))
def metrics(opts: Options) -> int:
    """列出规则可读取的字段和指标(名称、类型、含义)。"""
    emit(opts, "metrics")
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


NOTICE_OPTIONS = [
    click.option("--out", "out", required=True, metavar="DIR",
                 help="督办单写入的目录(不存在时新建)。同名文件被替换,目录中的其他文件不动。"),
    click.option("--format", "fmt", type=click.Choice(formats_for("notice")), default="docx", show_default=True,
                 help=formats_help("notice")),
    click.option("--min-severity", "min_severity", type=click.Choice(SEVERITY_ORDER), default="blue",
                 show_default=True, help="督办单只列该等级及以上的预警;没有这样预警的单位不发督办单。"),
]


def _notice_folder(out: str) -> Path:
    """The folder notices go into, made when it does not exist yet."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError.at("--out", out, "不是目录")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError.at("--out", out, f"无法创建目录: {exc.strerror or exc}") from None
    return folder


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, NOTICE_OPTIONS, FILTER_OPTIONS[:3])
def notices(ledgers: tuple[str, ...], opts: Options) -> int:
    """为每个有预警的责任单位生成督办单(默认 Word),写入 --out 目录,并列出写入的文件。"""
    engine = build_engine(opts)
    report = evaluate(ledgers, opts, engine).report()
    view = filter_report(report, units=opts.units or (), leaders=opts.leaders or (), kinds=opts.kinds or ())
    _notes(view)
    built = build_notices(report, engine.pack.params, min_severity=opts.min_severity, shown=view)
    if opts.units:  # --unit chooses whose notices are written (numbers stay those of the whole run)
        chosen = {name.strip() for name in opts.units}
        built = built.model_copy(update={"notices": [n for n in built.notices if n.unit in chosen]})
    for note in built.notes:
        _note(note)
    output = FORMATS[opts.fmt]
    rendered = []
    for notice in built.notices:
        data = render(opts.fmt, "notice", notice)
        rendered.append((f"{notice.file_stem}{output.suffixes[0]}", data if output.binary else data.encode("utf-8")))
    if not rendered:
        _note("没有达到最低等级的预警,未生成督办单")
        return 0
    folder = _notice_folder(opts.out)
    for name, data in rendered:
        write_atomic(folder / name, data)
    for name, _ in rendered:
        click.echo(str(folder / name))
    return 0


@main.command()
@click.argument("file", required=False, metavar="[FILE.xlsx]")
@click.option("--mapping", "mapping", metavar="FILE", help="只检查映射文件(不写模板)。")
@_guarded
def template(file: Optional[str], mapping: Optional[str]) -> int:
    """写出台账模板工作簿(每个工作表一行示例、下拉选项、日期格式和说明页);或用 --mapping 检查映射文件。"""
    from engine.ledger.mapping import load_mapping
    from engine.ledger.template import template_workbook

    if mapping:
        checked = load_mapping(mapping)
        click.echo(f"映射有效: {len(checked.sheets)} 个工作表({'、'.join(checked.sheets)})")
    if file:
        if not file.lower().endswith(".xlsx"):
            raise UsageError.at(file, "", "模板应写入 .xlsx 文件")
        write_atomic(file, template_workbook())
        click.echo(f"已写出台账模板 {file}")
    elif not mapping:
        raise UsageError.at("template", "", "请给出要写入的 FILE.xlsx(或用 --mapping 检查映射文件)")
    return 0


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("rollup"), FILTER_OPTIONS[:4],
         [click.option("--by", "by", type=click.Choice(ROLLUP_KEYS), default="unit", show_default=True,
                       help="汇总口径: unit 责任单位,leader 联系县领导,kind 事项类型,level 级别。")])
def rollup(ledgers: tuple[str, ...], opts: Options) -> int:
    """按责任单位、联系县领导、事项类型或级别汇总: 事项数、各灯事项、各级预警、预警分值和最高分事项。"""
    output_format(opts, "rollup")
    report = shown(evaluate(ledgers, opts), opts)
    _notes(report)
    emit(opts, "rollup", roll_up(report, opts.by))
    return _fail_code((f.severity for f in report.findings), opts.fail_on)


@main.command()
@click.argument("ledgers", nargs=-1, metavar="[LEDGER...]")
@_guarded
@options(LEDGER_OPTIONS, [click.option("--output", "output", required=True, metavar="OUT",
                                       help="输出文件: .yaml、.yml、.json 或 .xlsx。")])
def convert(ledgers: tuple[str, ...], opts: Options) -> int:
    """把台账转换为另一种格式(YAML、JSON 或模板工作簿),内容不变。"""
    from pathlib import Path

    from engine.ledger.convert import CONVERT_SUFFIXES, convert_ledger

    suffix = Path(opts.output).suffix.lower()
    if suffix not in CONVERT_SUFFIXES:
        raise UsageError.at(opts.output, "--output", f"应以 {'、'.join(CONVERT_SUFFIXES)} 结尾")
    check_target(opts.output, _inputs(ledgers, opts))
    ledger = _load(ledgers, opts)
    for note in ledger.notes:
        _note(note)
    write_atomic(opts.output, convert_ledger(ledger, suffix))
    click.echo(f"已写出 {opts.output}: {len(ledger.items)} 个事项,{len(ledger.units)} 个单位")
    return 0


@main.command("history")
@click.argument("file", metavar="FILE")
@_guarded
@options(output_options("history", fail_on=False))
def history_command(file: str, opts: Options) -> int:
    """列出历史库中记录的各期: 基准日、规则 sha256、事项数和各灯数量。"""
    output_format(opts, "history")
    with open_history(file, must_exist=True) as store:
        periods = store.periods()
    emit(opts, "history", periods)
    return 0


@main.command("diff")
@click.argument("reports", nargs=-1, metavar="[OLD.json NEW.json]")
@_guarded
@options([
    click.option("--history", "history", metavar="FILE", help="对比历史库中记录的两期(默认最近两期)。"),
    click.option("--from", "from_", metavar="DATE", help="较早的一期的基准日;只给 --from 时与其后一期对比。"),
    click.option("--to", "to", metavar="DATE", help="较晚的一期的基准日;只给 --to 时与其前一期对比。"),
], output_options("diff", fail_on=False), [
    click.option("--fail-on", "fail_on", type=click.Choice(FAIL_ON), default="never", show_default=True,
                 help="存在该等级及以上的新增或升级预警时以退出码 1 结束。"),
])
def diff_command(reports: tuple[str, ...], opts: Options) -> int:
    """对比两期: 新增、已销号、升级、降级、持续的预警,以及灯色变化的事项。

    两个 JSON 报告(duban check --format json 的输出),或 --history 历史库中记录的两期。
    """
    output_format(opts, "diff")
    if opts.history:
        if reports:
            raise UsageError.at("diff", " ".join(reports), "给出 --history 时不再读取报告文件")
        start = _parse_as_of(opts.from_, "--from")
        end = _parse_as_of(opts.to, "--to")
        with open_history(opts.history, must_exist=True) as store, store.reading():
            old_as_of, new_as_of = choose_periods(store, start, end)
            old, new = store.period(old_as_of), store.period(new_as_of)
    else:
        if opts.from_ or opts.to:
            raise UsageError.at("--from" if opts.from_ else "--to", "", "只用于 --history(对比历史库中的两期)")
        if len(reports) != 2:
            raise UsageError.at("diff", " ".join(reports), "应给出两个 JSON 报告 OLD.json NEW.json,或 --history FILE")
        old, new = load_report(reports[0]), load_report(reports[1])
    difference = compare(old, new)  # type: ignore[arg-type]
    for note in difference.notes:
        _note(note)
    emit(opts, "diff", difference)
    return _fail_code((c.new_severity for c in difference.worsened() if c.new_severity), opts.fail_on)


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
@options(RULE_OPTIONS, LEDGER_OPTIONS, EVALUATION_OPTIONS, output_options("sweep", fail_on=False))
def sweep(arguments: tuple[str, ...], opts: Options) -> int:
    """参数扫描: 对一个或两个参数的每个取值(两个参数时为各取值组合)各评估一次台账,列出预警、灯、档次和灯色变化的事项数。"""
    from engine.sweep import sweep as run_sweep

    output_format(opts, "sweep")
    axes, ledgers = _sweep_axes(arguments)
    with opened_history(opts) as history:
        ledger = _load(ledgers, opts)
        with workers(opts, len(ledger.items)) as (jobs, executor):
            result = run_sweep(
                ledger, axes, roots=list(opts.rules or ()) or ["builtin"],
                params=_parse_sets(opts.sets or ()), backend=opts.backend or "auto", select=opts.select or (),
                ignore=opts.ignore or (), profile=opts.profile, as_of=_parse_as_of(opts.as_of),
                waivers=list(opts.waivers or ()), history=history, jobs=jobs, executor=executor,
            )
    for note in result.notes:
        _note(note)
    emit(opts, "sweep", result)
    return 0


@main.command()
@_guarded
@options(RULE_OPTIONS, [
    click.option("--policy", "policy", metavar="TEXT_FILE", help="政策文本(UTF-8)。默认: 内置规则包引用的讲话。"),
    click.option("--fail-under", "fail_under", type=click.FloatRange(0, 100), metavar="P",
                 help="覆盖率(按一位小数)低于 P% 时以退出码 1 结束。"),
], output_options("coverage", fail_on=False))
def coverage(opts: Options) -> int:
    """政策覆盖: 把政策文本分句,列出每句由哪些规则引用、哪些要求尚无规则覆盖,以及覆盖率。"""
    from engine.coverage import coverage as cover

    output_format(opts, "coverage")
    pack = load_pack(list(opts.rules or ()) or ["builtin"], _parse_sets(opts.sets or ()), select=opts.select or (),
                     ignore=opts.ignore or (), profile=opts.profile)
    if opts.policy:
        text = read_text(Path(opts.policy), opts.policy, DEFAULT_LIMITS, error=UsageError)
    else:
        text = builtin_policy_path().read_text(encoding="utf-8")
    result = cover(pack, text, opts.policy or "builtin")
    emit(opts, "coverage", result)
    return 1 if opts.fail_under is not None and result.below(opts.fail_under) else 0


if __name__ == "__main__":  # pragma: no cover
    main()
