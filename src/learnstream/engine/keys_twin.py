"""Keyed state in plain Python: the readable twin of `csrc/keys.c`.

Every stateful step keeps its state per key, and finds a key's state through
the two classes below; `keys_c.py` gives the C core (`csrc/keys.c`) the same
interface. Read this file to learn what the C core does; run with
`LEARNSTREAM_BACKEND=python` to use it instead of C.

- `KeyTable` gives each distinct string key a small integer, its *slot*
  (0, 1, 2, ... in order of first sight). Every stateful step has one: the
  Python objects that belong to a key (a learner's `stateful_map` state, a
  window's accumulator) live in ordinary lists indexed by slot, so the C side
  only ever handles strings and numbers.
- `KeyCounter` counts how often each key was seen: the whole of `count_final`,
  the one stateful operator that needs no Python object per key.

Keys must be `str`; anything else raises `TypeError` (the steps check their
items first, in `learnstream.engine.keyed_items`, and explain). `items()`
lists keys in Python's `str` order (code point order, which is also UTF-8
byte order). Counts never overflow in practice (2**63 sightings).
"""

from __future__ import annotations

from collections.abc import Sequence


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
        self._dirty: set[str] | None = None  # the keys counted since `changed`, once tracked

    def add(self, keys: Sequence[str]) -> None:
        """Count one more sighting of each key."""
        counts = self._counts
        keys = _as_keys(keys)
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        if self._dirty is not None:
            self._dirty.update(keys)

    def track(self) -> None:
        """From now on, remember the keys counted, for `changed` (a run with recovery)."""
        if self._dirty is None:
            self._dirty = set()

    def changed(self) -> list[tuple[str, int]]:
        """`(key, count)` of each key counted since the last call (after `track`), in no order."""
        dirty, self._dirty = self._dirty, set() if self._dirty is not None else None
        counts = self._counts
        return [(key, counts[key]) for key in dirty or ()]

    def items(self) -> list[tuple[str, int]]:
        """`(key, count)` pairs in key order."""
        return sorted(self._counts.items())

    def drain(self) -> list[tuple[str, int]]:
        """`items()`, leaving the counter empty (the dict goes before the pairs are sorted)."""
        pairs = list(self._counts.items())
        self._counts = {}
        pairs.sort()
        return pairs

    def load(self, pairs: Sequence[tuple[str, int]]) -> None:
        """Add `count` sightings of each key at once (a resumed run's counts, not changes)."""
        counts = self._counts
        keys = _as_keys([key for key, _ in pairs])
        for key, (_, count) in zip(keys, pairs, strict=True):
            counts[key] = counts.get(key, 0) + count

    def __len__(self) -> int:
        return len(self._counts)
