"""The learner's own run, drawn beside the expected one: which items each of its windows holds.

A windowed flow's sink shows only results (a mean, a count, a session's
summary), not which items went into them. For the small inputs a failing check
shows, the items can be told back from a result: the `Explain` of an exercise
says whether a set of the key's items gives the learner's value, and
`closest_items` picks, among the sets that do, the one closest to the expected
window's items (so a window that kept one late reading is shown as exactly
that). `your_run` then draws the learner's windows on the same event-time axis
as the expected picture, each holding the items its result is made of, and
says in words which items it kept that are late, left out, or put in another
window.

>>> from learnstream.grading.kit.eventtime import Event
>>> items = [Event(0, "s", 0, 1.0), Event(1, "s", 5, 3.0)]
>>> [e.n for e in closest_items(items, {0}, lambda chosen: len(chosen) == 2)]
[0, 1]
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from learnstream.grading.kit.eventtime import Event, Window, clock, split_late, to_datetime

#: Says whether `items` (events of one key) give the learner's `value` for `window`:
#: `explain(window, items, value=...)`.
Explain = Callable[..., bool]

#: Above this many candidate items in one window, the items are not told back (2**n sets).
_MAX_CANDIDATES = 12


def closest_items(
    candidates: Sequence[Event], expected: set[int], fits: Callable[[list[Event]], bool]
) -> list[Event] | None:
    """The set of `candidates` that `fits`, differing least from the `expected` arrival numbers."""
    if len(candidates) > _MAX_CANDIDATES:
        return None
    best: list[Event] | None = None
    best_distance = math.inf
    for size in range(len(candidates) + 1):
        for chosen in itertools.combinations(candidates, size):
            distance = len(expected.symmetric_difference(e.n for e in chosen))
            if distance < best_distance and fits(list(chosen)):
                best, best_distance = list(chosen), distance
    return best


def mean_of_values(window: Window, items: list[Event], value: Any) -> bool:
    """An `Explain` for a window's mean of its items' values."""
    return bool(items) and _close(math.fsum(e.value for e in items) / len(items), value)


def count_of_items(window: Window, items: list[Event], value: Any) -> bool:
    """An `Explain` for a window's count of items."""
    return len(items) == value


def _close(a: float, b: Any) -> bool:
    return type(b) in (int, float) and abs(a - b) <= 1e-9 * max(1.0, abs(a))


def _inside(event: Event, window: Window) -> bool:
    return event.key == window.key and (
        window.open <= event.t < window.close or (window.session and event.t == window.close)
    )


def your_windows(
    rows: Sequence[Any], events: Sequence[Event], wait: int, explain: Explain
) -> tuple[list[tuple[Window, list[Event]]], list[str]]:
    """The learner's windows with the items their results are made of, and what differs.

    `rows` are the verdict's rows (`windows.Row`), each with the learner's
    values. Returns each explained window with its items, and one sentence per
    window whose items differ from the expected ones (or cannot be told).
    """
    good, _ = split_late(events, wait)
    on_time = {e.n for e in good}
    mine: list[tuple[Window, list[Event]]] = []
    notes: list[str] = []
    for row in rows:
        window = row.window
        if window.name is not None or len(row.values) != 1:
            continue
        candidates = [e for e in events if _inside(e, window)]
        expected = {e.n for e in candidates if e.n in on_time} if row.expected_exists else set()
        items = closest_items(candidates, expected, partial(explain, window, value=row.values[0]))
        where = f"your {window.label()}" if window.session else f"your window {window.label()}"
        if items is None:
            notes.append(f"{where}: no set of its items gives {row.actual}")
            continue
        if window.session:  # the learner's session spans its own items
            where = (
                f"your session {clock(min(e.t for e in items))}–{clock(max(e.t for e in items))}"
            )
        mine.append((window, items))
        got = {e.n for e in items}
        late = sorted(got - on_time)
        left_out = sorted(expected - got)
        extra = sorted((got & on_time) - expected)
        parts = []
        if late:
            parts.append(f"kept {_numbers(late)}, late (the expected run leaves it out)")
        if left_out:
            parts.append(f"left out {_numbers(left_out)}, on time")
        if extra:
            parts.append(f"holds {_numbers(extra)}, which belongs to another window")
        if parts:
            notes.append(f"{where}: " + "; ".join(parts))
    return mine, notes


def _numbers(ns: list[int]) -> str:
    return " ".join(f"#{n + 1}" for n in ns)


def your_run(
    picture: Any,
    shown: Sequence[Event],
    rows: Sequence[Any],
    events: Sequence[Event],
    wait: int,
    explain: Explain,
    width: int,
) -> str:
    """The learner's run drawn on the expected picture's axis, then what differs, in words.

    `picture` is the expected `learnstream.timeline` picture of the events
    `shown` (in its arrival numbering); only its windows change.
    """
    from learnstream.timeline.model import Window as DrawnWindow

    mine, notes = your_windows(rows, events, wait, explain)
    seq = {e.n: i for i, e in enumerate(shown)}
    drawn = []
    numbers: dict[str, int] = {}
    for window, items in mine:
        if window.key not in picture.keys or any(e.n not in seq for e in items):
            continue
        opens, closes = window.open, window.close
        wid = window.wid
        if window.session and items:
            opens, closes = min(e.t for e in items), max(e.t for e in items)
            wid = numbers[window.key] = numbers.get(window.key, -1) + 1
        drawn.append(
            DrawnWindow(
                window.key,
                wid,
                to_datetime(opens),
                to_datetime(closes),
                tuple(sorted(seq[e.n] for e in items)),
                len(shown),
                True,
            )
        )
    yours = dataclasses.replace(picture, windows=tuple(drawn), highlight=None)
    lines = yours.to_text(width=width).splitlines()
    legend = next((i for i, line in enumerate(lines) if line.startswith("● item")), len(lines))
    title = "your flow's run — its windows, each with the items its result is made of:"
    return "\n".join([title, *lines[1:legend], *notes])
