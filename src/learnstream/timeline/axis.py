"""The time axis both pictures share: which stretch of time, how much per column, the ticks.

A column is the text picture's character cell; the SVG places the same ticks
and scales the same stretch of time to pixels. For tumbling and sliding windows
the column width divides the windows' length and offset, so every window bound
falls exactly on a column and an item on a bound is drawn inside its window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from learnstream.timeline.words import US, fixed_bounds, is_session

if TYPE_CHECKING:  # the model draws itself with the renderers, which use this module
    from learnstream.timeline.model import Timeline, Window

ANCHOR = datetime(2000, 1, 1, tzinfo=UTC)
"""Where round steps are counted from when no window alignment says otherwise."""

# Steps a clock face would use: 1-2-5 below a second, then 1, 2, 5, 10, 15, 20, 30 s, then minutes.
NICE_US = (
    [n * unit for unit in (1, 1000) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500)]
    + [n * 1_000_000 for n in (1, 2, 5, 10, 15, 20, 30)]
    + [n * 60_000_000 for n in (1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440)]
)


@dataclass(frozen=True)
class Axis:
    start: datetime
    end: datetime
    step_us: int  # time per text column
    tick_us: int  # time between ticks
    tick_from: datetime  # the first tick

    def col(self, ts: datetime) -> int:
        return (ts - self.start) // US // self.step_us

    @property
    def columns(self) -> int:
        return self.col(self.end) + 1

    @property
    def span_us(self) -> int:
        """The time the picture covers: every column, the last one included."""
        return max((self.end - self.start) // US + self.step_us, 1)

    def fraction(self, ts: datetime) -> float:
        """Where `ts` lies along the axis, 0 at its start and 1 at the end of its last column."""
        return ((ts - self.start) // US) / self.span_us

    def ticks(self) -> list[datetime]:
        out, t = [], self.tick_from
        while t <= self.end:
            if t >= self.start:
                out.append(t)
            t += self.tick_us * US
        return out

    @property
    def precise(self) -> bool:
        """Tick labels need milliseconds."""
        return self.tick_us % 1_000_000 != 0


def _nice_at_least(us: int) -> int:
    for nice in NICE_US:
        if nice >= us:
            return nice
    return math.ceil(us / NICE_US[-1]) * NICE_US[-1]


def axis_for(tl: Timeline, width: int) -> Axis:
    """An axis about `width` columns wide holding every item and every drawn window."""
    times = [e.ts for e in tl.events]
    drawn = tl.drawn_windows()
    times += [w.open_time for w in drawn] + [w.close_time for w in drawn]
    if not times:
        times = [ANCHOR]
    bounds = None if is_session(tl.windower) else fixed_bounds(tl.windower, 0)
    lo, hi = min(times), max(times)
    span_us = max((hi - lo) // US, 1)
    width = max(width, 10)
    if bounds is None:
        step = _nice_at_least(math.ceil(span_us / width))
        start = ANCHOR + ((lo - ANCHOR) // US // step) * step * US
        tick = _nice_at_least(step * 12)
        tick_from = ANCHOR + -(-((start - ANCHOR) // US) // tick) * tick * US
        return Axis(start, hi, step, tick, tick_from)
    length_us = (bounds[1] - bounds[0]) // US
    offset_us = (fixed_bounds(tl.windower, 1)[0] - bounds[0]) // US  # type: ignore[index]
    grain = math.gcd(length_us, offset_us)
    align = bounds[0]
    start = align + ((lo - align) // US // offset_us) * offset_us * US
    span_us = max((hi - start) // US, 1)
    # Prefer round steps (1s, 2s, 5s...) that divide the grain; any divisor otherwise.
    divisors = [grain // d for d in range(1, width + 1) if grain % d == 0]
    fitting = [s for s in divisors if span_us // s < width]
    if fitting:
        finest = min(fitting)
        round_steps = [s for s in fitting if s in NICE_US and s <= finest * 1.6]
        step = min(round_steps or fitting)
    else:
        step = grain * math.ceil(span_us / (grain * width))
    tick = offset_us * max(1, math.ceil(10 * step / offset_us))  # labels fit
    return Axis(start, hi, step, tick, start)


def last_col(w: Window, axis: Axis, session: bool) -> int:
    """The column of a window's closing bracket (a session's last item is inside it)."""
    if session:
        return max(axis.col(w.close_time), axis.col(w.open_time) + 1)
    return max(axis.col(w.close_time) - 1, axis.col(w.open_time) + 1)


def window_rows(windows: Sequence[Window], axis: Axis, session: bool) -> list[list[Window]]:
    """Windows of one key on as few rows as possible, none overlapping on its row."""
    rows: list[list[Window]] = []
    ends: list[int] = []
    for w in windows:
        first = axis.col(w.open_time)
        last = last_col(w, axis, session)
        for i, end in enumerate(ends):
            if end < first:
                rows[i].append(w)
                ends[i] = last
                break
        else:
            rows.append([w])
            ends.append(last)
    return rows
