"""Part 2 "Controlling time": the checks of `tumbling`, `sliding`, `sessions` and `late`.

Every exercise is a `build_flow(source, sink, ...)`. The grader runs it in the
child process on its own event streams (with the flow's clock frozen, so that
lateness depends on event time alone) and computes the right windows here,
from plain data, with the small model in `learnstream.grading.eventtime`. The
constants of each contract (window length, alignment, wait, gap) are repeated
here on purpose: the grader never reads them from the learner's file.

The streams are written against clever wrong answers: readings exactly on a
window boundary and on the watermark, equal timestamps, disorder within and
beyond the wait (late items must be left out, or counted), readings before the
alignment (negative window ids), sessions exactly `GAP` apart, late events
that would bridge two sessions, and many keys interleaved.

>>> [exercise.name for exercise in EXERCISES]
['tumbling', 'sliding', 'sessions', 'late']
>>> events = [Event(0, "s", 0, 1.0), Event(1, "s", 59 * SECOND, 2.0), Event(2, "s", MINUTE, 4.0)]
>>> tumbling_means(events)
{('s', 0): 1.5, ('s', 1): 4.0}
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from learnstream.errors import short_repr
from learnstream.grading.checking import CheckFailed, Session, from_learner_error
from learnstream.grading.codec import same
from learnstream.grading.eventtime import (
    MINUTE,
    SECOND,
    Event,
    Row,
    Window,
    clock,
    fixed_windows,
    from_datetime,
    sessions,
    split_late,
    to_datetime,
    window_diff,
)
from learnstream.grading.registry import Check, Exercise
from learnstream.grading.sandbox import LearnerError, SandboxDied
from learnstream.operators.windowing import (
    SessionWindower,
    SlidingWindower,
    TumblingWindower,
    Windower,
)
from learnstream.wording import plural

#: The contracts' constants (see the stubs' docstrings).
SENSOR_WAIT = 10 * SECOND
CLICK_WAIT = 30 * SECOND
GAP = 5 * MINUTE
SLIDE_LENGTH, SLIDE_OFFSET = 3 * MINUTE, MINUTE

_PROBE = "learnstream.grading.probes:run_timed_flow"


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


def _show_events(events: Sequence[Event]) -> str:
    """The input stream as a reader sees it, in arrival order."""
    shown = [f"#{e.n + 1} {e.key} {clock(e.t)} {_value_text(e.value)}" for e in events[:12]]
    more = f", ... ({len(events)} in all)" if len(events) > 12 else ""
    return f"{plural(len(events), 'event')} in arrival order: " + ", ".join(shown) + more


def _value_text(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return short_repr(value)


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


# --- running the learner's flow and judging it -------------------------------------------


@dataclass(frozen=True)
class Contract:
    """How one exercise's flow is called and what its sink items look like."""

    what: str  # "readings" or "events"
    make_item: Callable[[Event], dict[str, Any]]
    wait: int
    sinks: int = 1


def _outputs(session: Session, contract: Contract, events: Sequence[Event]) -> list[list[Any]]:
    items = [contract.make_item(e) for e in events]
    noun = contract.what if len(items) != 1 else contract.what.removesuffix("s")
    call = f"build_flow(...) run on {len(items)} {noun}"
    report = session.probe(_PROBE, call, fn="build_flow", items=items, sinks=contract.sinks)
    if "outputs" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`"
        )
    outputs: list[list[Any]] = report["outputs"]
    return outputs


def _is_window_item(item: Any, value_ok: Callable[[Any], bool]) -> bool:
    return (
        type(item) is tuple
        and len(item) == 2
        and type(item[0]) is str
        and type(item[1]) is tuple
        and len(item[1]) == 2
        and type(item[1][0]) is int
        and value_ok(item[1][1])
    )


def _group(
    items: list[Any], ok: Callable[[Any], bool], shape: str, sink: str
) -> dict[Any, list[Any]]:
    """Sink items grouped by (key, window), after checking each has the contract's shape."""
    got: dict[Any, list[Any]] = {}
    for item in items:
        if not ok(item):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to {sink}; every item must be {shape}"
            )
        key, (wid, value) = item
        got.setdefault((key, wid), []).append(value)
    return got


def _rows(
    expected: dict[Any, Any],
    got: dict[Any, list[Any]],
    window_of: Callable[[Any], Window],
    equal: Callable[[Any, Any], bool],
    show: Callable[[Any], str],
) -> list[Row]:
    rows = []
    for wk in set(expected) | set(got):
        want, have = expected.get(wk), got.get(wk, [])
        ok = want is not None and len(have) == 1 and equal(want, have[0])
        yours = ", ".join(show(v) for v in have) or "(missing)"
        if len(have) > 1:
            yours += f"  ({len(have)} times)"
        rows.append(Row(window_of(wk), "(no window)" if want is None else show(want), yours, ok))
    return sorted(rows, key=lambda r: (r.window.open, r.window.key, str(r.window.wid)))


def _verdict(
    rows: list[Row], events: Sequence[Event], windower: Windower, wait: int, what: str
) -> None:
    """Fail on the first wrong row: a sentence, then the timeline and the per-window diff."""
    first = next((row for row in rows if not row.ok), None)
    if first is None:
        return
    window = first.window
    where = f"key {window.key!r}, {window.label()}"
    if window.name is not None:
        where = f"key {window.key!r}"
    elif not window.session:
        where = f"key {window.key!r}, window {window.label()}"
    if first.expected == "(no window)" and window.name is not None:
        message = f"your flow wrote a {what} for {where}, which had no late readings"
    elif first.expected == "(no window)":
        held = [e for e in events if e.key == window.key and window.open <= e.t < window.close]
        why = (
            " — only late items fall in it, and late items are left out"
            if held
            else " — no item falls in it"
        )
        message = f"your flow wrote a {what} for {where}, which should not exist{why}"
    elif first.actual == "(missing)":
        message = f"your flow wrote no {what} for {where}; expected {first.expected}"
    elif first.actual.endswith("times)"):
        message = f"your flow wrote the {what} of {where} more than once; each window closes once"
    else:
        message = f"wrong {what} for {where}: expected {first.expected}, yours {first.actual}"
    picture = _timeline(events, windower, wait, window)
    raise CheckFailed(message, f"{picture}\n\n{window_diff(rows)}".strip())


_TIMELINE_EVENTS = 24
_TIMELINE_WIDTH = 72


def _timeline(events: Sequence[Event], windower: Windower, wait: int, window: Window) -> str:
    """The event-time timeline of `events`, drawn by `learnstream.timeline`, `window` highlighted.

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
        return note + picture.to_text(width=_TIMELINE_WIDTH)
    except Exception as trouble:  # a picture must never turn a verdict into a grader error
        return f"(the timeline could not be drawn: {type(trouble).__name__}: {trouble})"


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
    contract: Contract,
    reference: Callable[[Sequence[Event]], dict[tuple[str, int], float]],
    length: int,
    offset: int,
) -> None:
    ok = lambda item: _is_window_item(item, _mean_ok)  # noqa: E731
    got = _group(items, ok, "(sensor, (window_id, mean_temp)) with an int id", "the sink")
    expected = reference(events)
    good, _ = split_late(events, contract.wait)
    windows = fixed_windows(good, length, offset)

    def window_of(wk: tuple[str, int]) -> Window:
        key, wid = wk
        return windows.get(wk) or Window(key, wid, wid * offset, wid * offset + length)

    rows = _rows(expected, got, window_of, _close, _show_float)
    windower = (
        _tumbling()
        if length == offset
        else SlidingWindower(_td(length), _td(offset), to_datetime(0))
    )
    _verdict(rows, events, windower, contract.wait, "mean")


SENSORS = Contract("readings", _reading, SENSOR_WAIT)
CLICKS = Contract("events", _click, CLICK_WAIT)
LATE = Contract("readings", _reading, SENSOR_WAIT, sinks=2)


def _means_check(
    strategy: Any,
    reference: Callable[[Sequence[Event]], dict[tuple[str, int], float]],
    length: int,
    offset: int,
    max_examples: int | None = None,
    edges: Sequence[list[Event]] = (),
) -> Callable[[Session], None]:
    def test(session: Session, events: list[Event]) -> None:
        (items,) = _outputs(session, SENSORS, events)
        _judge_means(events, items, SENSORS, reference, length, offset)

    return _property(strategy, test, max_examples, edges=edges)


def _fixed(prefix: str, rows: list[tuple[int, int, Any]]) -> list[Event]:
    """A hand-made stream: (key number, seconds after ALIGN, value) in arrival order."""
    return [Event(n, f"{prefix}-{k}", s * SECOND, v) for n, (k, s, v) in enumerate(rows)]


#: Readings on and around a minute boundary, and before ALIGN (window -1).
BOUNDARY_EDGES = (_fixed("sensor", [(0, -1, 18.0), (0, 0, 19.0), (0, 59, 20.0), (0, 60, 21.0)]),)
#: Readings behind the latest by less than, exactly and more than the wait (10 s).
WAIT_EDGES = (
    _fixed("sensor", [(0, 9, 20.5), (0, 0, 19.0)]),  # 9 s behind: on time
    _fixed("sensor", [(0, 10, 20.5), (0, 0, 19.0)]),  # exactly on the watermark: on time
    _fixed("sensor", [(0, 11, 20.5), (0, 0, 19.0)]),  # 1 s past it: late
    _fixed("sensor", [(0, 100, 20.5), (1, 0, 19.0)]),  # another sensor's times do not count
    _fixed("sensor", [(0, 60, 20.5), (0, 60, 21.0), (0, 59, 19.0)]),  # equal times
)
_VIEW, _CLICK = ("view", "/home"), ("click", "/cart")
#: Events exactly GAP apart (one session) and one second more (two).
GAP_EDGES = (
    _fixed("user", [(0, 0, _VIEW), (0, 300, _CLICK)]),
    _fixed("user", [(0, 0, _VIEW), (0, 301, _CLICK)]),
)
#: Events out of order around the clicks' wait (30 s), and bridges between sessions.
CLICK_DISORDER_EDGES = (
    _fixed("user", [(0, 20, _CLICK), (0, 0, _VIEW)]),  # the earliest arrives second
    _fixed("user", [(0, 30, _CLICK), (0, 0, _VIEW)]),  # exactly on the watermark: on time
    _fixed("user", [(0, 31, _CLICK), (0, 0, _VIEW)]),  # 1 s past it: late
    _fixed("user", [(0, 0, _VIEW), (0, 320, _CLICK), (0, 290, _VIEW)]),  # on time: one session
    _fixed("user", [(0, 0, _VIEW), (0, 600, _CLICK), (0, 300, _VIEW)]),  # late bridge: two
)


def _on_fixed(
    session: Session, test: Callable[[Session, list[Event]], None], events: list[Event]
) -> None:
    """`test` on one fixed stream; a failure shows that stream as its input."""
    try:
        test(session, events)
    except CheckFailed as failure:
        failure.example, failure.shown = events, _show_events(events)
        raise
    except LearnerError as err:
        if err.kind in ("not_implemented", "missing"):
            raise
        failure = from_learner_error(err)
        failure.example, failure.shown = events, _show_events(events)
        raise failure from None


def _property(
    strategy: Any,
    test: Callable[[Session, list[Event]], None],
    max_examples: int | None = None,
    at_least: int = 0,
    edges: Sequence[list[Event]] = (),
) -> Callable[[Session], None]:
    """A check: `test` on the fixed events, or on `edges` then every stream hypothesis draws.

    The edges are small hand-made streams at the exact boundaries (a reading
    exactly on the watermark, one second past it, ...): the classic mistakes
    fail on them whatever hypothesis happens to draw.
    """

    def run(session: Session) -> None:
        if isinstance(strategy, list):  # one fixed stream (the simulated examples)
            _on_fixed(session, test, strategy)
            return
        for edge in edges:
            try:
                _on_fixed(session, test, edge)
            except CheckFailed as failure:
                failure.shrunk = True  # an edge is as small as a failing stream gets
                raise
        try:
            session.for_all(
                strategy,
                lambda events: test(session, events),
                describe=_show_events,
                max_examples=max(
                    at_least, min(session.max_examples, max_examples or session.max_examples)
                ),
            )
        except CheckFailed as failure:
            if isinstance(failure.example, list) and len(failure.example) > 2:
                raise _smaller(session, test, failure) from None
            raise

    return run


def _renumbered(events: Sequence[Event]) -> list[Event]:
    return [Event(n, e.key, e.t, e.value) for n, e in enumerate(events)]


def _smaller(
    session: Session, test: Callable[[Session, list[Event]], None], failure: CheckFailed
) -> CheckFailed:
    """The failure on the smallest stream found by dropping one event at a time.

    Hypothesis shrinks lists of records poorly (it cannot always delete an
    element), so a failing stream may still hold events that play no part; a
    learner should see only those that do. Each try is one more run of their
    flow; a try that fails differently (an exception, a crash) is not taken.
    """
    best, events = failure, list(failure.example)
    shrinking = True
    while shrinking and len(events) > 1:
        shrinking = False
        for index in range(len(events)):
            trial = _renumbered(events[:index] + events[index + 1 :])
            try:
                test(session, trial)
            except CheckFailed as smaller:
                best, events, shrinking = smaller, trial, True
                break
            except (LearnerError, SandboxDied):
                if isinstance(sys.exc_info()[1], SandboxDied):
                    return failure  # the child is gone: keep what hypothesis found
    if best is not failure:
        best.example, best.shown, best.shrunk = events, _show_events(events), True
    return best


# --- exercise 1: tumbling ------------------------------------------------------------

_IN_ORDER = _stream("sensor", 2, _seconds(-90, 240, 60), _temps(), ordered=True)
_DISORDER = _stream("sensor", 2, _seconds(-30, 150, 10), _temps(), ordered=False)
_MANY = _stream("sensor", 9, _seconds(0, 150, 30), _temps(), ordered=False, max_size=40)
_SIM_SENSORS = _simulated_sensors(7, 90, 25)

_WINDOW_HINT = (
    "Key by sensor with op.key_on, then a windowing operator with "
    "EventClock(lambda r: r['ts'], wait_for_system_duration=WAIT) and the windower "
    "the docstring names; don't compute windows by hand."
)

TUMBLING = Exercise(
    name="tumbling",
    file="ex1_tumbling.py",
    title="Mean temperature per sensor per minute",
    checks=(
        Check(
            "boundaries",
            "in-order readings on and around minute boundaries",
            3,
            _means_check(_IN_ORDER, tumbling_means, MINUTE, MINUTE, edges=BOUNDARY_EDGES),
            "A window's open time is inclusive and its close exclusive: a reading at exactly "
            "00:01:00 is in window 1. Align with TumblingWindower(length=LENGTH, align_to=ALIGN).",
        ),
        Check(
            "disorder",
            "readings out of order: late ones left out",
            3,
            _means_check(_DISORDER, tumbling_means, MINUTE, MINUTE, edges=WAIT_EDGES),
            "Use EventClock on reading['ts'] with wait_for_system_duration=WAIT: a reading "
            "older than its sensor's latest ts minus WAIT is late and is not averaged.",
        ),
        Check(
            "many_keys",
            "many sensors interleaved",
            2,
            _means_check(_MANY, tumbling_means, MINUTE, MINUTE, 40),
            "Each sensor has its own windows: key by reading['sensor'] before windowing.",
        ),
        Check(
            "example",
            "the simulated sensors (3 sensors, disorder up to 25 s)",
            2,
            _means_check(_SIM_SENSORS, tumbling_means, MINUTE, MINUTE),
        ),
    ),
    hints=(
        "Windows need a key and a clock: `op.key_on('by_sensor', readings, lambda r: "
        "r['sensor'])`, then `win.EventClock(lambda r: r['ts'], wait_for_system_duration=WAIT)`.",
        "A mean needs a sum and a count: `win.fold_window(..., builder=lambda: (0.0, 0), "
        "folder=lambda acc, r: (acc[0] + r['temp'], acc[1] + 1), merger=...)`.",
        "The result is on `.down` as `(sensor, (window_id, (total, count)))`: "
        "`op.map_value('mean', out.down, lambda w: (w[0], w[1][0] / w[1][1]))`, then op.output.",
    ),
)


# --- exercise 2: sliding -------------------------------------------------------------

_SLIDE_ORDER = _stream("sensor", 2, _seconds(-120, 300, 60), _temps(), ordered=True)
_SLIDE_DISORDER = _stream("sensor", 2, _seconds(-30, 240, 10), _temps(), ordered=False)
_SLIDE_MANY = _stream("sensor", 8, _seconds(0, 200, 60), _temps(), ordered=False, max_size=40)
_SIM_SLIDE = _simulated_sensors(8, 60, 25)

SLIDING = Exercise(
    name="sliding",
    file="ex2_sliding.py",
    title="Three-minute moving average, each minute",
    checks=(
        Check(
            "boundaries",
            "every reading counts in three windows, boundaries included",
            3,
            _means_check(
                _SLIDE_ORDER, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, edges=BOUNDARY_EDGES
            ),
            "SlidingWindower(length=LENGTH, offset=OFFSET, align_to=ALIGN): window i covers "
            "[ALIGN + i minutes, ALIGN + i minutes + 3 minutes).",
        ),
        Check(
            "disorder",
            "readings out of order: late ones left out",
            3,
            _means_check(
                _SLIDE_DISORDER, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, edges=WAIT_EDGES
            ),
            "Use EventClock on reading['ts'] with wait_for_system_duration=WAIT.",
        ),
        Check(
            "many_keys",
            "many sensors interleaved",
            2,
            _means_check(_SLIDE_MANY, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET, 40),
            "Key by reading['sensor'] before windowing.",
        ),
        Check(
            "example",
            "the simulated sensors (3 sensors, disorder up to 25 s)",
            2,
            _means_check(_SIM_SLIDE, sliding_means, SLIDE_LENGTH, SLIDE_OFFSET),
        ),
    ),
    hints=(
        "A moving average is a mean over overlapping windows: the same flow as exercise 1 "
        "with `win.SlidingWindower(length=LENGTH, offset=OFFSET, align_to=ALIGN)`.",
        "Overlapping windows share readings; fold_window (sum, count) or collect_window "
        "both work — the clock must see whole readings, so pick 'temp' out in the folder.",
        "`op.map_value('mean', out.down, lambda w: (w[0], w[1][0] / w[1][1]))` turns "
        "(total, count) into the mean; write that to the sink.",
    ),
)


# --- exercise 3: sessions ----------------------------------------------------------------


def _judge_sessions(events: Sequence[Event], items: list[Any]) -> None:
    def ok(item: Any) -> bool:
        if not (type(item) is tuple and len(item) == 2 and type(item[0]) is str):
            return False
        stats = item[1]
        return (
            type(stats) is tuple
            and len(stats) == 4
            and all(type(ts) is datetime and ts.utcoffset() is not None for ts in stats[:2])
            and all(type(n) is int for n in stats[2:])
        )

    got: dict[Any, list[Any]] = {}
    for item in items:
        if not ok(item):
            raise CheckFailed(
                f"your flow wrote {short_repr(item)} to the sink; every item must be "
                "(user, (start, end, events, clicks)) with aware datetimes and ints"
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

    rows = _rows(expected, got, window_of, same, show)
    _verdict(rows, events, SessionWindower(_td(GAP)), CLICK_WAIT, "session summary")


def _sessions_check(
    strategy: Any,
    max_examples: int | None = None,
    at_least: int = 0,
    edges: Sequence[list[Event]] = (),
) -> Callable[[Session], None]:
    def test(session: Session, events: list[Event]) -> None:
        (items,) = _outputs(session, CLICKS, events)
        _judge_sessions(events, items)

    return _property(strategy, test, max_examples, at_least, edges)


_SIM_CLICKS = _simulated_clicks(5, 60)
_USERS_MANY = _stream("user", 8, _seconds(0, 1500, 300), _clicks(), ordered=False, max_size=40)

SESSIONS = Exercise(
    name="sessions",
    file="ex3_sessions.py",
    title="Sessions of a clickstream, with stats",
    checks=(
        Check(
            "gap",
            "in-order events exactly GAP apart share a session; GAP + 1 s apart do not",
            3,
            _sessions_check(_gaps_stream(2, ordered=True), edges=GAP_EDGES),
            "SessionWindower(gap=GAP): events at most GAP apart, GAP itself included, "
            "are one session.",
        ),
        Check(
            "disorder",
            "events out of order: sessions merge, late ones left out",
            3,
            # Arrival order matters only for events close in time that swap places:
            # rarer than other mistakes, so this search never runs short.
            _sessions_check(
                _gaps_stream(2, ordered=False), at_least=60, edges=CLICK_DISORDER_EDGES
            ),
            "Let the EventClock (waiting WAIT) and the SessionWindower order the events; "
            "start and end are the earliest and latest ts, not the first and last to arrive.",
        ),
        Check(
            "many_users",
            "many users interleaved",
            2,
            _sessions_check(_USERS_MANY, 40),
            "Key by event['user'] before windowing: each user has their own sessions.",
        ),
        Check(
            "example",
            "the simulated clickstream (3 users, disorder up to 45 s)",
            2,
            _sessions_check(_SIM_CLICKS),
        ),
    ),
    hints=(
        "Key the events by user, and window them with `win.SessionWindower(gap=GAP)` and an "
        "`EventClock(lambda e: e['ts'], wait_for_system_duration=WAIT)`.",
        "`win.collect_window('collect', keyed, clock, windower)` gives each session's events "
        "as a list on `.down`: `(user, (session_id, [event, ...]))`.",
        "From the list: start = min of the ts, end = max, events = len, clicks = how many "
        "have action == 'click'; map_value to `(start, end, events, clicks)`.",
    ),
)


# --- exercise 4: late ------------------------------------------------------------------------


def _late_test(part: str) -> Callable[[Session, list[Event]], None]:
    """Judge the window counts ("windows"), the late counts ("late") or both."""

    def test(session: Session, events: list[Event]) -> None:
        windows_out, late_out = _outputs(session, LATE, events)
        good, _ = split_late(events, SENSOR_WAIT)
        if part in ("windows", "both"):
            ok = lambda item: _is_window_item(item, lambda v: type(v) is int)  # noqa: E731
            got = _group(windows_out, ok, "(sensor, (window_id, count)) of ints", "sink")
            windows = fixed_windows(good, MINUTE, MINUTE)

            def window_of(wk: tuple[str, int]) -> Window:
                key, wid = wk
                return windows.get(wk) or Window(key, wid, wid * MINUTE, (wid + 1) * MINUTE)

            rows = _rows(window_counts(events), got, window_of, same, short_repr)
            _verdict(rows, events, _tumbling(), SENSOR_WAIT, "count")
        if part in ("late", "both"):
            counts: dict[Any, list[Any]] = {}
            for item in late_out:
                if not (type(item) is tuple and len(item) == 2 and type(item[0]) is str):
                    raise CheckFailed(
                        f"your flow wrote {short_repr(item)} to late_sink; every item must be "
                        "(sensor, number_of_late_readings)"
                    )
                counts.setdefault(item[0], []).append(item[1])
            rows = _rows(
                late_counts(events),
                counts,
                lambda key: Window(key, "late", 0, 0, name="late readings"),
                same,
                short_repr,
            )
            _verdict(rows, events, _tumbling(), SENSOR_WAIT, "late count")

    return test


_LATE_DISORDER = _stream("sensor", 2, _seconds(-20, 130, 10), _temps(), ordered=False)
_LATE_MANY = _stream("sensor", 8, _seconds(0, 120, 10), _temps(), ordered=False, max_size=40)
_SIM_LATE = _simulated_sensors(11, 120, 40)

LATE_EXERCISE = Exercise(
    name="late",
    file="ex4_late.py",
    title="Late readings to a side output, counted",
    checks=(
        Check(
            "windows",
            "on-time readings counted per sensor and minute",
            3,
            _property(_LATE_DISORDER, _late_test("windows"), edges=WAIT_EDGES),
            "count_window(..., key=lambda r: r['sensor']) counts each window's on-time readings "
            "and writes (sensor, (window_id, count)) on .down.",
        ),
        Check(
            "late_counts",
            "late readings counted per sensor on the side output",
            3,
            _property(_LATE_DISORDER, _late_test("late"), edges=WAIT_EDGES),
            "A reading is late when its ts is before its sensor's watermark (latest ts minus "
            "WAIT); exactly on it is on time. The window operator's .late stream holds them.",
        ),
        Check(
            "many_keys",
            "many sensors interleaved, both outputs",
            2,
            _property(_LATE_MANY, _late_test("both"), 40),
            "Count late readings per sensor: the key of .late items is the sensor.",
        ),
        Check(
            "example",
            "the simulated sensors (3 sensors, disorder up to 40 s)",
            2,
            _property(_SIM_LATE, _late_test("both")),
        ),
    ),
    hints=(
        "Every windowing operator returns a WindowOut: `.down` has the results, `.late` the "
        "items that came too late, as `(sensor, (window_id, reading))`.",
        "Write `counts.down` to `sink`. For the side output, count `counts.late` per sensor "
        "with `op.count_final('count_late', counts.late, lambda item: item[0])`.",
        "count_final emits `(sensor, n)` when the input ends; write it to `late_sink` "
        "with a second op.output step.",
    ),
)

EXERCISES = (TUMBLING, SLIDING, SESSIONS, LATE_EXERCISE)
