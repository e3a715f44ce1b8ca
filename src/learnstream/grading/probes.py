"""Probes: small drivers that run *inside the child process* and call the learner's code.

A probe gets the learner's module and plain-data arguments, calls one of the
learner's functions the way a check needs, and returns plain data (the child
encodes it with `learnstream.grading.codec`). Probes decide nothing: whether
the answer is right is computed by the check in the grader's process.

A check names a probe by its import path, e.g.
`"learnstream.grading.probes:take"`; a part that needs another kind of driver
(say, a flow with a test clock) adds a function with the same shape in its own
module under `learnstream.grading`.

>>> import types
>>> learner = types.SimpleNamespace(double=lambda xs: (2 * x for x in xs))
>>> report = take(learner, "double", 3, stream={"count": 1})
>>> report["items"], report["pulled"], report["pulled_after"], report["ended"]
([2, 4, 6], 3, [1, 2, 3], False)
"""

from __future__ import annotations

import collections
import gc
import itertools
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from learnstream.grading.codec import a_type_name, type_name


class MissingName(Exception):
    """The learner's file does not define the function a check calls."""


def find(module: ModuleType | Any, name: str) -> Callable[..., Any]:
    """The learner's function `name`, or a `MissingName` that says what to do."""
    function = getattr(module, name, None)
    if function is None:
        raise MissingName(
            f"there is no function `{name}` in your file; keep the name (and the signature) "
            "the stub gave it"
        )
    if not callable(function):
        raise MissingName(f"`{name}` in your file is {a_type_name(function)}, not a function")
    return function


class Counted(Iterator[Any]):
    """An iterator that counts how many items were pulled from it (to judge laziness)."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items
        self.pulled = 0

    def __next__(self) -> Any:
        item = next(self._items)
        self.pulled += 1
        return item


def make_stream(spec: dict[str, Any]) -> Iterator[Any]:
    """An input stream from its description.

    `{"items": [...]}` is finite; `{"cycle": [...]}` repeats forever;
    `{"count": start}` counts up from `start` forever.

    >>> list(itertools.islice(make_stream({"cycle": [1, 2]}), 5))
    [1, 2, 1, 2, 1]
    """
    if "items" in spec:
        return iter(spec["items"])
    if "cycle" in spec:
        return itertools.cycle(spec["cycle"])
    return itertools.count(spec["count"])


def call(
    module: ModuleType | Any,
    fn: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> Any:
    """Return `fn(*args, **kwargs)` as it is.

    >>> import types
    >>> call(types.SimpleNamespace(up=str.upper), "up", ["hi"])
    'HI'
    """
    return find(module, fn)(*(args or []), **(kwargs or {}))


def take(
    module: ModuleType | Any,
    fn: str,
    n: int,
    *,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    stream: dict[str, Any] | None = None,
    rng_seed: int | None = None,
    global_seed: int | None = None,
) -> dict[str, Any]:
    """Call `fn`, then pull up to `n` items from the iterator it returns.

    `stream` (see `make_stream`) becomes the first argument, wrapped to count the
    items pulled from it; `rng_seed` passes `rng=random.Random(rng_seed)`;
    `global_seed` seeds the `random` module first. The report holds the type
    returned, whether it is an iterator, the items taken, whether it ended, and
    how many input items were pulled when the call returned and at the end.
    """
    function = find(module, fn)
    counter = None if stream is None else Counted(make_stream(stream))
    call_args = ([] if counter is None else [counter]) + list(args or [])
    call_kwargs = dict(kwargs or {})
    if rng_seed is not None:
        call_kwargs["rng"] = random.Random(rng_seed)
    if global_seed is not None:
        random.seed(global_seed)
    result = function(*call_args, **call_kwargs)
    report: dict[str, Any] = {
        "type": type_name(result),
        "iterator": isinstance(result, Iterator),
        "pulled_at_call": None if counter is None else counter.pulled,
    }
    if not report["iterator"]:
        return report
    items: list[Any] = []
    pulled_after: list[int] = []
    ended = False
    for _ in range(n):
        try:
            items.append(next(result))
        except StopIteration:
            ended = True
            break
        if counter is not None:
            pulled_after.append(counter.pulled)
    report.update(
        items=items,
        ended=ended,
        pulled=None if counter is None else counter.pulled,
        pulled_after=pulled_after if counter is not None else None,
    )
    return report


class _QuickRandom(random.Random):
    """A `random.Random` whose `randint` is a few times quicker (for drawing millions)."""

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


_CHUNK = 50_000


def drain(
    module: ModuleType | Any,
    fn: str,
    n: int,
    *,
    args: list[Any] | None = None,
    seed: int = 0,
    cpu_budget: float = 1.5,
) -> dict[str, Any]:
    """Call `fn(*args, rng=...)` and pull up to `n` items as quickly as Python can.

    The items are dropped as they come (C loops pull them), so millions cost
    well under a second: enough to tell an endless stream from any plausible
    finite loop. Drawing stops early, not ended, once `cpu_budget` seconds of
    CPU are used. The report holds how many items came and whether it ended.

    >>> import types
    >>> def stream(low, high, rng=None):
    ...     for _ in range(10):
    ...         yield rng.randint(low, high)
    >>> drain(types.SimpleNamespace(s=stream), "s", 1000, args=[0, 9])
    {'type': 'generator', 'iterator': True, 'drawn': 10, 'ended': True}
    """
    result = find(module, fn)(*(args or []), rng=_QuickRandom(seed))
    report: dict[str, Any] = {"type": type_name(result), "iterator": isinstance(result, Iterator)}
    if not report["iterator"]:
        return report
    counted = Counted(result)
    # In chunks, within a CPU budget: a slow but endless stream must not use up the
    # call's time limit (and fail as a hang); any finite loop ends long before.
    deadline = time.process_time() + cpu_budget
    while counted.pulled < n and time.process_time() < deadline:
        before = counted.pulled
        collections.deque(itertools.islice(counted, min(_CHUNK, n - before)), maxlen=0)
        if counted.pulled - before < min(_CHUNK, n - before):
            return dict(report, drawn=counted.pulled, ended=True)
    report.update(drawn=counted.pulled, ended=False)
    return report


def state_growth(
    module: ModuleType | Any, fn: str, marks: list[int], *, stream: dict[str, Any]
) -> dict[str, Any]:
    """The memory `fn(stream)` holds after giving each of `marks` items (bytes, traced).

    Memory is measured with `tracemalloc` after a garbage collection, from the
    first item on: what stays allocated between marks is what the learner's
    state kept (the items already given are dropped). A running mean that
    keeps every value grows by tens of bytes per item; one that keeps a total
    and a count stays flat.

    >>> import types
    >>> def keeps(stream):
    ...     seen = []
    ...     for x in stream:
    ...         seen.append(x)
    ...         yield x
    >>> report = state_growth(types.SimpleNamespace(f=keeps), "f", [1, 5001], stream={"count": 1})
    >>> report["held"][1] - report["held"][0] > 5000 * 8
    True
    """
    result = find(module, fn)(Counted(make_stream(stream)))
    report: dict[str, Any] = {"type": type_name(result), "iterator": isinstance(result, Iterator)}
    if not report["iterator"]:
        return report
    held, given = held_memory(result, marks)
    report.update(held=held, given=given)
    return report


def run_flow(
    module: ModuleType | Any, fn: str, items: list[Any], batch_size: int = 1
) -> dict[str, Any]:
    """Build a flow with `fn(TestingSource(items), TestingSink(out))`, run it, return `out`.

    The report holds the type `fn` returned and, when it was a `Dataflow`, the
    items the flow wrote to the sink.

    >>> import types
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> def build(source, sink):
    ...     flow = Dataflow("eg")
    ...     op.output("out", op.map("up", op.input("inp", flow, source), str.upper), sink)
    ...     return flow
    >>> run_flow(types.SimpleNamespace(build=build), "build", ["a", "b"])
    {'type': 'Dataflow', 'items': ['A', 'B']}
    """
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, TestingSource, run_main

    out: list[Any] = []
    flow = find(module, fn)(TestingSource(items, batch_size=batch_size), TestingSink(out))
    report: dict[str, Any] = {"type": type_name(flow)}
    if isinstance(flow, Dataflow):
        run_main(flow)
        report["items"] = out
    return report


#: The "system time" a timed flow sees: frozen, so that watermarks depend on event time only.
FROZEN_NOW = datetime(2024, 1, 1, tzinfo=UTC)


def run_timed_flow(
    module: ModuleType | Any, fn: str, sources: list[list[Any]], sinks: int = 1
) -> dict[str, Any]:
    """Build `fn(TestingSource(items), ..., TestingSink(out), ...)`, run it, return the outs.

    One `TestingSource` per list of `sources`, then `sinks` sinks. The flow
    runs with its clock frozen at `FROZEN_NOW`, so an `EventClock`'s watermark
    moves only with the event times it reads — the same on every machine,
    however slow. The report holds the type `fn` returned and, for a
    `Dataflow`, what each sink received (`outputs`, one list per sink) and
    the clock of each windowing step (`clocks`, see `flow_clocks`).

    >>> import types
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> def build(source, evens, odds):
    ...     flow = Dataflow("eg")
    ...     split = op.branch("parity", op.input("inp", flow, source), lambda x: x % 2 == 0)
    ...     op.output("evens", split.trues, evens)
    ...     op.output("odds", split.falses, odds)
    ...     return flow
    >>> run_timed_flow(types.SimpleNamespace(build=build), "build", [[1, 2, 3]], sinks=2)
    {'type': 'Dataflow', 'clocks': [], 'outputs': [[2], [1, 3]]}
    >>> def join(left, right, out):
    ...     flow = Dataflow("eg")
    ...     sides = (op.input("l", flow, left), op.input("r", flow, right))
    ...     op.output("out", op.join("j", *sides), out)
    ...     return flow
    >>> run_timed_flow(types.SimpleNamespace(join=join), "join", [[("k", 1)], [("k", 2)]])
    {'type': 'Dataflow', 'clocks': [], 'outputs': [[('k', (1, 2))]]}
    """
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, TestingSource, run_main

    outputs: list[list[Any]] = [[] for _ in range(sinks)]
    flow = find(module, fn)(
        *(TestingSource(items) for items in sources), *(TestingSink(out) for out in outputs)
    )
    report: dict[str, Any] = {"type": type_name(flow)}
    if isinstance(flow, Dataflow):
        report["clocks"] = flow_clocks(flow)
        run_main(flow, now_getter=lambda: FROZEN_NOW)
        report["outputs"] = outputs
    return report


def flow_clocks(flow: Any) -> list[dict[str, Any]]:
    """The clock of each windowing step of `flow`: its step, kind and wait (seconds).

    >>> from datetime import timedelta
    >>> import learnstream.operators as op
    >>> import learnstream.operators.windowing as win
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import TestingSource
    >>> flow = Dataflow("eg")
    >>> keyed = op.key_on("k", op.input("inp", flow, TestingSource([])), lambda x: x)
    >>> windower = win.TumblingWindower(timedelta(minutes=1), FROZEN_NOW)
    >>> _ = win.count_window("c", keyed, win.SystemClock(), windower, lambda x: x)
    >>> flow_clocks(flow)
    [{'step': 'eg.c', 'clock': 'SystemClock', 'wait': None}]
    """
    from learnstream.operators.windowing import EventClock

    clocks = []
    for step in flow.steps:
        clock = step.params.get("clock")
        if clock is None:
            continue
        wait = None
        if isinstance(clock, EventClock):
            wait = clock.wait_for_system_duration.total_seconds()
        where = step.params.get("written_as", step.step_id)
        clocks.append({"step": where, "clock": type(clock).__name__, "wait": wait})
    return clocks


def held_memory(items: Iterator[Any], marks: list[int]) -> tuple[list[int], int]:
    """Pull `items` up to each of `marks`; the traced memory held at each mark, and items given.

    Any state that is updated item by item can be measured this way: wrap its
    updates in a generator (`for x in stream: yield state.update(x)`).
    """
    held: list[int] = []
    given = 0
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start()
    try:
        for mark in marks:
            for _ in itertools.islice(items, mark - given):
                given += 1
            if given < mark:
                break
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
    finally:
        if not started:
            tracemalloc.stop()
    return held, given
