"""The window core on C (`csrc/windows.c`): the same API as the twin, `windows_twin.py`.

This module only moves numbers across cffi; what they mean is documented in the
twin, and `tests/test_window_core_agreement.py` proves both give identical events.
Slots and timestamps may be lists or C `int64_t[]` arrays (from
`KeyTable.slot_array` and `stamps_c.event_micros`), so a batch can go from the
key table to the window core without becoming Python ints in between.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

from learnstream.engine.ccore import ffi, lib
from learnstream.engine.keys_c import _check
from learnstream.engine.windows_twin import WindowEvents, checked_config

_FIELDS = tuple(WindowEvents.__dataclass_fields__)
_OUT_OF_RANGE = "event and system times must lie within datetime's range, slots not negative"


def _array(values: Any) -> Any:
    """A C int64 array holding `values` (passed through when it already is one)."""
    if isinstance(values, ffi.CData):
        return values
    try:
        # array.array converts a list about a third faster than ffi.new does.
        return ffi.from_buffer("int64_t[]", array("q", values))
    except OverflowError:  # not even an int64: certainly no datetime's microseconds
        raise ValueError(_OUT_OF_RANGE) from None


def _int64(value: int) -> int:
    if not -(2**63) <= value < 2**63:
        raise ValueError(_OUT_OF_RANGE)
    return value


class WindowCore:
    """Windows of every key of one windowing step (see the twin's `WindowCore`).

    >>> from learnstream.engine.windows_twin import EVENT, SLIDING
    >>> core = WindowCore(SLIDING, length=10, offset=10, align=0, gap=0,
    ...                   clock=EVENT, wait=0, ordered=False)
    >>> core.process([0, 0, 0], [3, 12, 5], now=0).late_items
    [2]
    """

    def __init__(
        self,
        kind: int,
        *,
        length: int,
        offset: int,
        align: int,
        gap: int,
        clock: int,
        wait: int,
        ordered: bool,
        record_inserts: bool = True,
    ) -> None:
        # The same checks as the twin, so C only ever sees arguments it accepts.
        wait = checked_config(kind, length, offset, align, gap, clock, wait)
        win = lib.ls_win_new(
            kind, length, offset, align, gap, clock, wait, int(ordered), int(record_inserts)
        )
        if win == ffi.NULL:
            raise MemoryError("learnstream C core: could not make a window core")
        self._win = ffi.gc(win, lib.ls_win_free)
        self._events = lib.ls_win_events(self._win)
        self._wake = ffi.new("int64_t *")

    def _read(self, status: int) -> WindowEvents:
        if status == lib.LS_EINVAL:
            raise ValueError(_OUT_OF_RANGE)
        _check(status)
        ev = self._events
        out = WindowEvents()
        for name in _FIELDS:
            vec = getattr(ev, name)
            if vec.len:
                setattr(out, name, ffi.unpack(vec.data, vec.len))
        return out

    def process(self, slots: Sequence[int], ts: Sequence[int] | None, now: int) -> WindowEvents:
        """Take one batch (see the twin)."""
        n = len(slots)
        stamps = ffi.NULL if ts is None else _array(ts)
        if ts is not None and len(ts) != n:
            raise ValueError(f"{n} slots but {len(ts)} timestamps")
        status = lib.ls_win_process(self._win, _array(slots), n, stamps, _int64(now))
        return self._read(status)

    def notify(self, now: int) -> WindowEvents:
        """Let system time pass with no items (see the twin)."""
        return self._read(lib.ls_win_notify(self._win, _int64(now)))

    def eof(self, order: Sequence[int]) -> WindowEvents:
        """Insert every waiting item and close every window, keys in `order`."""
        return self._read(lib.ls_win_eof(self._win, _array(order), len(order)))

    def next_wake(self) -> int | None:
        """The earliest system time at which some key has a window to close."""
        return self._wake[0] if lib.ls_win_next_wake(self._win, self._wake) else None

    def watermark(self, slot: int) -> int:
        """The watermark of key `slot` after the last call (`MIN_US` for a key not seen)."""
        return lib.ls_win_watermark(self._win, slot)

    def export_state(self) -> bytes:
        """Everything the core holds between calls, as int64s (a recovery snapshot)."""
        n = lib.ls_win_export_size(self._win)
        out = ffi.new("int64_t[]", n)
        lib.ls_win_export(self._win, out)
        return bytes(ffi.buffer(out))

    def import_state(self, state: bytes) -> None:
        """Load what `export_state` gave (on either backend) into this fresh core."""
        if len(state) % 8:
            raise ValueError("not a snapshot of this window core (damaged, or another step's)")
        n = len(state) // 8
        data = ffi.new("int64_t[]", n)
        ffi.memmove(data, state, n * 8)
        status = lib.ls_win_import(self._win, data, n)
        if status == lib.LS_EINVAL:
            raise ValueError("not a snapshot of this window core (damaged, or another step's)")
        _check(status)
