"""Each run has its own context (clock, epoch, resume state): runs nest and run side by side.

The engine keeps a run's "now", its epoch and the state its runtimes resume from in
a `RunContext` (`learnstream.engine.clock`), not in module globals, so two flows run
in two threads at once give exactly what each gives alone, and a flow run from
inside another flow's function leaves the outer run's clock and epochs untouched.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.engine import clock
from learnstream.testing import TestingSink, TestingSource, TimeTestingGetter, run_main

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def timed_run(step_s: float, n: int = 40, pause: float = 0.0) -> list[Any]:
    """A flow whose output depends on its own clock and epochs: collect timeouts, epoch numbers.

    Each item moves the run's fake clock by `step_s` seconds (and sleeps `pause`,
    so that two runs in two threads interleave).
    """
    getter = TimeTestingGetter(T0)

    def tick(item: Any) -> Any:
        getter.advance(timedelta(seconds=step_s))
        time.sleep(pause)
        return item

    flow = Dataflow("timed")
    out: list[Any] = []
    items = [("k", i) for i in range(n)]
    s = op.map("tick", op.input("inp", flow, TestingSource(items, batch_size=2)), tick)
    collected = op.collect("c", s, timedelta(seconds=1.5), max_size=100)
    stamped = op.map("epoch", collected, lambda kv: (kv[0], (clock.epoch(), kv[1])))
    op.output("out", stamped, TestingSink(out))
    run_main(flow, epoch_interval=timedelta(seconds=2), now_getter=getter.get)
    return out


def test_two_flows_side_by_side_in_threads_give_what_each_gives_alone() -> None:
    alone = {step: timed_run(step) for step in (0.5, 1.0)}
    assert alone[0.5] != alone[1.0]  # the clock shapes the output
    for _ in range(3):
        results: dict[float, list[Any]] = {}
        start = threading.Barrier(2)

        def run(
            step: float,
            results: dict[float, list[Any]] = results,
            start: threading.Barrier = start,
        ) -> None:
            start.wait()
            results[step] = timed_run(step, pause=0.001)

        threads = [threading.Thread(target=run, args=(step,)) for step in alone]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert results == alone


def test_a_run_nested_in_another_leaves_the_outer_clock_and_epochs_alone() -> None:
    alone = timed_run(1.0, n=12)
    inner_results: list[list[Any]] = []

    def run_inner(item: Any) -> Any:
        inner_results.append(timed_run(0.5, n=6))
        return item

    getter = TimeTestingGetter(T0)

    def tick(item: Any) -> Any:
        getter.advance(timedelta(seconds=1.0))
        return item

    flow = Dataflow("timed")
    out: list[Any] = []
    items = [("k", i) for i in range(12)]
    s = op.map("tick", op.input("inp", flow, TestingSource(items, batch_size=2)), tick)
    s = op.map("nested", s, run_inner)
    collected = op.collect("c", s, timedelta(seconds=1.5), max_size=100)
    stamped = op.map("epoch", collected, lambda kv: (kv[0], (clock.epoch(), kv[1])))
    op.output("out", stamped, TestingSink(out))
    run_main(flow, epoch_interval=timedelta(seconds=2), now_getter=getter.get)
    assert out == alone
    assert inner_results == [timed_run(0.5, n=6)] * 12
    assert clock.epoch() == 1 and clock.is_system()  # nothing leaked out of the runs
