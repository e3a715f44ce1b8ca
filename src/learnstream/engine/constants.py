"""The numbers the C core and its pure-Python twins share, defined once for Python.

`csrc/ccore.h` defines each of them for C as `LS_<name>` (the join modes as
`LS_JOIN_<name>`, the timestamp failures as `LS_STAMP_<name>`). The twins import
them from here; when the C core is loaded, `check` compares every one with the
compiled value, so the two sides can never disagree silently.
"""

from __future__ import annotations

from typing import Any

# --- windows (windows_twin.py, csrc/windows.c) ---------------------------------

SLIDING = 0
"""Fixed windows numbered from `align` (tumbling windows are sliding with offset == length)."""
SESSION = 1
"""Windows that grow with activity and close after `gap` of silence."""

EVENT = 0
"""`EventClock`: time comes from each item."""
SYSTEM = 1
"""`SystemClock`: every item is stamped with the time it is processed."""

LATE_SESSION_ID = -1
"""Window id reported for an item late for a session window (as in Bytewax)."""

MIN_US = -62_135_596_800_000_000
"""`datetime.min` (0001-01-01, UTC) in microseconds since the epoch: the watermark of a new key."""
MAX_US = 253_402_300_799_999_999
"""`datetime.max` (9999-12-31, UTC) in microseconds: the watermark at EOF."""

MAX_SPAN = 2**60
"""Longest length, offset, gap or wait in microseconds (~36,500 years).

Longer than the whole datetime range, so a longer wait means the same as this
one; the C core relies on it to keep every sum of times inside int64.
"""

# --- joins (joins_twin.py, csrc/joins.c) -----------------------------------------

FIRST = 0
"""Keep the first value of each side."""
LAST = 1
"""Keep the latest value of each side."""
PRODUCT = 2
"""Keep every value of each side; emit their cross product."""

COMPLETE = 0
"""Emit once every side has a value, then forget the row."""
FINAL = 1
"""Emit when the row closes (window close or end of input)."""
RUNNING = 2
"""Emit on every value, keep the row."""

MAX_SIDES = 64
"""Most sides a join may have (the C core keeps which sides are present in 64 bits)."""

# --- chains of map and filter (chain_twin.py, csrc/chain.c) ------------------------

MAP = 0
"""A stage whose function's answer replaces the item."""
FILTER = 1
"""A stage whose function answers True (keep the item) or False (drop it)."""

# --- event times (stamps_twin.py, csrc/stamps.c) -----------------------------------

RAISED = 1
"""The getter (or the zone's `utcoffset`) raised: `what` is the exception."""
NOT_AWARE = 2
"""The getter returned something other than an aware datetime: `what` is the answer."""
OUT_OF_RANGE = 3
"""In UTC the answer lies outside datetime's range (years 1 to 9999): `what` is the answer."""

C_NAMES = {
    "SLIDING": "LS_SLIDING",
    "SESSION": "LS_SESSION",
    "EVENT": "LS_EVENT",
    "SYSTEM": "LS_SYSTEM",
    "LATE_SESSION_ID": "LS_LATE_SESSION_ID",
    "MIN_US": "LS_MIN_US",
    "MAX_US": "LS_MAX_US",
    "MAX_SPAN": "LS_MAX_SPAN",
    "FIRST": "LS_JOIN_FIRST",
    "LAST": "LS_JOIN_LAST",
    "PRODUCT": "LS_JOIN_PRODUCT",
    "COMPLETE": "LS_JOIN_COMPLETE",
    "FINAL": "LS_JOIN_FINAL",
    "RUNNING": "LS_JOIN_RUNNING",
    "MAX_SIDES": "LS_JOIN_MAX_SIDES",
    "MAP": "LS_MAP",
    "FILTER": "LS_FILTER",
    "RAISED": "LS_STAMP_RAISED",
    "NOT_AWARE": "LS_STAMP_NOT_AWARE",
    "OUT_OF_RANGE": "LS_STAMP_OUT_OF_RANGE",
}
"""Each constant above and the name `csrc/ccore.h` gives it."""


class CoreMismatchError(ImportError):
    """The compiled C core disagrees with these constants (a stale build, or a bad edit)."""


def check(lib: Any) -> None:
    """Raise `CoreMismatchError` naming the first constant `lib` lacks or defines otherwise."""
    for name, c_name in C_NAMES.items():
        ours = globals()[name]
        theirs = getattr(lib, c_name, None)
        if theirs != ours:
            found = "does not define it" if theirs is None else f"says {theirs}"
            raise CoreMismatchError(
                f"learnstream C core: {c_name} (Python's {name}) should be {ours}, but the "
                f"compiled core {found}: fix csrc/ccore.h or learnstream/engine/constants.py, "
                "then reinstall (pip install -e .)"
            )
