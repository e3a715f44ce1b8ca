"""Source interfaces, as in Bytewax: write a connector here and it ports by renaming.

A *source* makes *partitions*; the executor asks each partition for its
`next_batch()` until it raises `StopIteration`. Partitions that remember where
they are (`StatefulSourcePartition`) report it through `snapshot()`, which is what
recovery will use; `FixedPartitionedSource.build_part` receives that state back.
"""

from __future__ import annotations

from _queue import Empty  # queue.Empty itself, without the threading that queue imports
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import asyncio

X = TypeVar("X")
S = TypeVar("S")

__all__ = [
    "AbortExecution",
    "DynamicSource",
    "FixedPartitionedSource",
    "SimplePollingSource",
    "Source",
    "StatefulSourcePartition",
    "StatelessSourcePartition",
    "batch",
    "batch_async",
    "batch_getter",
    "batch_getter_ex",
]


class AbortExecution(RuntimeError):
    """Raised by a partition to stop the whole run at once, without the EOF flush."""


class Source(ABC, Generic[X]):
    """Anything `op.input` accepts."""


class StatefulSourcePartition(ABC, Generic[X, S]):
    """One partition of a `FixedPartitionedSource`."""

    @abstractmethod
    def next_batch(self) -> Iterable[X]:
        """Return the next items (possibly none yet); raise `StopIteration` at the end."""

    def next_awake(self) -> datetime | None:
        """When to call `next_batch` again; `None` means as soon as possible."""
        return None

    @abstractmethod
    def snapshot(self) -> S:
        """State that lets `build_part` resume this partition where it is now."""

    def close(self) -> None:
        """Release resources; called once, after the last batch."""


class FixedPartitionedSource(Source[X], Generic[X, S]):
    """A source with a fixed, named set of resumable partitions (files, topics...)."""

    @abstractmethod
    def list_parts(self) -> list[str]:
        """Names of every partition."""

    @abstractmethod
    def build_part(
        self, step_id: str, for_part: str, resume_state: S | None
    ) -> StatefulSourcePartition[X, S]:
        """Open partition `for_part`, resuming from `resume_state` when given."""


class StatelessSourcePartition(ABC, Generic[X]):
    """One partition of a `DynamicSource`: no position to remember."""

    @abstractmethod
    def next_batch(self) -> Iterable[X]:
        """Return the next items (possibly none yet); raise `StopIteration` at the end."""

    def next_awake(self) -> datetime | None:
        """When to call `next_batch` again; `None` means as soon as possible."""
        return None

    def close(self) -> None:
        """Release resources; called once, after the last batch."""


class DynamicSource(Source[X]):
    """A source that builds one partition per worker (learnstream runs one worker)."""

    @abstractmethod
    def build(
        self, step_id: str, worker_index: int, worker_count: int
    ) -> StatelessSourcePartition[X]:
        """Build the partition for this worker."""


class _SimplePollingPartition(StatefulSourcePartition[X, S]):
    """Calls `getter` once per `interval`; the first call is at the next `align_to` mark."""

    def __init__(
        self,
        now: datetime,
        interval: timedelta,
        align_to: datetime | None,
        getter: Callable[[], X | None],
        snapshot: Callable[[], S],
    ) -> None:
        self._interval = interval
        self._getter = getter
        self._snapshot = snapshot
        # Exactly on a mark means "now", not a whole interval later.
        behind = (now - align_to) % interval if align_to is not None else timedelta(0)
        self._next_awake = now + (interval - behind if behind else timedelta(0))

    def next_batch(self) -> list[X]:
        try:
            item = self._getter()
        except SimplePollingSource.Retry as retry:
            self._next_awake += retry.timeout
            return []
        self._next_awake += self._interval
        return [] if item is None else [item]

    def next_awake(self) -> datetime | None:
        return self._next_awake

    def snapshot(self) -> S:
        return self._snapshot()


class SimplePollingSource(FixedPartitionedSource[X, S]):
    """Calls your `next_item()` every `interval`: for slow polling (an API, a file).

    `next_item` returns one item, `None` for nothing this time, raises
    `StopIteration` to end the input, or raises `SimplePollingSource.Retry(td)` to
    be called again after `td` instead of a whole interval. Override `snapshot`
    and `resume` to remember a position. Polls are aligned to `align_to` when
    given (e.g. on the hour), else they start at once.

    >>> from datetime import timedelta
    >>> import learnstream.operators as op
    >>> from learnstream.dataflow import Dataflow
    >>> from learnstream.testing import run_main
    >>> class Countdown(SimplePollingSource[int]):  # the state type defaults to None
    ...     def __init__(self):
    ...         super().__init__(interval=timedelta(0))
    ...         self.left = 3
    ...     def next_item(self):
    ...         if self.left == 0:
    ...             raise StopIteration
    ...         self.left -= 1
    ...         return self.left
    >>> flow = Dataflow("poll_eg")
    >>> _ = op.inspect("show", op.input("inp", flow, Countdown()))
    >>> run_main(flow)
    poll_eg.show: 2
    poll_eg.show: 1
    poll_eg.show: 0
    """

    @dataclass
    class Retry(Exception):
        """Raise from `next_item` to be polled again after `timeout`."""

        timeout: timedelta

    def __class_getitem__(cls, params: Any) -> Any:
        """`SimplePollingSource[X]` means `SimplePollingSource[X, None]`, as in Bytewax.

        (Bytewax gives the state's type variable a default; Python 3.11's `TypeVar`
        has none, so the default is supplied here.)
        """
        if not isinstance(params, tuple):
            params = (params, None)
        return super().__class_getitem__(params)  # type: ignore[misc]

    def __init__(self, interval: timedelta, align_to: datetime | None = None) -> None:
        self._interval = interval
        self._align_to = align_to

    def list_parts(self) -> list[str]:
        return ["singleton"]

    def build_part(
        self, step_id: str, for_part: str, resume_state: S | None
    ) -> _SimplePollingPartition[X, S]:
        from learnstream.engine import clock  # the run's clock, so now_getter applies

        if resume_state is not None:
            self.resume(resume_state)
        return _SimplePollingPartition(
            clock.now(), self._interval, self._align_to, self.next_item, self.snapshot
        )

    @abstractmethod
    def next_item(self) -> X | None:
        """The next item, or `None` when there is nothing this time."""

    def snapshot(self) -> S:
        """Where the next read starts (after the last item returned); `None` by default."""
        return None  # type: ignore[return-value]

    def resume(self, resume_state: S) -> None:
        """Go back to a position `snapshot` returned; called before the first poll."""


def batch(items: Iterable[X], batch_size: int) -> Iterator[list[X]]:
    """Group an iterable into lists of at most `batch_size` items.

    >>> list(batch(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    it = iter(items)
    while chunk := list(islice(it, batch_size)):
        yield chunk


def batch_getter(
    getter: Callable[[], X], batch_size: int, yield_on: Any = None
) -> Iterator[list[X]]:
    """Batches from `getter`, which returns `yield_on` (default `None`) when it has nothing yet.

    A batch ends when it is full or `getter` has nothing; `StopIteration`
    from `getter` yields what was gathered and ends.

    >>> items = iter([1, 2, None, 3])
    >>> list(batch_getter(lambda: next(items), 5))
    [[1, 2], [3]]
    """
    while True:
        gathered: list[X] = []
        while len(gathered) < batch_size:
            try:
                item = getter()
            except StopIteration:
                yield gathered
                return
            if item == yield_on:
                break
            gathered.append(item)
        yield gathered


def batch_getter_ex(
    getter: Callable[[], X], batch_size: int, yield_ex: type[Exception] = Empty
) -> Iterator[list[X]]:
    """Batches from `getter`, which raises `yield_ex` (default `queue.Empty`) when it has nothing.

    >>> import queue
    >>> q = queue.Queue()
    >>> for n in range(3):
    ...     q.put(n)
    >>> batches = batch_getter_ex(q.get_nowait, 2)
    >>> next(batches), next(batches), next(batches)
    ([0, 1], [2], [])
    """
    while True:
        gathered: list[X] = []
        while len(gathered) < batch_size:
            try:
                gathered.append(getter())
            except yield_ex:
                break
            except StopIteration:
                yield gathered
                return
        yield gathered


def batch_async(
    aib: AsyncIterable[X],
    timeout: timedelta,
    batch_size: int,
    loop: asyncio.AbstractEventLoop | None = None,
) -> Iterator[list[X]]:
    """Batches from an async iterable, each gathered for at most `timeout`.

    `next_batch` must not block, so each batch runs the async iterator on an
    event loop until `batch_size` items arrived or `timeout` passed. An item
    still being awaited when time runs out is kept for the next batch.

    >>> async def numbers():
    ...     for n in range(3):
    ...         yield n
    >>> list(batch_async(numbers(), timedelta(seconds=1), 2))
    [[0, 1], [2]]
    """
    import asyncio  # only async sources pay for importing it

    ait = aib.__aiter__()
    run_loop = loop if loop is not None else asyncio.new_event_loop()
    pending: asyncio.Task[X] | None = None

    async def gather() -> list[X]:
        nonlocal pending
        gathered: list[X] = []
        for _ in range(batch_size):
            if pending is None:

                async def fetch() -> X:
                    return await ait.__anext__()

                pending = run_loop.create_task(fetch())
            try:
                # shield: a timeout cancels this wait, not the fetch itself.
                item = await asyncio.shield(pending)
            except asyncio.CancelledError:
                break
            except StopAsyncIteration:
                if gathered:
                    break
                raise
            gathered.append(item)
            pending = None
        return gathered

    while True:
        try:
            yield run_loop.run_until_complete(asyncio.wait_for(gather(), timeout.total_seconds()))
        except StopAsyncIteration:
            return
