"""Run a dataflow: one process, one batch at a time.

The executor knows nothing about particular operators. Each core step builds a
*runtime* object with two methods:

- `process(inputs, now) -> outputs`: take the items that reached each input port
  during this tick (one list per port) and return one list per output port;
- `eof(now) -> outputs`: called once, after every upstream step has finished,
  to flush whatever state is left.

A tick asks every source for a batch, then walks the steps in topological order,
so each step sees all of its inputs for the tick before it runs. When every
source is exhausted the executor walks the steps once more, calling `eof`, then
writes the final snapshot (with recovery) and only then closes the sources'
partitions, so a source may acknowledge what it read once that is safe.

With a recovery store (`learnstream.recovery`), a runtime that keeps state
between ticks also has `snapshot()`: when an epoch ends (always between ticks,
so every step has seen exactly the items read so far) the executor writes every
such snapshot as that epoch, and a resumed run builds each runtime from its
snapshot (`learnstream.engine.resume`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from learnstream import tracing
from learnstream.dataflow import CoreStep, Dataflow
from learnstream.engine import clock, resume
from learnstream.engine.chains import fuse
from learnstream.errors import DataflowError, FlowRunError
from learnstream.inputs import AbortExecution

if TYPE_CHECKING:
    from learnstream.recovery import RecoveryStore

Outputs = list[list[Any]]

_MAX_IDLE_SLEEP = timedelta(milliseconds=100)
DEFAULT_EPOCH_INTERVAL = timedelta(seconds=10)  # Bytewax's run_main default
_MAX_STALLED_TICKS = 10_000


class Runtime(Protocol):
    """What a core step does at run time."""

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs: ...

    def eof(self, now: datetime) -> Outputs: ...


class Source(Runtime, Protocol):
    """A runtime with no inputs that says when it is exhausted."""

    done: bool

    def next_awake(self) -> datetime | None: ...

    def close(self) -> None: ...


@dataclass
class RunStats:
    """What a run did, for the summary `learnstream run` prints."""

    ticks: int = 0
    items_in: int = 0
    aborted: bool = False
    per_step: dict[str, dict[str, int]] = field(default_factory=dict)


def topological(steps: list[CoreStep]) -> list[CoreStep]:
    """Order steps so that every step comes after the steps that feed it.

    Steps are added in building order, which is already topological because an
    operator can only consume streams that exist; this re-checks it so a
    hand-built graph with a cycle fails clearly.
    """
    produced: set[str] = set()
    for step in steps:
        for stream_id in step.inputs:
            if stream_id not in produced:
                raise DataflowError(
                    f"step {step.step_id!r} ({step.operator}) reads stream {stream_id!r} "
                    "before any step produces it"
                )
        produced.update(step.outputs)
    return steps


def runnable_steps(flow: Dataflow) -> list[CoreStep]:
    """The flow's steps in topological order, once it is sure to have an input and an output."""
    # As in Bytewax: a RuntimeError caused by a ValueError in Bytewax's words.
    if not any(s.operator == "input" for s in flow.steps):
        raise FlowRunError(
            f"Dataflow {flow.flow_id!r} has no input: add op.input(...) before running it"
        ) from DataflowError(
            "Dataflow needs to contain at least one input step; add with "
            "`learnstream.operators.input`"
        )
    if not any(s.operator in ("output", "inspect_debug") for s in flow.steps):
        raise FlowRunError(
            f"Dataflow {flow.flow_id!r} has no output: add op.output(...) (e.g. with "
            "StdOutSink()) or op.inspect(...) so its results go somewhere"
        ) from DataflowError(
            "Dataflow needs to contain at least one output or inspect step; add with "
            "`learnstream.operators.output` or `learnstream.operators.inspect`"
        )
    return topological(flow.steps)


class Executor:
    """Runs the core steps of a flow until its sources are exhausted."""

    def __init__(
        self,
        flow: Dataflow,
        *,
        fused: bool = True,
        epoch_interval: timedelta | None = None,
        store: RecoveryStore | None = None,
    ) -> None:
        self.flow = flow
        self.epoch_interval = DEFAULT_EPOCH_INTERVAL if epoch_interval is None else epoch_interval
        self._epoch_started: datetime | None = None
        self.steps = runnable_steps(flow)
        self.store = store
        states: dict[str, dict[str, Any]] = {}
        if store is not None:
            store.check_flow(flow.flow_id)
            epoch, states = store.load()
            clock.resume_after(epoch)
        self.runtimes: list[Runtime] = []
        for step in self.steps:
            with resume.building(step.step_id, states, recovering=store is not None):
                self.runtimes.append(step.runtime())
        # Every runtime that keeps state between ticks can snapshot it.
        self.stateful = [
            (step, rt)
            for step, rt in zip(self.steps, self.runtimes, strict=True)
            if hasattr(rt, "snapshot")
        ]
        if store is not None:
            store.check_steps(flow.flow_id, [(s.step_id, s.operator) for s, _ in self.stateful])
        if fused:  # neighbouring map/filter steps as one pass (same outputs and errors)
            self.steps, self.runtimes = fuse(self.steps, self.runtimes)
        self.stats = RunStats()
        self._stalled = 0
        self._last_idle: datetime | None = None

    def _walk(self, sources: dict[int, Outputs], now: datetime, *, at_eof: bool) -> int:
        """Push one tick's items through every step; return how many items moved."""
        streams: dict[str, list[Any]] = {}
        moved = 0
        for index, (step, runtime) in enumerate(zip(self.steps, self.runtimes, strict=True)):
            if index in sources:
                outs = sources[index]
            else:
                inputs = [streams.get(s, []) for s in step.inputs]
                outs = runtime.process(inputs, now)
                if at_eof:
                    flushed = runtime.eof(now)
                    outs = [a + b for a, b in zip(outs, flushed, strict=True)]
            for stream_id, items in zip(step.outputs, outs, strict=True):
                streams[stream_id] = items
                moved += len(items)
        return moved

    def run(self) -> RunStats:
        """Run to completion (or until a source aborts)."""
        sources = {i: rt for i, rt in enumerate(self.runtimes) if self.steps[i].operator == "input"}
        tracing.span("INFO", f"run of flow {self.flow.flow_id!r} started at epoch {clock.epoch()}")
        while True:
            now = clock.now()
            polled = {}
            try:
                for i, rt in sources.items():
                    polled[i] = rt.process([], now)
            except AbortExecution:
                self.stats.aborted = True
                tracing.span("INFO", f"run aborted by its source in epoch {clock.epoch()}")
                return self._step_stats()
            arrived = sum(len(out) for outs in polled.values() for out in outs)
            self.stats.items_in += arrived
            self.stats.ticks += 1
            finished = all(rt.done for rt in sources.values())  # type: ignore[attr-defined]
            self._walk(polled, now, at_eof=finished)
            if finished:
                self._snapshot()  # the state after EOF: resuming a finished run adds nothing
                for rt in sources.values():
                    rt.close()  # type: ignore[attr-defined]
                tracing.span(
                    "INFO", f"run ended in epoch {clock.epoch()}: {self.stats.items_in} items read"
                )
                return self._step_stats()
            if arrived == 0:
                self._idle(sources, now)
            else:
                self._maybe_next_epoch(now)

    def _maybe_next_epoch(self, now: datetime) -> None:
        """After a tick that read items, end the epoch once `epoch_interval` has passed.

        As in Bytewax: items are stamped with the epoch they were read in, and the
        check comes after reading, so an epoch never ends while its source sleeps.
        """
        if self._epoch_started is None:
            self._epoch_started = now
        if now - self._epoch_started >= self.epoch_interval:
            self._snapshot()
            tracing.span("DEBUG", f"epoch {clock.epoch()} ended ({self.stats.items_in} items read)")
            clock.next_epoch()
            self._epoch_started = now

    def _snapshot(self) -> None:
        """With a recovery store, write the epoch that ends now (every step is between
        ticks): each step's keys that changed since the last snapshot."""
        if self.store is not None:
            changes = {step.step_id: rt.snapshot() for step, rt in self.stateful}
            self.store.write(clock.epoch(), changes)

    def _step_stats(self) -> RunStats:
        """Add what each step that keeps counts (the windowing steps) reports."""
        for step, runtime in zip(self.steps, self.runtimes, strict=True):
            stats = getattr(runtime, "stats", None)
            if callable(stats):
                self.stats.per_step[step.step_id] = stats()
        return self.stats

    def _idle(self, sources: dict[int, Runtime], now: datetime) -> None:
        """Nothing arrived: wait for the next source or timer instead of spinning."""
        if not clock.is_system():
            self._stalled = self._stalled + 1 if now == self._last_idle else 0
            self._last_idle = now
            if self._stalled > _MAX_STALLED_TICKS:
                raise DataflowError(
                    f"Dataflow {self.flow.flow_id!r} is waiting for time to pass, but it runs "
                    "on a test clock (now_getter) that never moves: advance the clock from "
                    "your flow or source, or run without now_getter"
                )
            return
        wakes = [rt.next_awake() for rt in sources.values()]  # type: ignore[attr-defined]
        wakes += [
            rt.next_awake()
            for rt in self.runtimes
            if hasattr(rt, "next_awake") and rt not in sources.values()
        ]
        due = [w for w in wakes if w is not None]
        wait = min(due) - now if due else _MAX_IDLE_SLEEP
        wait = max(timedelta(0), min(wait, _MAX_IDLE_SLEEP))
        time.sleep(wait.total_seconds())


def run_flow(
    flow: Dataflow,
    now_getter: Callable[[], datetime] | None = None,
    epoch_interval: timedelta | None = None,
    recovery_config: Any = None,
) -> RunStats:
    """Run `flow` in this process and return what happened.

    With a `RecoveryConfig`, the run resumes from the store's last complete
    epoch and snapshots every epoch it completes.
    """
    store = None
    if recovery_config is not None:
        from learnstream.recovery import RecoveryStore

        store = RecoveryStore(recovery_config)
    try:
        with clock.using(now_getter):
            return Executor(flow, epoch_interval=epoch_interval, store=store).run()
    finally:
        if store is not None:
            store.close()
