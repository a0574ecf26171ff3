"""Working days: the official Chinese calendar, with a Monday–Friday fallback.

chinese-calendar knows the State Council's holidays and make-up working days
for the years it covers. For a day outside them duban counts Monday to Friday
and remembers the year, so that the run can say so in its notes.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

__all__ = ["WorkCalendar"]


@lru_cache(maxsize=4096)
def _official_workday(day: date) -> bool | None:
    """True/False from the official calendar, None when it does not cover the year."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class WorkCalendar:
    """Counts working days and records the years it had to guess."""

    def __init__(self) -> None:
        self.uncovered_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        official = _official_workday(day)
        if official is None:
            self.uncovered_years.add(day.year)
            return day.weekday() < 5
        return official

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day strictly after ``start`` (``start`` itself if count ≤ 0).

        A day beyond the last the calendar can name (9999-12-31) is that last
        day: such a deadline is never passed.
        """
        day = start
        remaining = count
        while remaining > 0:
            if day == date.max:
                return day
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def notes(self) -> list[str]:
        """What the run should tell the user about its guesses."""
        if not self.uncovered_years:
            return []
        return [f"官方节假日日历未覆盖 {_year_ranges(sorted(self.uncovered_years))} 年,这些年份的工作日按周一至周五计算"]


def _year_ranges(years: list[int]) -> str:
    """2027、2028、2029、2031 → 2027–2029、2031: a run of years stays one short phrase."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return "、".join(str(a) if a == b else (f"{a}、{b}" if b == a + 1 else f"{a}–{b}") for a, b in runs)
