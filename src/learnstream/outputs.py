"""Sink interfaces, as in Bytewax: write a connector here and it ports by renaming.

`op.output` hands each batch of items to a sink partition's `write_batch`.
A `FixedPartitionedSink` receives `(key, value)` items and routes each to a
partition chosen by `part_fn(key)`; a `DynamicSink` has one partition per worker.
"""

from __future__ import annotations

import zlib
from abc import ABC, abstractmethod
from typing import Generic, TypeVar

X = TypeVar("X")
S = TypeVar("S")

__all__ = [
    "DynamicSink",
    "FixedPartitionedSink",
    "Sink",
    "StatefulSinkPartition",
    "StatelessSinkPartition",
]


class Sink(ABC, Generic[X]):
    """Anything `op.output` accepts."""


class StatefulSinkPartition(ABC, Generic[X, S]):
    """One partition of a `FixedPartitionedSink`."""

    @abstractmethod
    def write_batch(self, values: list[X]) -> None:
        """Write these values, in order."""

    @abstractmethod
    def snapshot(self) -> S:
        """State that lets `build_part` resume writing where it is now."""

    def close(self) -> None:
        """Flush and release resources; called once at the end."""


class FixedPartitionedSink(Sink[tuple[str, X]], Generic[X, S]):
    """A sink with a fixed set of named partitions; items are `(key, value)`."""

    @abstractmethod
    def list_parts(self) -> list[str]:
        """Names of every partition."""

    def part_fn(self, item_key: str) -> int:
        """Which partition (index into the sorted `list_parts()`) gets this key."""
        return zlib.adler32(item_key.encode())

    @abstractmethod
    def build_part(
        self, step_id: str, for_part: str, resume_state: S | None
    ) -> StatefulSinkPartition[X, S]:
        """Open partition `for_part`, resuming from `resume_state` when given."""


class StatelessSinkPartition(ABC, Generic[X]):
    """One partition of a `DynamicSink`."""

    @abstractmethod
    def write_batch(self, items: list[X]) -> None:
        """Write these items, in order."""

    def close(self) -> None:
        """Flush and release resources; called once at the end."""


class DynamicSink(Sink[X]):
    """A sink that builds one partition per worker (learnstream runs one worker)."""

    @abstractmethod
    def build(
        self, step_id: str, worker_index: int, worker_count: int
    ) -> StatelessSinkPartition[X]:
        """Build the partition for this worker."""
