"""The engine's notion of "now", replaceable in tests, and the current epoch.

Timers (`StatefulLogic.notify_at`), `collect` timeouts and `SystemClock` windows
read the time through `now()`. `run_main(flow, now_getter=...)` swaps the getter
for the length of a run, so tests can drive time by hand.

Epochs number stretches of a run, as in Bytewax: every item a tick reads belongs
to the current epoch, and the executor starts the next epoch after a tick that
read items once `epoch_interval` has passed. `inspect_debug` shows the number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def system_utc() -> datetime:
    """The wall-clock time, timezone-aware in UTC."""
    return datetime.now(UTC)


_getter: Callable[[], datetime] = system_utc
_epoch = 1


def now() -> datetime:
    """The current time as the running flow sees it."""
    return _getter()


def epoch() -> int:
    """The epoch the items being processed belong to (1 for the first)."""
    return _epoch


def next_epoch() -> None:
    """Start the next epoch (the executor's call)."""
    global _epoch
    _epoch += 1


def resume_after(last: int) -> None:
    """A resumed run goes on with the epoch after the last one snapshotted."""
    global _epoch
    _epoch = last + 1


def is_system() -> bool:
    """True when time is the real wall clock (so the executor may sleep)."""
    return _getter is system_utc


@contextmanager
def using(getter: Callable[[], datetime] | None) -> Iterator[None]:
    """Use `getter` as the clock inside the block; epochs count from 1 again."""
    global _getter, _epoch
    (previous, previous_epoch), _getter, _epoch = (_getter, _epoch), (getter or system_utc), 1
    try:
        yield
    finally:
        _getter, _epoch = previous, previous_epoch
