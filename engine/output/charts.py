"""The geometry of the dashboard's inline SVG charts: where each bar goes, in SVG user units.

Layout only: the counts come from the roll-up and the recorded periods; this
module turns them into rectangles and label positions for the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..report import PeriodCounts, Rollup
from .views import LIGHT_ZH, rollup_label

__all__ = ["Rect", "Label", "Chart", "lights_by_group", "periods_chart"]

LIGHTS = ("red", "yellow", "green")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind: str          # red | yellow | green: the colour class
    title: str         # the tooltip: what the bar counts


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    kind: str = ""     # a CSS class: "" for axis text, "value" for a count on a bar


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def lights_by_group(rollup: Rollup, *, label_width: float = 150, bar_width: float = 430, row: float = 24) -> Chart:
    """Horizontal stacked bars, one per group: its red, yellow and green items."""
    groups = rollup.groups
    most = max((g.items for g in groups), default=0) or 1
    scale = bar_width / most
    rects, labels = [], []
    for index, group in enumerate(groups):
        y = 8 + index * row
        labels.append(Label(label_width - 8, y + row * 0.62, rollup_label(rollup.by, group.group), "end"))
        x = label_width
        for light in LIGHTS:
            count = getattr(group, light)
            if not count:
                continue
            width = count * scale
            rects.append(Rect(x, y + 3, width, row - 6, light, f"{group.group} {LIGHT_ZH[light]} {count} 项"))
            if width >= 14:
                labels.append(Label(x + width / 2, y + row * 0.62, str(count), "middle", "value-" + light))
            x += width
        labels.append(Label(x + 6, y + row * 0.62, f"{group.items}", "start"))
    return Chart(label_width + bar_width + 40, 16 + len(groups) * row, rects, labels)


def periods_chart(periods: Sequence[PeriodCounts], *, height: float = 180, step: float = 80) -> Chart:
    """Side-by-side red and yellow bars per recorded period, oldest on the left, under a count axis."""
    most = max((max(p.red, p.yellow) for p in periods), default=0) or 1
    left, top, bottom = 36, 14, 34
    plot = height - top - bottom
    rects, labels = [], []
    for tick in sorted({0, most // 2, most}):
        y = top + plot - tick / most * plot
        labels.append(Label(left - 6, y + 4, str(tick), "end"))
    for index, period in enumerate(periods):
        x = left + 10 + index * step
        for offset, (light, count) in enumerate((("red", period.red), ("yellow", period.yellow))):
            bar = count / most * plot
            bx = x + offset * 22
            rects.append(Rect(bx, top + plot - bar, 20, bar, light, f"{period.as_of} {LIGHT_ZH[light]} {count} 项"))
            labels.append(Label(bx + 10, top + plot - bar - 4, str(count), "middle"))
        labels.append(Label(x + 21, height - bottom + 16, period.as_of, "middle"))
    return Chart(max(left + 20 + len(periods) * step, 240), height, rects, labels)

