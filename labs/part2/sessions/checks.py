"""The checks of part2's exercise `sessions`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    Event,
    FailureKind,
    Session,
    Window,
    clock,
    events_check,
    from_datetime,
    judge_flow,
    same,
    sessions,
    split_late,
    window_rows,
    window_verdict,
)
from learnstream.operators.windowing import (
    SessionWindower,
)

from ..shared import (
    CLICK_DISORDER_EDGES,
    CLICK_WAIT,
    CLICKS,
    GAP,
    GAP_EDGES,
    _clicks,
    _gaps_stream,
    _seconds,
    _simulated_clicks,
    _stream,
    _td,
    session_stats,
)

# --- exercise 3: sessions ----------------------------------------------------------------


def _session_of(window: Window, items: list[Event], value: Any) -> bool:
    """An `Explain`: do `items` make the session summary `value`?"""
    if not items:
        return False
    times = [e.t for e in items]
    clicks = sum(1 for e in items if e.value[0] == "click")
    start, end, count, clicked = value
    return (from_datetime(start), from_datetime(end), count, clicked) == (
        min(times),
        max(times),
        len(items),
        clicks,
    )


def _session_item_shaped(item: Any) -> bool:
    return (
        type(item) is tuple
        and len(item) == 2
        and type(item[0]) is str
        and type(item[1]) is tuple
        and len(item[1]) == 4
    )


def _session_item_typed(item: Any) -> bool:
    stats = item[1]
    return all(type(ts) is datetime and ts.utcoffset() is not None for ts in stats[:2]) and all(
        type(n) is int for n in stats[2:]
    )


def _judge_sessions(events: Sequence[Event], items: list[Any]) -> None:
    got: dict[Any, list[Any]] = {}
    for item in items:
        shaped = _session_item_shaped(item)
        if not (shaped and _session_item_typed(item)):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to the sink; every item must be "
                "(user, (start, end, events, clicks)) with aware datetimes and ints",
                kind=FailureKind.WRONG_TYPE if shaped else FailureKind.WRONG_SHAPE,
            )
        got.setdefault((item[0], from_datetime(item[1][0])), []).append(item[1])
    expected = session_stats(events)
    good, _ = split_late(events, CLICK_WAIT)
    windows = {
        (user, run[0].t): Window(user, run[0].t, run[0].t, run[-1].t, session=True)
        for user, runs in sessions(good, GAP).items()
        for run in runs
    }

    def window_of(wk: tuple[str, int]) -> Window:
        if wk in windows:
            return windows[wk]
        end = from_datetime(got[wk][0][1])
        return Window(wk[0], wk[1], wk[1], max(end, wk[1]), session=True)

    def show(stats: tuple[Any, ...]) -> str:
        start, end, count, clicks = stats
        return f"{clock(from_datetime(start))}–{clock(from_datetime(end))} {count} ev {clicks} cl"

    rows = window_rows(expected, got, window_of, same, show)
    window_verdict(
        rows, events, SessionWindower(_td(GAP)), CLICK_WAIT, "session summary", _session_of
    )


def _sessions_check(
    strategy: Any,
    max_examples: int | None = None,
    at_least: int = 0,
    edges: Sequence[list[Event]] = (),
) -> Callable[[Session], None]:
    def test(session: Session, events: list[Event]) -> None:
        judge_flow(session, CLICKS, events, lambda outputs: _judge_sessions(events, *outputs))

    return events_check(test, strategy, max_examples=max_examples, at_least=at_least, edges=edges)


_SIM_CLICKS = _simulated_clicks(5, 60)
_USERS_MANY = _stream("user", 8, _seconds(0, 1500, 300), _clicks(), ordered=False, max_size=40)

CHECKS = {
    "gap": _sessions_check(_gaps_stream(2, ordered=True), edges=GAP_EDGES),
    # Arrival order matters only for events close in time that swap places:
    # rarer than other mistakes, so this search never runs short.
    "disorder": _sessions_check(
        _gaps_stream(2, ordered=False), at_least=60, edges=CLICK_DISORDER_EDGES
    ),
    "many_users": _sessions_check(_USERS_MANY, 40),
    "example": _sessions_check(_SIM_CLICKS),
}
