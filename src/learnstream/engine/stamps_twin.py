"""Event times of a batch in microseconds: the readable twin of `csrc/stamps.c`.

An `EventClock`'s `ts_getter` returns an aware `datetime` for each item; the
window core counts time in integer microseconds since the Unix epoch (UTC).
`event_micros` calls the getter on every value and converts each answer exactly,
or says which item stopped it and why. The C core does the same loop, reading
each datetime's fields directly.

>>> from datetime import datetime, timedelta, timezone
>>> event_micros([0, 1], lambda s: datetime(1970, 1, 1, 0, 0, s, tzinfo=timezone.utc))
([0, 1000000], None)
>>> event_micros([7], lambda s: datetime(1970, 1, 1))[1]
StampFailure(index=0, kind=2, what=datetime.datetime(1970, 1, 1, 0, 0))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from learnstream.engine.constants import MAX_US, MIN_US, NOT_AWARE, OUT_OF_RANGE, RAISED

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


class StampFailure(NamedTuple):
    """Why the value at `index` has no event time."""

    index: int  # type: ignore[assignment]  # a field named as tuple's method, on purpose
    kind: int  # RAISED, NOT_AWARE or OUT_OF_RANGE
    what: Any


def event_micros(
    values: list[Any], getter: Callable[[Any], Any]
) -> tuple[list[int], StampFailure | None]:
    """The UTC microseconds of `getter(v)` for each value, or the first failure.

    Every exception is caught, even `KeyboardInterrupt`, for the caller to re-raise.
    """
    out: list[int] = []
    for index, value in enumerate(values):
        try:
            stamp = getter(value)
            offset = stamp.utcoffset() if isinstance(stamp, datetime) else None
        except BaseException as exc:
            return out, StampFailure(index, RAISED, exc)
        if offset is None:  # not a datetime, or a naive one
            return out, StampFailure(index, NOT_AWARE, stamp)
        us = (stamp - _EPOCH) // _ONE_US  # exact: datetime arithmetic is in whole µs
        if not MIN_US <= us <= MAX_US:
            return out, StampFailure(index, OUT_OF_RANGE, stamp)
        out.append(us)
    return out, None
