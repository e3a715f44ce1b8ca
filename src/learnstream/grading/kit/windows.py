"""The per-key, per-window verdict of an event-time check: group, compare, explain, draw.

A windowed flow's sink receives `(key, (window_id, value))` items (or a shape of
the exercise's own). `group_items` checks each item's shape and groups the
values by (key, window); `window_rows` lines them up against the reference's
answer, one `Row` per window; `window_verdict` fails on the first wrong row
with one sentence, the event-time timeline of the input (drawn by
`learnstream.timeline` from the grader's own events, the wrong window
highlighted), the learner's own run beside it when the exercise can tell
which items a result is made of (`explain`, see `kit.your_run`), and
`window_diff`, the table of the windows that differ.

>>> from learnstream.grading.kit.eventtime import MINUTE, fixed
>>> events = fixed("s", [(0, 0, 1.0)])
>>> got = group_items([("s-0", (0, 2.0))], lambda item: True, "(key, (id, mean))", "the sink")
>>> rows = window_rows({("s-0", 0): 1.0}, got, lambda wk: Window(wk[0], wk[1], 0, MINUTE),
...                    lambda a, b: a == b, repr)
>>> [(row.expected, row.actual, row.ok) for row in rows]
[('1.0', '2.0', False)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.failures import CheckFailed, FailureKind
from learnstream.grading.kit.eventtime import Event, Window, to_datetime
from learnstream.grading.kit.your_run import Explain, your_run
from learnstream.operators.windowing import Windower

_MAX_ROWS = 10
_TIMELINE_EVENTS = 24
_TIMELINE_WIDTH = 72
_NO_WINDOW = "(no window)"
_MISSING = "(missing)"


def is_window_item(item: Any, value_ok: Callable[[Any], bool]) -> bool:
    """True for `(str key, (int window_id, value))` with a value `value_ok` accepts.

    >>> is_window_item(("s", (0, 1.5)), lambda v: type(v) is float), is_window_item(("s", 0), bool)
    (True, False)
    """
    return (
        type(item) is tuple
        and len(item) == 2
        and type(item[0]) is str
        and type(item[1]) is tuple
        and len(item[1]) == 2
        and type(item[1][0]) is int
        and value_ok(item[1][1])
    )


def group_items(
    items: list[Any], ok: Callable[[Any], bool], shape: str, sink: str
) -> dict[Any, list[Any]]:
    """Sink items grouped by (key, window), after checking each has the contract's shape."""
    got: dict[Any, list[Any]] = {}
    for item in items:
        if not ok(item):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to {sink}; every item must be {shape}",
                kind=FailureKind.WRONG_SHAPE,
            )
        key, (wid, value) = item
        got.setdefault((key, wid), []).append(value)
    return got


@dataclass(frozen=True)
class Row:
    """One window's line in the diff: expected and actual results as text.

    `values` are the learner's results for the window as they are;
    `expected_exists` says whether the expected run has the window.
    """

    window: Window
    expected: str
    actual: str
    ok: bool
    values: tuple[Any, ...] = ()
    expected_exists: bool = True


def window_diff(rows: Sequence[Row]) -> str:
    """The windows whose results differ (the first one marked →), and how many match.

    >>> from learnstream.grading.kit.eventtime import MINUTE
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


def window_rows(
    expected: dict[Any, Any],
    got: dict[Any, list[Any]],
    window_of: Callable[[Any], Window],
    equal: Callable[[Any, Any], bool],
    show: Callable[[Any], str],
) -> list[Row]:
    """One row per window in either answer, in time order: expected and actual as text."""
    rows = []
    for wk in set(expected) | set(got):
        want, have = expected.get(wk), got.get(wk, [])
        ok = want is not None and len(have) == 1 and equal(want, have[0])
        yours = ", ".join(show(v) for v in have) or _MISSING
        if len(have) > 1:
            yours += f"  ({len(have)} times)"
        expected_text = _NO_WINDOW if want is None else show(want)
        rows.append(
            Row(
                window_of(wk),
                expected_text,
                yours,
                ok,
                tuple(have),
                expected_exists=want is not None,
            )
        )
    return sorted(rows, key=lambda r: (r.window.open, r.window.key, str(r.window.wid)))


def window_verdict(
    rows: list[Row],
    events: Sequence[Event],
    windower: Windower,
    wait: int,
    what: str,
    explain: Explain | None = None,
) -> None:
    """Fail on the first wrong row: a sentence, then the timeline and the per-window diff.

    The failure's kind is WRONG_TIMING when the clock may decide the row (the
    window holds an event that arrived after a later one of its key, or was
    emitted more than once), else WRONG_VALUE.
    """
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return
    window = first.window
    where = f"key {window.key!r}, {window.label()}"
    if window.name is not None:
        where = f"key {window.key!r}"
    elif not window.session:
        where = f"key {window.key!r}, window {window.label()}"
    timing = any(_inside(e, window) for e in _overtaken(events))
    if first.expected == _NO_WINDOW and window.name is not None:
        message = f"your flow wrote a {what} for {where}, which had no late readings"
    elif first.expected == _NO_WINDOW:
        held = [e for e in events if _inside(e, window)]
        why = (
            " — only late items fall in it, and late items are left out"
            if held
            else " — no item falls in it"
        )
        message = f"your flow wrote a {what} for {where}, which should not exist{why}"
    elif first.actual == _MISSING:
        message = f"your flow wrote no {what} for {where}; expected {first.expected}"
    elif first.actual.endswith("times)"):
        timing = True
        message = f"your flow wrote the {what} of {where} more than once; each window closes once"
    else:
        message = f"wrong {what} for {where}: expected {first.expected}, yours {first.actual}"
    drawn, shown, picture = _picture(events, windower, wait, window)
    parts = [picture]
    if explain is not None and drawn is not None:
        parts.append(your_run(drawn, shown, rows, events, wait, explain, _TIMELINE_WIDTH))
    parts.append(window_diff(rows))
    kind = FailureKind.WRONG_TIMING if timing else FailureKind.WRONG_VALUE
    raise CheckFailed(message, "\n\n".join(p for p in parts if p).strip(), kind=kind)


def _overtaken(events: Sequence[Event]) -> list[Event]:
    """The events that arrived after a later event of their key: the ones a clock judges."""
    latest: dict[str, int] = {}
    out = []
    for event in events:
        if event.t < latest.get(event.key, event.t):
            out.append(event)
        latest[event.key] = max(event.t, latest.get(event.key, event.t))
    return out


def _inside(event: Event, window: Window) -> bool:
    if event.key != window.key:
        return False
    if window.name is not None:  # a per-key total, such as the late count: any event of the key
        return True
    return window.open <= event.t < window.close or (window.session and event.t == window.close)


def timeline(events: Sequence[Event], windower: Windower, wait: int, window: Window) -> str:
    """The event-time timeline of `events`, drawn by `learnstream.timeline`, `window` highlighted.

    See `_picture`, which also returns the picture itself and the events drawn.
    """
    return _picture(events, windower, wait, window)[2]


def _picture(
    events: Sequence[Event], windower: Windower, wait: int, window: Window
) -> tuple[Any, list[Event], str]:
    """The expected picture (None if it cannot be drawn), the events it shows, and its text.

    A long stream is drawn for the wrong window's key alone (lateness is per key,
    so its picture is the same). The picture runs the engine on the grader's own
    events, never the learner's code; it only illustrates the verdict, so if it
    cannot be drawn the report goes on without it.
    """
    from learnstream.timeline import build_timeline

    shown = list(events)
    note = ""
    if len(shown) > _TIMELINE_EVENTS and any(e.key == window.key for e in shown):
        shown = [e for e in shown if e.key == window.key]
        note = f"(the events of {window.key!r} only, numbered among themselves)\n"
    pairs = [(e.key, to_datetime(e.t)) for e in shown]
    length = timedelta(microseconds=wait)
    try:
        highlight = None
        if window.name is None and window.session:  # the engine numbers sessions itself
            drawn = build_timeline(pairs, windower, length)
            start = to_datetime(window.open)
            highlight = next(
                (
                    (w.key, w.window_id)
                    for w in drawn.windows
                    if w.key == window.key and w.open_time == start
                ),
                None,
            )
        elif window.name is None and any(e.key == window.key for e in shown):
            highlight = (window.key, window.wid)
        picture = build_timeline(pairs, windower, length, highlight=highlight)
        return picture, shown, note + picture.to_text(width=_TIMELINE_WIDTH)
    except Exception as trouble:  # a picture must never turn a verdict into a grader error
        return (
            None,
            shown,
            f"(the timeline could not be drawn: {type(trouble).__name__}: {trouble})",
        )
