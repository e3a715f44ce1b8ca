"""learnstream's sources and sinks, seen through Bytewax's connector interfaces.

learnstream's interfaces are Bytewax's (same classes, methods and arguments), so
each adapter only forwards calls. What it adds: a fixed-partitioned source keeps
its partitions, so Bytewax builds each partition on exactly one worker and every
item is read once whatever the worker count; learnstream's `AbortExecution`
becomes Bytewax's; and a source that fails says so as it does on learnstream.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bytewax import inputs as bw_inputs
from bytewax import outputs as bw_outputs

from learnstream import inputs, outputs
from learnstream.engine.steps import not_a_sink, not_a_source, source_failed
from learnstream.scaleout.failures import Failures


def _next_batch(step_id: str, part: Any, failures: Failures) -> list[Any]:
    try:
        return list(part.next_batch())
    except StopIteration:
        raise
    except inputs.AbortExecution as exc:
        raise bw_inputs.AbortExecution(str(exc)) from exc
    except Exception as exc:
        raise failures.note(source_failed(step_id, part, exc)) from exc


class _Partition(bw_inputs.StatefulSourcePartition[Any, Any]):
    """A learnstream `StatefulSourcePartition`, read by the one worker that owns it."""

    def __init__(
        self, step_id: str, part: inputs.StatefulSourcePartition[Any, Any], failures: Failures
    ) -> None:
        self.step_id = step_id
        self.part = part
        self.failures = failures

    def next_batch(self) -> list[Any]:
        return _next_batch(self.step_id, self.part, self.failures)

    def next_awake(self) -> datetime | None:
        return self.part.next_awake()

    def snapshot(self) -> Any:
        return self.part.snapshot()

    def close(self) -> None:
        self.part.close()


class _StatelessPartition(bw_inputs.StatelessSourcePartition[Any]):
    """A learnstream `StatelessSourcePartition`: one per worker, as in Bytewax."""

    def __init__(
        self, step_id: str, part: inputs.StatelessSourcePartition[Any], failures: Failures
    ) -> None:
        self.step_id = step_id
        self.part = part
        self.failures = failures

    def next_batch(self) -> list[Any]:
        return _next_batch(self.step_id, self.part, self.failures)

    def next_awake(self) -> datetime | None:
        return self.part.next_awake()

    def close(self) -> None:
        self.part.close()


class _FixedSource(bw_inputs.FixedPartitionedSource[Any, Any]):
    def __init__(self, source: inputs.FixedPartitionedSource[Any, Any], failures: Failures) -> None:
        self.source = source
        self.failures = failures

    def list_parts(self) -> list[str]:
        return list(self.source.list_parts())

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _Partition:
        part = self.source.build_part(step_id, for_part, resume_state)
        return _Partition(step_id, part, self.failures)


class _DynamicSource(bw_inputs.DynamicSource[Any]):
    def __init__(self, source: inputs.DynamicSource[Any], failures: Failures) -> None:
        self.source = source
        self.failures = failures

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _StatelessPartition:
        part = self.source.build(step_id, worker_index, worker_count)
        return _StatelessPartition(step_id, part, self.failures)


def source_for_bytewax(step_id: str, source: Any, failures: Failures) -> bw_inputs.Source[Any]:
    """The Bytewax source that reads what `source` reads, each item once.

    `step_id` is learnstream's, for error messages.
    """
    if isinstance(source, inputs.FixedPartitionedSource):
        return _FixedSource(source, failures)
    if isinstance(source, inputs.DynamicSource):
        return _DynamicSource(source, failures)
    raise not_a_source(step_id, source)


class _SinkPartition(bw_outputs.StatefulSinkPartition[Any, Any]):
    def __init__(self, part: outputs.StatefulSinkPartition[Any, Any]) -> None:
        self.part = part

    def write_batch(self, values: list[Any]) -> None:
        self.part.write_batch(values)

    def snapshot(self) -> Any:
        return self.part.snapshot()

    def close(self) -> None:
        self.part.close()


class _StatelessSinkPartition(bw_outputs.StatelessSinkPartition[Any]):
    def __init__(self, part: outputs.StatelessSinkPartition[Any]) -> None:
        self.part = part

    def write_batch(self, items: list[Any]) -> None:
        self.part.write_batch(items)

    def close(self) -> None:
        self.part.close()


class _FixedSink(bw_outputs.FixedPartitionedSink[Any, Any]):
    def __init__(self, sink: outputs.FixedPartitionedSink[Any, Any]) -> None:
        self.sink = sink

    def list_parts(self) -> list[str]:
        return list(self.sink.list_parts())

    def part_fn(self, item_key: str) -> int:
        # Both engines index this into the sorted partition names.
        return self.sink.part_fn(item_key)

    def build_part(self, step_id: str, for_part: str, resume_state: Any) -> _SinkPartition:
        return _SinkPartition(self.sink.build_part(step_id, for_part, resume_state))


class _DynamicSink(bw_outputs.DynamicSink[Any]):
    def __init__(self, sink: outputs.DynamicSink[Any]) -> None:
        self.sink = sink

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _StatelessSinkPartition:
        return _StatelessSinkPartition(self.sink.build(step_id, worker_index, worker_count))


def sink_for_bytewax(step_id: str, sink: Any) -> bw_outputs.Sink[Any]:
    """The Bytewax sink that writes where `sink` writes."""
    if isinstance(sink, outputs.FixedPartitionedSink):
        return _FixedSink(sink)
    if isinstance(sink, outputs.DynamicSink):
        return _DynamicSink(sink)
    raise not_a_sink(step_id, sink)
