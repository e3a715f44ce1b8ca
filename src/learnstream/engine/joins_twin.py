"""Join state in plain Python: the readable twin of the C join core (`csrc/joins.c`).

A join keeps, for every *row* (a key for `join`, one window of one key for
`join_window`), the values each side has sent so far, and decides when a row
is complete and what it emits. This core never sees those values: the join step
keeps them in a Python list, `values`, and the core hands out *value ids*,
indexes into that list. Value id 0 is reserved for "no value" (the step keeps
`values[0] = None`), so an emitted tuple is simply `values[id]` for each side.

What the core decides, as Bytewax 0.21 does:

- **insert modes**: `FIRST` keeps a side's first value, `LAST` its latest,
  `PRODUCT` all of them (the emitted rows are the cross product);
- **emit modes**: `COMPLETE` emits as soon as every side has a value, then
  forgets the row; `RUNNING` emits on every value and keeps the row; `FINAL`
  emits only when the row closes (its window closes, or the input ends).
  A missing side is `None` (id 0).

Forgotten rows give their value ids back; an id freed during a call is handed
out again only after the call, so every id an event names stays valid until
the step has read the events.

Rows are either given by the caller (`insert`: `join_window` passes the
window core's handles) or found from string keys (`insert_keys`, for `join`):
a *keyed* core gives each key a row while the key holds values and takes the
row back once the key's state is forgotten, so its memory follows the keys
that are waiting for a match, not every key ever seen.

>>> core = JoinCore(2, LAST, COMPLETE)
>>> ev = core.insert([7, 7, 7], [0, 0, 1])     # row 7: side 0 twice, then side 1
>>> ev.stored_items, ev.stored_vids           # store item i's value at values[vid]
([0, 1, 2], [1, 2, 3])
>>> ev.rows, ev.vids, ev.items                # one tuple for row 7, emitted by item 2
([7], [2, 3], [2])
>>> core.open_rows()                          # complete mode forgot the row
0
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from learnstream.engine.constants import (
    COMPLETE,
    FINAL,
    FIRST,
    LAST,
    MAX_SIDES,
    PRODUCT,
    RUNNING,
)
from learnstream.engine.snapshots import Reader, pack, text_ints

INSERT_MODES = {"first": FIRST, "last": LAST, "product": PRODUCT}
EMIT_MODES = {"complete": COMPLETE, "final": FINAL, "running": RUNNING}

_SNAPSHOT_FORMAT = 1
_NOT_A_SNAPSHOT = "not a snapshot of this join core (damaged, or another step's)"

NO_VALUE = 0
"""The value id of a side that has no value: the step keeps `values[0] = None`."""


def _has_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (from os.fsdecode, say)
        return False
    return True


def checked_config(sides: int, insert_mode: int, emit_mode: int) -> None:
    """Refuse a configuration the core cannot run.

    >>> checked_config(2, PRODUCT, RUNNING)
    >>> checked_config(0, LAST, COMPLETE)
    Traceback (most recent call last):
    ...
    ValueError: a join needs 1 to 64 sides, not 0
    """
    if not 1 <= sides <= MAX_SIDES:
        raise ValueError(f"a join needs 1 to {MAX_SIDES} sides, not {sides}")
    if insert_mode not in (FIRST, LAST, PRODUCT) or emit_mode not in (COMPLETE, FINAL, RUNNING):
        raise ValueError(f"unknown join insert mode {insert_mode!r} or emit mode {emit_mode!r}")


@dataclass
class JoinEvents:
    """What one call decided, as parallel lists of numbers.

    - item `stored_items[i]` of the batch must be kept at `values[stored_vids[i]]`
      (items not named were dropped: a side already set in `FIRST` mode; in
      `RUNNING` mode such an item still emits the row as it stands);
    - the call emitted one tuple per entry of `rows`: `rows[j]` is its row and
      `vids[j * sides : (j + 1) * sides]` the value ids of its sides, in order;
      `items[j]` is the batch item whose arrival emitted it (-1 for a merge or close);
    - a keyed core (`insert_keys`) gave row `new_rows[i]` to the key of item
      `new_items[i]`;
    - `capacity` is one more than the largest value id handed out so far: the
      step's `values` list must be at least that long.
    """

    stored_items: list[int] = field(default_factory=list)
    stored_vids: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    vids: list[int] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    new_rows: list[int] = field(default_factory=list)
    new_items: list[int] = field(default_factory=list)
    capacity: int = 1


class JoinCore:
    """The join state of one step: per row, the value ids each side holds.

    `insert` takes a batch of items (their rows and sides), `merge` folds rows
    into others (session windows that merge), `close` ends rows (windows that
    close, or every key at the end of the input). With `keyed`, rows come from
    keys instead (`insert_keys`), and `merge` is not available.
    """

    def __init__(
        self, sides: int, insert_mode: int, emit_mode: int, *, keyed: bool = False
    ) -> None:
        checked_config(sides, insert_mode, emit_mode)
        self.sides = sides
        self.insert_mode = insert_mode
        self.emit_mode = emit_mode
        self.keyed = keyed
        self.state: dict[int, list[list[int]]] = {}  # row -> one list of value ids per side
        self.row_of: dict[str, int] = {}  # keyed: the row of each key holding values
        self.key_of: dict[int, str] = {}  # keyed: and back
        self.free_rows: list[int] = []  # keyed: rows ready for reuse (at once)
        self.next_row = 0
        self.free: list[int] = []  # value ids ready for reuse
        self.released: list[int] = []  # value ids freed during the current call
        self.capacity = 1  # id 0 is NO_VALUE
        self.ev = JoinEvents()

    # --- the three calls -------------------------------------------------

    def insert(self, rows: Sequence[int], sides: Sequence[int] | int) -> JoinEvents:
        """Item i's value arrives on side `sides[i]` (or on `sides` for all) of row `rows[i]`."""
        if self.keyed:
            raise ValueError("a keyed join core takes keys (insert_keys), not rows")
        each = [sides] * len(rows) if isinstance(sides, int) else sides
        if len(each) != len(rows):
            raise ValueError(f"{len(rows)} rows but {len(each)} sides")
        if rows and min(rows) < 0:
            raise ValueError("rows must not be negative")
        self._check_sides(each)
        self._begin()
        self._insert(rows, each)
        return self._end()

    def insert_keys(self, keys: Sequence[str], side: int) -> JoinEvents:
        """Item i's value arrives on side `side` for key `keys[i]` (a keyed core only)."""
        if not self.keyed:
            raise ValueError("insert_keys needs a keyed join core (JoinCore(..., keyed=True))")
        self._check_sides([side])
        if not all(type(key) is str for key in keys):
            for key in keys:
                if not isinstance(key, str):
                    raise TypeError(f"key {key!r} is a {type(key).__name__}, not a str")
            keys = [str.__str__(key) for key in keys]  # a str subclass counts as its text
        self._begin()
        for i, key in enumerate(keys):
            row = self.row_of.get(key)
            if row is None:
                row = self.free_rows.pop() if self.free_rows else self._next_row()
                self.row_of[key] = row
                self.key_of[row] = key
                self.ev.new_rows.append(row)
                self.ev.new_items.append(i)
            self._insert([row], [side], first_item=i)
        return self._end()

    def join_batch(
        self,
        items: list[Any],
        side: int,
        values: list[Any],
        out: list[Any],
        row_keys: list[Any] | None = None,
    ) -> bool:
        """A `join` step's whole batch of `(key, value)` items arriving on `side` (keyed core).

        Each value the core keeps goes into `values` at its id (`values` starts
        as `[None]`), each emitted row is appended to `out` as `(key, (v_side0,
        ...))`, and the key of each new row goes to `row_keys[row]` (when given).
        Values of rows forgotten during the call are set to None, so they are
        freed at once. Returns False, changing nothing, unless every item is
        exactly a 2-tuple with an exact `str` key that has a UTF-8 form (no lone
        surrogate); the step then checks the batch itself and uses `insert_keys`.

        >>> core = JoinCore(2, LAST, COMPLETE, keyed=True)
        >>> values, out = [None], []
        >>> core.join_batch([("a", "order a"), ("b", "order b")], 0, values, out)
        True
        >>> core.join_batch([("b", "paid b")], 1, values, out), out
        (True, [('b', ('order b', 'paid b'))])
        >>> values        # b's values were forgotten with its row
        [None, 'order a', None, None]
        """
        if not self.keyed:
            raise ValueError("join_batch needs a keyed join core (JoinCore(..., keyed=True))")
        self._check_sides([side])
        for item in items:
            if type(item) is not tuple or len(item) != 2 or type(item[0]) is not str:
                return False
            if not item[0].isascii() and not _has_utf8(item[0]):
                return False
        keys = [key for key, _ in items]
        ev = self.insert_keys(keys, side)
        values.extend([None] * (ev.capacity - len(values)))
        for item, vid in zip(ev.stored_items, ev.stored_vids, strict=True):
            values[vid] = items[item][1]
        sides = self.sides
        for j, item in enumerate(ev.items):
            emitted = tuple(values[vid] for vid in ev.vids[j * sides : (j + 1) * sides])
            out.append((keys[item], emitted))
        if row_keys is not None:
            for row, item in zip(ev.new_rows, ev.new_items, strict=True):
                row_keys.extend([None] * (row + 1 - len(row_keys)))
                row_keys[row] = keys[item]
        for vid in self.released:
            values[vid] = None
        return True

    def _next_row(self) -> int:
        self.next_row += 1
        return self.next_row - 1

    def _check_sides(self, sides: Sequence[int]) -> None:
        if sides and not (0 <= min(sides) and max(sides) < self.sides):
            raise ValueError(f"sides must lie in [0, {self.sides})")

    def _insert(self, rows: Sequence[int], sides: Sequence[int], first_item: int = 0) -> None:
        for i, (row, side) in enumerate(zip(rows, sides, strict=True), first_item):
            held = self.state.get(row)
            if held is None:
                held = self.state[row] = [[] for _ in range(self.sides)]
            values = held[side]
            if self.insert_mode == FIRST and values:
                # The side keeps its first value; running mode still emits, as Bytewax does.
                self._check_emit(row, held, i)
                continue
            vid = self._new_vid()
            self.ev.stored_items.append(i)
            self.ev.stored_vids.append(vid)
            if self.insert_mode == PRODUCT:
                values.append(vid)
            else:
                self.released.extend(values)  # LAST: the previous value goes
                held[side] = [vid]
            self._check_emit(row, held, i)

    def merge(self, into: Sequence[int], from_: Sequence[int]) -> JoinEvents:
        """Row `from_[i]` merges into row `into[i]` (Bytewax's rule for each insert mode)."""
        if self.keyed:
            raise ValueError("rows of a keyed join core cannot merge")
        if len(into) != len(from_):
            raise ValueError(f"{len(into)} rows to merge into but {len(from_)} to merge from")
        if (into and min(into) < 0) or (from_ and min(from_) < 0):
            raise ValueError("rows must not be negative")
        self._begin()
        for a, b in zip(into, from_, strict=True):
            if a == b:
                continue
            dst = self.state.get(a) or [[] for _ in range(self.sides)]
            src = self.state.pop(b, None) or [[] for _ in range(self.sides)]
            for side in range(self.sides):
                if self.insert_mode == PRODUCT:
                    dst[side] = dst[side] + src[side]
                    continue
                # FIRST takes the merged-in row's value where it has one (as Bytewax's
                # `state |= original` does); LAST keeps the surviving row's value.
                prefer_src = self.insert_mode == FIRST
                keep_src = bool(src[side]) and (prefer_src or not dst[side])
                if keep_src:
                    self.released.extend(dst[side])
                    dst[side] = src[side]
                else:
                    self.released.extend(src[side])
            if any(dst):
                self.state[a] = dst
                self._check_emit(a, dst, -1)
            else:
                self.state.pop(a, None)
        return self._end()

    def close(self, rows: Sequence[int]) -> JoinEvents:
        """Rows `rows` end, in that order: `FINAL` emits those holding values; all are forgotten."""
        if rows and min(rows) < 0:
            raise ValueError("rows must not be negative")
        self._begin()
        for row in rows:
            held = self.state.get(row)
            if held is None:
                continue
            if self.emit_mode == FINAL:
                self._emit(row, held, -1)
            self._forget(row, held)
        return self._end()

    # --- snapshots (recovery) ---------------------------------------------------

    def export_state(self) -> bytes:
        """Everything the core holds between calls, as int64s: the C core's format too.

        Read `csrc/joins.c`'s snapshot comment for the layout: the free and released
        ids, then each row holding values (in row order) with its key and the ids
        of each side.
        """
        head = [_SNAPSHOT_FORMAT, self.sides, self.insert_mode, self.emit_mode, int(self.keyed)]
        head += [self.capacity, self.next_row, len(self.free), len(self.released)]
        ints = [*head, len(self.free_rows), len(self.state)]
        ints += self.free + self.released + self.free_rows
        for row in sorted(self.state):
            ints.append(row)
            if self.keyed:
                ints += text_ints(self.key_of[row])
            for ids in self.state[row]:
                ints += [len(ids), *ids]
        return pack(ints)

    def import_state(self, state: bytes) -> None:
        """Load what `export_state` gave (on either backend) into this fresh core."""
        read = Reader(state, _NOT_A_SNAPSHOT)
        read.check(self.capacity == 1 and not (self.state or self.free or self.released))
        fmt, sides, insert_mode, emit_mode, keyed, capacity, next_row = read(7)
        nfree, nreleased, nfree_rows, nrows = map(read.count, read(4))
        read.check(fmt == _SNAPSHOT_FORMAT and capacity >= 1 and next_row >= 0)
        mine = (self.sides, self.insert_mode, self.emit_mode, int(self.keyed))
        read.check((sides, insert_mode, emit_mode, keyed) == mine)
        read.check(self.keyed or not (next_row or nfree_rows))
        self.free = read.ids(nfree, capacity, 1)
        self.released = read.ids(nreleased, capacity, 1)
        self.free_rows = read.ids(nfree_rows, next_row)
        last = -1
        for _ in range(nrows):
            (row,) = read(1)
            read.check(last < row and (not self.keyed or row < next_row))
            last = row
            if self.keyed:
                key = read.text()
                self.row_of[key] = row
                self.key_of[row] = key
            held = []
            for _ in range(sides):
                count = read.count(read(1)[0])
                read.check(count <= 1 or self.insert_mode == PRODUCT)
                held.append(read.ids(count, capacity, 1))
            read.check(any(held))
            self.state[row] = held
        read.end()
        self.capacity, self.next_row = capacity, next_row

    def open_rows(self) -> int:
        """How many rows hold values (what the join keeps in memory)."""
        return len(self.state)

    def has_row(self, row: int) -> bool:
        """Whether row `row` holds any value."""
        return row in self.state

    # --- helpers ---------------------------------------------------------

    def _begin(self) -> None:
        self.free.extend(self.released)
        self.released = []
        self.ev = JoinEvents()

    def _end(self) -> JoinEvents:
        self.ev.capacity = self.capacity
        return self.ev

    def _new_vid(self) -> int:
        if self.free:
            return self.free.pop()
        self.capacity += 1
        return self.capacity - 1

    def _check_emit(self, row: int, held: list[list[int]], item: int) -> None:
        if self.emit_mode == RUNNING:
            self._emit(row, held, item)
        elif self.emit_mode == COMPLETE and all(held):
            self._emit(row, held, item)
            self._forget(row, held)

    def _forget(self, row: int, held: list[list[int]]) -> None:
        """Drop a row's state: its value ids go back, and a keyed core's key its row."""
        del self.state[row]
        for values in held:
            self.released.extend(values)
        if self.keyed:
            del self.row_of[self.key_of.pop(row)]
            self.free_rows.append(row)

    def _emit(self, row: int, held: list[list[int]], item: int) -> None:
        for combo in itertools.product(*(values or [NO_VALUE] for values in held)):
            self.ev.rows.append(row)
            self.ev.vids.extend(combo)
            self.ev.items.append(item)
