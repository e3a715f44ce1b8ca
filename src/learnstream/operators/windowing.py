"""Windows on event time: clocks, windowers and the windowing operators.

`import learnstream.operators.windowing as win`. Names, arguments and results
follow `bytewax.operators.windowing` (0.21).

A **clock** says what time an item belongs to and how far time has got (the
*watermark*): `EventClock` reads a timestamp from each item and lets the
watermark trail the largest timestamp seen by `wait_for_system_duration`;
`SystemClock` stamps items with the time they are processed. A **windower** says
which windows an item falls in: `TumblingWindower` (back-to-back windows),
`SlidingWindower` (overlapping windows every `offset`) or `SessionWindower`
(windows that stay open while items keep coming within `gap`).

Every windowing operator returns a `WindowOut` with three keyed streams:
`down` — `(key, (window_id, result))` when a window closes; `late` —
`(key, (window_id, item))` for items that arrived after the watermark had
passed them; `meta` — `(key, (window_id, WindowMetadata))` for each closed
window. Window ids count windows of length `offset` from `align_to` (window 0
starts at `align_to`); session ids count each key's sessions from 0. Rows made
at once come as on Bytewax 0.21.1: the batch's keys in key order, then the keys
only the clock moved on, in key order; a key's windows in the order they opened.

Watermarks are kept per key. Unlike Bytewax 0.21, a key keeps its watermark
after its windows have closed, so a late item always goes to `late` and no window
is emitted twice.

>>> from datetime import datetime, timedelta, timezone
>>> import learnstream.operators as op
>>> from learnstream.dataflow import Dataflow
>>> from learnstream.testing import TestingSource, run_main
>>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
>>> clicks = [("ada", t0), ("ada", t0 + timedelta(seconds=30)), ("bob", t0 + timedelta(minutes=1)),
...           ("ada", t0 + timedelta(minutes=1, seconds=5))]
>>> flow = Dataflow("per_minute")
>>> s = op.input("clicks", flow, TestingSource(clicks))
>>> clock = EventClock(lambda c: c[1], wait_for_system_duration=timedelta(seconds=10))
>>> windower = TumblingWindower(length=timedelta(minutes=1), align_to=t0)
>>> counts = count_window("count", s, clock, windower, key=lambda c: c[0])
>>> _ = op.inspect("show", counts.down)
>>> run_main(flow)
per_minute.show: ('ada', (0, 2))
per_minute.show: ('ada', (1, 1))
per_minute.show: ('bob', (1, 1))
"""

from __future__ import annotations

import builtins
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from learnstream.dataflow import (
    Dataflow,
    KeyedStream,
    Stream,
    current_call,
    learner_call,
    operator,
)
from learnstream.engine import windows_twin as core
from learnstream.errors import DataflowError, StepError
from learnstream.operators import JoinEmitMode, JoinInsertMode, key_on, map_value, merge

if TYPE_CHECKING:
    from learnstream.engine.window_steps import Aggregate, WindowConfig, WindowStep

V = TypeVar("V")
W = TypeVar("W")
S = TypeVar("S")
X = TypeVar("X")
DK = TypeVar("DK")
DV = TypeVar("DV")

__all__ = [
    "LATE_SESSION_ID",
    "UTC_MAX",
    "UTC_MIN",
    "ZERO_TD",
    "Clock",
    "EventClock",
    "SessionWindower",
    "SlidingWindower",
    "SystemClock",
    "TumblingWindower",
    "WindowLogic",
    "WindowMetadata",
    "WindowOut",
    "Windower",
    "collect_window",
    "count_window",
    "fold_window",
    "join_window",
    "max_window",
    "min_window",
    "reduce_window",
    "window",
]

ZERO_TD = timedelta(0)
"""A zero length of time."""
UTC_MAX = datetime.max.replace(tzinfo=UTC)
"""The latest representable UTC time: the watermark once the input has ended."""
UTC_MIN = datetime.min.replace(tzinfo=UTC)
"""The earliest representable UTC time: the watermark of a key before its first item."""
LATE_SESSION_ID = core.LATE_SESSION_ID
"""The window id of items late for a session window (which session is unknowable)."""


def _identity(x: X) -> X:
    return x


def _aware(name: str, dt: Any) -> datetime:
    if not isinstance(dt, datetime) or dt.utcoffset() is None:
        raise ValueError(
            f"{name} must be a timezone-aware datetime, e.g. "
            f"datetime(2024, 1, 1, tzinfo=timezone.utc); got {dt!r}"
        )
    return dt


def _positive(name: str, td: Any) -> timedelta:
    if not isinstance(td, timedelta) or td <= ZERO_TD:
        raise ValueError(
            f"{name} must be a positive timedelta, e.g. timedelta(minutes=1); got {td!r}"
        )
    return td


def _us(td: timedelta) -> int:
    return td // timedelta(microseconds=1)


# --- clocks -----------------------------------------------------------------


class Clock:
    """A sense of time for windowing: `SystemClock` or `EventClock`."""


@dataclass
class SystemClock(Clock):
    """Stamp each item with the (UTC) time it is processed; the watermark is now.

    No item is ever late. Windows close as real time passes, and all of them at EOF.
    """


@dataclass
class EventClock(Clock, Generic[V]):
    """Use the timestamp inside each item.

    `ts_getter(value)` returns the item's time as a **timezone-aware** datetime.
    A key's watermark is the largest timestamp seen for that key minus
    `wait_for_system_duration`, plus the system time that has passed since that
    item arrived; an item older than the watermark is late.

    `now_getter` returns the "system" time (default: the flow's clock, which is
    the wall clock unless `run_main(..., now_getter=...)` replaces it).
    `to_system_utc` is accepted for Bytewax compatibility: learnstream works out
    exactly when a watermark reaches a window's close, so it does not need it.

    >>> from datetime import timedelta
    >>> clock = EventClock(lambda reading: reading["ts"], timedelta(seconds=5))
    >>> clock.wait_for_system_duration
    datetime.timedelta(seconds=5)
    """

    ts_getter: Callable[[V], datetime]
    wait_for_system_duration: timedelta
    now_getter: Callable[[], datetime] | None = None
    to_system_utc: Callable[[datetime], datetime | None] = _identity

    def __post_init__(self) -> None:
        if not callable(self.ts_getter):
            raise TypeError(
                "EventClock's ts_getter must be a function of the item returning "
                f"its datetime, not {self.ts_getter!r}"
            )
        if not isinstance(self.wait_for_system_duration, timedelta):
            raise TypeError(
                "EventClock's wait_for_system_duration must be a timedelta, e.g. "
                f"timedelta(seconds=5), not {self.wait_for_system_duration!r}"
            )


# --- windowers --------------------------------------------------------------


class Windower:
    """Which windows an item falls in: tumbling, sliding or session windows."""


@dataclass
class SlidingWindower(Windower):
    """Windows of `length` starting every `offset`, the first at `align_to`.

    With `offset < length` windows overlap and an item lands in several; with
    `offset == length` they are tumbling windows. `offset > length` would leave
    gaps and is refused. Open times are inclusive, close times exclusive.

    >>> from datetime import datetime, timedelta, timezone
    >>> w = SlidingWindower(timedelta(minutes=10), timedelta(minutes=5),
    ...                     datetime(2024, 1, 1, tzinfo=timezone.utc))
    >>> w.offset
    datetime.timedelta(seconds=300)
    """

    length: timedelta
    offset: timedelta
    align_to: datetime

    def __post_init__(self) -> None:
        _positive("SlidingWindower length", self.length)
        _positive("SlidingWindower offset", self.offset)
        _aware("SlidingWindower align_to", self.align_to)
        if self.offset > self.length:
            raise ValueError(
                "sliding window `offset` can't be longer than `length`: items between "
                "windows would belong to none; use offset <= length"
            )


@dataclass
class TumblingWindower(Windower):
    """Back-to-back windows of `length`, one of them starting at `align_to`.

    Each item lands in exactly one window. Open times are inclusive, close times
    exclusive: an item exactly on a boundary belongs to the later window.
    """

    length: timedelta
    align_to: datetime

    def __post_init__(self) -> None:
        _positive("TumblingWindower length", self.length)
        _aware("TumblingWindower align_to", self.align_to)


@dataclass
class SessionWindower(Windower):
    """A key's items at most `gap` apart share a session; silence longer than `gap` ends it.

    Two sessions that an item brings within `gap` of each other merge.
    """

    gap: timedelta

    def __post_init__(self) -> None:
        if not isinstance(self.gap, timedelta) or self.gap < ZERO_TD:
            raise ValueError(
                f"session window `gap` must be a timedelta that is not negative, got {self.gap!r}"
            )


# --- results ----------------------------------------------------------------


@dataclass
class WindowMetadata:
    """When a closed window opened and closed, and which session ids merged into it.

    For sliding and tumbling windows `close_time` is exclusive; for sessions,
    `open_time` and `close_time` are the first and last item's times.
    """

    open_time: datetime
    close_time: datetime
    merged_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class WindowOut(Generic[V, W]):
    """The streams a windowing operator returns: `down`, `late` and `meta`."""

    down: KeyedStream[tuple[int, W]]
    """`(key, (window_id, result))`, when the window closes."""
    late: KeyedStream[tuple[int, V]]
    """`(key, (window_id, item))` for items the watermark had already passed."""
    meta: KeyedStream[tuple[int, WindowMetadata]]
    """`(key, (window_id, WindowMetadata))`, once per closed window."""


class WindowLogic(ABC, Generic[V, W, S]):
    """What the `window` operator does inside one window of one key.

    One instance per window, built by the operator's `builder(None)`.
    """

    @abstractmethod
    def on_value(self, value: V) -> Iterable[W]:
        """A value joined this window; return anything to emit now."""

    @abstractmethod
    def on_merge(self, original: WindowLogic[V, W, S]) -> Iterable[W]:
        """Session `original` merged into this one: absorb its state."""

    @abstractmethod
    def on_close(self) -> Iterable[W]:
        """The window closed; return its results."""

    @abstractmethod
    def snapshot(self) -> S:
        """A copy of this window's state."""


# --- operators --------------------------------------------------------------


def _steps() -> ModuleType:
    """The window step machinery: loaded by the first windowing operator a flow uses."""
    from learnstream.engine import window_steps

    return window_steps


def _config(here: str, clock: Any, windower: Any, ordered: bool) -> WindowConfig:
    if isinstance(windower, TumblingWindower):
        kind, length, offset = core.SLIDING, windower.length, windower.length
        align = _steps().micros(windower.align_to)
    elif isinstance(windower, SlidingWindower):
        kind, length, offset = core.SLIDING, windower.length, windower.offset
        align = _steps().micros(windower.align_to)
    elif isinstance(windower, SessionWindower):
        kind, length, offset, align = core.SESSION, ZERO_TD, ZERO_TD, 0
    else:
        raise DataflowError(
            f"step {here!r} needs a windower (TumblingWindower, SlidingWindower or "
            f"SessionWindower), got {windower!r}"
        )
    if isinstance(clock, EventClock):
        kind_clock, wait = core.EVENT, clock.wait_for_system_duration
    elif isinstance(clock, SystemClock):
        kind_clock, wait = core.SYSTEM, ZERO_TD
    else:
        raise DataflowError(
            f"step {here!r} needs a clock (EventClock(ts_getter, wait) or SystemClock()), "
            f"got {clock!r}"
        )
    gap = windower.gap if isinstance(windower, SessionWindower) else ZERO_TD
    return _steps().WindowConfig(
        kind, _us(length), _us(offset), align, _us(gap), kind_clock, _us(wait), bool(ordered)
    )


def _consumed(flow: Dataflow, stream: Stream[Any]) -> bool:
    return any(stream.stream_id in step.inputs for step in flow.steps)


@operator(core=True)
def window_core(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    make_aggregate: Callable[[str, str], Aggregate],
    ordered: bool,
) -> WindowOut[V, Any]:
    """The core step under every windowing operator (use those instead).

    `make_aggregate(step_id, operator)` says what a window computes; both name
    the step the learner wrote, for error messages.
    """
    flow = up.flow()
    call = current_call(flow)
    mine = learner_call(flow)
    config = _config(mine.step_id, clock, windower, ordered)
    ts_getter = clock.ts_getter if isinstance(clock, EventClock) else None
    now_getter = clock.now_getter if isinstance(clock, EventClock) else None
    outs: list[Stream[Any]] = []

    def runtime() -> WindowStep:
        return _steps().WindowStep(
            mine.step_id,
            mine.op_type,
            config,
            ts_getter,
            now_getter,
            make_aggregate(mine.step_id, mine.op_type),
            WindowMetadata,
            wants_late=_consumed(flow, outs[1]),
            wants_meta=_consumed(flow, outs[2]),
        )

    outs.extend(
        flow._add_core(
            call,
            [up],
            3,
            runtime,
            ("down", "late", "meta"),
            clock=clock,
            windower=windower,
            written_as=mine.step_id,  # the step the learner wrote, for messages
        )
    )
    return WindowOut(*outs)


@operator
def window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    builder: Callable[[S | None], WindowLogic[V, W, S]],
    ordered: bool = True,
) -> WindowOut[V, W]:
    """The general windowing operator: one `WindowLogic` per window of each key.

    With `ordered` (the default) values reach `on_value` in timestamp order, once
    the watermark has passed them; otherwise in arrival order, at once.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> class FirstAndLast(WindowLogic):
    ...     def __init__(self):
    ...         self.seen = []
    ...     def on_value(self, value):
    ...         self.seen.append(value[1])
    ...         return []
    ...     def on_merge(self, original):
    ...         self.seen += original.seen
    ...         return []
    ...     def on_close(self):
    ...         return [(self.seen[0], self.seen[-1])]
    ...     def snapshot(self):
    ...         return list(self.seen)
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> temps = [("s1", (t0 + timedelta(seconds=s), temp)) for s, temp in [(2, 20.0), (1, 19.5), (9, 21.0)]]
    >>> flow = Dataflow("window_eg")
    >>> s = op.input("inp", flow, TestingSource(temps))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(seconds=5))
    >>> w = window("ends", s, clock, TumblingWindower(timedelta(seconds=10), t0),
    ...            lambda resume: FirstAndLast())
    >>> _ = op.inspect("show", w.down)
    >>> run_main(flow)
    window_eg.show: ('s1', (0, (19.5, 21.0)))
    """
    return window_core(
        "core",
        up,
        clock,
        windower,
        lambda here, name: _steps().LogicAggregate(here, name, builder),
        ordered,
    )


@operator
def fold_window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    builder: Callable[[], S],
    folder: Callable[[S, V], S],
    merger: Callable[[S, S], S],
    ordered: bool = True,
) -> WindowOut[V, S]:
    """Fold each window's values into an accumulator; emit it when the window closes.

    `builder()` makes a window's empty accumulator, `folder(acc, value)` adds a
    value, `merger(acc1, acc2)` combines two sessions that merge. With `ordered`
    (the default) values are folded in timestamp order.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> readings = [("s1", (t0 + timedelta(seconds=s), temp))
    ...             for s, temp in [(0, 20.0), (30, 22.0), (61, 25.0)]]
    >>> flow = Dataflow("fold_window_eg")
    >>> s = op.input("inp", flow, TestingSource(readings))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(0))
    >>> sums = fold_window("sum_count", s, clock, TumblingWindower(timedelta(minutes=1), t0),
    ...                    builder=lambda: (0.0, 0),
    ...                    folder=lambda acc, v: (acc[0] + v[1], acc[1] + 1),
    ...                    merger=lambda a, b: (a[0] + b[0], a[1] + b[1]))
    >>> _ = op.inspect("mean", op.map_value("avg", sums.down, lambda w: (w[0], w[1][0] / w[1][1])))
    >>> run_main(flow)
    fold_window_eg.mean: ('s1', (0, 21.0))
    fold_window_eg.mean: ('s1', (1, 25.0))
    """
    return window_core(
        "core",
        up,
        clock,
        windower,
        lambda here, name: _steps().FoldAggregate(here, name, builder, folder, merger),
        ordered,
    )


def _append(acc: list[V], value: V) -> list[V]:
    acc.append(value)
    return acc


def _add(acc: set[V], value: V) -> set[V]:
    acc.add(value)
    return acc


def _join_lists(a: list[V], b: list[V]) -> list[V]:
    return a + b


def _join_dicts(a: dict[Any, Any], b: dict[Any, Any]) -> dict[Any, Any]:
    a.update(b)
    return a


@operator
def collect_window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    into: type = list,
    ordered: bool = True,
) -> WindowOut[V, Any]:
    """Gather each window's values into a `list` (default), `set` or `dict`.

    A `dict` needs `(k, v)` 2-tuples as values. With `ordered` (the default),
    lists are in timestamp order.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> pages = [("ada", (t0 + timedelta(seconds=s), page))
    ...          for s, page in [(0, "/home"), (20, "/cart"), (10, "/search"), (300, "/help")]]
    >>> flow = Dataflow("collect_window_eg")
    >>> s = op.input("inp", flow, TestingSource(pages))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(seconds=30))
    >>> visits = collect_window("visits", s, clock, SessionWindower(gap=timedelta(minutes=1)))
    >>> _ = op.inspect("show", op.map_value("pages", visits.down,
    ...                                     lambda w: (w[0], [p for _, p in w[1]])))
    >>> run_main(flow)
    collect_window_eg.show: ('ada', (0, ['/home', '/search', '/cart']))
    collect_window_eg.show: ('ada', (1, ['/help']))
    """
    here = current_call(up.flow()).step_id
    if isinstance(into, type) and issubclass(into, list):
        builder, folder, merger = list, _append, _join_lists
    elif isinstance(into, type) and issubclass(into, set):
        builder, folder, merger = set, _add, set.union
    elif isinstance(into, type) and issubclass(into, dict):

        def folder(acc: dict[Any, Any], kv: Any) -> dict[Any, Any]:
            if not (isinstance(kv, tuple) and len(kv) == 2):
                raise TypeError(
                    f"collecting into a dict needs (key, value) 2-tuples as values, "
                    f"got a {type(kv).__name__}"
                )
            acc[kv[0]] = kv[1]
            return acc

        builder, merger = dict, _join_dicts
    else:
        raise DataflowError(
            f"step {here!r} (collect_window) can collect into list, set or dict, not {into!r}; "
            "use fold_window for anything else"
        )
    return fold_window("fold_window", up, clock, windower, builder, folder, merger, ordered)


@operator
def count_window(
    step_id: str,
    up: Stream[X],
    clock: Clock,
    windower: Windower,
    key: Callable[[X], str],
) -> WindowOut[X, int]:
    """Count the items of each key in each window; `key(item)` gives the `str` key.

    The counting runs in the window core (C by default); only `key` and the
    clock's `ts_getter` are called per item.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> pages = [("home", 2), ("cart", 9), ("home", 41), ("home", 65)]
    >>> flow = Dataflow("count_window_eg")
    >>> s = op.input("inp", flow, TestingSource(pages))
    >>> clock = EventClock(lambda v: t0 + timedelta(seconds=v[1]), timedelta(0))
    >>> views = count_window("views", s, clock, TumblingWindower(timedelta(minutes=1), t0),
    ...                      key=lambda v: v[0])
    >>> _ = op.inspect("show", views.down)
    >>> run_main(flow)
    count_window_eg.show: ('home', (0, 2))
    count_window_eg.show: ('cart', (0, 1))
    count_window_eg.show: ('home', (1, 1))
    """
    keyed = key_on("keyed", up, key)
    return window_core(
        "core", keyed, clock, windower, lambda here, name: _steps().CountAggregate(), False
    )


def _reduce_shims(reducer: Callable[[V, V], V]) -> tuple[Callable[[], None], Callable[[Any, V], V]]:
    def folder(acc: V | None, value: V) -> V:
        return value if acc is None else reducer(acc, value)

    folder.__qualname__ = getattr(reducer, "__qualname__", "reducer")

    def no_value() -> None:
        return None

    return no_value, folder


@operator
def reduce_window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    reducer: Callable[[V, V], V],
) -> WindowOut[V, V]:
    """Combine each window's values pairwise with `reducer(a, b)`, in arrival order.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> sales = [("shop", (t0 + timedelta(minutes=m), amount)) for m, amount in [(0, 5), (3, 7), (12, 1)]]
    >>> flow = Dataflow("reduce_window_eg")
    >>> s = op.input("inp", flow, TestingSource(sales))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(0))
    >>> totals = reduce_window("total", op.map_value("drop_ts", s, lambda v: v), clock,
    ...                        TumblingWindower(timedelta(minutes=10), t0),
    ...                        lambda a, b: (a[0], a[1] + b[1]))
    >>> _ = op.inspect("show", op.map_value("amount", totals.down, lambda w: (w[0], w[1][1])))
    >>> run_main(flow)
    reduce_window_eg.show: ('shop', (0, 12))
    reduce_window_eg.show: ('shop', (1, 1))
    """
    builder, folder = _reduce_shims(reducer)
    return window_core(
        "core",
        up,
        clock,
        windower,
        lambda here, name: _steps().FoldAggregate(here, name, builder, folder, reducer),
        False,
    )


@operator
def max_window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    by: Callable[[V], Any] = _identity,
) -> WindowOut[V, V]:
    """The largest value (compared by `by(value)`) of each window.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> temps = [("s1", (t0 + timedelta(seconds=s), c)) for s, c in [(1, 20.5), (5, 23.0), (7, 21.0)]]
    >>> flow = Dataflow("max_window_eg")
    >>> s = op.input("inp", flow, TestingSource(temps))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(0))
    >>> hottest = max_window("hottest", s, clock, TumblingWindower(timedelta(minutes=1), t0),
    ...                      by=lambda v: v[1])
    >>> _ = op.inspect("show", op.map_value("temp", hottest.down, lambda w: (w[0], w[1][1])))
    >>> run_main(flow)
    max_window_eg.show: ('s1', (0, 23.0))
    """
    return reduce_window(
        "reduce_window", up, clock, windower, functools.partial(builtins.max, key=by)
    )


@operator
def min_window(
    step_id: str,
    up: KeyedStream[V],
    clock: Clock,
    windower: Windower,
    by: Callable[[V], Any] = _identity,
) -> WindowOut[V, V]:
    """The smallest value (compared by `by(value)`) of each window.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> flow = Dataflow("min_window_eg")
    >>> s = op.input("inp", flow, TestingSource([("s1", t0), ("s1", t0 - timedelta(seconds=1))]))
    >>> clock = EventClock(lambda v: v, wait_for_system_duration=timedelta(seconds=5))
    >>> earliest = min_window("earliest", s, clock, TumblingWindower(timedelta(minutes=1), t0))
    >>> _ = op.inspect("show", op.map_value("time", earliest.down, lambda w: (w[0], w[1].isoformat())))
    >>> run_main(flow)
    min_window_eg.show: ('s1', (0, '2024-01-01T00:00:00+00:00'))
    min_window_eg.show: ('s1', (-1, '2023-12-31T23:59:59+00:00'))
    """
    return reduce_window(
        "reduce_window", up, clock, windower, functools.partial(builtins.min, key=by)
    )


def _side_value_getter(
    ts_getter: Callable[[Any], datetime],
) -> Callable[[tuple[int, Any]], datetime]:
    """`ts_getter` for the `(side, value)` pairs a windowed join works on."""

    def side_value_ts(side_value: tuple[int, Any]) -> datetime:
        return ts_getter(side_value[1])

    side_value_ts.__qualname__ = getattr(ts_getter, "__qualname__", "ts_getter")
    return side_value_ts


@operator
def join_window(
    step_id: str,
    clock: Clock,
    windower: Windower,
    *sides: KeyedStream[Any],
    insert_mode: JoinInsertMode = "last",
    emit_mode: JoinEmitMode = "final",
    ordered: bool = True,
) -> WindowOut[Any, tuple[Any, ...]]:
    """Match values by key *and window* across streams; rows are `(v_side0, v_side1, ...)`.

    Each side's values fall into windows by `clock` and `windower`, and only
    values of the same key in the same window meet. `insert_mode` picks which
    values of a side a window keeps (`"first"`, `"last"` or every one,
    `"product"`); `emit_mode` picks when rows go out: `"final"` (the default)
    when the window closes, with `None` for a side that never arrived;
    `"complete"` as soon as every side has a value, after which the window
    starts over empty; `"running"` on every value. With `ordered` (the default)
    values meet in timestamp order. `late` holds `(key, (window_id, (side,
    value)))` for values the watermark had passed; as with every windowing
    operator here, a key keeps its watermark, so a late value never re-opens a
    window that was already emitted.

    >>> from datetime import datetime, timedelta, timezone
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource, run_main
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> at = lambda s: t0 + timedelta(seconds=s)
    >>> flow = Dataflow("join_window_eg")
    >>> views = op.input("views", flow, TestingSource([("ada", (at(1), "/shoes")),
    ...                                                 ("bob", (at(3), "/hats")),
    ...                                                 ("ada", (at(12), "/socks"))]))
    >>> clicks = op.input("clicks", flow, TestingSource([("ada", (at(4), "buy")),
    ...                                                  ("bob", (at(15), "buy"))]))
    >>> clock = EventClock(lambda v: v[0], wait_for_system_duration=timedelta(seconds=2))
    >>> joined = join_window("per_10s", clock, TumblingWindower(timedelta(seconds=10), t0),
    ...                      views, clicks)
    >>> pages = op.map_value("pages", joined.down,
    ...     lambda w: (w[0], tuple(None if v is None else v[1] for v in w[1])))
    >>> _ = op.inspect("show", pages)
    >>> run_main(flow)
    join_window_eg.show: ('bob', (0, ('/hats', None)))
    join_window_eg.show: ('ada', (0, ('/shoes', 'buy')))
    join_window_eg.show: ('ada', (1, ('/socks', None)))
    join_window_eg.show: ('bob', (1, (None, 'buy')))
    """
    if insert_mode not in ("first", "last", "product"):
        raise ValueError(
            f"unknown join insert mode {insert_mode!r}: use 'first', 'last' or 'product'"
        )
    if emit_mode not in ("complete", "final", "running"):
        raise ValueError(
            f"unknown join emit mode {emit_mode!r}: use 'complete', 'final' or 'running'"
        )
    if not sides:
        raise StepError(
            step_id,
            "join_window",
            sides,
            "needs at least one stream to join",
            "pass the streams after the clock and the windower",
        )
    labelled = [
        map_value(f"label_{i}", side, functools.partial(_labelled, i))
        for i, side in enumerate(sides)
    ]
    merged = merge("merge", *labelled)
    if isinstance(clock, EventClock):
        clock = EventClock(
            _side_value_getter(clock.ts_getter),
            clock.wait_for_system_duration,
            clock.now_getter,
            clock.to_system_utc,
        )
    count = len(sides)

    def make_aggregate(step_id: str, operator: str) -> Aggregate:
        from learnstream.engine.join_steps import JoinAggregate

        return JoinAggregate(count, insert_mode, emit_mode)

    return window_core("window", merged, clock, windower, make_aggregate, ordered)


def _labelled(side: int, value: V) -> tuple[int, V]:
    return (side, value)
