"""Keyed state in plain Python: the readable twin of the C core.

Every stateful step keeps its state per key. The engine never touches a key's
state through anything but the three classes below, and `csrc/` implements the
same three in C. Read this file to learn what the C core does; run with
`LEARNSTREAM_BACKEND=python` to use it instead of C.

- `KeyTable` gives each distinct string key a small integer, its *slot*
  (0, 1, 2, ... in order of first sight). Python objects that belong to a key
  (a learner's state, a window's accumulator) live in ordinary lists indexed by
  slot, so the C side only ever handles strings and numbers.
- `KeyCounter` counts how often each key was seen (`count_final`).
- `KeyFold` keeps a running sum, minimum or maximum of numbers per key.

Keys must be `str`; anything else raises `TypeError`, which the calling step
turns into a message naming the offending item. `items()` lists keys in
Python's `str` order (code point order, which is also UTF-8 byte order).

Numbers: counts never overflow in practice (2**63 sightings). `KeyFold`
follows Python's arithmetic exactly: an int sum may grow past 64 bits, int +
float gives a float, and a tie in `min`/`max` keeps the earlier value. The C
core reproduces this by handing such keys back to Python.
"""

from __future__ import annotations

from collections.abc import Sequence

Number = int | float


def _as_keys(keys: Sequence[str]) -> Sequence[str]:
    """Check that every key is a `str`; return the keys as plain `str`.

    A str subclass (a `StrEnum` member, say) is accepted and kept as its
    text, because the C core stores only the bytes of each key.
    """
    if all(type(key) is str for key in keys):
        return keys
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"key {key!r} is a {type(key).__name__}, not a str")
    return [str.__str__(key) for key in keys]


class KeyTable:
    """Dense slot ids for string keys.

    >>> table = KeyTable()
    >>> table.slots(["a", "b", "a"])
    [0, 1, 0]
    >>> table.keys()
    ['a', 'b']
    """

    def __init__(self) -> None:
        self._slot_of: dict[str, int] = {}
        self._keys: list[str] = []

    def slots(self, keys: Sequence[str]) -> list[int]:
        """The slot of each key, giving unseen keys the next free slot."""
        keys = _as_keys(keys)
        slot_of = self._slot_of
        out = []
        for key in keys:
            slot = slot_of.get(key)
            if slot is None:
                slot = slot_of[key] = len(self._keys)
                self._keys.append(key)
            out.append(slot)
        return out

    def keys(self) -> list[str]:
        """Every key seen so far, indexed by slot."""
        return list(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class KeyCounter:
    """How many times each key was seen.

    >>> counter = KeyCounter()
    >>> counter.add(["to", "be", "or", "not", "to", "be"])
    >>> counter.items()
    [('be', 2), ('not', 1), ('or', 1), ('to', 2)]
    """

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def add(self, keys: Sequence[str]) -> None:
        """Count one more sighting of each key."""
        counts = self._counts
        for key in _as_keys(keys):
            counts[key] = counts.get(key, 0) + 1

    def items(self) -> list[tuple[str, int]]:
        """`(key, count)` pairs in key order."""
        return sorted(self._counts.items())

    def __len__(self) -> int:
        return len(self._counts)


class KeyFold:
    """A running sum, min or max of numbers per key.

    >>> fold = KeyFold("max")
    >>> fold.update(["a", "b", "a"], [3, 1, 7])
    >>> fold.items()
    [('a', 7), ('b', 1)]
    """

    def __init__(self, kind: str) -> None:
        if kind not in ("sum", "min", "max"):
            raise ValueError(f"KeyFold kind must be 'sum', 'min' or 'max', not {kind!r}")
        self.kind = kind
        self._acc: dict[str, Number] = {}

    def update(self, keys: Sequence[str], values: Sequence[Number]) -> None:
        """Fold each value into its key's accumulator."""
        if len(keys) != len(values):
            raise ValueError(f"KeyFold.update got {len(keys)} keys but {len(values)} values")
        acc = self._acc
        for key, value in zip(_as_keys(keys), values, strict=True):
            if key not in acc:
                acc[key] = value
            elif self.kind == "sum":
                acc[key] = acc[key] + value
            elif self.kind == "min":
                acc[key] = min(acc[key], value)
            else:
                acc[key] = max(acc[key], value)

    def items(self) -> list[tuple[str, Number]]:
        """`(key, accumulator)` pairs in key order."""
        return sorted(self._acc.items())

    def __len__(self) -> int:
        return len(self._acc)
