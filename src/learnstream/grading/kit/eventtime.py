"""Event time for the grader: events as plain data, and a tiny model of lateness and windows.

The checks of an event-time part compute the right answer here, in the
grader's process, from plain data: each event is `(arrival number, key, event
time, value)` with times in whole microseconds after `ALIGN`. With the flow's
clock frozen (`kit.flows.run_flow` runs the learner's flow with a `now_getter`
that never moves), a key's watermark is the largest `time - wait` it has seen,
and an event is late when its time is below the watermark its key had when it
arrived. `kit.windows` judges a learner's windows against this model.

>>> events = [Event(0, "s", 5 * SECOND, 1.0), Event(1, "s", 70 * SECOND, 2.0),
...           Event(2, "s", 30 * SECOND, 3.0)]
>>> [(e.n, late, clock(met) if met is not None else None)
...  for e, late, met in with_watermarks(events, 10 * SECOND)]
[(0, False, None), (1, False, '23:59:55'), (2, True, '00:01:00')]
>>> sorted(fixed_windows(split_late(events, 10 * SECOND)[0], MINUTE, MINUTE))
[('s', 0), ('s', 1)]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from learnstream.errors import short_repr
from learnstream.wording import plural

#: Time zero of the exercises: window 0 starts here.
ALIGN = datetime(2024, 1, 1, tzinfo=UTC)
SECOND = 1_000_000
MINUTE = 60 * SECOND
_SHOWN_EVENTS = 12


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
    """`t` as a time of day, as the timeline pictures write it (with a fraction when needed).

    One format everywhere: a window just before `ALIGN` opens at 23:59:00 in the
    diff as in the picture drawn above it.

    >>> clock(61 * SECOND), clock(-SECOND), clock(1_500_000)
    ('00:01:01', '23:59:59', '00:00:01.5')
    """
    stamp = to_datetime(t)
    text = stamp.strftime("%H:%M:%S")
    if stamp.microsecond:
        text += f".{stamp.microsecond:06d}".rstrip("0")
    return text


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


# --- streams of events -----------------------------------------------------------------


def fixed(prefix: str, rows: Sequence[tuple[int, int, Any]]) -> list[Event]:
    """A hand-made stream: (key number, seconds after ALIGN, value) in arrival order.

    >>> fixed("s", [(0, 60, 1.5)])
    [Event(n=0, key='s-0', t=60000000, value=1.5)]
    """
    return [Event(n, f"{prefix}-{k}", s * SECOND, v) for n, (k, s, v) in enumerate(rows)]


def renumbered(events: Sequence[Event]) -> list[Event]:
    """The same events, their arrival numbers counted again from 0."""
    return [Event(n, e.key, e.t, e.value) for n, e in enumerate(events)]


def without_one(events: Sequence[Event]) -> Iterator[list[Event]]:
    """Smaller streams of `events`: without its first or second half, then without each
    quarter, ..., then without each single event (none from a single event).

    Tried in turn by a shrinking pass that keeps the first one still failing, the
    big cuts first make a long failing stream short in a few runs of the
    learner's code, where cutting one event at a time takes as many runs as
    the stream has events, and again after each cut.

    >>> [[e.value for e in s] for s in without_one(fixed("s", [(0, 0, "a"), (0, 1, "b")]))]
    [['b'], ['a']]
    >>> [len(s) for s in without_one(fixed("s", [(0, t, t) for t in range(8)]))][:6]
    [4, 4, 6, 6, 6, 6]
    """
    size = len(events) // 2
    while size > 1:
        for start in range(0, len(events), size):
            yield renumbered([*events[:start], *events[start + size :]])
        size //= 2
    for index in range(len(events) if len(events) > 1 else 0):
        yield renumbered([*events[:index], *events[index + 1 :]])


def show_events(events: Sequence[Event]) -> str:
    """The input stream as a reader sees it, in arrival order.

    >>> show_events(fixed("s", [(0, 61, 20.5), (0, 0, ("view", "/home"))]))
    '2 events in arrival order: #1 s-0 00:01:01 20.5, #2 s-0 00:00:00 view /home'
    """
    shown = [
        f"#{e.n + 1} {e.key} {clock(e.t)} {_value_text(e.value)}" for e in events[:_SHOWN_EVENTS]
    ]
    more = f", ... ({len(events)} in all)" if len(events) > _SHOWN_EVENTS else ""
    return f"{plural(len(events), 'event')} in arrival order: " + ", ".join(shown) + more


def _value_text(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return short_repr(value)
