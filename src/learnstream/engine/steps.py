"""The runtimes of the core steps: what each core operator does with a batch.

Every other operator is built from these (see `learnstream.operators`), so this
file is the whole of what the executor can do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from operator import length_hint
from typing import Any

from learnstream.engine import backend, clock, resume
from learnstream.engine.keyed_items import checked_keys, split_keyed
from learnstream.errors import StepError, short_repr, user_function_error, wrong_return_type
from learnstream.inputs import (
    AbortExecution,
    DynamicSource,
    FixedPartitionedSource,
    Source,
)
from learnstream.outputs import DynamicSink, FixedPartitionedSink, Sink

Outputs = list[list[Any]]
NO_OUTPUT: Outputs = []


def not_a_source(step_id: str, source: Any) -> StepError:
    """`op.input` was given something that is not a source."""
    return StepError(
        step_id,
        "input",
        source,
        "needs a Source (FixedPartitionedSource or DynamicSource)",
        "use a connector such as TestingSource([...]) or FileSource('path')",
    )


def source_failed(step_id: str, part: Any, exc: Exception) -> StepError:
    """A source partition raised while reading."""
    return StepError(
        step_id,
        "input",
        part,
        f"source partition raised {type(exc).__name__}: {exc}",
        "check the source's arguments (path, format) or its next_batch()",
    )


def not_a_sink(step_id: str, sink: Any) -> StepError:
    """`op.output` was given something that is not a sink."""
    return StepError(
        step_id,
        "output",
        sink,
        "needs a Sink (FixedPartitionedSink or DynamicSink)",
        "use a connector such as StdOutSink(), TestingSink(list) or FileSink(path)",
    )


class SourceStep:
    """Polls every partition of a source once per tick.

    Its snapshot is each fixed partition's own, by name (a `DynamicSource` keeps
    no position, as in Bytewax): every live partition's at each epoch, and a
    finished partition's last one once, in the epoch it finished, so a resumed
    run does not read it again. A finished partition is closed when
    the run completes (`close`), after the final snapshot is written: a broker's
    source acknowledges its last messages there.
    """

    def __init__(self, step_id: str, source: Source[Any]) -> None:
        self.step_id = step_id
        self.names: list[str] = []
        self.ended: dict[str, Any] = {}  # finished since the last snapshot
        self.finished: list[Any] = []
        saved = resume.saved() or {}
        if isinstance(source, FixedPartitionedSource):
            self.names = list(source.list_parts())
            self.parts: list[Any] = [
                source.build_part(step_id, n, saved.get(n)) for n in self.names
            ]
        elif isinstance(source, DynamicSource):
            self.parts = [source.build(step_id, 0, 1)]
        else:
            raise not_a_source(step_id, source)
        self.done = not self.parts

    def snapshot(self) -> dict[str, Any]:
        state, self.ended = self.ended, {}
        for name, part in zip(self.names, self.parts, strict=False):
            state[name] = part.snapshot()
        return state

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        batch: list[Any] = []
        for part in list(self.parts):
            awake = part.next_awake()
            if awake is not None and awake > now:
                continue
            try:
                batch.extend(part.next_batch())
            except StopIteration:
                if self.names:
                    index = self.parts.index(part)
                    name = self.names.pop(index)
                    self.ended[name] = part.snapshot()
                self.parts.remove(part)
                self.finished.append(part)
            except (AbortExecution, StepError):  # a connector's own step error says it all
                raise
            except Exception as exc:
                raise source_failed(self.step_id, part, exc) from exc
        self.done = not self.parts
        return [batch]

    def next_awake(self) -> datetime | None:
        wakes = [w for w in (p.next_awake() for p in self.parts) if w is not None]
        return min(wakes) if wakes else None

    def close(self) -> None:
        """The run completed (its final snapshot, if any, is written): close every partition."""
        for part in self.finished:
            part.close()
        self.finished = []

    def eof(self, now: datetime) -> Outputs:
        return [[]]


class SinkStep:
    """Hands each batch to the sink's partition(s); closes them at EOF.

    Its snapshot is each fixed partition's own, by name: those written to since
    the last snapshot (every one at first), the last time as they close at EOF.
    """

    def __init__(self, step_id: str, sink: Sink[Any]) -> None:
        self.step_id = step_id
        self.fixed = isinstance(sink, FixedPartitionedSink)
        self.names: list[str] = []
        self.closed: dict[str, Any] | None = None
        self.dirty: set[int] = set()  # the partitions written since the last snapshot
        if isinstance(sink, FixedPartitionedSink):
            self.sink = sink
            saved = resume.saved() or {}
            self.names = sorted(sink.list_parts())
            self.parts: list[Any] = [
                sink.build_part(step_id, name, saved.get(name)) for name in self.names
            ]
            self.dirty = set(range(len(self.parts)))
        elif isinstance(sink, DynamicSink):
            self.parts = [sink.build(step_id, 0, 1)]
        else:
            raise not_a_sink(step_id, sink)

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        if not items:
            return NO_OUTPUT
        if not self.fixed:
            self.parts[0].write_batch(items)
            return NO_OUTPUT
        routed: list[list[Any]] = [[] for _ in self.parts]
        keys, values = split_keyed(self.step_id, "output", items)
        for key, value in zip(keys, values, strict=True):
            routed[self.sink.part_fn(key) % len(self.parts)].append(value)
        for index, (part, values) in enumerate(zip(self.parts, routed, strict=True)):
            if values:
                part.write_batch(values)
                self.dirty.add(index)
        return NO_OUTPUT

    def snapshot(self) -> dict[str, Any]:
        if self.closed is not None:
            closed, self.closed = self.closed, {}
            return closed
        dirty, self.dirty = self.dirty, set()
        return {self.names[i]: self.parts[i].snapshot() for i in sorted(dirty)}

    def eof(self, now: datetime) -> Outputs:
        if self.fixed:  # a DynamicSink keeps no position, as in Bytewax
            self.dirty = set(range(len(self.parts)))
        self.closed = self.snapshot()
        for part in self.parts:
            part.close()
        return NO_OUTPUT


class FlatMapBatchStep:
    """Calls `mapper(batch)` and emits everything it returns."""

    def __init__(self, step_id: str, mapper: Callable[[list[Any]], Iterable[Any]]) -> None:
        self.step_id = step_id
        self.mapper = mapper

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        if not items:
            return [[]]
        try:
            out = self.mapper(items)
            return [out if type(out) is list else list(out)]
        except StepError:
            raise
        except Exception as exc:
            raise user_function_error(
                self.step_id, "flat_map_batch", self.mapper, items, exc
            ) from exc

    def eof(self, now: datetime) -> Outputs:
        return [[]]


class BranchStep:
    """Splits items by a predicate that must return a bool."""

    def __init__(self, step_id: str, predicate: Callable[[Any], bool]) -> None:
        self.step_id = step_id
        self.predicate = predicate

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        trues: list[Any] = []
        falses: list[Any] = []
        predicate = self.predicate
        for item in items:
            try:
                verdict = predicate(item)
            except Exception as exc:
                raise user_function_error(self.step_id, "branch", predicate, item, exc) from exc
            if verdict is True:
                trues.append(item)
            elif verdict is False:
                falses.append(item)
            else:
                raise StepError(
                    self.step_id,
                    "branch",
                    item,
                    # Bytewax's words on the run error itself: its users match on them.
                    f"return value of `predicate` must be a `bool`; it returned "
                    f"{short_repr(verdict)}",
                    "make the predicate return True or False (e.g. wrap it in bool(...))",
                ) from wrong_return_type("predicate", predicate, self.step_id, "bool", verdict)
        return [trues, falses]

    def eof(self, now: datetime) -> Outputs:
        return [[], []]


class MergeStep:
    """Concatenates every input, in port order."""

    def __init__(self, step_id: str) -> None:
        self.step_id = step_id

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        merged: list[Any] = []
        for items in inputs:
            merged.extend(items)
        return [merged]

    def eof(self, now: datetime) -> Outputs:
        return [[]]


class InspectDebugStep:
    """Shows each item to `inspector(step_id, item, epoch, worker)` and passes it on.

    The epoch is the run's (see `learnstream.engine.clock`); there is one worker,
    numbered 0.
    """

    def __init__(self, step_id: str, inspector: Callable[[str, Any, int, int], None]) -> None:
        self.step_id = step_id
        self.inspector = inspector

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        epoch = clock.epoch()
        for item in items:
            try:
                self.inspector(self.step_id, item, epoch, 0)
            except Exception as exc:
                raise user_function_error(
                    self.step_id, "inspect", self.inspector, item, exc
                ) from exc
        return [items]

    def eof(self, now: datetime) -> Outputs:
        return [[]]


def call_each(here: str, opname: str, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """`[fn(x) for x in items]`, with the loop run by the builtin `map`.

    This is the per-item hot path of `map`, `filter`, `key_on` and `count_final`:
    the builtin calls `fn` without a Python-level loop around it, which is what
    lets a flow keep pace with `map`/`filter` written by hand (W3 in `benchmarks/`). When `fn` raises,
    the list iterator's position names the item: `map` takes an item from the
    iterator and then calls `fn` on it.
    """
    it = iter(items)
    try:
        out = list(map(fn, it))
    except StepError:  # already explained (a keyed-item check inside a shim, say)
        raise
    except Exception as exc:
        bad = items[len(items) - length_hint(it) - 1]
        raise user_function_error(here, opname, fn, bad, exc) from exc
    if len(out) != len(items):
        # `fn` raised StopIteration, which `map` takes for the end of its input:
        # report it like any other exception instead of dropping items silently.
        bad = items[len(out)]
        stop = StopIteration()
        raise user_function_error(here, opname, fn, bad, stop) from stop
    return out


class StatefulBatchStep:
    """Keeps one logic object per key and feeds it that key's items.

    `builder(None)` makes a key's logic the first time the key is seen. After
    each call the logic says whether to keep its state (`RETAIN`) or drop it
    (`DISCARD`), and `notify_at()` may ask for a callback at a time; at EOF,
    every key still held gets `on_eof()`, in key order.
    """

    def __init__(self, step_id: str, operator: str, builder: Callable[[Any], Any]) -> None:
        self.step_id = step_id
        self.operator = operator
        self.builder = builder
        self.table = backend.core.KeyTable()
        self.keys: list[str] = []  # by slot, mirroring the table
        self.logics: list[Any] = []  # by slot; None until built, and after DISCARD
        self.timers: dict[int, datetime] = {}
        self.dirty: set[int] = set()  # slots whose logic was called since the last snapshot
        saved = resume.saved()
        if saved is not None:
            self._resume(saved)

    def snapshot(self) -> dict[str, Any]:
        """`logic.snapshot()` of each key called since the last snapshot (`GONE` when its
        logic was discarded), as Bytewax snapshots each state key that changed."""
        changed = {}
        for slot in self.dirty:
            logic = self.logics[slot]
            if logic is None:
                changed[self.keys[slot]] = resume.GONE
                continue
            try:
                changed[self.keys[slot]] = logic.snapshot()
            except Exception as exc:
                fn = getattr(logic, "snapshot", logic)
                item = self.keys[slot]
                raise user_function_error(self.step_id, self.operator, fn, item, exc) from exc
        self.dirty = set()
        return changed

    def _resume(self, saved: dict[str, Any]) -> None:
        """Rebuild the key table (keys in order), then each key's logic from its snapshot."""
        keys = sorted(saved)
        self.table.slots(keys)
        self.keys = keys
        self.logics = [None] * len(keys)
        for slot, key in enumerate(keys):
            state = saved[key]
            try:
                logic = self.logics[slot] = self.builder(state)
                when = logic.notify_at()
            except Exception as exc:
                raise user_function_error(
                    self.step_id, self.operator, self.builder, (keys[slot], state), exc
                ) from exc
            if when is not None:
                self.timers[slot] = when

    def _call(self, slot: int, method: str, *args: Any) -> list[tuple[str, Any]]:
        key = self.keys[slot]
        logic = self.logics[slot]
        self.dirty.add(slot)
        try:
            if logic is None:
                logic = self.logics[slot] = self.builder(None)
            emit, discard = getattr(logic, method)(*args)
            out = [(key, w) for w in emit]
            if discard:
                self.logics[slot] = None
                self.timers.pop(slot, None)
            else:
                when = logic.notify_at()
                if when is None:
                    self.timers.pop(slot, None)
                else:
                    self.timers[slot] = when
        except StepError:
            raise
        except Exception as exc:
            # A logic that runs a learner's function per value (stateful_map) names the
            # value and the function; others are blamed for the key's whole batch.
            failed = getattr(logic, "failed", None)
            item = (key, failed[0]) if failed else (key, args[0]) if args else key
            fn = getattr(logic, "mapper", None) or getattr(logic, method, self.builder)
            raise user_function_error(self.step_id, self.operator, fn, item, exc) from exc
        return out

    def _fire_due(self, now: datetime, out: list[tuple[str, Any]]) -> None:
        due = sorted(
            (s for s, when in self.timers.items() if when <= now), key=self.keys.__getitem__
        )
        for slot in due:
            out.extend(self._call(slot, "on_notify"))

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        out: list[tuple[str, Any]] = []
        # As in Bytewax, a timer that fell due since the last batch fires before
        # this batch's items reach its key; one the items set in the past fires after.
        if self.timers:
            self._fire_due(now, out)
        if items:
            keys, values = split_keyed(self.step_id, self.operator, items)
            slots = self.table.slots(keys)
            if len(self.table) > len(self.keys):
                for key, slot in zip(keys, slots, strict=True):
                    if slot == len(self.keys):  # new slots come in first-seen order
                        self.keys.append(key)
                        self.logics.append(None)
            groups: dict[int, list[Any]] = {}
            for slot, value in zip(slots, values, strict=True):
                group = groups.get(slot)
                if group is None:
                    groups[slot] = [value]
                else:
                    group.append(value)
            # As in Bytewax, the keys of one batch get their items in key order.
            for slot in sorted(groups, key=self.keys.__getitem__) if len(groups) > 1 else groups:
                out.extend(self._call(slot, "on_batch", groups[slot]))
        if self.timers:
            self._fire_due(now, out)
        return [out]

    def next_awake(self) -> datetime | None:
        return min(self.timers.values()) if self.timers else None

    def eof(self, now: datetime) -> Outputs:
        out: list[tuple[str, Any]] = []
        keys = self.keys
        for slot in sorted(range(len(keys)), key=keys.__getitem__):
            if self.logics[slot] is not None:
                out.extend(self._call(slot, "on_eof"))
        return [out]


class CountStep:
    """Counts items per key in the backend's `KeyCounter`; emits `(key, count)` at EOF."""

    def __init__(self, step_id: str, operator: str, key: Callable[[Any], str]) -> None:
        self.step_id = step_id
        self.operator = operator
        self.key = key
        self.counter = backend.core.KeyCounter()
        self.drained = False  # every key was emitted at EOF, not snapshotted as gone yet
        saved = resume.saved()
        if saved:
            self.counter.load(list(saved.items()))
        if resume.recovering():
            self.counter.track()

    def snapshot(self) -> Any:
        """The count of each key counted since the last snapshot; after EOF, `CLEARED`."""
        if self.drained:
            self.drained = False
            return resume.CLEARED
        return dict(self.counter.changed())

    def process(self, inputs: list[list[Any]], now: datetime) -> Outputs:
        (items,) = inputs
        if items:
            key = self.key
            keys = call_each(self.step_id, self.operator, key, items)
            try:
                # The key table refuses a non-str key as `checked_keys` does, at no
                # extra cost on the hot path of a word count; `checked_keys` explains.
                self.counter.add(keys)
            except TypeError:
                checked_keys(self.step_id, self.operator, keys, items)
                raise
        return [[]]

    def eof(self, now: datetime) -> Outputs:
        pairs = self.counter.drain()  # emitted: nothing is held after EOF
        self.drained = True
        return [pairs]
