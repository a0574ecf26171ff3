"""HTML: the dashboard (``check`` and ``rank``) and notices, as single self-contained files.

Laid out by the Jinja2 templates in ``templates/``, with autoescaping on:
every text from a ledger or a rule pack is escaped, so a title
``<script>`` shows as text. The files load nothing: styles, the filter
script and the charts (inline SVG) are in the page, so that it opens from a
USB stick on an office intranet.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from ..notices import Notice
from ..report import Report
from . import charts, notice_text, views
from .dashboard import Period, dashboard

if TYPE_CHECKING:
    import jinja2

__all__ = ["TEMPLATES", "environment", "check", "rank", "notice"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def environment() -> "jinja2.Environment":
    """The template environment: templates from ``templates/``, every value autoescaped.

    Jinja2 is imported here, on first use, so that it costs nothing to commands that print no HTML.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        LIGHT_ZH=views.LIGHT_ZH, SEVERITY_ZH=views.SEVERITY_ZH, TIER_ZH=views.TIER_ZH, KIND_ZH=views.KIND_ZH,
        rollup_table=views.rollup_table, summary_line=views.summary_line, text=notice_text,
        lights_chart=charts.lights_by_group, periods_chart=charts.periods_chart,
    )
    env.filters.update(shown=views.shown, number=views.number, svg=_svg_number)
    return env


def _svg_number(value: float) -> str:
    """A coordinate with at most one decimal, so that the file stays small and stable."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _page(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def check(report: Report, periods: Optional[Iterable[Period]] = None) -> str:
    return _page("dashboard.html.j2", board=dashboard(report, None, report.periods if periods is None else periods))


def rank(report: Report, top: Optional[int] = None, periods: Optional[Iterable[Period]] = None) -> str:
    return _page("dashboard.html.j2", board=dashboard(report, top, report.periods if periods is None else periods))


def notice(notice: Notice) -> str:
    return _page("notice.html.j2", notice=notice, rows=list(zip(notice.findings, notice_text.rows(notice))))
