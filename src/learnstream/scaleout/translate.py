"""Translate a built learnstream `Dataflow` into a Bytewax `Dataflow`, core step by core step.

Each learnstream core step becomes one Bytewax core operator, or a short chain of
them, and keeps running learnstream's own code:

| learnstream core step | on Bytewax |
|---|---|
| `input`, `output` | `input`, `output` with the connector seen through Bytewax's interfaces |
| `flat_map_batch`, `branch` | `flat_map_batch` calling the learnstream step on each batch |
| `merge` | `merge` (`redistribute` when it is the inside of `op.redistribute`) |
| `inspect_debug` | `inspect_debug`: epochs and worker numbers are Bytewax's |
| `stateful_batch`, `count_final`, `window_core` | items routed to *shards* by key, then `stateful_batch` holding one learnstream step per shard |
| `join` | each side's items tagged with its port and merged, then sharded by key like the above |

A shard is a slice of the key space (a stable hash of the key, the same in every
process). Bytewax sends each shard to one worker, so every key's items meet in
one learnstream step there, in the order they arrived: that step sees a subset
of the keys and computes exactly what it computes on learnstream, batch at a
time, in the C core. Only the order of outputs across keys and workers changes.
There is one shard per worker, named so that Bytewax places it on that worker
(`placement`): the keys split over the workers as evenly as their hash does, and
each batch costs one call and one message per worker.
"""

from __future__ import annotations

import functools
import itertools
import operator
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bytewax.operators as bw_op
from bytewax.dataflow import Dataflow as BytewaxDataflow
from bytewax.dataflow import Stream as BytewaxStream

from learnstream.dataflow import CoreStep, Dataflow, Operator
from learnstream.engine import clock, resume
from learnstream.engine.executor import runnable_steps
from learnstream.engine.keyed_items import split_keyed
from learnstream.errors import DataflowError, user_function_error
from learnstream.outputs import FixedPartitionedSink
from learnstream.scaleout.connectors import sink_for_bytewax, source_for_bytewax
from learnstream.scaleout.failures import Failures
from learnstream.scaleout.placement import shard_names
from learnstream.testing import TestingSource

#: Shards of a run with recovery, whatever its worker count: Bytewax snapshots each
#: shard's state under the shard's name and, resumed on another number of workers,
#: places the names anew, so a key must map to the same name in every run.
RECOVERY_SHARDS = 64


class UnsupportedOnBytewax(DataflowError):
    """A step of the flow has no Bytewax counterpart."""


@dataclass
class BytewaxFlow:
    """A learnstream flow translated for Bytewax, and the learnstream steps it runs."""

    flow: BytewaxDataflow
    recovering: bool = False
    failures: Failures = field(default_factory=Failures)
    hosted: list[tuple[str, Any]] = field(default_factory=list)
    """`(learnstream step id, runtime)` of every keyed step built so far (for run stats)."""

    def stats(self) -> dict[str, dict[str, int]]:
        """Per learnstream step, the counts its runtimes keep, summed over shards."""
        totals: dict[str, dict[str, int]] = {}
        for step_id, runtime in list(self.hosted):
            counts = getattr(runtime, "stats", None)
            if callable(counts):
                into = totals.setdefault(step_id, {})
                for name, n in counts().items():
                    into[name] = into.get(name, 0) + n
        return totals


def to_bytewax(flow: Dataflow, worker_count: int = 1, *, recovering: bool = False) -> BytewaxFlow:
    """Translate `flow` for a Bytewax run on `worker_count` workers in all.

    `recovering`: the run has a recovery config, so keyed steps snapshot their shards.
    """
    steps = runnable_steps(flow)
    calls = {call.step_id: call for call in _calls(flow.root)}
    out = BytewaxFlow(BytewaxDataflow(flow.flow_id), recovering=recovering)
    if recovering:
        shards = [str(n) for n in range(RECOVERY_SHARDS)]
    else:
        shards = shard_names(worker_count)
    streams: dict[str, BytewaxStream[Any]] = {}
    for step in steps:
        ups = [streams[stream_id] for stream_id in step.inputs]
        # Bytewax step ids are local to the flow and may not hold dots.
        local = step.step_id.removeprefix(f"{flow.flow_id}.").replace(".", "/")
        if step.operator == "input":
            if worker_count > 1:
                _refuse_abort(step)
            source = source_for_bytewax(step.step_id, step.params["source"], out.failures)
            downs = [bw_op.input(local, out.flow, source)]
        elif step.operator == "output":
            downs = _output(step, local, ups[0], out.failures)
        elif step.operator == "inspect_debug":
            downs = [bw_op.inspect_debug(local, ups[0], _inspector(step, out.failures))]
        elif step.operator == "merge":
            parent = calls[step.step_id.rpartition(".")[0]]
            if parent.op_type == "redistribute":
                downs = [bw_op.redistribute(local, ups[0])]
            else:
                downs = [bw_op.merge(local, *ups)]
        elif step.operator in ("flat_map_batch", "branch"):
            downs = _stateless(step, local, ups[0], out.failures)
        elif step.operator in _KEY_OF:
            downs = _sharded(step, local, ups, shards, out)
        else:
            raise UnsupportedOnBytewax(
                f"step {step.step_id!r} uses learnstream's core operator "
                f"{step.operator!r}, which cannot run on Bytewax; run this flow on "
                "learnstream (without --engine bytewax)"
            )
        streams.update(zip(step.outputs, downs, strict=True))
    return out


def _refuse_abort(step: CoreStep) -> None:
    """`TestingSource.ABORT` stops one worker; Bytewax 0.21.1 then waits for the others forever."""
    source = step.params["source"]
    if isinstance(source, TestingSource) and isinstance(source.ib, list | tuple):
        if any(isinstance(item, TestingSource.ABORT) for item in source.ib):
            raise UnsupportedOnBytewax(
                f"step {step.step_id!r} (input) reads a TestingSource holding "
                "TestingSource.ABORT(): on several Bytewax workers the abort stops only the "
                "worker reading it, and Bytewax 0.21.1 waits for the others forever; run this "
                "flow on one worker"
            )


def _calls(call: Operator) -> Iterable[Operator]:
    yield call
    for child in call.substeps:
        yield from _calls(child)


def _port_names(step: CoreStep) -> list[str]:
    return [stream_id.rpartition(".")[2] for stream_id in step.outputs]


def _output(
    step: CoreStep, local: str, up: BytewaxStream[Any], failures: Failures
) -> list[BytewaxStream[Any]]:
    sink = sink_for_bytewax(step.step_id, step.params["sink"])
    if isinstance(step.params["sink"], FixedPartitionedSink):
        # A partitioned sink routes by key: check items as learnstream does, for its message.
        def keyed(items: list[Any]) -> list[Any]:
            split_keyed(step.step_id, "output", items)
            return items

        up = bw_op.flat_map_batch(f"{local}/keyed", up, failures.guard(keyed))
    bw_op.output(local, up, sink)
    return []


def _inspector(step: CoreStep, failures: Failures) -> Callable[[str, Any, int, int], None]:
    inspector = step.params["inspector"]

    def shim(_bytewax_step_id: str, item: Any, epoch: int, worker: int) -> None:
        try:
            inspector(step.step_id, item, epoch, worker)
        except Exception as exc:
            err = user_function_error(step.step_id, "inspect", inspector, item, exc)
            raise failures.note(err) from exc

    return shim


def _stateless(
    step: CoreStep, local: str, up: BytewaxStream[Any], failures: Failures
) -> list[BytewaxStream[Any]]:
    """A step without state: one runtime, called on each batch of each worker."""
    runtime = step.runtime()

    if len(step.outputs) == 1:

        def only(items: list[Any]) -> list[Any]:
            return runtime.process([items], clock.now())[0]

        return [bw_op.flat_map_batch(local, up, failures.guard(only))]

    def tagged(items: list[Any]) -> list[tuple[int, Any]]:
        outs = runtime.process([items], clock.now())
        return [(port, item) for port, got in enumerate(outs) for item in got]

    both = bw_op.flat_map_batch(local, up, failures.guard(tagged))
    return [
        bw_op.flat_map_batch(f"{local}/{name}", both, _port(port))
        for port, name in enumerate(_port_names(step))
    ]


def _port(port: int) -> Callable[[list[tuple[int, Any]]], list[Any]]:
    def select(items: list[tuple[int, Any]]) -> list[Any]:
        return [item for p, item in items if p == port]

    return select


def _item_key(step: CoreStep) -> Callable[[Any], Any]:
    return operator.itemgetter(0)


def _count_key(step: CoreStep) -> Callable[[Any], Any]:
    return step.params["key"]


def _port_item_key(step: CoreStep) -> Callable[[Any], Any]:
    return lambda tagged: tagged[1][0]  # (port, (key, value))


#: How each keyed step finds an item's key, to route it to its shard. Routing never
#: fails: an item without a proper key goes to the first shard, where the learnstream step
#: raises its usual error about it.
_KEY_OF: dict[str, Callable[[CoreStep], Callable[[Any], Any]]] = {
    "stateful_batch": _item_key,
    "window_core": _item_key,
    "count_final": _count_key,
    "join": _port_item_key,
}


def _router(key_of: Callable[[Any], Any], names: list[str]) -> Callable[[list[Any]], list[Any]]:
    """Split a batch into one `(shard name, items)` per shard it touches, items in order.

    Bytewax moves (and, between processes, pickles) each routed item on its own:
    one list per shard and batch costs far less than one item per item.
    """
    if len(names) == 1:
        return lambda items: [(names[0], items)]
    shards = len(names)
    crc32 = zlib.crc32

    def shard_of(key: Any) -> str:
        # A StrEnum key shards with its plain text, as learnstream keys it.
        return names[crc32(key.encode()) % shards] if isinstance(key, str) else names[0]

    def safe_key(item: Any) -> Any:
        try:
            return key_of(item)
        except Exception:
            return None

    def route(items: list[Any]) -> list[tuple[str, list[Any]]]:
        try:
            keys = list(map(key_of, items))
        except Exception:
            keys = []
        if len(keys) != len(items):  # the key function raised (StopIteration ends map early)
            keys = [safe_key(item) for item in items]  # the step reports it, in shard 0
        groups: dict[str, list[Any]] = {}
        for name, item in zip(map(shard_of, keys), items, strict=True):
            group = groups.get(name)
            if group is None:
                groups[name] = [item]
            else:
                group.append(item)
        return list(groups.items())

    return route


class _Shard(bw_op.StatefulBatchLogic[Any, Any, None]):
    """One learnstream step holding the state of every key in one shard."""

    def __init__(
        self,
        runtime: Any,
        tag: bool,
        ports: int,
        failures: Failures,
        recovering: bool,
        saved: dict[str, Any] | None,
    ) -> None:
        self.runtime = runtime
        self.recovering = recovering
        self.held = dict(saved or {})  # the step's state by key, as its changes say
        self.tag = tag
        self.ports = ports  # input ports: with several, values arrive as (port, item)
        self.process = failures.guard(runtime.process)
        self.eof = failures.guard(runtime.eof)
        self.next_awake = getattr(runtime, "next_awake", None)

    def _emit(self, outs: list[list[Any]]) -> list[Any]:
        # One emitted value per call (the output lists): see `_router`.
        if not any(outs):
            return []
        return [outs[0]] if not self.tag else [outs]

    def _inputs(self, groups: list[list[Any]]) -> list[list[Any]]:
        values = groups[0] if len(groups) == 1 else list(itertools.chain.from_iterable(groups))
        if self.ports == 1:
            return [values]
        inputs: list[list[Any]] = [[] for _ in range(self.ports)]
        for port, item in values:
            inputs[port].append(item)
        return inputs

    def on_batch(self, values: list[Any]) -> tuple[Iterable[Any], bool]:
        return self._emit(self.process(self._inputs(values), clock.now())), self.RETAIN

    def on_notify(self) -> tuple[Iterable[Any], bool]:
        return self._emit(self.process(self._inputs([]), clock.now())), self.RETAIN

    def on_eof(self) -> tuple[Iterable[Any], bool]:
        now = clock.now()
        outs = self.process(self._inputs([]), now)
        flushed = self.eof(now)
        emitted = self._emit([a + b for a, b in zip(outs, flushed, strict=True)])
        # With recovery the state after EOF is kept, as learnstream's engine snapshots
        # it: a continuation of the input goes on from there.
        return emitted, self.RETAIN if self.recovering else self.DISCARD

    def notify_at(self) -> datetime | None:
        return None if self.next_awake is None else self.next_awake()

    def snapshot(self) -> Any:
        """The shard's whole state (with recovery), by key: Bytewax keeps one snapshot per
        shard, so the step's changed keys are applied to the state held so far."""
        if not self.recovering:
            return None
        held = self.held
        changes = self.runtime.snapshot()
        if changes is resume.CLEARED:
            held.clear()
            changes = {}
        for key, state in changes.items():
            if state is resume.GONE:
                held.pop(key, None)
            else:
                held[key] = state
        return dict(held)


def _sharded(
    step: CoreStep, local: str, ups: list[BytewaxStream[Any]], shards: list[str], out: BytewaxFlow
) -> list[BytewaxStream[Any]]:
    up = ups[0]
    if len(ups) > 1:  # a join: tag each side's items with their port, then merge
        tagged = [
            bw_op.map(f"{local}/port{port}", side, functools.partial(_with_port, port))
            for port, side in enumerate(ups)
        ]
        up = bw_op.merge(f"{local}/ports", *tagged)
    routed = bw_op.flat_map_batch(
        f"{local}/route", up, _router(_KEY_OF[step.operator](step), shards)
    )
    tag = len(step.outputs) > 1

    def build(saved: Any) -> _Shard:
        # The step's runtime reads its saved state while it is built (`engine.resume`).
        with resume.building(step.step_id, {step.step_id: saved}, recovering=out.recovering):
            runtime = step.runtime()
        out.hosted.append((step.step_id, runtime))
        return _Shard(runtime, tag, len(ups), out.failures, out.recovering, saved)

    held = bw_op.stateful_batch(local, routed, build)
    if not tag:
        return [bw_op.flat_map_batch(f"{local}/unshard", held, _unshard)]
    return [
        bw_op.flat_map_batch(f"{local}/{name}", held, _unshard_port(port))
        for port, name in enumerate(_port_names(step))
    ]


def _with_port(port: int, item: Any) -> tuple[int, Any]:
    return (port, item)


def _unshard(emitted: list[tuple[str, list[Any]]]) -> list[Any]:
    return [item for _, items in emitted for item in items]


def _unshard_port(port: int) -> Callable[[list[tuple[str, list[list[Any]]]]], list[Any]]:
    def select(emitted: list[tuple[str, list[list[Any]]]]) -> list[Any]:
        return [item for _, outs in emitted for item in outs[port]]

    return select
