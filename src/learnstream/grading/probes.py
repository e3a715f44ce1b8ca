"""Probes: the grader's drivers of a learner's code, run in the grader's process.

A probe gets a `runner.Runner` (the learner's file, wherever it runs), a
sentence saying what the learner's code is asked to do (for messages), and
plain-data arguments. It calls the learner's code through the runner, measures
what it needs to — every count and every memory figure is taken here, never
reported by the learner's side — and returns plain data. Probes decide nothing:
whether the answer is right is the check's business.

A check names a probe by its import path, e.g. `"learnstream.grading.probes:take"`
(`Session.probe`, `resolve`); a part that needs another kind of driver adds a
function of the same shape in its own module under `learnstream.grading`.

>>> import types
>>> from learnstream.grading.runner import LocalRunner
>>> learner = LocalRunner(types.SimpleNamespace(double=lambda xs: (2 * x for x in xs)))
>>> report = take(learner, "double(...)", "double", 3, stream={"count": 1})
>>> report["items"], report["pulled"], report["pulled_after"], report["ended"]
([2, 4, 6], 3, [1, 2, 3], False)
"""

from __future__ import annotations

import importlib
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

from learnstream.grading.runner import Feed, Handle, Rng, Runner, Sink, Source, Unwatched
from learnstream.sandbox_child import FROZEN_NOW

__all__ = ["FROZEN_NOW", "call", "drain", "resolve", "run_flow", "run_timed_flow", "take"]

_PREFIX = "learnstream.grading."


def resolve(name: str) -> Callable[..., Any]:
    """The probe named "module:function", which must live under `learnstream.grading`."""
    module_name, _, function = name.partition(":")
    if not module_name.startswith(_PREFIX):
        raise ValueError(f"probe {name!r} is not part of learnstream.grading")
    probe: Callable[..., Any] = getattr(importlib.import_module(module_name), function)
    return probe


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
    runner: Runner,
    what: str,
    fn: str,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> Any:
    """Return `fn(*args, **kwargs)` as plain data.

    >>> import types
    >>> from learnstream.grading.runner import LocalRunner
    >>> call(LocalRunner(types.SimpleNamespace(up=str.upper)), "up('hi')", "up", ["hi"])
    'HI'
    """
    return runner.call(what, fn, args or [], kwargs)


def take(
    runner: Runner,
    what: str,
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

    `stream` (see `make_stream`) becomes the first argument: a `Feed`, handed
    over one item at a time when the learner's code asks, and counted here;
    `rng_seed` passes `rng=random.Random(rng_seed)`; `global_seed` seeds the
    `random` module first. The report holds the type returned, whether it is an
    iterator, the items taken, whether it ended, and how many input items had
    been read when the call returned, at each result, and at the end.
    """
    feed = None if stream is None else Feed(make_stream(stream))
    call_args = ([] if feed is None else [feed]) + list(args or [])
    call_kwargs = dict(kwargs or {})
    if rng_seed is not None:
        call_kwargs["rng"] = Rng(rng_seed)
    handle = runner.start(what, fn, call_args, call_kwargs, seed_random=global_seed)
    report: dict[str, Any] = {
        "type": handle.type,
        "iterator": handle.iterator,
        "pulled_at_call": None if feed is None else feed.pulled,
    }
    if not handle.iterator:
        return report
    pulled = runner.pull(what, handle, n)
    report.update(
        items=pulled.items,
        ended=pulled.ended,
        pulled=None if feed is None else feed.pulled,
        pulled_after=None if feed is None else pulled.reads,
    )
    return report


#: Items per request when draining a stream.
_CHUNK = 100_000


def drain(
    runner: Runner,
    what: str,
    fn: str,
    n: int,
    *,
    args: list[Any] | None = None,
    seed: int = 0,
    cpu_budget: float = 3.0,
) -> dict[str, Any]:
    """Call `fn(*args, rng=...)` and count the items that come back, up to `n`.

    The items are counted here as they arrive, in chunks: millions cost a few
    seconds, enough to tell an endless stream from any plausible finite loop.
    Drawing stops early, not ended, once the learner's code has used
    `cpu_budget` seconds of CPU (as the OS counts them; the grader's wall clock
    when the runner cannot tell): a slow endless stream must not use up the
    call's time limit and fail as a hang, and a loaded machine draws as many.
    The report holds how many items came and whether the stream ended.

    >>> import types
    >>> from learnstream.grading.runner import LocalRunner
    >>> def stream(low, high, rng=None):
    ...     for _ in range(10):
    ...         yield rng.randint(low, high)
    >>> drain(LocalRunner(types.SimpleNamespace(s=stream)), "s(0, 9)", "s", 1000, args=[0, 9])
    {'type': 'generator', 'iterator': True, 'drawn': 10, 'ended': True}
    """
    handle = runner.start(what, fn, list(args or []), {"rng": Rng(seed, quick=True)})
    report: dict[str, Any] = {"type": handle.type, "iterator": handle.iterator}
    if not handle.iterator:
        return report

    def used() -> float:
        cpu = runner.cpu_time()
        return time.monotonic() if cpu is None else cpu

    drawn, deadline = 0, used() + cpu_budget
    while drawn < n and used() < deadline:
        pulled = runner.pull(what, handle, min(_CHUNK, n - drawn))
        drawn += len(pulled.items)
        if pulled.ended:
            return dict(report, drawn=drawn, ended=True)
    report.update(drawn=drawn, ended=False)
    return report


def held_memory(runner: Runner, what: str, handle: Handle, marks: list[int]) -> dict[str, Any]:
    """Pull a kept iterator up to each of `marks`, reading the memory held at each mark.

    Memory is what the runner sees from outside the learner's code (the child's
    heap, from the OS); what grows between marks is what the learner's state
    kept. The report holds the memory `held` at each mark and the number of
    items `given`.
    """
    held: list[int] = []
    given = 0
    for mark in marks:
        skipped = runner.skip(what, handle, mark - given)
        given += skipped.given
        if skipped.ended:
            break
        memory = runner.memory()
        if memory is None:
            break
        held.append(memory)
    return {"held": held, "given": given}


#: Bytes each number of a memory measurement carries: a state that keeps the numbers
#: it is given grows by this much per item, far above what the OS's pages blur.
BALLAST = 4096


def state_growth(
    runner: Runner, what: str, fn: str, marks: list[int], *, stream: dict[str, Any]
) -> dict[str, Any]:
    """The memory `fn(stream)` holds after giving each of `marks` items (see `held_memory`).

    The stream is made on the learner's side (`Unwatched`, each number carrying
    `BALLAST` bytes): laziness is not judged here, only what the state keeps. A
    running mean that keeps every value grows by kilobytes per item; one that
    keeps a total and a count stays flat.
    """
    handle = runner.start(what, fn, [Unwatched({**stream, "ballast": BALLAST})])
    report: dict[str, Any] = {"type": handle.type, "iterator": handle.iterator}
    if handle.iterator:
        report.update(held_memory(runner, what, handle, marks))
    return report


def run_flow(
    runner: Runner, what: str, fn: str, items: list[Any], batch_size: int = 1
) -> dict[str, Any]:
    """Build a flow with `fn(source, sink)`, run it, return what the sink received.

    The source hands over `items`, `batch_size` at a time, on request; the sink's
    items come here as they are written. The report holds the type `fn`
    returned and, when it was a `Dataflow`, the items the flow wrote.

    >>> import types
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.grading.runner import LocalRunner
    >>> def build(source, sink):
    ...     flow = Dataflow("eg")
    ...     op.output("out", op.map("up", op.input("inp", flow, source), str.upper), sink)
    ...     return flow
    >>> run_flow(LocalRunner(types.SimpleNamespace(build=build)), "build", "build", ["a", "b"])
    {'type': 'Dataflow', 'items': ['A', 'B']}
    """
    sink = Sink()
    handle = runner.start(what, fn, [Source.of(items, batch_size), sink])
    report: dict[str, Any] = {"type": handle.type}
    if handle.flow:
        runner.run_flow(what, handle, frozen=False)
        report["items"] = sink.items
    return report


def run_timed_flow(
    runner: Runner, what: str, fn: str, sources: list[list[Any]], sinks: int = 1
) -> dict[str, Any]:
    """Build `fn(source, ..., sink, ...)`, run it on a frozen clock, return each sink's items.

    One source per list of `sources`, then `sinks` sinks. The flow runs with
    its clock frozen at `FROZEN_NOW`, so an `EventClock`'s watermark moves only
    with the event times it reads — the same on every machine, however slow.
    The report holds the type `fn` returned and, for a `Dataflow`, what each
    sink received (`outputs`) and the clock of each windowing step (`clocks`).

    >>> import types
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.grading.runner import LocalRunner
    >>> def build(source, evens, odds):
    ...     flow = Dataflow("eg")
    ...     split = op.branch("parity", op.input("inp", flow, source), lambda x: x % 2 == 0)
    ...     op.output("evens", split.trues, evens)
    ...     op.output("odds", split.falses, odds)
    ...     return flow
    >>> runner = LocalRunner(types.SimpleNamespace(build=build))
    >>> run_timed_flow(runner, "build", "build", [[1, 2, 3]], sinks=2)
    {'type': 'Dataflow', 'clocks': [], 'outputs': [[2], [1, 3]]}
    """
    outs = [Sink() for _ in range(sinks)]
    handle = runner.start(what, fn, [*(Source.of(items) for items in sources), *outs])
    report: dict[str, Any] = {"type": handle.type}
    if handle.flow:
        report["clocks"] = handle.clocks
        runner.run_flow(what, handle, frozen=True)
        report["outputs"] = [sink.items for sink in outs]
    return report
