"""Part 2: what the checks of `tumbling`, `sliding`, `sessions` and `late` share.

Each exercise's titles, points and hints are in its folder's `lab.toml`, its
checks in its `checks.py`, built with `learnstream.grading.kit`; here are the
reference answers and event streams they share. Every exercise is a `build_flow(source, sink, ...)`. The grader runs it in the
child process on its own event streams (with the flow's clock frozen, so that
lateness depends on event time alone) and computes the right windows here,
from plain data, with the kit's small model of event time (`kit.eventtime`). The
constants of each contract (window length, alignment, wait, gap) are repeated
here on purpose: the grader never reads them from the learner's file.

The streams are written against clever wrong answers: readings exactly on a
window boundary and on the watermark, equal timestamps, disorder within and
beyond the wait (late items must be left out, or counted), readings before the
alignment (negative window ids), sessions exactly `GAP` apart, late events
that would bridge two sessions, and many keys interleaved.

>>> events = [Event(0, "s", 0, 1.0), Event(1, "s", 59 * SECOND, 2.0), Event(2, "s", MINUTE, 4.0)]
>>> tumbling_means(events)
{('s', 0): 1.5, ('s', 1): 4.0}
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    MINUTE,
    SECOND,
    Event,
    FlowContract,
    Session,
    Window,
    events_check,
    fixed,
    fixed_windows,
    from_datetime,
    group_items,
    is_window_item,
    judge_flow,
    mean_of_values,
    sessions,
    split_late,
    to_datetime,
    window_rows,
    window_verdict,
)
from learnstream.grading.kit import strategies as st
from learnstream.operators.windowing import (
    SlidingWindower,
    TumblingWindower,
    Windower,
)

#: The contracts' constants (see the stubs' docstrings).
SENSOR_WAIT = 10 * SECOND
CLICK_WAIT = 30 * SECOND
GAP = 5 * MINUTE
SLIDE_LENGTH, SLIDE_OFFSET = 3 * MINUTE, MINUTE


def _td(micros: int) -> timedelta:
    return timedelta(microseconds=micros)


def _tumbling() -> Windower:
    """The one-minute windows of exercises 1 and 4, for the timeline."""
    return TumblingWindower(_td(MINUTE), to_datetime(0))


_PAGES = ("/home", "/search", "/cart")


# --- the grader's own answers ----------------------------------------------------


def tumbling_means(events: Sequence[Event]) -> dict[tuple[str, int], float]:
    """Mean value per (key, one-minute window) of the on-time events."""
    return _means(events, MINUTE, MINUTE)


def sliding_means(events: Sequence[Event]) -> dict[tuple[str, int], float]:
    """Mean value per (key, three-minute window starting every minute) of the on-time events."""
    return _means(events, SLIDE_LENGTH, SLIDE_OFFSET)


def _means(events: Sequence[Event], length: int, offset: int) -> dict[tuple[str, int], float]:
    good, _ = split_late(events, SENSOR_WAIT)
    values: dict[tuple[str, int], list[float]] = {}
    for event in good:
        for wid in fixed_windows([event], length, offset):
            values.setdefault(wid, []).append(event.value)
    return {wid: math.fsum(vs) / len(vs) for wid, vs in values.items()}


def session_stats(events: Sequence[Event]) -> dict[tuple[str, int], tuple[Any, ...]]:
    """`(start, end, events, clicks)` per (user, session start) of the on-time events."""
    good, _ = split_late(events, CLICK_WAIT)
    out = {}
    for user, runs in sessions(good, GAP).items():
        for run in runs:
            clicks = sum(1 for e in run if e.value[0] == "click")
            stats = (to_datetime(run[0].t), to_datetime(run[-1].t), len(run), clicks)
            out[user, run[0].t] = stats
    return out


def window_counts(events: Sequence[Event]) -> dict[tuple[str, int], int]:
    """On-time events per (key, one-minute window)."""
    good, _ = split_late(events, SENSOR_WAIT)
    return dict(Counter(wid for e in good for wid in fixed_windows([e], MINUTE, MINUTE)))


def late_counts(events: Sequence[Event]) -> dict[str, int]:
    """Late events per key (keys with none are absent)."""
    _, late = split_late(events, SENSOR_WAIT)
    return dict(Counter(e.key for e in late))


# --- inputs --------------------------------------------------------------------------


def _reading(event: Event) -> dict[str, Any]:
    return {"sensor": event.key, "temp": event.value, "ts": to_datetime(event.t)}


def _click(event: Event) -> dict[str, Any]:
    action, page = event.value
    return {"user": event.key, "action": action, "page": page, "ts": to_datetime(event.t)}


def _seconds(lo: int, hi: int, period: int) -> st.SearchStrategy[int]:
    """Seconds in [lo, hi], often exactly on (or one second off) a multiple of `period`."""
    edges = sorted({p + d for p in range(lo - lo % period, hi + 1, period) for d in (-1, 0, 1)})
    edges = [s for s in edges if lo <= s <= hi]
    return st.one_of(st.integers(lo, hi), st.sampled_from(edges))


def _temps() -> st.SearchStrategy[float]:
    return st.integers(-200, 400).map(lambda tenths: tenths / 10)


def _clicks() -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(st.sampled_from(("view", "click")), st.sampled_from(_PAGES))


def _stream(
    prefix: str,
    keys: int,
    seconds: st.SearchStrategy[int],
    values: st.SearchStrategy[Any],
    *,
    ordered: bool,
    max_size: int = 16,
) -> st.SearchStrategy[list[Event]]:
    """Lists of events over `keys` keys, in time order or delayed as by a network.

    Out of order, each event draws a delay and events arrive in order of time +
    delay. The delays cluster around the sensors' wait (10 s), so an event
    arrives just before, exactly on or just after its key's watermark; larger
    ones make events arrive long after their window. Hypothesis shrinks delays
    to 0, i.e. towards the stream in time order.
    """
    delays = st.one_of(st.sampled_from([0, 1, 5, 9, 10, 11, 19, 20, 21]), st.integers(0, 120))

    def build(rows: list[tuple[int, int, Any, int]]) -> list[Event]:
        arrival = sorted(range(len(rows)), key=lambda i: (rows[i][1] + rows[i][3], i))
        return [
            Event(n, f"{prefix}-{rows[i][0]}", rows[i][1] * SECOND, rows[i][2])
            for n, i in enumerate(arrival)
        ]

    row = st.tuples(st.integers(0, keys - 1), seconds, values, st.just(0) if ordered else delays)
    return st.lists(row, min_size=1, max_size=max_size).map(build)


def _gaps_stream(keys: int, *, ordered: bool) -> st.SearchStrategy[list[Event]]:
    """Click events whose neighbours are often exactly GAP (or GAP ± 1 s) apart.

    Each user's events are drawn as steps forward in time. Out of order, each
    event also draws a network delay and events arrive in order of time + delay;
    the delays cluster around the clicks' wait (30 s), so an event may arrive
    after a later one yet on time, exactly on the watermark, or late (a late
    event may be one that would have bridged two sessions). Hypothesis shrinks
    delays to 0: the stream in time order.
    """
    step = st.one_of(st.sampled_from([0, 1, 5, 20, 299, 300, 301, 600]), st.integers(0, 700))
    delay = st.one_of(st.sampled_from([0, 1, 5, 10, 20, 29, 30, 31, 60]), st.integers(0, 400))

    def build(rows: list[tuple[int, int, tuple[str, str], int]]) -> list[Event]:
        times: dict[int, int] = {}
        events = []
        for k, gap, value, late_by in rows:
            times[k] = times.get(k, 0) + gap
            events.append((times[k] + late_by, k, times[k], value))
        events.sort(key=lambda e: e[0])  # stable: equal arrival times keep draw order
        return [Event(n, f"user-{k}", s * SECOND, v) for n, (_, k, s, v) in enumerate(events)]

    row = st.tuples(st.integers(0, keys - 1), step, _clicks(), st.just(0) if ordered else delay)
    return st.lists(row, min_size=1, max_size=14).map(build)


def _simulated_sensors(seed: int, limit: int, disorder_s: int) -> list[Event]:
    from learnstream.connectors.simulated import SensorSource

    source = SensorSource(
        sensors=3, seed=seed, limit=limit, max_disorder=timedelta(seconds=disorder_s)
    )
    return [Event(n, r["sensor"], from_datetime(r["ts"]), r["temp"]) for n, r in enumerate(source)]


def _simulated_clicks(seed: int, limit: int) -> list[Event]:
    from learnstream.connectors.simulated import ClickstreamSource

    source = ClickstreamSource(users=3, seed=seed, limit=limit, max_disorder=timedelta(seconds=45))
    # Whole seconds: the report's times stay short, and ties become likelier.
    return [
        Event(n, e["user"], from_datetime(e["ts"]) // SECOND * SECOND, (e["action"], e["page"]))
        for n, e in enumerate(source)
    ]


def _close(want: float, have: Any) -> bool:
    return type(have) in (int, float) and abs(have - want) <= 1e-9 * max(1.0, abs(want))


def _mean_ok(value: Any) -> bool:
    return type(value) in (int, float)


def _show_float(value: Any) -> str:
    if type(value) is not float:
        return short_repr(value)
    text = f"{value:.6g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _judge_means(
    events: Sequence[Event],
    items: list[Any],
    reference: Callable[[Sequence[Event]], dict[tuple[str, int], float]],
    length: int,
    offset: int,
) -> None:
    ok = lambda item: is_window_item(item, _mean_ok)  # noqa: E731
    got = group_items(items, ok, "(sensor, (window_id, mean_temp)) with an int id", "the sink")
    good, _ = split_late(events, SENSOR_WAIT)
    windows = fixed_windows(good, length, offset)

    def window_of(wk: tuple[str, int]) -> Window:
        key, wid = wk
        return windows.get(wk) or Window(key, wid, wid * offset, wid * offset + length)

    rows = window_rows(reference(events), got, window_of, _close, _show_float)
    windower = (
        _tumbling()
        if length == offset
        else SlidingWindower(_td(length), _td(offset), to_datetime(0))
    )
    window_verdict(rows, events, windower, SENSOR_WAIT, "mean", mean_of_values)


#: How each exercise's flow is called (see the stubs' docstrings).
_ON_READING_TS = "EventClock on reading['ts']"
SENSORS = FlowContract(("reading",), _reading, SENSOR_WAIT, clock=_ON_READING_TS)
CLICKS = FlowContract(("event",), _click, CLICK_WAIT, clock="EventClock on event['ts']")
LATE_FLOW = FlowContract(("reading",), _reading, SENSOR_WAIT, sinks=2, clock=_ON_READING_TS)

EventTest = Callable[[Session, list[Event]], None]


def _means_check(
    strategy: Any,
    reference: Callable[[Sequence[Event]], dict[tuple[str, int], float]],
    length: int,
    offset: int,
    max_examples: int | None = None,
    edges: Sequence[list[Event]] = (),
) -> Callable[[Session], None]:
    def test(session: Session, events: list[Event]) -> None:
        def judge(outputs: list[list[Any]]) -> None:
            (items,) = outputs
            _judge_means(events, items, reference, length, offset)

        judge_flow(session, SENSORS, events, judge)

    return events_check(test, strategy, max_examples=max_examples, edges=edges)


#: Readings on and around a minute boundary, and before ALIGN (window -1).
BOUNDARY_EDGES = (fixed("sensor", [(0, -1, 18.0), (0, 0, 19.0), (0, 59, 20.0), (0, 60, 21.0)]),)
#: Readings behind the latest by less than, exactly and more than the wait (10 s).
WAIT_EDGES = (
    fixed("sensor", [(0, 9, 20.5), (0, 0, 19.0)]),  # 9 s behind: on time
    fixed("sensor", [(0, 10, 20.5), (0, 0, 19.0)]),  # exactly on the watermark: on time
    fixed("sensor", [(0, 11, 20.5), (0, 0, 19.0)]),  # 1 s past it: late
    fixed("sensor", [(0, 100, 20.5), (1, 0, 19.0)]),  # another sensor's times do not count
    fixed("sensor", [(0, 60, 20.5), (0, 60, 21.0), (0, 59, 19.0)]),  # equal times
)
_VIEW, _CLICK = ("view", "/home"), ("click", "/cart")
#: Events exactly GAP apart (one session) and one second more (two).
GAP_EDGES = (
    fixed("user", [(0, 0, _VIEW), (0, 300, _CLICK)]),
    fixed("user", [(0, 0, _VIEW), (0, 301, _CLICK)]),
)
#: Events out of order around the clicks' wait (30 s), and bridges between sessions.
CLICK_DISORDER_EDGES = (
    fixed("user", [(0, 20, _CLICK), (0, 0, _VIEW)]),  # the earliest arrives second
    fixed("user", [(0, 30, _CLICK), (0, 0, _VIEW)]),  # exactly on the watermark: on time
    fixed("user", [(0, 31, _CLICK), (0, 0, _VIEW)]),  # 1 s past it: late
    fixed("user", [(0, 0, _VIEW), (0, 320, _CLICK), (0, 290, _VIEW)]),  # on time: one session
    fixed("user", [(0, 0, _VIEW), (0, 600, _CLICK), (0, 300, _VIEW)]),  # late bridge: two
)
