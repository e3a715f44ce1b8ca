"""Event-time timelines: items on a time axis per key, with windows, watermarks and late items.

A timeline answers "why did this window get these items, and why was that item
late?" with a picture. It is built from plain data — events ``(key, timestamp)``
in the order they arrive, a windower and the event clock's wait — and the
windows and late items in it come from running the real windowing operators
(`learnstream.operators.windowing.collect_window` with an `EventClock`) on
those events, so the picture always shows what the engine does.

One model, two pictures: `Timeline.to_text` (also `rich.print(timeline)`, in
colour) for the terminal and `Timeline.to_svg` for the site and notebooks.

The watermark shown for a key is the one its `EventClock` reaches once all the
events have arrived: the largest timestamp of the key minus the wait (system
time is held still, so the picture does not depend on how fast the machine is).

>>> from datetime import datetime, timedelta, timezone
>>> from learnstream.operators.windowing import TumblingWindower
>>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
>>> events = [("a", t0 + timedelta(seconds=s)) for s in (1, 4, 12, 3, 16, 25)]
>>> tl = build_timeline(events, TumblingWindower(timedelta(seconds=10), t0),
...                     wait=timedelta(seconds=5))
>>> [(w.window_id, w.seqs) for w in tl.windows]
[(0, (0, 1)), (1, (2, 4)), (2, (5,))]
>>> [(e.seq, e.late, e.window_ids) for e in tl.late_events]
[(3, True, (0,))]
>>> print(tl.to_text(width=40))
tumbling windows of 10s aligned to 00:00:00 · wait 5s · 1 column = 1s
key  00:00:00  00:00:10  00:00:20  00:00:30
     ┬─────────┬─────────┬─────────┬─
a     ● ✗●       ●   ●   ┃    ●        watermark 00:00:20
     [0·2─────)[1·2─────)[2·1─────)
● item (2-9: that many in one column)  ✗ late  ┃ watermark  [ ) window: id·items
late items (sent to .late, never silently dropped):
  #4 a 00:00:03 arrived when the watermark was 00:00:07 → late for window 0
3 windows emitted (2 closed by the watermark, 1 at the end of the input) · 1 item late
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from rich.text import Text

from learnstream.wording import plural

__all__ = [
    "DEFAULT_START",
    "Event",
    "Timeline",
    "Window",
    "build_timeline",
    "format_duration",
    "parse_duration",
    "parse_time",
    "read_events",
    "simulated_events",
]

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
"""Where the simulated sources start, and what a bare number of seconds in an events file counts from."""

# A fixed "system time" for the clock: the watermark then depends on event times only.
_FROZEN_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Event:
    """One input item as the engine saw it.

    `seq` is its arrival number (0-based; shown as ``#seq+1``), `watermark` its
    key's watermark when it arrived (None for a key's first item), `window_ids`
    the windows it joined or, for a late item, the windows it was late for (as
    the `.late` stream reports them: -1 for a session).
    """

    seq: int
    key: str
    ts: datetime
    late: bool
    window_ids: tuple[int, ...]
    watermark: datetime | None


@dataclass(frozen=True)
class Window:
    """One window the engine emitted, with the arrival numbers of its items.

    `close_time` is exclusive for tumbling and sliding windows; for a session
    it is the last item's time. `emitted_after` is how many items had arrived
    when the window was emitted; `at_eof` says it was emitted because the input
    ended rather than because the watermark passed it. A window in the picture
    only because it was asked to be highlighted has `emitted` False and no items.
    """

    key: str
    window_id: int
    open_time: datetime
    close_time: datetime
    seqs: tuple[int, ...]
    emitted_after: int
    at_eof: bool
    emitted: bool = True


@dataclass(frozen=True, repr=False)
class Timeline:
    """Events, windows and watermarks of one run, ready to draw (see `build_timeline`)."""

    events: tuple[Event, ...]
    windows: tuple[Window, ...]
    watermarks: dict[str, datetime]
    windower: Any
    wait: timedelta
    highlight: tuple[str, int] | None = None
    keys: tuple[str, ...] = field(default=())

    @property
    def late_events(self) -> list[Event]:
        """The items that went to `.late`, in arrival order."""
        return [e for e in self.events if e.late]

    def windows_of(self, key: str) -> list[Window]:
        """`key`'s windows (and the highlighted window, if it is one of `key`'s), by open time."""
        return sorted(
            (w for w in self._drawn_windows() if w.key == key),
            key=lambda w: (w.open_time, w.window_id),
        )

    def highlighted(self) -> Window | None:
        """The highlighted window (possibly one the engine never emitted), or None."""
        if self.highlight is None:
            return None
        key, wid = self.highlight
        for w in self.windows:
            if (w.key, w.window_id) == (key, wid):
                return w
        bounds = _fixed_bounds(self.windower, wid)
        if bounds is None or key not in self.keys:
            return None
        return Window(key, wid, bounds[0], bounds[1], (), 0, False, emitted=False)

    def describe(self) -> str:
        """One line saying how the events are windowed."""
        return f"{_describe_windower(self.windower)} · wait {format_duration(self.wait)}"

    def to_text(self, width: int = 72) -> str:
        """The picture as plain text, about `width` columns of time axis wide."""
        return self.render(width).plain

    def render(self, width: int = 72) -> Text:
        """The picture as `rich.text.Text` (colours for the terminal)."""
        return _render_text(self, width)

    def __repr__(self) -> str:  # short: notebooks show it under the figure
        return f"<Timeline: {self.describe()}; {len(self.events)} items; {_summary(self)}>"

    def __rich__(self) -> Text:
        return self.render()

    def to_svg(self, width: int = 760) -> str:
        """The picture as a standalone SVG document `width` pixels wide."""
        return _render_svg(self, width)

    def _repr_svg_(self) -> str:  # Jupyter shows a timeline as its SVG
        return self.to_svg()

    def _drawn_windows(self) -> list[Window]:
        extra = self.highlighted()
        if extra is not None and not extra.emitted:
            return [*self.windows, extra]
        return list(self.windows)


# --- building the model by running the engine ----------------------------------------


def _aware(ts: Any, where: str) -> datetime:
    if not isinstance(ts, datetime) or ts.utcoffset() is None:
        raise ValueError(
            f"{where}: timestamps must be timezone-aware datetimes, e.g. "
            f"datetime(2024, 1, 1, tzinfo=timezone.utc); got {ts!r}"
        )
    return ts


def build_timeline(
    events: Iterable[tuple[str, datetime]],
    windower: Any,
    wait: timedelta = timedelta(0),
    *,
    highlight: tuple[str, int] | None = None,
    ordered: bool = True,
) -> Timeline:
    """Run `events` (``(key, timestamp)`` in arrival order) through the engine and keep the picture.

    `windower` is a `TumblingWindower`, `SlidingWindower` or `SessionWindower`;
    `wait` is the `EventClock`'s `wait_for_system_duration`. `highlight` is a
    ``(key, window_id)`` to draw emphasised (for tumbling and sliding windows it
    may be a window the engine did not emit: it is drawn empty).

    `ordered` is the window operators' flag: True (as `collect_window` and
    `fold_window` default to) hands items to windows in timestamp order, False
    (as `count_window` and `reduce_window` do) in arrival order. Only session
    ids can differ: a key's sessions are numbered in the order they are opened.
    """
    import learnstream.operators as op
    from learnstream.dataflow import Dataflow
    from learnstream.operators import windowing as win
    from learnstream.testing import TestingSource, run_main

    items: list[tuple[str, datetime]] = []
    for n, pair in enumerate(events):
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise ValueError(f"event #{n + 1}: expected a (key, timestamp) pair, got {pair!r}")
        items.append((pair[0], _aware(pair[1], f"event #{n + 1}")))
    if not isinstance(wait, timedelta) or wait < timedelta(0):
        raise ValueError(f"wait must be a timedelta that is not negative, got {wait!r}")

    # `arrived` counts items that have entered the flow, `ended` turns True once the
    # source is exhausted: together they say when each window was emitted.
    progress = {"arrived": 0, "ended": False}

    def feed() -> Iterable[tuple[str, tuple[datetime, int]]]:
        for seq, (key, ts) in enumerate(items):
            yield key, (ts, seq)
        progress["ended"] = True

    def arrive(item: Any) -> Any:
        progress["arrived"] += 1
        return item

    down: list[tuple[str, int, tuple[int, ...], int, bool]] = []
    meta: dict[tuple[str, int], tuple[datetime, datetime]] = {}
    late: dict[int, list[int]] = {}

    def on_down(_step: str, kv: Any) -> None:
        key, (wid, members) = kv
        seqs = tuple(seq for _, seq in members)
        down.append((key, wid, seqs, progress["arrived"], progress["ended"]))

    def on_meta(_step: str, kv: Any) -> None:
        key, (wid, m) = kv
        meta[key, wid] = (m.open_time, m.close_time)

    def on_late(_step: str, kv: Any) -> None:
        _key, (wid, (_ts, seq)) = kv
        late.setdefault(seq, []).append(wid)

    flow = Dataflow("timeline")
    stream = op.map("arrive", op.input("events", flow, TestingSource(feed())), arrive)
    clock = win.EventClock(lambda v: v[0], wait_for_system_duration=wait, now_getter=_now)
    out = win.collect_window("windows", stream, clock, windower, ordered=ordered)
    op.inspect("down", out.down, on_down)
    op.inspect("meta", out.meta, on_meta)
    op.inspect("late", out.late, on_late)
    run_main(flow, now_getter=_now)

    windows = tuple(
        Window(key, wid, *meta[key, wid], seqs, after, ended)
        for key, wid, seqs, after, ended in down
    )
    joined: dict[int, list[int]] = {}
    for w in windows:
        for seq in w.seqs:
            joined.setdefault(seq, []).append(w.window_id)

    latest: dict[str, datetime] = {}
    model_events = []
    for seq, (key, ts) in enumerate(items):
        seen = latest.get(key)
        watermark = None if seen is None else seen - wait
        model_events.append(
            Event(
                seq,
                key,
                ts,
                seq in late,
                tuple(late.get(seq, joined.get(seq, []))),
                watermark,
            )
        )
        latest[key] = ts if seen is None else max(seen, ts)
    keys = tuple(dict.fromkeys(key for key, _ in items))
    return Timeline(
        tuple(model_events),
        windows,
        {key: ts - wait for key, ts in latest.items()},
        windower,
        wait,
        highlight,
        keys,
    )


def _now() -> datetime:
    return _FROZEN_NOW


def _fixed_bounds(windower: Any, wid: int) -> tuple[datetime, datetime] | None:
    from learnstream.operators import windowing as win

    if isinstance(windower, win.TumblingWindower):
        opens = windower.align_to + wid * windower.length
        return opens, opens + windower.length
    if isinstance(windower, win.SlidingWindower):
        opens = windower.align_to + wid * windower.offset
        return opens, opens + windower.length
    return None


# --- words and numbers ------------------------------------------------------------------


def format_duration(td: timedelta) -> str:
    """A short, exact duration: ``90s`` → ``1m30s``, ``0.25s`` → ``250ms``.

    >>> [format_duration(timedelta(seconds=s)) for s in (0, 0.25, 10, 90, 3600, 5400.5)]
    ['0s', '250ms', '10s', '1m30s', '1h', '1h30m500ms']
    """
    us = td // _US
    if us == 0:
        return "0s"
    sign, us = ("-", -us) if us < 0 else ("", us)
    parts = []
    for unit, size in (("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000)):
        count, us = divmod(us, size)
        if count:
            parts.append(f"{count}{unit}")
    if us:
        parts.append(f"{us}µs")
    return sign + "".join(parts)


def _clock_time(ts: datetime, precise: bool) -> str:
    ts = ts.astimezone(UTC)
    text = ts.strftime("%H:%M:%S")
    if precise and ts.microsecond:
        text += f".{ts.microsecond // 1000:03d}"
    return text


def _describe_windower(windower: Any) -> str:
    from learnstream.operators import windowing as win

    if isinstance(windower, win.TumblingWindower):
        return (
            f"tumbling windows of {format_duration(windower.length)} "
            f"aligned to {_clock_time(windower.align_to, True)}"
        )
    if isinstance(windower, win.SlidingWindower):
        return (
            f"sliding windows of {format_duration(windower.length)} every "
            f"{format_duration(windower.offset)} aligned to {_clock_time(windower.align_to, True)}"
        )
    if isinstance(windower, win.SessionWindower):
        return f"session windows with a gap of {format_duration(windower.gap)}"
    raise TypeError(f"not a windower: {windower!r}")


def _summary(tl: Timeline) -> str:
    emitted = len(tl.windows)
    at_eof = sum(w.at_eof for w in tl.windows)
    return (
        f"{plural(emitted, 'window')} emitted ({emitted - at_eof} closed by the watermark, "
        f"{at_eof} at the end of the input) · {plural(len(tl.late_events), 'item')} late"
    )


def _late_line(tl: Timeline, e: Event) -> str:
    wm = "" if e.watermark is None else _clock_time(e.watermark, True)
    ids = [w for w in e.window_ids]
    if ids == [-1]:
        target = "late for its session (session id -1)"
    else:
        target = "late for window" + ("s " if len(ids) > 1 else " ") + ", ".join(map(str, ids))
    return (
        f"#{e.seq + 1} {e.key} {_clock_time(e.ts, True)} arrived when the watermark was "
        f"{wm} → {target}"
    )


def _highlight_line(tl: Timeline, w: Window) -> str:
    close = "]" if _is_session(tl.windower) else ")"
    items = ", ".join(f"#{s + 1}" for s in w.seqs)
    what = f"{plural(len(w.seqs), 'item')} ({items})" if w.seqs else "no items: not emitted"
    return (
        f"highlighted: {w.key} window {w.window_id} "
        f"[{_clock_time(w.open_time, True)}, {_clock_time(w.close_time, True)}{close}: {what}"
    )


def _is_session(windower: Any) -> bool:
    from learnstream.operators import windowing as win

    return isinstance(windower, win.SessionWindower)


# --- the axis: which stretch of time, how much per column, where the ticks go -----------------


@dataclass(frozen=True)
class _Axis:
    start: datetime
    end: datetime
    step_us: int  # time per text column
    tick_us: int  # time between ticks
    tick_from: datetime  # the first tick

    def col(self, ts: datetime) -> int:
        return (ts - self.start) // _US // self.step_us

    @property
    def columns(self) -> int:
        return self.col(self.end) + 1

    def ticks(self) -> list[datetime]:
        out, t = [], self.tick_from
        while t <= self.end:
            if t >= self.start:
                out.append(t)
            t += self.tick_us * _US
        return out


# Steps a clock face would use: 1-2-5 below a second, then 1, 2, 5, 10, 15, 20, 30 s, then minutes.
_NICE_US = (
    [n * unit for unit in (1, 1000) for n in (1, 2, 5, 10, 20, 50, 100, 200, 500)]
    + [n * 1_000_000 for n in (1, 2, 5, 10, 15, 20, 30)]
    + [n * 60_000_000 for n in (1, 2, 5, 10, 15, 30, 60, 120, 360, 720, 1440)]
)


def _nice_at_least(us: int) -> int:
    for nice in _NICE_US:
        if nice >= us:
            return nice
    return math.ceil(us / _NICE_US[-1]) * _NICE_US[-1]


def _axis(tl: Timeline, width: int) -> _Axis:
    times = [e.ts for e in tl.events]
    drawn = tl._drawn_windows()
    times += [w.open_time for w in drawn] + [w.close_time for w in drawn]
    if not times:
        times = [_FROZEN_NOW]
    bounds = None if _is_session(tl.windower) else _fixed_bounds(tl.windower, 0)
    lo, hi = min(times), max(times)
    span_us = max((hi - lo) // _US, 1)
    width = max(width, 10)
    if bounds is None:
        step = _nice_at_least(math.ceil(span_us / width))
        start = _FROZEN_NOW + ((lo - _FROZEN_NOW) // _US // step) * step * _US
        tick = _nice_at_least(step * 12)
        tick_from = _FROZEN_NOW + -(-((start - _FROZEN_NOW) // _US) // tick) * tick * _US
        return _Axis(start, hi, step, tick, tick_from)
    # Fixed windows: columns divide the windows' length and offset, so every window
    # bound falls exactly on a column and an item on a bound is drawn inside its window.
    length_us = (bounds[1] - bounds[0]) // _US
    offset_us = (_fixed_bounds(tl.windower, 1)[0] - bounds[0]) // _US  # type: ignore[index]
    grain = math.gcd(length_us, offset_us)
    align = bounds[0]
    start = align + ((lo - align) // _US // offset_us) * offset_us * _US
    span_us = max((hi - start) // _US, 1)
    # Prefer round steps (1s, 2s, 5s...) that divide the grain; any divisor otherwise.
    divisors = [grain // d for d in range(1, width + 1) if grain % d == 0]
    fitting = [s for s in divisors if span_us // s < width]
    if fitting:
        finest = min(fitting)
        round_steps = [s for s in fitting if s in _NICE_US and s <= finest * 1.6]
        step = min(round_steps or fitting)
    else:
        step = grain * math.ceil(span_us / (grain * width))
    tick = offset_us * max(1, math.ceil(10 * step / offset_us))  # labels fit
    return _Axis(start, hi, step, tick, start)


# --- the text picture ----------------------------------------------------------------------

_STYLE_EVENT = "cyan"
_STYLE_LATE = "bold red"
_STYLE_WM = "magenta"
_STYLE_WINDOW = "green"
_STYLE_HIGHLIGHT = "bold black on yellow"


def _lanes(windows: Sequence[Window], axis: _Axis, session: bool) -> list[list[Window]]:
    """Windows of one key on as few rows as possible, none overlapping on its row."""
    lanes: list[list[Window]] = []
    ends: list[int] = []
    for w in windows:
        first = axis.col(w.open_time)
        last = _last_col(w, axis, session)
        for i, end in enumerate(ends):
            if end < first:
                lanes[i].append(w)
                ends[i] = last
                break
        else:
            lanes.append([w])
            ends.append(last)
    return lanes


def _last_col(w: Window, axis: _Axis, session: bool) -> int:
    if session:
        return max(axis.col(w.close_time), axis.col(w.open_time) + 1)
    return max(axis.col(w.close_time) - 1, axis.col(w.open_time) + 1)


class _Row:
    """One line of the picture: characters with a style each."""

    def __init__(self, columns: int) -> None:
        self.chars = [" "] * columns
        self.styles: list[str | None] = [None] * columns

    def put(self, col: int, char: str, style: str | None = None) -> None:
        if 0 <= col < len(self.chars):
            self.chars[col] = char
            self.styles[col] = style

    def free(self, col: int) -> bool:
        return 0 <= col < len(self.chars) and self.chars[col] == " "

    def text(self, label: str, label_width: int) -> Text:
        out = Text(label.ljust(label_width))
        for char, style in zip(self.chars, self.styles, strict=True):
            out.append(char, style=style or "")
        out.rstrip()
        return out


def _render_text(tl: Timeline, width: int) -> Text:
    session = _is_session(tl.windower)
    axis = _axis(tl, width)
    columns = axis.columns + 1
    label_width = min(max([len(k) for k in tl.keys] + [3]) + 2, 18)
    precise = axis.tick_us % 1_000_000 != 0
    target = tl.highlighted()
    in_target = set(target.seqs) if target else set()

    out = Text()
    out.append(f"{tl.describe()} · 1 column = {format_duration(axis.step_us * _US)}\n")
    labels, ticks = _Row(columns + 12), _Row(columns)
    for col in range(columns):
        ticks.put(col, "─")
    next_free = 0
    for t in axis.ticks():
        col = axis.col(t)
        ticks.put(col, "┬")
        stamp = _clock_time(t, precise)
        if col >= next_free:
            for i, ch in enumerate(stamp):
                labels.put(col + i, ch)
            next_free = col + len(stamp) + 2
    out.append(labels.text("key", label_width))
    out.append("\n")
    out.append(ticks.text("", label_width))
    out.append("\n")

    for key in tl.keys:
        row = _Row(columns)
        cells: dict[int, list[Event]] = {}
        for e in tl.events:
            if e.key == key:
                cells.setdefault(axis.col(e.ts), []).append(e)
        for col, here in cells.items():
            if any(e.late for e in here):
                row.put(col, "✗", _STYLE_LATE)
            else:
                glyph = "●" if len(here) == 1 else str(len(here)) if len(here) < 10 else "+"
                hot = any(e.seq in in_target for e in here)
                row.put(col, glyph, _STYLE_HIGHLIGHT if hot else _STYLE_EVENT)
        wm = tl.watermarks[key]
        wm_col = axis.col(wm)
        lanes = _lanes(tl.windows_of(key), axis, session)
        lane_rows = [_Row(columns) for _ in lanes]
        for lane, lane_row in zip(lanes, lane_rows, strict=True):
            for w in lane:
                _draw_window(lane_row, w, axis, session, w is target or _same(w, target))
        # The watermark shows through window fills, never through items or window bounds.
        for r in [row, *lane_rows]:
            if 0 <= wm_col < columns and (r.free(wm_col) or r.chars[wm_col] in "─═"):
                r.put(wm_col, "┃", _STYLE_WM)
        line = row.text(key[: label_width - 1], label_width)
        pad = label_width + columns - len(line.plain) + 2
        where = "" if 0 <= wm_col < columns else (" ◀" if wm_col < 0 else " ▶")
        line.append(" " * pad + f"watermark {_clock_time(wm, True)}{where}", style=_STYLE_WM)
        out.append(line)
        out.append("\n")
        for lane_row in lane_rows:
            out.append(lane_row.text("", label_width))
            out.append("\n")

    closer = "[ ]" if session else "[ )"
    out.append(
        f"● item (2-9: that many in one column)  ✗ late  ┃ watermark  {closer} window: id·items\n"
    )
    if target is not None:
        out.append(_highlight_line(tl, target) + "\n", style=_STYLE_HIGHLIGHT)
    if tl.late_events:
        out.append("late items (sent to .late, never silently dropped):\n")
        for e in tl.late_events:
            out.append("  " + _late_line(tl, e) + "\n", style=_STYLE_LATE)
    out.append(_summary(tl))
    return out


def _same(w: Window, target: Window | None) -> bool:
    return target is not None and (w.key, w.window_id) == (target.key, target.window_id)


def _draw_window(row: _Row, w: Window, axis: _Axis, session: bool, hot: bool) -> None:
    first, last = axis.col(w.open_time), _last_col(w, axis, session)
    style = _STYLE_HIGHLIGHT if hot else _STYLE_WINDOW
    fill = "═" if hot else "─"
    for col in range(first + 1, last):
        row.put(col, fill, style)
    row.put(first, "[", style)
    row.put(last, "]" if session else ")", style)
    inner = last - first - 1
    for label in (f"{w.window_id}·{len(w.seqs)}", str(w.window_id)):
        if len(label) <= inner:
            for i, ch in enumerate(label):
                row.put(first + 1 + i, ch, style)
            return
    # Too narrow to hold its label (a one-item session): label it just after, if there is room.
    for label in (f"{w.window_id}·{len(w.seqs)}", str(w.window_id)):
        if all(row.free(last + 1 + i) for i in range(len(label) + 1)):
            for i, ch in enumerate(label):
                row.put(last + 1 + i, ch, style)
            return


# --- the SVG picture ----------------------------------------------------------------------

_SVG_STYLE = """
.ls-tl text { font: 11px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; fill: currentColor; }
.ls-tl .axis { stroke: currentColor; stroke-width: 1; opacity: .6; }
.ls-tl .grid { stroke: currentColor; stroke-width: 1; opacity: .12; }
.ls-tl .band { fill: currentColor; opacity: .04; }
.ls-tl .win { fill: #009485; fill-opacity: .14; stroke: #009485; stroke-width: 1.2; }
.ls-tl .win.hot { fill: #f59e0b; fill-opacity: .3; stroke: #d97706; stroke-width: 2.5; }
.ls-tl .win.ghost { fill: none; stroke-dasharray: 4 3; }
.ls-tl .item { fill: #009485; stroke: white; stroke-width: 1; }
.ls-tl .item.hot { fill: #d97706; }
.ls-tl .late { stroke: #dc2626; stroke-width: 2.4; stroke-linecap: round; }
.ls-tl .wm { stroke: #c026d3; stroke-width: 2; stroke-dasharray: 5 3; }
.ls-tl .wmtext { fill: #c026d3; }
.ls-tl .latetext { fill: #dc2626; }
.ls-tl .small { font-size: 9px; opacity: .7; }
"""


def _render_svg(tl: Timeline, width: int) -> str:
    session = _is_session(tl.windower)
    axis = _axis(tl, 200)
    left, right, top = 96, 16, 44
    chart = width - left - right
    start_us = (axis.start - _FROZEN_NOW) // _US
    span_us = max((axis.end - axis.start) // _US + axis.step_us, 1)

    def x(ts: datetime) -> float:
        return left + ((ts - _FROZEN_NOW) // _US - start_us) / span_us * chart

    target = tl.highlighted()
    in_target = set(target.seqs) if target else set()
    event_h, lane_h, gap = 34, 20, 12
    body: list[str] = []
    y = top
    precise = axis.tick_us % 1_000_000 != 0
    label_every = max(1, math.ceil(70 / max(axis.tick_us / span_us * chart, 1)))
    for i, t in enumerate(axis.ticks()):
        tx = x(t)
        body.append(f'<line class="axis" x1="{tx:.1f}" y1="{top - 8}" x2="{tx:.1f}" y2="{top}"/>')
        if i % label_every == 0:
            body.append(
                f'<text x="{tx:.1f}" y="{top - 12}" text-anchor="middle">'
                f"{_clock_time(t, precise)}</text>"
            )
    body.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left + chart}" y2="{top}"/>')

    rows_start = y + 6
    y = rows_start
    blocks: list[tuple[float, float]] = []
    for k, key in enumerate(tl.keys):
        windows = tl.windows_of(key)
        lanes = _lanes(windows, axis, session)
        height = event_h + lane_h * max(len(lanes), 1)
        if k % 2 == 0:
            body.append(
                f'<rect class="band" x="0" y="{y}" width="{width}" height="{height + gap / 2}"/>'
            )
        body.append(
            f'<text x="8" y="{y + event_h / 2 + 4}">{escape(key[:13])}</text>'
            f'<text x="8" y="{y + event_h + 14}" class="small">windows</text>'
        )
        for lane_no, lane in enumerate(lanes):
            ly = y + event_h + lane_no * lane_h + 2
            for w in lane:
                hot = _same(w, target)
                x1 = x(w.open_time)
                x2 = x(w.close_time) if not session else x(w.close_time) + 0.0
                x2 = max(x2, x1 + 6)
                classes = "win" + (" hot" if hot else "") + ("" if w.emitted else " ghost")
                what = (
                    f"{key} window {w.window_id}: {_clock_time(w.open_time, True)} to "
                    f"{_clock_time(w.close_time, True)}, {plural(len(w.seqs), 'item')}"
                    + (", emitted at the end of the input" if w.at_eof else "")
                )
                body.append(
                    f'<rect class="{classes}" x="{x1:.1f}" y="{ly}" width="{x2 - x1:.1f}" '
                    f'height="{lane_h - 5}" rx="3"><title>{escape(what)}</title></rect>'
                )
                label = f"{w.window_id}·{len(w.seqs)}"
                if x2 - x1 > 7 * len(label) + 4:
                    body.append(
                        f'<text x="{(x1 + x2) / 2:.1f}" y="{ly + lane_h - 9}" '
                        f'text-anchor="middle">{label}</text>'
                    )
        # items: stack those that would overlap
        placed: list[tuple[float, int]] = []
        cy = y + event_h / 2 + 3
        for e in (e for e in tl.events if e.key == key):
            ex = x(e.ts)
            level = sum(1 for px, _ in placed if abs(px - ex) < 9)
            placed.append((ex, level))
            ey = cy - level * 9
            tip = f"#{e.seq + 1} {key} at {_clock_time(e.ts, True)}" + (" — late" if e.late else "")
            if e.late:
                body.append(
                    f'<g class="late"><title>{escape(tip)}</title>'
                    f'<line x1="{ex - 4:.1f}" y1="{ey - 4:.1f}" x2="{ex + 4:.1f}" y2="{ey + 4:.1f}"/>'
                    f'<line x1="{ex - 4:.1f}" y1="{ey + 4:.1f}" x2="{ex + 4:.1f}" y2="{ey - 4:.1f}"/>'
                    "</g>"
                )
            else:
                hot = " hot" if e.seq in in_target else ""
                body.append(
                    f'<circle class="item{hot}" cx="{ex:.1f}" cy="{ey:.1f}" r="4.5">'
                    f"<title>{escape(tip)}</title></circle>"
                )
        wm = tl.watermarks[key]
        if axis.start <= wm <= axis.end + axis.step_us * _US:
            wx = x(wm)
            body.append(
                f'<line class="wm" x1="{wx:.1f}" y1="{y + 2}" x2="{wx:.1f}" y2="{y + height - 2}">'
                f"<title>{escape(key)}'s watermark: {_clock_time(wm, True)}</title></line>"
            )
            anchor, tx = ("end", wx - 3) if wx > width - 70 else ("start", wx + 3)
            body.append(
                f'<text class="wmtext small" x="{tx:.1f}" y="{y + 9}" '
                f'text-anchor="{anchor}">watermark</text>'
            )
        blocks.append((y, height))
        y += height + gap

    legend_y = y + 8
    lx = left
    legend = [
        f'<circle class="item" cx="{lx}" cy="{legend_y - 4}" r="4.5"/>'
        f'<text x="{lx + 9}" y="{legend_y}">item</text>',
        f'<g class="late"><line x1="{lx + 56}" y1="{legend_y - 8}" x2="{lx + 64}" '
        f'y2="{legend_y}"/><line x1="{lx + 56}" y1="{legend_y}" x2="{lx + 64}" '
        f'y2="{legend_y - 8}"/></g><text x="{lx + 69}" y="{legend_y}">late (to .late)</text>',
        f'<line class="wm" x1="{lx + 190}" y1="{legend_y - 10}" x2="{lx + 190}" '
        f'y2="{legend_y + 2}"/><text x="{lx + 196}" y="{legend_y}">watermark</text>',
        f'<rect class="win" x="{lx + 280}" y="{legend_y - 10}" width="26" height="12" rx="3"/>'
        f'<text x="{lx + 312}" y="{legend_y}">window: id·items</text>',
    ]
    body += legend
    caption = f"{tl.describe()} — {_summary(tl)}"
    body.append(f'<text x="8" y="{legend_y + 22}">{escape(tl.describe())}</text>')
    body.append(f'<text x="8" y="{legend_y + 38}">{escape(_summary(tl))}</text>')
    height = legend_y + 48
    title = escape(f"Event-time timeline: {caption}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ls-tl" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'style="max-width: 100%; height: auto">'
        f"<title>{title}</title><style>{_SVG_STYLE}</style>" + "".join(body) + "</svg>"
    )


# --- reading events: files, simulated sources, durations ---------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs)")
_UNITS = {
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
    "us": _US,
    "µs": _US,
}


def parse_duration(text: str) -> timedelta:
    """``"10s"``, ``"1m30s"``, ``"500ms"``, ``"2h"`` or a bare number of seconds.

    >>> [format_duration(parse_duration(t)) for t in ("10s", "1m30s", "250ms", "1.5", "0")]
    ['10s', '1m30s', '250ms', '1s500ms', '0s']
    """
    text = text.strip().replace(" ", "")
    try:
        return timedelta(seconds=float(text))
    except ValueError:
        pass
    total, pos = timedelta(0), 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            break
        total += float(match[1]) * _UNITS[match[2]]
        pos = match.end()
    if pos != len(text) or not text:
        raise ValueError(
            f"not a duration: {text!r}; write e.g. 10s, 1m30s, 500ms, 2h or a number of seconds"
        )
    return total


def parse_time(text: str, start: datetime = DEFAULT_START) -> datetime:
    """An ISO-8601 time with its UTC offset, or a number of seconds after `start`.

    >>> parse_time("2024-01-01T00:00:10Z").isoformat()
    '2024-01-01T00:00:10+00:00'
    >>> parse_time("12.5").isoformat()
    '2024-01-01T00:00:12.500000+00:00'
    """
    text = text.strip()
    try:
        return start + timedelta(seconds=float(text))
    except ValueError:
        pass
    try:
        ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"not a time: {text!r}; write an ISO-8601 time with its offset "
            "(2024-01-01T00:00:10Z) or a number of seconds"
        ) from None
    if ts.utcoffset() is None:
        raise ValueError(
            f"{text!r} has no UTC offset; event time must be unambiguous: "
            f"write {text}Z (UTC) or {text}+01:00"
        )
    return ts


def read_events(
    path: str | Path, start: datetime = DEFAULT_START, text: str | None = None
) -> list[tuple[str, datetime]]:
    """Events from a CSV file (``key,ts`` rows, header optional) or JSON Lines.

    A JSON line is an object with ``key`` and ``ts`` (or ``timestamp``) or a
    ``[key, ts]`` pair. Times are ISO-8601 with an offset, or seconds after
    `start`. `text`, when given, is read instead of the file.

    >>> [(k, t.second) for k, t in read_events("e.csv", text="key,ts\\na,3\\nb,1\\n")]
    [('a', 3), ('b', 1)]
    >>> [(k, t.second) for k, t in read_events("e.jsonl", text='{"key": "a", "ts": 4}\\n["b", 7]\\n')]
    [('a', 4), ('b', 7)]
    """
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    events: list[tuple[str, datetime]] = []
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip()[:1] in "{["
    lines = text.splitlines()
    if jsonl:
        rows: list[tuple[int, Any, Any]] = []
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path.name}:{n}: not JSON: {err.msg}") from None
            if isinstance(obj, dict):
                rows.append((n, obj.get("key"), obj.get("ts", obj.get("timestamp"))))
            elif isinstance(obj, list) and len(obj) == 2:
                rows.append((n, obj[0], obj[1]))
            else:
                raise ValueError(f'{path.name}:{n}: write {{"key": ..., "ts": ...}} or [key, ts]')
    else:
        rows = [(n, *row[:2]) for n, row in enumerate(csv.reader(io.StringIO(text)), 1) if row]
        if rows and str(rows[0][1]).strip().lower() in ("key", "user", "sensor", "id"):
            rows = rows[1:]  # a header
    for n, key, ts in rows:
        if key is None or ts is None:
            raise ValueError(f"{path.name}:{n}: each event needs a key and a ts")
        try:
            events.append((str(key), parse_time(str(ts), start)))
        except ValueError as err:
            raise ValueError(f"{path.name}:{n}: {err}") from None
    return events


def simulated_events(
    source: str = "sensors",
    *,
    seed: int = 0,
    limit: int = 24,
    keys: int = 2,
    disorder: timedelta | None = None,
) -> list[tuple[str, datetime]]:
    """``(key, ts)`` of the course's simulated `SensorSource` or `ClickstreamSource`, in arrival order.

    `disorder` is how late an item may be delivered (default 15s for sensors,
    30s for clicks).

    >>> [(k, t.strftime("%M:%S")) for k, t in simulated_events(seed=1, limit=4)]
    [('sensor-1', '00:00'), ('sensor-0', '00:00'), ('sensor-1', '00:10'), ('sensor-0', '00:20')]
    """
    from learnstream.connectors.simulated import ClickstreamSource, SensorSource

    if source == "sensors":
        wait = timedelta(seconds=15) if disorder is None else disorder
        readings = SensorSource(sensors=keys, seed=seed, limit=limit, max_disorder=wait)
        return [(r["sensor"], r["ts"]) for r in readings]
    if source == "clicks":
        wait = timedelta(seconds=30) if disorder is None else disorder
        clicks = ClickstreamSource(users=keys, seed=seed, limit=limit, max_disorder=wait)
        return [(c["user"], c["ts"]) for c in clicks]
    raise ValueError(f"source must be 'sensors' or 'clicks', not {source!r}")


def timeline_from_options(
    events: str | None = None,
    *,
    source: str = "sensors",
    seed: int = 0,
    limit: int = 24,
    keys: int = 2,
    disorder: str | None = None,
    tumbling: str | None = None,
    sliding: str | None = None,
    offset: str | None = None,
    session: str | None = None,
    align_to: str | None = None,
    wait: str = "0s",
    highlight: str | None = None,
    width: int = 72,
) -> Timeline:
    """The timeline `learnstream timeline` draws, from its options as strings.

    >>> tl = timeline_from_options(seed=1, limit=6, tumbling="20s", wait="10s")
    >>> [(w.key, w.window_id, len(w.seqs)) for w in tl.windows]
    [('sensor-0', 0, 2), ('sensor-0', 1, 1), ('sensor-1', 0, 2), ('sensor-1', 1, 1)]
    """
    from learnstream.operators import windowing as win

    if events is None:
        gap = None if disorder is None else parse_duration(disorder)
        pairs = simulated_events(source, seed=seed, limit=limit, keys=keys, disorder=gap)
    elif events == "-":
        import sys

        pairs = read_events("stdin", text=sys.stdin.read())
    else:
        pairs = read_events(events)
    if not pairs:
        raise ValueError("no events to draw")
    chosen = [
        name
        for name, value in (("tumbling", tumbling), ("sliding", sliding), ("session", session))
        if value is not None
    ]
    if len(chosen) > 1:
        raise ValueError(f"choose one kind of window, not {' and '.join(chosen)}")
    if offset is not None and sliding is None:
        raise ValueError("--offset goes with --sliding")
    first = min(ts for _, ts in pairs).astimezone(UTC)
    align = (
        parse_time(align_to)
        if align_to is not None
        else first.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    windower: Any
    if session is not None:
        windower = win.SessionWindower(gap=parse_duration(session))
    elif sliding is not None:
        if offset is None:
            raise ValueError("--sliding needs --offset: how often a window starts (e.g. 10s)")
        windower = win.SlidingWindower(parse_duration(sliding), parse_duration(offset), align)
    else:
        windower = win.TumblingWindower(parse_duration(tumbling or "30s"), align)
    mark = None
    if highlight is not None:
        key, _, wid = highlight.rpartition(":")
        try:
            mark = (key, int(wid))
        except ValueError:
            raise ValueError(
                f"--highlight wants KEY:ID, e.g. sensor-0:2; got {highlight!r}"
            ) from None
    return build_timeline(pairs, windower, parse_duration(wait), highlight=mark)
