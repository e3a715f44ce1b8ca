"""Helpers for testing flows: an in-memory source and sink, and `run_main`.

>>> from learnstream.dataflow import Dataflow
>>> import learnstream.operators as op
>>> flow = Dataflow("testing_eg")
>>> out = []
>>> s = op.input("inp", flow, TestingSource([1, 2, TestingSource.EOF(), 3]))
>>> op.output("out", op.map("inc", s, lambda x: x + 1), TestingSink(out))
>>> run_main(flow)
>>> out
[2, 3]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, Generic, TypeVar

from learnstream.dataflow import Dataflow
from learnstream.engine import clock
from learnstream.engine.executor import RunStats, run_flow
from learnstream.errors import LearnstreamError, user_frames
from learnstream.inputs import AbortExecution, FixedPartitionedSource, StatefulSourcePartition
from learnstream.outputs import DynamicSink, StatelessSinkPartition

X = TypeVar("X")

__all__ = [
    "TestingSink",
    "TestingSource",
    "TimeTestingGetter",
    "cluster_main",
    "ffwd_iter",
    "poll_next_batch",
    "run_main",
]


@dataclass
class TimeTestingGetter:
    """A clock you move by hand: pass `getter.get` as a `now_getter`.

    >>> from datetime import UTC, datetime, timedelta
    >>> t = TimeTestingGetter(datetime(2024, 1, 1, tzinfo=UTC))
    >>> t.advance(timedelta(seconds=5))
    >>> t.get().second
    5
    """

    now: datetime

    def advance(self, td: timedelta) -> None:
        """Move the clock forward by `td`."""
        self.now += td

    def get(self) -> datetime:
        """The current (fake) time."""
        return self.now


def ffwd_iter(it: Iterator[Any], n: int) -> None:
    """Skip the next `n` items of iterator `it` (fewer if it runs out).

    >>> it = iter("abcde")
    >>> ffwd_iter(it, 3)
    >>> next(it)
    'd'
    """
    next(islice(it, n, n), None)


def poll_next_batch(part: Any, timeout: timedelta = timedelta(seconds=5)) -> list[Any]:
    """Call `part.next_batch()` until it returns items; `TimeoutError` after `timeout`.

    For unit tests of a partition whose items arrive when they like (a busy loop).

    >>> part = TestingSource(["a", "b"]).build_part("s", "iterable", None)
    >>> poll_next_batch(part)
    ['a']
    """
    start = datetime.now(UTC)
    items: list[Any] = []
    while not items:
        if datetime.now(UTC) - start > timeout:
            raise TimeoutError(f"no items from {part!r} within {timeout}")
        items = list(part.next_batch())
    return items


class _IterPartition(StatefulSourcePartition[X, int]):
    def __init__(self, items: Iterable[Any], batch_size: int, resume: int | None) -> None:
        self.position = resume or 0
        self.batch_size = batch_size
        self.it: Iterator[Any] = iter(items)
        ffwd_iter(self.it, self.position)
        self.pending: BaseException | None = None
        self.awake: datetime | None = None

    def next_batch(self) -> list[X]:
        if self.pending is not None:
            raise self.pending
        self.awake = None
        batch: list[X] = []
        for item in self.it:
            if isinstance(item, TestingSource.EOF):
                self.position += 1
                self.pending = StopIteration()
                break
            if isinstance(item, TestingSource.ABORT):
                if not item.triggered:
                    item.triggered = True
                    self.pending = AbortExecution("TestingSource.ABORT reached")
                    break
                continue
            if isinstance(item, TestingSource.PAUSE):
                self.awake = clock.now() + item.for_duration
                break
            batch.append(item)
            if len(batch) >= self.batch_size:
                break
        if batch or self.pending is not None or self.awake is not None:
            self.position += len(batch)
            return batch
        raise StopIteration

    def next_awake(self) -> datetime | None:
        return self.awake

    def snapshot(self) -> int:
        return self.position


class TestingSource(FixedPartitionedSource[X, int]):
    """Items from a Python iterable, `batch_size` at a time (default 1).

    Put `TestingSource.EOF()` in the iterable to end the input there,
    `TestingSource.ABORT()` to stop the run as if it crashed (no EOF flush), and
    `TestingSource.PAUSE(timedelta)` to send nothing for a while.
    """

    __test__ = False

    @dataclass
    class EOF:
        """End the input here."""

    @dataclass
    class ABORT:
        """Stop the run here, as if the process crashed (only the first time)."""

        triggered: bool = False

    @dataclass
    class PAUSE:
        """Send nothing for this long."""

        for_duration: timedelta

    def __init__(self, ib: Iterable[Any], batch_size: int = 1) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")
        self.ib = ib
        self.batch_size = batch_size

    def list_parts(self) -> list[str]:
        return ["iterable"]

    def build_part(
        self, step_id: str, for_part: str, resume_state: int | None
    ) -> _IterPartition[X]:
        return _IterPartition(self.ib, self.batch_size, resume_state)


class _ListPartition(StatelessSinkPartition[X]):
    def __init__(self, ls: list[X]) -> None:
        self.ls = ls

    def write_batch(self, items: list[X]) -> None:
        self.ls.extend(items)


class TestingSink(DynamicSink[X], Generic[X]):
    """Appends every item to the list you pass in."""

    __test__ = False

    def __init__(self, ls: list[X]) -> None:
        self.ls = ls

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _ListPartition[X]:
        return _ListPartition(self.ls)


def run_main(
    flow: Dataflow,
    *,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
    now_getter: Callable[[], datetime] | None = None,
) -> None:
    """Run `flow` to completion in this process (as Bytewax's `run_main`).

    `epoch_interval` is how long an epoch lasts (default 10 s, as in Bytewax);
    with `recovery_config` (a `learnstream.recovery.RecoveryConfig`) the run
    resumes from the store's last complete epoch and snapshots each epoch's end.
    `now_getter` replaces the clock, e.g. `TimeTestingGetter(...).get`.
    """
    run_with_stats(
        flow, now_getter=now_getter, epoch_interval=epoch_interval, recovery_config=recovery_config
    )


def cluster_main(
    flow: Dataflow,
    addresses: list[str],
    proc_id: int,
    *,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
    worker_count_per_proc: int = 1,
) -> None:
    """Run `flow` on Bytewax 0.21.1 as process `proc_id` of a cluster (as Bytewax's `cluster_main`).

    learnstream itself runs one worker; this hands the same flow to Bytewax (see
    `learnstream.scaleout`). `addresses` lists every process's `host:port` (empty:
    this process alone); each process runs `worker_count_per_proc` worker
    threads. Blocks until the flow is done; an error raised by a step comes out
    as learnstream's own error. Needs `pip install "learnstream[bytewax]"`.
    """
    from learnstream.scaleout import require_bytewax

    require_bytewax()
    from learnstream.scaleout.launch import cluster_main as run_cluster

    run_cluster(
        flow,
        addresses,
        proc_id,
        epoch_interval=epoch_interval,
        recovery_config=recovery_config,
        worker_count_per_proc=worker_count_per_proc,
    )


def run_with_stats(
    flow: Dataflow,
    now_getter: Callable[[], datetime] | None = None,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
) -> RunStats:
    """Run `flow` and return its statistics, with learner-facing errors trimmed."""
    try:
        return run_flow(flow, now_getter, epoch_interval, recovery_config)
    except LearnstreamError as err:
        raise err.with_traceback(user_frames(err.__traceback__)) from err.__cause__


if __name__ == "__main__":
    import sys

    from learnstream.run import testing_main

    sys.exit(testing_main())
