"""The windowing core step: Python values around a numeric window core.

Every windowing operator (`learnstream.operators.windowing`) runs as one
`WindowStep`. Per batch it

1. splits `(key, value)` items and gets each key's slot from the `KeyTable`;
2. calls the clock's `ts_getter` on each value and turns the datetimes into
   microseconds (checking they are timezone-aware);
3. hands slots and microseconds to the window core (C, or the twin in
   `learnstream.engine.windows_twin`), which decides lateness, window membership,
   merges and closes;
4. applies those decisions to the Python side: folds each value into the
   accumulator of its window (a list indexed by the core's handles) and turns
   closed windows into `(key, (window_id, value))` items.

The step has three outputs: `down`, `late` and `meta`.
"""

from __future__ import annotations

import operator as _operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from learnstream.engine import backend, resume
from learnstream.engine.keyed_items import in_key_order, split_keyed
from learnstream.errors import StepError, short_repr, user_function_error

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_TZINFO = _operator.attrgetter("tzinfo")
_EMPTY: Any = object()  # an accumulator slot with no window behind it
WHOLE = ""
"""The one state key of a step that snapshots its whole state each epoch (window, join)."""

Outputs = list[list[Any]]


def micros(dt: datetime) -> int:
    """Microseconds since the Unix epoch of an aware datetime, exactly.

    >>> micros(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=UTC))
    1000005
    """
    return (dt - EPOCH) // _ONE_US


def from_micros(us: int) -> datetime:
    """The aware UTC datetime `us` microseconds after the epoch.

    >>> from_micros(1_000_005).isoformat()
    '1970-01-01T00:00:01.000005+00:00'
    """
    return EPOCH + timedelta(microseconds=us)


def timestamp_problem(step_id: str, operator: str, item: Any, stamp: Any) -> StepError | None:
    """Why `stamp` (from the clock's `ts_getter` on `item`) cannot be an event time, if it cannot."""
    if not isinstance(stamp, datetime):
        return StepError(
            step_id,
            operator,
            item,
            f"has an EventClock whose ts_getter returned {short_repr(stamp)} "
            f"(a {type(stamp).__name__}), not a datetime",
            "make ts_getter return a timezone-aware datetime, e.g. "
            "datetime.fromtimestamp(ms / 1000, tz=timezone.utc) for epoch milliseconds "
            "or datetime.fromisoformat(text) for ISO text with an offset",
        )
    if stamp.utcoffset() is None:
        return StepError(
            step_id,
            operator,
            item,
            f"has an EventClock whose ts_getter returned the naive datetime {stamp!r} "
            "(no timezone): event times must be comparable with the clock's UTC now",
            "attach a timezone in ts_getter, e.g. ts.replace(tzinfo=timezone.utc) if the "
            "times are UTC, or parse them with their offset",
        )
    return None


@dataclass
class WindowConfig:
    """What the core needs to know, in microseconds (see `WindowCore`)."""

    kind: int
    length: int
    offset: int
    align: int
    gap: int
    clock: int
    wait: int
    ordered: bool


class Aggregate:
    """How values become a window's result. Subclasses: count, fold, `WindowLogic`."""

    record_inserts = True

    def insert(self, handle: int, wid: int, key: str, value: Any) -> Iterable[Any]:
        """Add a value to the window `handle`; return anything to emit now."""
        raise NotImplementedError

    def merge(self, into: int, from_: int, key: str) -> Iterable[Any]:
        """Window `from_` merged into `into`; return anything to emit now."""
        raise NotImplementedError

    def close(self, handle: int, count: int, key: str) -> Iterable[Any]:
        """Window `handle` (holding `count` items) closed; return its results."""
        raise NotImplementedError

    def snapshot(self) -> Any:
        """What this aggregate holds per window (a count holds nothing: the core counts)."""
        return None

    def resume(self, state: Any) -> None:
        """Hold again what `snapshot` returned."""

    def insert_all(
        self, handles: list[int], wids: list[int], keys: list[str], values: list[Any]
    ) -> list[Any]:
        """Insert a call's values, in order; `(key, (window_id, result))` items to emit now."""
        down: list[Any] = []
        for handle, wid, key, value in zip(handles, wids, keys, values, strict=True):
            out = self.insert(handle, wid, key, value)
            if out:
                down.extend((key, (wid, w)) for w in out)
        return down

    def merge_all(
        self, into: list[int], into_wids: list[int], from_: list[int], keys: list[str]
    ) -> list[Any]:
        """Apply a call's merges, in order; `(key, (window_id, result))` items to emit now."""
        down: list[Any] = []
        for handle, wid, gone, key in zip(into, into_wids, from_, keys, strict=True):
            out = self.merge(handle, gone, key)
            if out:
                down.extend((key, (wid, w)) for w in out)
        return down

    def close_all(self, ev: Any, keys: list[str]) -> list[Any]:
        """`(key, (window_id, result))` items of every window the core closed, in its order."""
        down: list[Any] = []
        for slot, handle, wid, count in zip(
            ev.closed_slots, ev.closed_handles, ev.closed_wids, ev.closed_counts, strict=True
        ):
            key = keys[slot]
            down.extend((key, (wid, w)) for w in self.close(handle, count, key))
        return down


class CountAggregate(Aggregate):
    """The core already counts; a window's result is its count."""

    record_inserts = False

    def merge(self, into: int, from_: int, key: str) -> Iterable[Any]:
        return ()  # the core already added the merged session's count

    def close(self, handle: int, count: int, key: str) -> Iterable[Any]:
        return (count,)

    def close_all(self, ev: Any, keys: list[str]) -> list[Any]:
        # One comprehension over the core's arrays: a count window holds nothing in Python.
        return [
            (keys[slot], (wid, count))
            for slot, wid, count in zip(
                ev.closed_slots, ev.closed_wids, ev.closed_counts, strict=True
            )
        ]


class FoldAggregate(Aggregate):
    """`builder()` starts a window, `folder(acc, value)` adds to it, `merger` joins two."""

    def __init__(
        self,
        step_id: str,
        operator: str,
        builder: Callable[[], Any],
        folder: Callable[[Any, Any], Any],
        merger: Callable[[Any, Any], Any],
    ) -> None:
        self.step_id = step_id
        self.operator = operator
        self.builder = builder
        self.folder = folder
        self.merger = merger
        self.accs: list[Any] = []

    def _fail(self, fn: Any, item: Any, exc: Exception) -> StepError:
        return user_function_error(self.step_id, self.operator, fn, item, exc)

    def insert(self, handle: int, wid: int, key: str, value: Any) -> Iterable[Any]:
        accs = self.accs
        if handle >= len(accs):
            accs.extend([_EMPTY] * (handle + 1 - len(accs)))
        acc = accs[handle]
        fn: Any = self.builder
        try:
            if acc is _EMPTY:
                acc = self.builder()
            fn = self.folder
            accs[handle] = self.folder(acc, value)
        except Exception as exc:
            raise self._fail(fn, (key, value), exc) from exc
        return ()

    def merge(self, into: int, from_: int, key: str) -> Iterable[Any]:
        accs = self.accs
        try:
            accs[into] = self.merger(accs[into], accs[from_])
        except Exception as exc:
            raise self._fail(self.merger, (key, accs[from_]), exc) from exc
        accs[from_] = _EMPTY
        return ()

    def close(self, handle: int, count: int, key: str) -> Iterable[Any]:
        acc, self.accs[handle] = self.accs[handle], _EMPTY
        return (acc,)

    def snapshot(self) -> tuple[int, dict[int, Any]]:
        """The accumulators of open windows by handle (`_EMPTY` does not survive pickling)."""
        held = {h: acc for h, acc in enumerate(self.accs) if acc is not _EMPTY}
        return len(self.accs), held

    def resume(self, state: tuple[int, dict[int, Any]]) -> None:
        size, held = state
        self.accs = [held.get(h, _EMPTY) for h in range(size)]


class LogicAggregate(Aggregate):
    """One learner-written `WindowLogic` per window, built by `builder(None)`."""

    def __init__(self, step_id: str, operator: str, builder: Callable[[Any], Any]) -> None:
        self.step_id = step_id
        self.operator = operator
        self.builder = builder
        self.logics: list[Any] = []

    def _call(self, fn: Any, item: Any, *args: Any) -> list[Any]:
        try:
            return list(fn(*args))
        except StepError:
            raise
        except Exception as exc:
            raise user_function_error(self.step_id, self.operator, fn, item, exc) from exc

    def insert(self, handle: int, wid: int, key: str, value: Any) -> Iterable[Any]:
        logics = self.logics
        if handle >= len(logics):
            logics.extend([None] * (handle + 1 - len(logics)))
        logic = logics[handle]
        if logic is None:
            try:
                logic = logics[handle] = self.builder(None)
            except Exception as exc:
                raise user_function_error(
                    self.step_id, self.operator, self.builder, (key, value), exc
                ) from exc
        return self._call(logic.on_value, (key, value), value)

    def merge(self, into: int, from_: int, key: str) -> Iterable[Any]:
        original, self.logics[from_] = self.logics[from_], None
        return self._call(self.logics[into].on_merge, key, original)

    def close(self, handle: int, count: int, key: str) -> Iterable[Any]:
        logic, self.logics[handle] = self.logics[handle], None
        return self._call(logic.on_close, key)

    def snapshot(self) -> tuple[int, dict[int, Any]]:
        """Each open window's `logic.snapshot()`, by handle, as Bytewax snapshots window logics."""
        held = {}
        for handle, logic in enumerate(self.logics):
            if logic is not None:
                try:
                    held[handle] = logic.snapshot()
                except Exception as exc:
                    raise user_function_error(
                        self.step_id, self.operator, logic.snapshot, handle, exc
                    ) from exc
        return len(self.logics), held

    def resume(self, state: tuple[int, dict[int, Any]]) -> None:
        size, held = state
        self.logics = [None] * size
        for handle, snap in held.items():
            try:
                self.logics[handle] = self.builder(snap)
            except Exception as exc:
                raise user_function_error(
                    self.step_id, self.operator, self.builder, snap, exc
                ) from exc


class WindowStep:
    """Runs one windowing operator; see the module docstring."""

    def __init__(
        self,
        step_id: str,
        operator: str,
        config: WindowConfig,
        ts_getter: Callable[[Any], datetime] | None,
        now_getter: Callable[[], datetime] | None,
        aggregate: Aggregate,
        metadata: Callable[[datetime, datetime, set[int]], Any],
        wants_late: bool = True,
        wants_meta: bool = True,
    ) -> None:
        self.step_id = step_id
        self.operator = operator
        self.ts_getter = ts_getter
        self.now_getter = now_getter
        self.agg = aggregate
        self.metadata = metadata
        self.wants_late = wants_late
        self.wants_meta = wants_meta
        self.table = backend.core.KeyTable()
        self.keys: list[str] = []  # by slot, mirroring the table
        windows = backend.windows
        self.stamps = backend.stamps
        self.event_micros = self.stamps.event_micros
        self.core = windows.WindowCore(
            config.kind,
            length=config.length,
            offset=config.offset,
            align=config.align,
            gap=config.gap,
            clock=config.clock,
            wait=config.wait,
            ordered=config.ordered,
            record_inserts=aggregate.record_inserts,
        )
        self.seq = 0  # number of the next item (the core numbers them the same way)
        self.pending: dict[int, tuple[str, Any]] = {}  # items waiting for timestamp order
        self.merged_ids: dict[int, set[int]] = {}  # by handle: session ids merged into it
        self.windows_emitted = 0
        self.items_late = 0
        saved = resume.saved()
        if saved:
            self._resume(saved[WHOLE])

    _SNAPSHOT = ("seq", "pending", "merged_ids", "windows_emitted", "items_late")

    def snapshot(self) -> dict[str, Any]:
        """Keys by slot, the core (clocks, watermarks, open windows), held items, aggregates,
        all under one state key each epoch (`WHOLE`: the core keeps no set of changed keys).

        The core's state is the int64s both backends write and read
        (`learnstream.engine.snapshots`), so a run resumes on either backend.
        """
        state = {name: getattr(self, name) for name in self._SNAPSHOT}
        core = self.core.export_state()
        return {WHOLE: {**state, "keys": self.keys, "core": core, "agg": self.agg.snapshot()}}

    def _resume(self, state: dict[str, Any]) -> None:
        with resume.loading(self.step_id, self.operator):
            self.core.import_state(state["core"])
            self.agg.resume(state["agg"])
        self.table.slots(state["keys"])
        self.keys = list(state["keys"])
        for name in self._SNAPSHOT:
            setattr(self, name, state[name])

    # --- the Runtime protocol ---------------------------------------------

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        now_us = self._now_us(now)
        if not items:
            return self._emit(self.core.notify(now_us), [], [])
        keys, values = split_keyed(self.step_id, self.operator, items)
        slots = self.table.slots(keys)
        if len(self.table) > len(self.keys):
            for key, slot in zip(keys, slots, strict=True):
                if slot == len(self.keys):  # new slots come in first-seen order
                    self.keys.append(key)
        stamps = None if self.ts_getter is None else self._micros(keys, values)
        return self._emit(self.core.process(slots, stamps, now_us), keys, values)

    def eof(self, now: datetime) -> Outputs:
        keys = self.keys
        order = sorted(range(len(keys)), key=keys.__getitem__)
        return self._emit(self.core.eof(order), [], [])

    def next_awake(self) -> datetime | None:
        wake = self.core.next_wake()
        if wake is None:
            return None
        if self.now_getter is not None:
            # A private now_getter keeps its own time, so its wake times mean nothing
            # to the executor's clock; the step still looks on every tick.
            return None
        try:
            return from_micros(wake)
        except OverflowError:
            return None

    def stats(self) -> dict[str, int]:
        """What `learnstream run` reports for this step."""
        return {"windows_emitted": self.windows_emitted, "items_late": self.items_late}

    def watermark(self, key: str) -> datetime | None:
        """`key`'s watermark as the core holds it now; None before the key's first item.

        Read between ticks by tools that draw what the engine decided
        (`learnstream.timeline`), so they never recompute it.
        """
        if key not in self.keys:
            return None
        us = self.core.watermark(self.keys.index(key))
        try:
            return from_micros(us)
        except OverflowError:  # a wait longer than the years since 0001-01-01
            return datetime.min.replace(tzinfo=UTC) if us < 0 else datetime.max.replace(tzinfo=UTC)

    # --- helpers ------------------------------------------------------------

    def _now_us(self, now: datetime) -> int:
        if self.now_getter is not None:
            now = self.now_getter()
            if not isinstance(now, datetime) or now.utcoffset() is None:
                raise StepError(
                    self.step_id,
                    self.operator,
                    now,
                    "has an EventClock whose now_getter returned something other than an "
                    "aware datetime",
                    "make now_getter return e.g. datetime.now(timezone.utc)",
                )
        return micros(now)

    def _micros(self, keys: list[str], values: list[Any]) -> Any:
        """Event times of `values` in microseconds; a clear error for a bad timestamp."""
        getter = self.ts_getter
        assert getter is not None
        us, failure = self.event_micros(values, getter)
        if failure is None:
            return us
        item, stamp = (keys[failure.index], values[failure.index]), failure.what
        if failure.kind == self.stamps.RAISED:
            if not isinstance(stamp, Exception):  # KeyboardInterrupt, SystemExit: not ours
                raise stamp
            raise user_function_error(self.step_id, self.operator, getter, item, stamp) from stamp
        if failure.kind == self.stamps.NOT_AWARE:
            problem = timestamp_problem(self.step_id, self.operator, item, stamp)
            assert problem is not None
            raise problem
        raise StepError(
            self.step_id,
            self.operator,
            item,
            f"has an EventClock whose ts_getter returned {stamp!r}, which in UTC "
            "lies outside datetime's range (years 1 to 9999), so no window can hold it",
            "check the timestamp and its offset; ts_getter should return the time the "
            "event happened",
        )

    def _emit(self, ev: Any, keys: list[str], values: list[Any]) -> Outputs:
        """Turn the core's decisions into `down`, `late` and `meta` items."""
        first_seq = self.seq
        self.seq += len(keys)
        down: list[Any] = []
        late: list[Any] = []
        meta: list[Any] = []
        if ev.late_items:
            self.items_late += len(set(ev.late_items))
            if self.wants_late:
                late = [
                    (keys[i], (wid, values[i]))
                    for i, wid in zip(ev.late_items, ev.late_wids, strict=True)
                ]
        agg = self.agg
        if ev.ins_seqs:
            pending = self.pending
            ins_keys: list[str] = []
            ins_values: list[Any] = []
            for seq in ev.ins_seqs:
                i = seq - first_seq
                key, value = (keys[i], values[i]) if i >= 0 else pending[seq]
                ins_keys.append(key)
                ins_values.append(value)
            down.extend(agg.insert_all(ev.ins_handles, ev.ins_wids, ins_keys, ins_values))
            if pending:  # an item in several sliding windows is inserted once per window
                for seq in ev.ins_seqs:
                    pending.pop(seq, None)
        for seq in ev.held:
            self.pending[seq] = (keys[seq - first_seq], values[seq - first_seq])
        if ev.merge_into:
            for into, from_, wid in zip(ev.merge_into, ev.merge_from, ev.merge_wids, strict=True):
                self.merged_ids.setdefault(into, set()).add(wid)
                self.merged_ids.pop(from_, None)
            merge_keys = [self.keys[slot] for slot in ev.merge_slots]
            down.extend(agg.merge_all(ev.merge_into, ev.merge_into_wids, ev.merge_from, merge_keys))
        if ev.closed_handles:
            self.windows_emitted += len(ev.closed_handles)
            allkeys = self.keys
            down.extend(agg.close_all(ev, allkeys))
            if self.wants_meta:
                for slot, handle, wid, opens, closes in zip(
                    ev.closed_slots,
                    ev.closed_handles,
                    ev.closed_wids,
                    ev.closed_opens,
                    ev.closed_closes,
                    strict=True,
                ):
                    ids = self.merged_ids.pop(handle, set())
                    meta.append(
                        (
                            allkeys[slot],
                            (wid, self.metadata(from_micros(opens), from_micros(closes), ids)),
                        )
                    )
            else:
                for handle in ev.closed_handles:
                    self.merged_ids.pop(handle, None)
        if len(down) > 1 or len(late) > 1 or len(meta) > 1:
            batch_keys = set(keys)
            for rows in (down, late, meta):
                in_key_order(rows, batch_keys)
        return [down, late, meta]
