"""The join core on C (`csrc/joins.c`): the same API as the twin, `joins_twin.py`.

This module only moves numbers (and a batch of keys as one UTF-8 buffer, as
`keys_c.KeyTable` passes them) across cffi; what they mean is documented in
the twin, and `tests/test_join_core_agreement.py` proves both give identical
events.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from learnstream.engine.ccore import ffi, lib
from learnstream.engine.joins_twin import JoinEvents, checked_config
from learnstream.engine.keys_c import _check, _encode

if not hasattr(lib, "ls_join_import"):  # an extension built before csrc/joins.c had it
    raise ImportError("the installed C core has no join functions; reinstall learnstream")

_NOT_A_SNAPSHOT = "not a snapshot of this join core (damaged, or another step's)"
_FIELDS = tuple(f for f in JoinEvents.__dataclass_fields__ if f != "capacity")


def _address(obj: object) -> Any:
    """A Python object as C sees it: its address (`id`, CPython's documented meaning)."""
    return ffi.cast("void *", id(obj))


def _array(values: Sequence[int]) -> Any:
    """A C int64 array holding `values` (array.array converts a list fastest)."""
    try:
        return ffi.from_buffer("int64_t[]", array("q", values))
    except OverflowError:  # no row or side is that large
        raise ValueError("rows and sides must be int64") from None


class JoinCore:
    """The join state of one step (see the twin's `JoinCore`).

    >>> from learnstream.engine.joins_twin import LAST, COMPLETE
    >>> core = JoinCore(2, LAST, COMPLETE, keyed=True)
    >>> ev = core.insert_keys(["a", "b"], 0)
    >>> ev = core.insert_keys(["b"], 1)
    >>> ev.rows, ev.vids, ev.items, core.open_rows()
    ([1], [2, 3], [0], 1)
    """

    def __init__(
        self, sides: int, insert_mode: int, emit_mode: int, *, keyed: bool = False
    ) -> None:
        # The same checks as the twin, so C only ever sees arguments it accepts.
        checked_config(sides, insert_mode, emit_mode)
        self.sides = sides
        self.keyed = keyed
        join = lib.ls_join_new(sides, insert_mode, emit_mode, int(keyed))
        if join == ffi.NULL:
            raise MemoryError("learnstream C core: could not make a join core")
        self._join = ffi.gc(join, lib.ls_join_free)
        self._events = lib.ls_join_events(self._join)
        self._generic = ffi.new("int *")

    def _read(self, status: int, what: str) -> JoinEvents:
        if status == lib.LS_EINVAL:
            raise ValueError(what)
        _check(status)
        ev = self._events
        out = JoinEvents(capacity=ev.capacity)
        for name in _FIELDS:
            vec = getattr(ev, name)
            if vec.len:
                setattr(out, name, ffi.unpack(vec.data, vec.len))
        return out

    def insert(self, rows: Sequence[int], sides: Sequence[int] | int) -> JoinEvents:
        """Item i's value arrives on side `sides[i]` (or on `sides` for all) of row `rows[i]`."""
        if self.keyed:
            raise ValueError("a keyed join core takes keys (insert_keys), not rows")
        n = len(rows)
        if isinstance(sides, int):
            each, side = ffi.NULL, sides
        else:
            if len(sides) != n:
                raise ValueError(f"{n} rows but {len(sides)} sides")
            each, side = _array(sides), 0
        status = lib.ls_join_insert(self._join, _array(rows), each, side, n)
        return self._read(
            status, f"rows must not be negative and sides must lie in [0, {self.sides})"
        )

    def insert_keys(self, keys: Sequence[str], side: int) -> JoinEvents:
        """Item i's value arrives on side `side` for key `keys[i]` (a keyed core only)."""
        if not self.keyed:
            raise ValueError("insert_keys needs a keyed join core (JoinCore(..., keyed=True))")
        if not 0 <= side < self.sides:
            raise ValueError(f"sides must lie in [0, {self.sides})")
        n = len(keys)
        try:
            buf = _encode("\0".join(keys))
        except TypeError:
            for key in keys:
                if not isinstance(key, str):
                    raise TypeError(f"key {key!r} is a {type(key).__name__}, not a str") from None
            raise
        status = lib.ls_join_insert_keys(self._join, buf, len(buf), n, ffi.NULL, side)
        if status == lib.LS_ESPLIT:  # some key contains "\0": pass explicit offsets
            parts = [_encode(key) for key in keys]
            ends = ffi.new("int64_t[]", list(accumulate(map(len, parts))))
            buf = b"".join(parts)
            status = lib.ls_join_insert_keys(self._join, buf, len(buf), n, ends, side)
        return self._read(status, "bad key buffer")

    def join_batch(
        self,
        items: list[Any],
        side: int,
        values: list[Any],
        out: list[Any],
        row_keys: list[Any] | None = None,
    ) -> bool:
        """A `join` step's whole batch, read in C through the CPython API (see the twin)."""
        if not self.keyed:
            raise ValueError("join_batch needs a keyed join core (JoinCore(..., keyed=True))")
        if not 0 <= side < self.sides:
            raise ValueError(f"sides must lie in [0, {self.sides})")
        if type(items) is not list:  # C reads the batch as a list
            items = list(items)
        if not values or values[0] is not None:
            raise ValueError("values must start as [None]: id 0 is the missing side")
        status = lib.ls_join_batch(
            self._join,
            _address(items),
            side,
            _address(values),
            _address(out),
            ffi.NULL if row_keys is None else _address(row_keys),
            self._generic,
        )
        _check(status)
        return not self._generic[0]

    def merge(self, into: Sequence[int], from_: Sequence[int]) -> JoinEvents:
        """Row `from_[i]` merges into row `into[i]` (see the twin)."""
        if self.keyed:
            raise ValueError("rows of a keyed join core cannot merge")
        if len(into) != len(from_):
            raise ValueError(f"{len(into)} rows to merge into but {len(from_)} to merge from")
        status = lib.ls_join_merge(self._join, _array(into), _array(from_), len(into))
        return self._read(status, "rows must not be negative")

    def close(self, rows: Sequence[int]) -> JoinEvents:
        """Rows `rows` end, in that order (see the twin)."""
        return self._read(
            lib.ls_join_close(self._join, _array(rows), len(rows)), "rows must not be negative"
        )

    def export_state(self) -> bytes:
        """Everything the core holds between calls, as int64s (see the twin)."""
        n = lib.ls_join_export_size(self._join)
        out = ffi.new("int64_t[]", n)
        lib.ls_join_export(self._join, out)
        return bytes(ffi.buffer(out))

    def import_state(self, state: bytes) -> None:
        """Load what `export_state` gave (on either backend) into this fresh core."""
        if len(state) % 8:
            raise ValueError(_NOT_A_SNAPSHOT)
        n = len(state) // 8
        data = ffi.new("int64_t[]", n)
        ffi.memmove(data, state, n * 8)
        status = lib.ls_join_import(self._join, data, n)
        if status == lib.LS_EINVAL:
            raise ValueError(_NOT_A_SNAPSHOT)
        _check(status)

    def open_rows(self) -> int:
        """How many rows hold values (what the join keeps in memory)."""
        return lib.ls_join_open_rows(self._join)

    def has_row(self, row: int) -> bool:
        """Whether row `row` holds any value."""
        return row >= 0 and bool(lib.ls_join_has_row(self._join, row))
