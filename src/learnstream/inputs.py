"""Source interfaces, as in Bytewax: write a connector here and it ports by renaming.

A *source* makes *partitions*; the executor asks each partition for its
`next_batch()` until it raises `StopIteration`. Partitions that remember where
they are (`StatefulSourcePartition`) report it through `snapshot()`, which is what
recovery will use; `FixedPartitionedSource.build_part` receives that state back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Generic, TypeVar

X = TypeVar("X")
S = TypeVar("S")

__all__ = [
    "AbortExecution",
    "DynamicSource",
    "FixedPartitionedSource",
    "Source",
    "StatefulSourcePartition",
    "StatelessSourcePartition",
    "batch",
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


def batch(items: Iterable[X], batch_size: int) -> Iterator[list[X]]:
    """Group an iterable into lists of at most `batch_size` items.

    >>> list(batch(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    it = iter(items)
    while chunk := list(islice(it, batch_size)):
        yield chunk
