"""Event time for the grader: a tiny lateness model, the timeline picture and a per-window diff.

Part 2's checks compute the right answer here, in the grader's process, from
plain data: each event is `(arrival number, key, event time, value)` with times
in whole microseconds after `ALIGN`. With the flow's clock frozen (the probe
runs the learner's flow with a `now_getter` that never moves), a key's
watermark is the largest `time - wait` it has seen, and an event is late when
its time is below the watermark its key had when it arrived.

When a learner's windows are wrong, `draw_timeline` shows the smallest failing
input on an event-time axis (one row per event, in arrival order; the
watermark each met; late ones crossed; the first wrong window underlined) and
`window_diff` lists expected vs actual per key and window.

>>> events = [Event(0, "s", 5 * SECOND, 1.0), Event(1, "s", 70 * SECOND, 2.0),
...           Event(2, "s", 30 * SECOND, 3.0)]
>>> [(e.n, late) for e, late, _ in with_watermarks(events, 10 * SECOND)]
[(0, False), (1, False), (2, True)]
>>> print(draw_timeline("s", events, 10 * SECOND, fixed_windows(events, MINUTE, MINUTE),
...                     Window("s", 1, MINUTE, 2 * MINUTE)))
timeline of key 's' — event time →, 1 column = 5 s from 00:00:00; rows in arrival order
             |00:00:00   |00:01:00
windows      |0          |1          |
wrong                    ━━━━━━━━━━━━  ← first wrong window: 1 [00:01:00, 00:02:00)
 #1           ●                          00:00:05  1.0
 #2                        ●             00:01:10  2.0
 #3                ✗     ┆               00:00:30  3.0  late: watermark was 00:01:00
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from learnstream.errors import short_repr

#: Time zero of the exercises: window 0 starts here.
ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
SECOND = 1_000_000
MINUTE = 60 * SECOND

_WIDTH = 48
_LABEL = 13  # columns before the time axis
_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
_MAX_ROWS = 10
_MAX_EVENTS = 16


@dataclass(frozen=True)
class Event:
    """One input item: arrival number `n` (from 0), key, event time `t` (µs after ALIGN), value."""

    n: int
    key: str
    t: int
    value: Any


@dataclass(frozen=True)
class Window:
    """A window of one key: `wid` names it (a window id, or a session's start), `[open, close)`."""

    key: str
    wid: Any
    open: int
    close: int
    session: bool = False
    name: str | None = None

    def label(self) -> str:
        """How the window is named in reports, e.g. `1 [00:01:00, 00:02:00)`."""
        if self.name is not None:
            return self.name
        if self.session:
            return f"session {clock(self.open)}–{clock(self.close)}"
        return f"{self.wid} [{clock(self.open)}, {clock(self.close)})"


def to_datetime(t: int) -> datetime:
    """The datetime `t` microseconds after ALIGN."""
    return ALIGN + timedelta(microseconds=t)


def from_datetime(ts: datetime) -> int:
    """Microseconds after ALIGN."""
    return (ts - ALIGN) // timedelta(microseconds=1)


def clock(t: int) -> str:
    """`t` as a time of day (with a day offset or fraction when needed).

    >>> clock(61 * SECOND), clock(-SECOND), clock(1_500_000)
    ('00:01:01', '-00:00:01', '00:00:01.5')
    """
    sign, t = ("-", -t) if t < 0 else ("", t)
    seconds, micros = divmod(t, SECOND)
    days, seconds = divmod(seconds, 86400)
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    if micros:
        text += f".{micros:06d}".rstrip("0")
    return sign + (f"{days}d " if days else "") + text


# --- the model -----------------------------------------------------------------


def with_watermarks(events: Iterable[Event], wait: int) -> list[tuple[Event, bool, int | None]]:
    """Each event (in arrival order), whether it is late, and the watermark it met."""
    watermark: dict[str, int] = {}
    out = []
    for event in events:
        met = watermark.get(event.key)
        out.append((event, met is not None and event.t < met, met))
        watermark[event.key] = max(event.t - wait, met if met is not None else event.t - wait)
    return out


def split_late(events: Iterable[Event], wait: int) -> tuple[list[Event], list[Event]]:
    """The on-time events and the late ones, each in arrival order."""
    marked = with_watermarks(events, wait)
    return [e for e, late, _ in marked if not late], [e for e, late, _ in marked if late]


def sliding_ids(t: int, length: int, offset: int) -> range:
    """The ids of the windows `[i * offset, i * offset + length)` holding time `t`.

    >>> list(sliding_ids(150 * SECOND, 3 * MINUTE, MINUTE))
    [0, 1, 2]
    """
    return range((t - length) // offset + 1, t // offset + 1)


def fixed_windows(
    events: Iterable[Event], length: int, offset: int
) -> dict[tuple[str, int], Window]:
    """Every (key, window id) that holds one of `events`, as `Window`s."""
    windows = {}
    for event in events:
        for wid in sliding_ids(event.t, length, offset):
            windows[event.key, wid] = Window(event.key, wid, wid * offset, wid * offset + length)
    return windows


def sessions(events: Iterable[Event], gap: int) -> dict[str, list[list[Event]]]:
    """Each key's sessions: its events by time, cut where neighbours are more than `gap` apart."""
    by_key: dict[str, list[Event]] = {}
    for event in events:
        by_key.setdefault(event.key, []).append(event)
    out: dict[str, list[list[Event]]] = {}
    for key, items in by_key.items():
        items.sort(key=lambda e: (e.t, e.n))
        runs = [[items[0]]]
        for before, event in itertools.pairwise(items):
            if event.t - before.t > gap:
                runs.append([])
            runs[-1].append(event)
        out[key] = runs
    return out


# --- the timeline -----------------------------------------------------------------


def _step(lo: int, hi: int, marks: Iterable[int]) -> int:
    """Seconds per column: the axis must fit, and distinct marks should get distinct columns."""
    fitting = [s * SECOND for s in _STEPS if (hi - lo) // (s * SECOND) < _WIDTH - 1]
    if not fitting:
        return _STEPS[-1] * SECOND
    points = sorted(set(marks))

    def separates(step: int) -> bool:
        start = lo - lo % step
        return len({(t - start) // step for t in points}) == len(points)

    wide = [s for s in fitting if (hi - lo) // s >= _WIDTH // 2] or fitting[:1]
    return next((s for s in reversed(wide) if separates(s)), wide[0])


def _put(lane: list[str], column: int, text: str) -> None:
    for i, char in enumerate(text):
        if 0 <= column + i < len(lane):
            lane[column + i] = char


def draw_timeline(
    key: str,
    events: Sequence[Event],
    wait: int,
    windows: dict[Any, Window],
    wrong: Window | None,
    describe: Callable[[Any], str] = short_repr,
) -> str:
    """The events of `key` on an event-time axis, with its windows and the first wrong one."""
    marked = [m for m in with_watermarks(events, wait) if m[0].key == key]
    hidden = 0
    if len(marked) > _MAX_EVENTS and wrong is not None:
        # A long stream: keep the rows near the wrong window, where the story is.
        span = wrong.close - wrong.open
        near = [m for m in marked if wrong.open - span <= m[0].t <= wrong.close + span]
        hidden, marked = len(marked) - len(near[:_MAX_EVENTS]), near[:_MAX_EVENTS]
    elif len(marked) > _MAX_EVENTS:
        hidden, marked = len(marked) - _MAX_EVENTS, marked[:_MAX_EVENTS]
    own = [w for w in windows.values() if w.key == key]
    if hidden:
        seen = (min(m[0].t for m in marked), max(m[0].t for m in marked)) if marked else (0, 0)
        own = [w for w in own if w.close >= seen[0] and w.open <= seen[1]]
    shown = own + ([wrong] if wrong else [])
    times = [e.t for e, _, _ in marked] + [t for w in shown for t in (w.open, w.close)]
    if not times:
        return ""
    lo, hi = min(times), max(times)
    marks = [e.t for e, _, _ in marked] + [
        met for _, late, met in marked if late and met is not None
    ]
    step = _step(lo, hi, marks)
    lo -= lo % step  # start on a round time
    width = min(_WIDTH, (hi - lo) // step + 2)

    def col(t: int) -> int:
        return (t - lo) // step

    axis, bounds = [" "] * width, [" "] * width
    starts = sorted({w.open for w in own if lo <= w.open < lo + width * step} | {lo})
    if wrong is not None:
        starts = sorted(set(starts) | {wrong.open})
    for start in starts:
        if all(axis[c] == " " for c in range(col(start), min(width, col(start) + 10))):
            _put(axis, col(start), "|" + clock(start))
    for window in sorted(own, key=lambda w: w.open):
        if window.session:
            _put(
                bounds,
                col(window.open),
                "[" + "─" * max(0, col(window.close) - col(window.open) - 1),
            )
            _put(bounds, max(col(window.close), col(window.open) + 1), "]")
        else:
            _put(bounds, col(window.open), "|" + str(window.wid))
            if window.close < lo + width * step:
                _put(bounds, col(window.close), "|")
    lines = [
        f"timeline of key {key!r} — event time →, 1 column = {clock(step).lstrip('0:') or '0'} "
        f"{'s' if step < MINUTE else ''}".rstrip()
        + f" from {clock(lo)}; rows in arrival order",
        " " * _LABEL + "".join(axis).rstrip(),
        f"{'windows':<{_LABEL}}" + "".join(bounds).rstrip(),
    ]
    if step >= MINUTE:  # "1 column = 01:00" reads badly; say it in words
        lines[0] = lines[0].replace(
            f"1 column = {clock(step).lstrip('0:')}", f"1 column = {step // SECOND} s"
        )
    if wrong is not None:
        bar = [" "] * width
        span = max(1, col(wrong.close) - col(wrong.open))
        _put(bar, col(wrong.open), "━" * span)
        lines.append(
            f"{'wrong':<{_LABEL}}"
            + "".join(bar).rstrip()
            + f"  ← first wrong window: {wrong.label()}"
        )
    for event, late, met in marked:
        lane = [" "] * width
        if late and met is not None:
            # Sharing a column with the item, the watermark (always later) goes just right of it.
            _put(lane, max(col(met), col(event.t) + 1), "┆")
        _put(lane, col(event.t), "✗" if late else "●")
        note = f"  late: watermark was {clock(met)}" if late and met is not None else ""
        lines.append(
            f" #{event.n + 1:<{_LABEL - 2}}"
            + "".join(lane)
            + f"  {clock(event.t)}  {describe(event.value)}{note}"
        )
    if hidden:
        lines.append(f" ... {hidden} more of its events, further from the wrong window")
    return "\n".join(line.rstrip() for line in lines)


# --- the per-window diff -----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One window's line in the diff: expected and actual results as text."""

    window: Window
    expected: str
    actual: str
    ok: bool


def window_diff(rows: Sequence[Row]) -> str:
    """The windows whose results differ (the first one marked →), and how many match.

    >>> w = Window("s", 1, MINUTE, 2 * MINUTE)
    >>> print(window_diff([Row(w, "2.0", "(missing)", False)]))
    per-window diff — expected vs yours, per key and window (first wrong one marked →):
           key  window                  expected  yours
        →  's'  1 [00:01:00, 00:02:00)  2.0       (missing)
    """
    wrong = [row for row in rows if not row.ok]
    if not wrong:
        return ""
    table = [("key", "window", "expected", "yours")] + [
        (repr(row.window.key), row.window.label(), row.expected, row.actual)
        for row in wrong[:_MAX_ROWS]
    ]
    widths = [max(len(cells[c]) for cells in table) for c in range(3)]
    lines = ["per-window diff — expected vs yours, per key and window (first wrong one marked →):"]
    for index, (key, label, want, got) in enumerate(table):
        mark = "→" if index == 1 else ""
        lines.append(
            f"    {mark:1}  {key:<{widths[0]}}  {label:<{widths[1]}}  {want:<{widths[2]}}  {got}".rstrip()
        )
    if len(wrong) > _MAX_ROWS:
        lines.append(f"    ... and {len(wrong) - _MAX_ROWS} more wrong windows")
    matching = len(rows) - len(wrong)
    if matching:
        lines.append(f"    ({matching} other window{'s' if matching != 1 else ''} right)")
    return "\n".join(lines)
