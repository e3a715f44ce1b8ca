"""Keyed state on the C core: the classes of `keys_twin.py`, backed by `csrc/keys.c`.

This module only adapts Python values to the C API in `csrc/ccore.h`; what the
classes mean is documented in the twin, `learnstream.engine.keys_twin`, and the
agreement tests prove the two give identical results.

A batch of keys crosses into C as one UTF-8 buffer, the keys joined by NUL
bytes (`str.join` also rejects anything that is not a str). Keys that contain
a NUL themselves are rare, so they take a slower path with explicit offsets.
Lone surrogates (from `os.fsdecode`, say) are kept with "surrogatepass";
UTF-8 byte order is code point order, so C's byte sort is Python's str sort.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from learnstream.engine.ccore import ffi, lib


def _check(status: int) -> None:
    if status == lib.LS_ENOMEM:
        raise MemoryError("learnstream C core: out of memory")
    if status == lib.LS_EFULL:
        raise OverflowError(f"learnstream C core: more than {lib.LS_MAX_KEYS} distinct keys")
    if status < 0:
        raise RuntimeError(f"learnstream C core: unexpected status {status}")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _decode_all(raw: bytes, ends: Sequence[int], has_nul: bool) -> list[str]:
    """Split keys that C wrote one after another, each followed by a NUL byte."""
    if not ends:
        return []
    if not has_nul:
        return raw[:-1].decode("utf-8", "surrogatepass").split("\0")
    starts = [0, *(end + 1 for end in ends[:-1])]
    return [raw[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends, strict=True)]


class KeyTable:
    """Dense slot ids for string keys (see `keys_twin.KeyTable`).

    >>> table = KeyTable()
    >>> table.slots(["a", "b", "a"])
    [0, 1, 0]
    >>> table.keys()
    ['a', 'b']
    """

    def __init__(self) -> None:
        table = lib.ls_keys_new()
        if table == ffi.NULL:
            raise MemoryError("learnstream C core: out of memory")
        self._table = ffi.gc(table, lib.ls_keys_free)

    def slot_array(self, keys: Sequence[str], fresh: Any = ffi.NULL) -> Any:
        """The slots of `keys` as a C `int64_t[]` (what `slots` returns, before listing).

        With `fresh` (a C `int64_t[]` as long as `keys`), `fresh[j]` becomes the
        index of the key that got the j-th new slot.
        """
        n = len(keys)
        out = ffi.new("int64_t[]", n)
        buf = _encode("\0".join(keys))
        status = lib.ls_keys_slots(self._table, buf, len(buf), n, ffi.NULL, out, fresh)
        if status == lib.LS_ESPLIT:  # some key contains "\0": pass explicit offsets
            parts = [_encode(key) for key in keys]
            ends = ffi.new("int64_t[]", list(accumulate(map(len, parts))))
            buf = b"".join(parts)
            status = lib.ls_keys_slots(self._table, buf, len(buf), n, ends, out, fresh)
        _check(status)
        return out

    def slots(self, keys: Sequence[str]) -> list[int]:
        """The slot of each key, giving unseen keys the next free slot."""
        return ffi.unpack(self.slot_array(keys), len(keys))

    def keys(self) -> list[str]:
        """Every key seen so far, indexed by slot."""
        return self._dump(ffi.NULL, len(self))

    def sorted_slots(self) -> Any:
        """Every slot as a C `int64_t[]`, in the order of its key."""
        order = ffi.new("int64_t[]", len(self))
        _check(lib.ls_keys_sorted(self._table, order))
        return order

    def _dump(self, order: Any, n: int) -> list[str]:
        size = lib.ls_keys_bytes(self._table) + n
        raw = ffi.new("char[]", size)
        ends = ffi.new("int64_t[]", n)
        lib.ls_keys_dump(self._table, order, n, raw, ends)
        has_nul = bool(lib.ls_keys_has_nul(self._table))
        return _decode_all(ffi.buffer(raw, size)[:], ffi.unpack(ends, n), has_nul)

    def __len__(self) -> int:
        return lib.ls_keys_len(self._table)


def _new_counts() -> Any:
    counts = lib.ls_counts_new()
    if counts == ffi.NULL:
        raise MemoryError("learnstream C core: out of memory")
    return ffi.gc(counts, lib.ls_counts_free)


class KeyCounter:
    """How many times each key was seen (see `keys_twin.KeyCounter`).

    >>> counter = KeyCounter()
    >>> counter.add(["to", "be", "or", "not", "to", "be"])
    >>> counter.items()
    [('be', 2), ('not', 1), ('or', 1), ('to', 2)]
    """

    def __init__(self) -> None:
        self._table = KeyTable()
        self._keys: list[str] = []  # by slot: the key as it first came (no copy of its text)
        self._counts = _new_counts()

    def add(self, keys: Sequence[str]) -> None:
        """Count one more sighting of each key."""
        _check(lib.ls_counts_add(self._counts, self._slots(keys), ffi.NULL, len(keys)))

    def track(self) -> None:
        """From now on, remember the keys counted, for `changed` (a run with recovery)."""
        lib.ls_counts_track(self._counts)

    def changed(self) -> list[tuple[str, int]]:
        """`(key, count)` of each key counted since the last call (after `track`), in no order."""
        n = lib.ls_counts_dirty_len(self._counts)
        slots = ffi.new("int64_t[]", n)
        lib.ls_counts_take_dirty(self._counts, slots)
        return self._pairs(self._keys, slots, self._gather(slots, n), n)

    def _slots(self, keys: Sequence[str]) -> Any:
        """The keys' slots (a C array), keeping the str of each key seen for the first time."""
        fresh = ffi.new("int64_t[]", len(keys))
        slots = self._table.slot_array(keys, fresh)
        new = len(self._table) - len(self._keys)
        if new:
            found = list(map(keys.__getitem__, ffi.unpack(fresh, new)))
            if not all(type(key) is str for key in found):  # a str subclass counts as its text
                found = [str.__str__(key) for key in found]
            self._keys += found
        return slots

    def items(self) -> list[tuple[str, int]]:
        """`(key, count)` pairs in key order.

        The keys are the str objects that first brought them (kept by slot), so
        no key's text is decoded out of C again.
        """
        return self._pairs(*self._sorted())

    def drain(self) -> list[tuple[str, int]]:
        """`items()`, leaving the counter empty: its table is freed before the pairs are made."""
        sorted_counts = self._sorted()
        self._table, self._keys, self._counts = KeyTable(), [], _new_counts()
        return self._pairs(*sorted_counts)

    def _sorted(self) -> tuple[list[str], Any, Any, int]:
        n = len(self._table)
        order = self._table.sorted_slots()
        return self._keys, order, self._gather(order, n), n

    def _gather(self, order: Any, n: int) -> Any:
        counts = ffi.new("int64_t[]", n)
        lib.ls_counts_gather(self._counts, order, n, counts)
        return counts

    @staticmethod
    def _pairs(keys: list[str], order: Any, counts: Any, n: int) -> list[tuple[str, int]]:
        return list(zip(map(keys.__getitem__, order), ffi.unpack(counts, n), strict=True))

    def load(self, pairs: Sequence[tuple[str, int]]) -> None:
        """Add `count` sightings of each key at once (a resumed run's counts, not changes)."""
        keys = [key for key, _ in pairs]
        try:
            amounts = ffi.from_buffer("int64_t[]", array("q", [count for _, count in pairs]))
        except OverflowError:
            raise OverflowError("learnstream C core: a count does not fit in int64") from None
        _check(lib.ls_counts_add(self._counts, self._slots(keys), amounts, len(keys)))
        lib.ls_counts_take_dirty(self._counts, ffi.NULL)

    def __len__(self) -> int:
        return len(self._table)
