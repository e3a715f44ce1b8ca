"""The engine's notion of "now", replaceable in tests.

Timers (`StatefulLogic.notify_at`), `collect` timeouts and `SystemClock` windows
read the time through `now()`. `run_main(flow, now_getter=...)` swaps the getter
for the length of a run, so tests can drive time by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def system_utc() -> datetime:
    """The wall-clock time, timezone-aware in UTC."""
    return datetime.now(UTC)


_getter: Callable[[], datetime] = system_utc


def now() -> datetime:
    """The current time as the running flow sees it."""
    return _getter()


def is_system() -> bool:
    """True when time is the real wall clock (so the executor may sleep)."""
    return _getter is system_utc


@contextmanager
def using(getter: Callable[[], datetime] | None) -> Iterator[None]:
    """Use `getter` as the clock inside the block."""
    global _getter
    previous, _getter = _getter, (getter or system_utc)
    try:
        yield
    finally:
        _getter = previous
