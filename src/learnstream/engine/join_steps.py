"""The join steps: Python values around the numeric join core.

`join` runs as one `JoinStep` with an input port per side. Each batch of a
side goes to the join core (C, or the twin in `learnstream.engine.joins_twin`)
whole (`join_batch`): the core finds each key's row, decides what to keep and
what to emit, keeps the values in one Python list at the value ids it hands out,
and appends emitted rows as `(key, (v_side0, v_side1, ...))` items.

`join_window` is a windowing operator: its `JoinAggregate` keeps one join row
per window, the window's handle, inside the common `WindowStep`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from learnstream.engine import backend, resume
from learnstream.engine.joins_twin import EMIT_MODES, FINAL, INSERT_MODES
from learnstream.engine.keyed_items import in_key_order, split_keyed
from learnstream.engine.window_steps import WHOLE, Aggregate

Outputs = list[list[Any]]


class JoinValues:
    """The values a join core's ids name: `values[0]` is None, the missing side.

    Ids the core took back still name their old value until it hands them out
    again, so the list is as long as the most values open at once (plus one
    batch), never as long as the stream.
    """

    def __init__(self, sides: int) -> None:
        self.sides = sides
        self.values: list[Any] = [None]

    def store(self, ev: Any, batch: list[Any]) -> None:
        """Keep the values the core asked to keep, at their ids."""
        values = self.values
        if ev.capacity > len(values):
            values.extend([None] * (ev.capacity - len(values)))
        items = ev.stored_items
        if not items:
            return
        kept = batch if len(items) == len(batch) else list(map(batch.__getitem__, items))
        # The builtin map runs the stores without a Python-level loop.
        list(map(values.__setitem__, ev.stored_vids, kept))

    def tuples(self, ev: Any) -> list[tuple[Any, ...]]:
        """One tuple of values per row the core emitted."""
        found = map(self.values.__getitem__, ev.vids)
        # Consecutive groups of `sides` ids (the core emits exactly `sides` per row).
        return list(zip(*[found] * self.sides, strict=False))


class JoinStep:
    """Runs `join`: one input port per side, one output of `(key, tuple)` rows."""

    def __init__(
        self, step_id: str, operator: str, sides: int, insert_mode: str, emit_mode: str
    ) -> None:
        self.step_id = step_id
        self.operator = operator
        self.core = backend.joins.JoinCore(
            sides, INSERT_MODES[insert_mode], EMIT_MODES[emit_mode], keyed=True
        )
        self.store = JoinValues(sides)
        self.final = EMIT_MODES[emit_mode] == FINAL
        self.row_keys: list[Any] = []  # final mode: the key of each row, for EOF
        saved = resume.saved()
        if saved:
            core, self.store.values, self.row_keys = saved[WHOLE]
            with resume.loading(step_id, operator):
                self.core.import_state(core)

    def snapshot(self) -> dict[str, tuple[bytes, list[Any], list[Any]]]:
        """The core's rows (as int64s), the values its ids name, and final mode's row keys,
        under one state key each epoch (`WHOLE`: the core keeps no set of changed keys)."""
        return {WHOLE: (self.core.export_state(), self.store.values, self.row_keys)}

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        out: list[Any] = []
        row_keys = self.row_keys if self.final else None
        for side, items in enumerate(inputs):
            if items and not self.core.join_batch(items, side, self.store.values, out, row_keys):
                self._generic(items, side, out)
        in_key_order(out)
        return [out]

    def _generic(self, items: list[Any], side: int, out: list[Any]) -> None:
        """A batch `join_batch` leaves to Python: a bad item, a str subclass key, a lone surrogate."""
        keys, values = split_keyed(self.step_id, self.operator, items)
        ev = self.core.insert_keys(keys, side)
        if self.final and ev.new_rows:
            row_keys = self.row_keys
            row_keys.extend([None] * (max(ev.new_rows) + 1 - len(row_keys)))
            for row, item in zip(ev.new_rows, ev.new_items, strict=True):
                row_keys[row] = keys[item]
        self.store.store(ev, values)
        if ev.rows:
            out.extend(zip(map(keys.__getitem__, ev.items), self.store.tuples(ev), strict=True))

    def eof(self, now: datetime) -> Outputs:
        """Final mode emits every key still held, in key order (as `stateful` flushes)."""
        if not self.final:
            return [[]]
        row_keys = self.row_keys
        rows = [row for row in range(len(row_keys)) if self.core.has_row(row)]
        rows.sort(key=row_keys.__getitem__)
        ev = self.core.close(rows)
        return [list(zip(map(row_keys.__getitem__, ev.rows), self.store.tuples(ev), strict=True))]

    def stats(self) -> dict[str, int]:
        """What `learnstream run` reports: the keys the join still holds."""
        return {"keys_waiting": self.core.open_rows()}


class JoinAggregate(Aggregate):
    """`join_window`'s windows: one join row per window handle.

    Values arrive labelled `(side, value)` (as `join_window` merges its sides).
    A window's row is dropped when the window closes, or in complete mode as
    soon as it emits (the window itself stays open for more values).
    """

    def __init__(self, sides: int, insert_mode: str, emit_mode: str) -> None:
        self.core = backend.joins.JoinCore(sides, INSERT_MODES[insert_mode], EMIT_MODES[emit_mode])
        self.store = JoinValues(sides)

    def snapshot(self) -> tuple[bytes, list[Any]]:
        return self.core.export_state(), self.store.values

    def resume(self, state: tuple[bytes, list[Any]]) -> None:
        core, self.store.values = state
        self.core.import_state(core)

    def insert_all(
        self, handles: list[int], wids: list[int], keys: list[str], values: list[Any]
    ) -> list[Any]:
        ev = self.core.insert(handles, [side for side, _ in values])
        self.store.store(ev, [value for _, value in values])
        if not ev.rows:
            return []
        return [
            (keys[i], (wids[i], row))
            for i, row in zip(ev.items, self.store.tuples(ev), strict=True)
        ]

    def merge_all(
        self, into: list[int], into_wids: list[int], from_: list[int], keys: list[str]
    ) -> list[Any]:
        ev = self.core.merge(into, from_)
        if not ev.rows:
            return []
        where = {handle: (key, wid) for handle, wid, key in zip(into, into_wids, keys, strict=True)}
        return self._down(ev, where)

    def close_all(self, ev: Any, keys: list[str]) -> list[Any]:
        jev = self.core.close(ev.closed_handles)
        if not jev.rows:
            return []
        where = {
            handle: (keys[slot], wid)
            for slot, handle, wid in zip(
                ev.closed_slots, ev.closed_handles, ev.closed_wids, strict=True
            )
        }
        return self._down(jev, where)

    def _down(self, ev: Any, where: dict[int, tuple[str, int]]) -> list[Any]:
        return [
            (where[handle][0], (where[handle][1], row))
            for handle, row in zip(ev.rows, self.store.tuples(ev), strict=True)
        ]
