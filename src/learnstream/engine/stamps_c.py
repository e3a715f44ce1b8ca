"""Event times on the C core (`csrc/stamps.c`), with `stamps_twin`'s interface.

The microseconds stay in a C `int64_t[]` array, which the C window core takes as is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from learnstream.engine.ccore import ffi, lib
from learnstream.engine.constants import MAX_US, MIN_US, NOT_AWARE, OUT_OF_RANGE, RAISED
from learnstream.engine.stamps_twin import StampFailure

__all__ = [
    "MAX_US",
    "MIN_US",
    "NOT_AWARE",
    "OUT_OF_RANGE",
    "RAISED",
    "StampFailure",
    "event_micros",
]

try:
    _event_micros = lib.ls_event_micros
except AttributeError as exc:  # an extension built before csrc/stamps.c existed
    raise ImportError("the C core predates csrc/stamps.c: reinstall (pip install -e .)") from exc


def event_micros(
    values: list[Any], getter: Callable[[Any], Any]
) -> tuple[Any, StampFailure | None]:
    """See `stamps_twin.event_micros`: the same loop, in C; the result is an int64 array."""
    if type(values) is not list:  # C reads the batch as a list
        values = list(values)
    out = ffi.new("int64_t[]", len(values))
    failure: list[tuple[int, int, Any]] = []
    status = _event_micros(
        ffi.cast("void *", id(values)),
        ffi.cast("void *", id(getter)),
        out,
        ffi.cast("void *", id(failure)),
    )
    if status == lib.LS_ENOMEM:
        raise MemoryError("out of memory while reporting a bad timestamp")
    if not failure:
        return out, None
    index, kind, what = failure[0]
    return ffi.unpack(out, index), StampFailure(index, kind, what)
