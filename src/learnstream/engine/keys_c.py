"""Keyed state on the C core: the same classes as `keys_twin.py`, backed by `csrc/`.

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

import operator
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

from learnstream.engine._ccore import ffi, lib

Number = int | float

_KINDS = {"sum": lib.LS_SUM, "min": lib.LS_MIN, "max": lib.LS_MAX}
_PY_FOLDS: dict[str, Callable[[Any, Any], Any]] = {"sum": operator.add, "min": min, "max": max}
_INT64 = range(-(2**63), 2**63)
_MISSING = object()


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

    def slot_array(self, keys: Sequence[str]) -> Any:
        """The slots of `keys` as a C `int64_t[]` (what `slots` returns, before listing)."""
        n = len(keys)
        out = ffi.new("int64_t[]", n)
        buf = _encode("\0".join(keys))
        status = lib.ls_keys_slots(self._table, buf, len(buf), n, ffi.NULL, out)
        if status == lib.LS_ESPLIT:  # some key contains "\0": pass explicit offsets
            parts = [_encode(key) for key in keys]
            ends = ffi.new("int64_t[]", list(accumulate(map(len, parts))))
            buf = b"".join(parts)
            status = lib.ls_keys_slots(self._table, buf, len(buf), n, ends, out)
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

    def sorted_keys(self, order: Any) -> list[str]:
        """The keys of the slots in `order` (from `sorted_slots`)."""
        return self._dump(order, len(self))

    def _dump(self, order: Any, n: int) -> list[str]:
        size = lib.ls_keys_bytes(self._table) + n
        raw = ffi.new("char[]", size)
        ends = ffi.new("int64_t[]", n)
        lib.ls_keys_dump(self._table, order, n, raw, ends)
        has_nul = bool(lib.ls_keys_has_nul(self._table))
        return _decode_all(ffi.buffer(raw, size)[:], ffi.unpack(ends, n), has_nul)

    def __len__(self) -> int:
        return lib.ls_keys_len(self._table)


class KeyCounter:
    """How many times each key was seen (see `keys_twin.KeyCounter`).

    >>> counter = KeyCounter()
    >>> counter.add(["to", "be", "or", "not", "to", "be"])
    >>> counter.items()
    [('be', 2), ('not', 1), ('or', 1), ('to', 2)]
    """

    def __init__(self) -> None:
        self._table = KeyTable()
        counts = lib.ls_counts_new()
        if counts == ffi.NULL:
            raise MemoryError("learnstream C core: out of memory")
        self._counts = ffi.gc(counts, lib.ls_counts_free)

    def add(self, keys: Sequence[str]) -> None:
        """Count one more sighting of each key."""
        slots = self._table.slot_array(keys)
        _check(lib.ls_counts_bump(self._counts, slots, len(keys)))

    def items(self) -> list[tuple[str, int]]:
        """`(key, count)` pairs in key order."""
        n = len(self._table)
        order = self._table.sorted_slots()
        counts = ffi.new("int64_t[]", n)
        lib.ls_counts_gather(self._counts, order, n, counts)
        return list(zip(self._table.sorted_keys(order), ffi.unpack(counts, n), strict=True))

    def __len__(self) -> int:
        return len(self._table)


def _tag(value: Any) -> int:
    kind = type(value)
    if kind is int:
        return lib.LS_INT if value in _INT64 else lib.LS_OBJECT
    return lib.LS_FLOAT if kind is float else lib.LS_OBJECT


class KeyFold:
    """A running sum, min or max of numbers per key (see `keys_twin.KeyFold`).

    C folds `int` (within int64) and `float` values; a key whose accumulator
    C cannot hold with Python's exact result (an int sum leaving int64, a
    `bool`, a `Decimal`, a big int...) moves to a Python dict from then on,
    so the results always equal the twin's.

    >>> fold = KeyFold("max")
    >>> fold.update(["a", "b", "a"], [3, 1, 7])
    >>> fold.items()
    [('a', 7), ('b', 1)]
    """

    def __init__(self, kind: str) -> None:
        if kind not in _KINDS:
            raise ValueError(f"KeyFold kind must be 'sum', 'min' or 'max', not {kind!r}")
        self.kind = kind
        self._table = KeyTable()
        fold = lib.ls_fold_new(_KINDS[kind])
        if fold == ffi.NULL:
            raise MemoryError("learnstream C core: out of memory")
        self._fold = ffi.gc(fold, lib.ls_fold_free)
        self._spilled: dict[int, Any] = {}  # slot -> accumulator held in Python

    def update(self, keys: Sequence[str], values: Sequence[Number]) -> None:
        """Fold each value into its key's accumulator."""
        n = len(keys)
        if len(values) != n:
            raise ValueError(f"KeyFold.update got {n} keys but {len(values)} values")
        slots = self._table.slot_array(keys)
        tags, ints, floats = self._c_values(values)
        spill = ffi.new("int64_t[]", n)
        left = lib.ls_fold_update(
            self._fold,
            slots,
            n,
            tags,
            lib.LS_INT if floats == ffi.NULL else lib.LS_FLOAT,
            ints,
            floats,
            spill,
        )
        _check(min(left, 0))
        for i in ffi.unpack(spill, left):
            self._fold_in_python(slots[i], values[i])

    def _c_values(self, values: Sequence[Number]) -> tuple[Any, Any, Any]:
        """(tags, ints, floats) for C: one typed array when all values share a type."""
        kinds = set(map(type, values))
        if kinds == {float}:
            return ffi.NULL, ffi.NULL, ffi.new("double[]", values)
        if kinds <= {int}:
            try:
                return ffi.NULL, ffi.new("int64_t[]", values), ffi.NULL
            except OverflowError:  # a big int: tag each value below
                pass
        tags = bytes(map(_tag, values))
        ints = [v if t == lib.LS_INT else 0 for v, t in zip(values, tags, strict=True)]
        floats = [v if t == lib.LS_FLOAT else 0.0 for v, t in zip(values, tags, strict=True)]
        return tags, ffi.new("int64_t[]", ints), ffi.new("double[]", floats)

    def _fold_in_python(self, slot: int, value: Any) -> None:
        acc = self._spilled.get(slot, _MISSING)
        if acc is _MISSING:
            acc = self._c_accumulator(slot)
        self._spilled[slot] = value if acc is _MISSING else _PY_FOLDS[self.kind](acc, value)

    def _c_accumulator(self, slot: int) -> Any:
        """What C held for `slot` before it spilled (`_MISSING` if nothing)."""
        tags, ints, floats = self._gather(ffi.new("int64_t[]", [slot]), 1)
        tag = tags[0] & ~lib.LS_SPILLED
        return ints[0] if tag == lib.LS_INT else floats[0] if tag == lib.LS_FLOAT else _MISSING

    def _gather(self, order: Any, n: int) -> tuple[bytes, list[int], list[float]]:
        tags = ffi.new("uint8_t[]", n)
        ints = ffi.new("int64_t[]", n)
        floats = ffi.new("double[]", n)
        lib.ls_fold_gather(self._fold, order, n, tags, ints, floats)
        return ffi.buffer(tags, n)[:], ffi.unpack(ints, n), ffi.unpack(floats, n)

    def items(self) -> list[tuple[str, Number]]:
        """`(key, accumulator)` pairs in key order."""
        n = len(self._table)
        order = self._table.sorted_slots()
        tags, ints, floats = self._gather(order, n)
        out: list[tuple[str, Number]] = []
        for k, key in enumerate(self._table.sorted_keys(order)):
            tag = tags[k]
            if tag & lib.LS_SPILLED:
                out.append((key, self._spilled[order[k]]))
            elif tag == lib.LS_INT:
                out.append((key, ints[k]))
            elif tag == lib.LS_FLOAT:
                out.append((key, floats[k]))
        return out

    def __len__(self) -> int:
        return len(self._table)
