"""A join's memory follows the keys waiting for a match, not the length of the stream.

1,000,000 orders meet their 1,000,000 payments (which trail them by 3,000 items)
in `join(..., emit_mode="complete")`; the input is generated batch by batch, so
nothing but the join holds it. tracemalloc samples the Python heap (which
includes the values the join keeps) after every batch the sink receives: once the
join is warm, the heap must not grow with the pairs already joined. The C core's
own tables are checked through the step: they hold the 3,000 waiting keys, not
the million seen.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.inputs import DynamicSource, StatelessSourcePartition
from learnstream.outputs import DynamicSink, StatelessSinkPartition
from learnstream.testing import run_main

PAIRS = 1_000_000
BATCH = 10_000
LAG = 3_000


class _Side(StatelessSourcePartition[Any]):
    def __init__(self, lag: int) -> None:
        self.at = -lag

    def next_batch(self) -> list[Any]:
        if self.at >= PAIRS:
            raise StopIteration
        start, self.at = max(self.at, 0), min(self.at + BATCH, PAIRS)
        return [(f"order-{i}", i) for i in range(start, self.at)]


class Side(DynamicSource[Any]):
    def __init__(self, lag: int) -> None:
        self.lag = lag

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Side:
        return _Side(self.lag)


class _Heap(StatelessSinkPartition[Any]):
    def __init__(self, seen: list[tuple[int, int]], pairs: list[int]) -> None:
        self.seen = seen
        self.pairs = pairs

    def write_batch(self, items: list[Any]) -> None:
        self.pairs[0] += len(items)
        self.seen.append((self.pairs[0], tracemalloc.get_traced_memory()[0]))


class HeapSink(DynamicSink[Any]):
    def __init__(self, seen: list[tuple[int, int]]) -> None:
        self.seen = seen
        self.pairs = [0]

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _Heap:
        return _Heap(self.seen, self.pairs)


def test_joining_a_million_pairs_keeps_memory_flat() -> None:
    flow = Dataflow("flat")
    orders = op.input("orders", flow, Side(0))
    payments = op.input("payments", flow, Side(LAG))
    seen: list[tuple[int, int]] = []
    op.output("out", op.join("match", orders, payments), HeapSink(seen))
    tracemalloc.start()
    try:
        run_main(flow)
    finally:
        tracemalloc.stop()
    assert seen[-1][0] == PAIRS  # every order met its payment
    warm = [heap for pairs, heap in seen if 50_000 <= pairs <= 100_000]
    late = [heap for pairs, heap in seen if pairs >= 900_000]
    # Flat: after 900k more pairs, the heap is where it was after the first 100k
    # (a leak of even 8 bytes per pair would add 7 MB).
    assert max(late) <= max(warm) + 1_000_000, (max(warm), max(late))


def test_the_join_step_holds_only_the_waiting_keys() -> None:
    from learnstream.engine.executor import Executor

    flow = Dataflow("waiting")
    orders = op.input("orders", flow, Side(0))
    payments = op.input("payments", flow, Side(LAG))
    op.output("out", op.join("match", orders, payments), HeapSink([]))
    executor = Executor(flow)
    executor.run()
    step = next(rt for rt in executor.runtimes if type(rt).__name__ == "JoinStep")
    assert step.core.open_rows() == 0  # every key matched and was forgotten
    # Value ids are reused: the value list is as long as the most values open at once.
    assert len(step.store.values) <= 2 * BATCH + LAG + 1
