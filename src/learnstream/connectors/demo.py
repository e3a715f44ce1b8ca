"""A demo source, as in Bytewax: random metric values on a fixed cadence."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from learnstream.engine import clock
from learnstream.inputs import FixedPartitionedSource, StatefulSourcePartition

__all__ = ["RandomMetricSource"]


@dataclass
class _RandomMetricState:
    awake_at: datetime
    count: int


class _RandomMetricPartition(StatefulSourcePartition[tuple[str, float], _RandomMetricState]):
    def __init__(
        self,
        metric_name: str,
        interval: timedelta,
        count: int,
        next_random: Callable[[], float],
        state: _RandomMetricState,
    ) -> None:
        self.metric_name = metric_name
        self.interval = interval
        self.count = count
        self.next_random = next_random
        self.state = state

    def next_batch(self) -> list[tuple[str, float]]:
        # The cadence follows the schedule, not the wall clock, so a slow
        # consumer catches up instead of drifting.
        self.state.awake_at += self.interval
        self.state.count += 1
        if self.state.count > self.count:
            raise StopIteration
        return [(self.metric_name, self.next_random())]

    def next_awake(self) -> datetime | None:
        return self.state.awake_at

    def snapshot(self) -> _RandomMetricState:
        return self.state


class RandomMetricSource(FixedPartitionedSource[tuple[str, float], _RandomMetricState]):
    """`(metric_name, value)` every `interval` (default 0.7 s), `count` times (default: forever).

    Values come from `next_random` (default: a random int 0-9). For several
    metrics, make one input per metric and `op.merge` them.

    >>> from datetime import timedelta
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import run_main
    >>> flow = Dataflow("demo_eg")
    >>> src = RandomMetricSource("cpu", timedelta(0), count=2, next_random=lambda: 0.5)
    >>> _ = op.inspect("out", op.input("inp", flow, src))
    >>> run_main(flow)
    demo_eg.out: ('cpu', 0.5)
    demo_eg.out: ('cpu', 0.5)
    """

    def __init__(
        self,
        metric_name: str,
        interval: timedelta = timedelta(seconds=0.7),
        count: int = sys.maxsize,
        next_random: Callable[[], float] = lambda: random.randrange(0, 10),
    ) -> None:
        self._metric_name = metric_name
        self._interval = interval
        self._count = count
        self._next_random = next_random

    def list_parts(self) -> list[str]:
        return [self._metric_name]

    def build_part(
        self, step_id: str, for_part: str, resume_state: _RandomMetricState | None
    ) -> _RandomMetricPartition:
        state = resume_state if resume_state is not None else _RandomMetricState(clock.now(), 0)
        return _RandomMetricPartition(
            for_part, self._interval, self._count, self._next_random, state
        )
