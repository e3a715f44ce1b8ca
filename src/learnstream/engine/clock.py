"""The run context: one run's notion of "now", its epoch, and the state it resumes from.

Timers (`StatefulLogic.notify_at`), `collect` timeouts and `SystemClock` windows
read the time through `now()`. `run_main(flow, now_getter=...)` swaps the getter
for the length of a run, so tests can drive time by hand.

Epochs number stretches of a run, as in Bytewax: every item a tick reads belongs
to the current epoch, and the executor starts the next epoch after a tick that
read items once `epoch_interval` has passed. `inspect_debug` shows the number.

Each run has its own `RunContext`: `using` makes one for the length of a run and
the executor holds it. It is found through a `contextvars.ContextVar`, so a run
started inside another (a flow run from a learner's function, a grader's check)
has its own clock and epochs and gives the outer run's back when it ends, and
runs in different threads never see each other's. A thread that has no run of
its own (Bytewax's workers, which `cluster_main` starts inside a run) reads the
run started last in the process that has not ended yet, or the wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def system_utc() -> datetime:
    """The wall-clock time, timezone-aware in UTC."""
    return datetime.now(UTC)


@dataclass(eq=False)  # runs are told apart by identity
class RunContext:
    """One run's clock and epoch, and the state its runtimes resume from (`engine.resume`)."""

    now_getter: Callable[[], datetime] = system_utc
    epoch: int = 1
    states: dict[str, Any] = field(default_factory=dict)
    """By core step id: the state a resumed run's runtimes start from."""
    building: str | None = None
    """The core step whose runtime is being built (its `saved()` state)."""
    recovering: bool = False
    """Whether the runtime being built will be snapshotted (the run has a store)."""

    def now(self) -> datetime:
        """The current time as the running flow sees it."""
        return self.now_getter()


_current: ContextVar[RunContext] = ContextVar("learnstream_run")
_running: list[RunContext] = []  # every run of the process that has not ended, oldest first
_OUTSIDE = RunContext()  # outside any run: the wall clock, epoch 1, nothing to resume


def current() -> RunContext:
    """The context of the run this code runs in (see the module docstring)."""
    context = _current.get(None)
    if context is not None:
        return context
    return _running[-1] if _running else _OUTSIDE


def now() -> datetime:
    """The current time as the running flow sees it."""
    return current().now_getter()


def epoch() -> int:
    """The epoch the items being processed belong to (1 for the first)."""
    return current().epoch


def next_epoch() -> None:
    """Start the next epoch (the executor's call)."""
    current().epoch += 1


def resume_after(last: int) -> None:
    """A resumed run goes on with the epoch after the last one snapshotted."""
    current().epoch = last + 1


def is_system() -> bool:
    """True when time is the real wall clock (so the executor may sleep)."""
    return current().now_getter is system_utc


@contextmanager
def using(getter: Callable[[], datetime] | None) -> Iterator[RunContext]:
    """A new run inside the block: `getter` as its clock (the wall clock if None), epochs from 1."""
    context = RunContext(getter or system_utc)
    token = _current.set(context)
    _running.append(context)
    try:
        yield context
    finally:
        _running.remove(context)
        _current.reset(token)


@contextmanager
def entered(context: RunContext) -> Iterator[None]:
    """Run the block in `context` (a thread the run started: it begins with no context)."""
    token = _current.set(context)
    try:
        yield
    finally:
        _current.reset(token)
