"""The operators you build a dataflow with: `import learnstream.operators as op`.

Names, arguments and behaviour follow Bytewax 0.21, so a flow written here runs
on Bytewax by changing the imports. Nine *core* operators do the work (`input`,
`output`, `flat_map_batch`, `branch`, `merge`, `inspect_debug`, `stateful_batch`,
`count_final` and `join`); every other operator is a few lines composed from them.

Stateful operators keep state per key and need a *keyed* stream of
`(str, value)` 2-tuples (make one with `key_on`). The `*_final` operators emit
when the input ends (EOF), one item per key, **in key order**.
"""

from __future__ import annotations

import builtins
import copy
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, TypeVar

from learnstream.dataflow import (
    Dataflow,
    KeyedStream,
    Operator,
    SinglePort,
    Stream,
    current_call,
    learner_call,
    operator,
    record_class,
)
from learnstream.engine import clock
from learnstream.engine.chains import PerItem
from learnstream.engine.constants import FILTER, MAP
from learnstream.engine.keyed_items import checked_keys, split_keyed
from learnstream.engine.steps import (
    BranchStep,
    CountStep,
    FlatMapBatchStep,
    InspectDebugStep,
    MergeStep,
    SinkStep,
    SourceStep,
    StatefulBatchStep,
    call_each,
)
from learnstream.errors import StepError, short_repr, user_function_error, wrong_return_type
from learnstream.inputs import Source
from learnstream.outputs import DynamicSink, Sink, StatelessSinkPartition
from learnstream.wording import a_or_an

X = TypeVar("X")
Y = TypeVar("Y")
V = TypeVar("V")
W = TypeVar("W")
S = TypeVar("S")
DK = TypeVar("DK")
DV = TypeVar("DV")

__all__ = [
    "BranchOut",
    "JoinEmitMode",
    "JoinInsertMode",
    "StatefulBatchLogic",
    "StatefulLogic",
    "TTLCache",
    "branch",
    "collect",
    "count_final",
    "enrich_cached",
    "filter",
    "filter_map",
    "filter_map_value",
    "filter_value",
    "flat_map",
    "flat_map_batch",
    "flat_map_value",
    "flatten",
    "fold_final",
    "input",
    "inspect",
    "inspect_debug",
    "join",
    "key_on",
    "key_rm",
    "map",
    "map_value",
    "max_final",
    "merge",
    "min_final",
    "output",
    "raises",
    "redistribute",
    "reduce_final",
    "stateful",
    "stateful_batch",
    "stateful_flat_map",
    "stateful_map",
]


def _here(up: Stream[Any]) -> Operator:
    """The call the learner wrote around the operator being built: errors name its id and name.

    `op.stateful_map("avg", ...)` runs as the core step `avg.stateful_flat_map.stateful.
    stateful_batch`; a learner who gets an error there is told about `avg` (stateful_map).
    """
    return learner_call(up.flow())


def _identity(x: X) -> X:
    return x


def _fn_name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


# --- core operators -------------------------------------------------------


@operator(core=True)
def input(step_id: str, flow: Dataflow, source: Source[X]) -> Stream[X]:
    """Read items from a source into the flow.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("input_eg")
    >>> nums = input("nums", flow, TestingSource([1, 2]))
    >>> _ = inspect("show", nums)
    >>> run_main(flow)
    input_eg.show: 1
    input_eg.show: 2
    """
    call = current_call(flow)
    (down,) = flow._add_core(call, [], 1, lambda: SourceStep(call.step_id, source), source=source)
    return down


@operator(core=True)
def output(step_id: str, up: Stream[X], sink: Sink[X]) -> None:
    """Write every item to a sink.

    >>> from learnstream.testing import TestingSink, TestingSource, run_main
    >>> flow = Dataflow("output_eg")
    >>> got = []
    >>> output("out", input("inp", flow, TestingSource(["a", "b"])), TestingSink(got))
    >>> run_main(flow)
    >>> got
    ['a', 'b']
    """
    call = current_call(up.flow())
    up.flow()._add_core(call, [up], 0, lambda: SinkStep(call.step_id, sink), sink=sink)


@operator(core=True)
def flat_map_batch(
    step_id: str, up: Stream[X], mapper: Callable[[list[X]], Iterable[Y]]
) -> Stream[Y]:
    """Transform a whole batch at once: `mapper(list_of_items)` returns the new items.

    The fastest way to call vectorised code (NumPy, a model's `predict`).

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("fmb_eg")
    >>> s = input("inp", flow, TestingSource([1, 2, 3], batch_size=3))
    >>> s = flat_map_batch("sum_batch", s, lambda xs: [sum(xs)])
    >>> _ = inspect("show", s)
    >>> run_main(flow)
    fmb_eg.show: 6
    """
    call = current_call(up.flow())
    (down,) = up.flow()._add_core(call, [up], 1, lambda: FlatMapBatchStep(call.step_id, mapper))
    return down


@dataclass(frozen=True)
class BranchOut(Generic[X, Y]):
    """The two streams `branch` makes."""

    trues: Stream[X]
    falses: Stream[Y]


@operator(core=True)
def branch(step_id: str, up: Stream[X], predicate: Callable[[X], bool]) -> BranchOut[X, X]:
    """Split a stream in two by a predicate that returns `True` or `False`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("branch_eg")
    >>> nums = input("inp", flow, TestingSource([1, 2, 3, 4]))
    >>> out = branch("even_odd", nums, lambda x: x % 2 == 0)
    >>> _ = inspect("evens", out.trues)
    >>> _ = inspect("odds", out.falses)
    >>> run_main(flow)
    branch_eg.odds: 1
    branch_eg.evens: 2
    branch_eg.odds: 3
    branch_eg.evens: 4
    """
    call = current_call(up.flow())
    trues, falses = up.flow()._add_core(
        call, [up], 2, lambda: BranchStep(call.step_id, predicate), ("trues", "falses")
    )
    return BranchOut(trues, falses)


@operator(core=True)
def merge(step_id: str, *ups: Stream[Any]) -> Stream[Any]:
    """Combine several streams into one.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("merge_eg")
    >>> a = input("a", flow, TestingSource([1, 2]))
    >>> b = input("b", flow, TestingSource([10]))
    >>> _ = inspect("both", merge("merge", a, b))
    >>> run_main(flow)
    merge_eg.both: 1
    merge_eg.both: 10
    merge_eg.both: 2
    """
    if not ups:
        raise StepError(
            step_id,
            "merge",
            ups,
            "needs at least one stream",
            "pass the streams to merge after the step id",
        )
    flow = ups[0].flow()
    call = current_call(flow)
    (down,) = flow._add_core(call, list(ups), 1, lambda: MergeStep(call.step_id))
    return down


def _default_debug_inspector(step_id: str, item: Any, epoch: int, worker: int) -> None:
    print(f"{step_id} W{worker} @{epoch}: {item!r}", flush=True)


@operator(core=True)
def inspect_debug(
    step_id: str,
    up: Stream[X],
    inspector: Callable[[str, X, int, int], None] = _default_debug_inspector,
) -> Stream[X]:
    """Show each item with its step id, epoch and worker; items pass through unchanged.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("dbg_eg")
    >>> _ = inspect_debug("dbg", input("inp", flow, TestingSource(["x"])))
    >>> run_main(flow)
    dbg_eg.dbg W0 @1: 'x'
    """
    call = current_call(up.flow())
    (down,) = up.flow()._add_core(
        call, [up], 1, lambda: InspectDebugStep(call.step_id, inspector), inspector=inspector
    )
    return down


class StatefulBatchLogic(ABC, Generic[V, W, S]):
    """The state of one key in `stateful_batch`, and what to do with it.

    Every method returns `(items_to_emit, discard)`: `discard` is `RETAIN`
    (keep this key's state) or `DISCARD` (forget it; the next item for the key
    starts over from the builder).
    """

    RETAIN: bool = False
    DISCARD: bool = True

    @abstractmethod
    def on_batch(self, values: list[V]) -> tuple[Iterable[W], bool]:
        """Called with this key's values from one batch, in order."""

    def on_notify(self) -> tuple[Iterable[W], bool]:
        """Called once the time from `notify_at()` has passed."""
        return ((), self.RETAIN)

    def on_eof(self) -> tuple[Iterable[W], bool]:
        """Called when the input ends, for every key still holding state."""
        return ((), self.RETAIN)

    def notify_at(self) -> datetime | None:
        """When `on_notify` should next be called (`None`: never)."""
        return None

    @abstractmethod
    def snapshot(self) -> S:
        """A copy of the state, enough for the builder to resume from."""


@operator(core=True)
def stateful_batch(
    step_id: str,
    up: KeyedStream[V],
    builder: Callable[[S | None], StatefulBatchLogic[V, W, S]],
) -> KeyedStream[W]:
    """The most general stateful operator: one `StatefulBatchLogic` per key.

    `builder(None)` makes the logic for a new key. Emitted values are re-keyed.

    >>> from learnstream.testing import TestingSource, run_main
    >>> class Total(StatefulBatchLogic):
    ...     def __init__(self):
    ...         self.total = 0
    ...     def on_batch(self, values):
    ...         self.total += sum(values)
    ...         return [self.total], self.RETAIN
    ...     def snapshot(self):
    ...         return self.total
    >>> flow = Dataflow("sb_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 2), ("b", 5)], batch_size=3))
    >>> _ = inspect("show", stateful_batch("total", s, lambda resume: Total()))
    >>> run_main(flow)
    sb_eg.show: ('a', 3)
    sb_eg.show: ('b', 5)
    """
    call, mine = current_call(up.flow()), _here(up)
    (down,) = up.flow()._add_core(
        call, [up], 1, lambda: StatefulBatchStep(mine.step_id, mine.op_type, builder)
    )
    return down


@operator(core=True)
def count_final(step_id: str, up: Stream[X], key: Callable[[X], str]) -> KeyedStream[int]:
    """Count the items of each key; emit `(key, count)` at EOF, in key order.

    `key(item)` must return a `str`. The counting runs in the C core.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("count_eg")
    >>> words = input("inp", flow, TestingSource(["to", "be", "or", "not", "to", "be"]))
    >>> _ = inspect("show", count_final("count", words, lambda word: word))
    >>> run_main(flow)
    count_eg.show: ('be', 2)
    count_eg.show: ('not', 1)
    count_eg.show: ('or', 1)
    count_eg.show: ('to', 2)
    """
    call, mine = current_call(up.flow()), _here(up)
    (down,) = up.flow()._add_core(
        call, [up], 1, lambda: CountStep(mine.step_id, mine.op_type, key), key=key
    )
    return down


# --- stateless operators ----------------------------------------------------


@operator
def redistribute(step_id: str, up: Stream[X]) -> Stream[X]:
    """Spread items over workers. learnstream runs one worker, so items pass unchanged.

    Kept so that flows written for Bytewax's multi-worker runs work here too.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("redist_eg")
    >>> _ = inspect("show", redistribute("spread", input("inp", flow, TestingSource([1]))))
    >>> run_main(flow)
    redist_eg.show: 1
    """
    return merge("merge", up)


@operator
def map(step_id: str, up: Stream[X], mapper: Callable[[X], Y]) -> Stream[Y]:
    """Transform each item: emit `mapper(item)`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("map_eg")
    >>> nums = input("inp", flow, TestingSource([1, 2, 3]))
    >>> _ = inspect("show", map("double", nums, lambda x: x * 2))
    >>> run_main(flow)
    map_eg.show: 2
    map_eg.show: 4
    map_eg.show: 6
    """
    here = _here(up)
    return flat_map_batch("flat_map_batch", up, PerItem(here.step_id, here.op_type, MAP, mapper))


@operator
def flat_map(step_id: str, up: Stream[X], mapper: Callable[[X], Iterable[Y]]) -> Stream[Y]:
    """Transform each item into zero or more items: emit everything `mapper(item)` returns.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("flat_map_eg")
    >>> lines = input("inp", flow, TestingSource(["to be", "or not"]))
    >>> _ = inspect("show", flat_map("split", lines, str.split))
    >>> run_main(flow)
    flat_map_eg.show: 'to'
    flat_map_eg.show: 'be'
    flat_map_eg.show: 'or'
    flat_map_eg.show: 'not'
    """
    here = _here(up)

    def each(items: list[X]) -> list[Y]:
        out: list[Y] = []
        extend = out.extend
        last = None
        try:
            for last in items:
                extend(mapper(last))
            return out
        except StepError:  # already explained (flatten's and flat_map_value's own checks)
            raise
        except Exception as exc:
            raise user_function_error(here.step_id, here.op_type, mapper, last, exc) from exc

    return flat_map_batch("flat_map_batch", up, each)


@operator
def flatten(step_id: str, up: Stream[Iterable[X]]) -> Stream[X]:
    """Emit every element of each (iterable) item.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("flatten_eg")
    >>> _ = inspect("show", flatten("flat", input("inp", flow, TestingSource([[1, 2], [3]]))))
    >>> run_main(flow)
    flatten_eg.show: 1
    flatten_eg.show: 2
    flatten_eg.show: 3
    """
    here = _here(up).step_id

    def checked(item: Iterable[X]) -> Iterable[X]:
        if not isinstance(item, Iterable):
            raise StepError(
                here,
                "flatten",
                item,
                f"got {a_or_an(type(item).__name__)}, which is not iterable",
                "give flatten lists (or other iterables), or use op.map / op.flat_map to make them",
            ) from TypeError(
                f"step {here!r} requires upstream to be iterables; got a {type(item)!r} instead"
            )
        return item

    return flat_map("flat_map", up, checked)


def _keep(here: str, opname: str, predicate: Callable[[Any], bool], items: list[Any]) -> list[bool]:
    """Call `predicate` on each item; each answer must be a bool, as in Bytewax."""
    keeps = call_each(here, opname, predicate, items)
    # Counting the `bool` types in a list is about half the cost of building a set
    # of types, and this check runs once per item of every filter.
    if list(builtins.map(type, keeps)).count(bool) != len(keeps):
        bad = next(i for i, k in enumerate(keeps) if type(k) is not bool)
        raise StepError(
            here,
            opname,
            items[bad],
            f"predicate returned {short_repr(keeps[bad])}, not a bool",
            "make the predicate return True or False (e.g. `lambda x: x > 0`)",
        ) from wrong_return_type("predicate", predicate, here, "bool", keeps[bad])
    return keeps


@operator
def filter(step_id: str, up: Stream[X], predicate: Callable[[X], bool]) -> Stream[X]:
    """Keep only the items for which `predicate(item)` is `True`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("filter_eg")
    >>> nums = input("inp", flow, TestingSource(range(6)))
    >>> _ = inspect("show", filter("odd", nums, lambda x: x % 2 == 1))
    >>> run_main(flow)
    filter_eg.show: 1
    filter_eg.show: 3
    filter_eg.show: 5
    """
    here = _here(up)
    return flat_map_batch(
        "flat_map_batch", up, PerItem(here.step_id, here.op_type, FILTER, predicate)
    )


@operator
def filter_map(step_id: str, up: Stream[X], mapper: Callable[[X], Y | None]) -> Stream[Y]:
    """Transform each item and drop the results that are `None`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("filter_map_eg")
    >>> raw = input("inp", flow, TestingSource(["1", "x", "3"]))
    >>> _ = inspect("show", filter_map("parse", raw, lambda s: int(s) if s.isdigit() else None))
    >>> run_main(flow)
    filter_map_eg.show: 1
    filter_map_eg.show: 3
    """
    here = _here(up)

    def each(items: list[X]) -> list[Y]:
        last = None
        try:
            mapped = [mapper(last := x) for x in items]
            return [y for y in mapped if y is not None]
        except StepError:  # already explained (filter_map_value's keyed-item check)
            raise
        except Exception as exc:
            raise user_function_error(here.step_id, here.op_type, mapper, last, exc) from exc

    return flat_map_batch("flat_map_batch", up, each)


def _default_inspector(step_id: str, item: Any) -> None:
    print(f"{step_id}: {item!r}", flush=True)


@operator
def inspect(
    step_id: str, up: Stream[X], inspector: Callable[[str, X], None] = _default_inspector
) -> Stream[X]:
    """Show each item (by default, print `step_id: item`); items pass through unchanged.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("inspect_eg")
    >>> _ = inspect("peek", input("inp", flow, TestingSource(["hi"])))
    >>> run_main(flow)
    inspect_eg.peek: 'hi'
    """
    here = current_call(up.flow()).step_id  # what the inspector is told, as in Bytewax

    def shim(step: str, item: X, epoch: int, worker: int) -> None:
        inspector(here, item)

    shim.__qualname__ = getattr(inspector, "__qualname__", "inspector")
    return inspect_debug("inspect_debug", up, shim)


@operator
def raises(step_id: str, up: Stream[Any]) -> None:
    """Fail the run if any item arrives: put it on a stream that must stay empty.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("raises_eg")
    >>> raises("never", input("inp", flow, TestingSource([1])))
    >>> run_main(flow)
    Traceback (most recent call last):
    ...
    learnstream.errors.StepError: step 'raises_eg.never' (raises) got an item on a stream that must stay empty
    ...
    """
    here = _here(up)

    def fail(items: list[Any]) -> list[Any]:
        raise StepError(
            here.step_id,
            here.op_type,
            items[0],
            "got an item on a stream that must stay empty",
            "find out why items reach this step (e.g. a branch that was expected to be empty)",
        ) from RuntimeError(f"`raises` step {here.step_id!r} got an item: {items[0]!r}")

    output("output", flat_map_batch("flat_map_batch", up, fail), _NullSink())


class _NullPartition(StatelessSinkPartition[Any]):
    def write_batch(self, items: list[Any]) -> None:
        pass


class _NullSink(DynamicSink[Any]):
    """A sink that drops everything (`raises` fails before anything reaches it)."""

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _NullPartition:
        return _NullPartition()


@operator
def key_on(step_id: str, up: Stream[X], key: Callable[[X], str]) -> KeyedStream[X]:
    """Make a keyed stream: each item becomes `(key(item), item)`; keys must be `str`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("key_on_eg")
    >>> users = input("inp", flow, TestingSource([{"user": "ada", "clicks": 2}]))
    >>> _ = inspect("show", key_on("by_user", users, lambda e: e["user"]))
    >>> run_main(flow)
    key_on_eg.show: ('ada', {'user': 'ada', 'clicks': 2})
    """
    mine = _here(up)

    def each(items: list[X]) -> list[tuple[str, X]]:
        keys = call_each(mine.step_id, mine.op_type, key, items)
        return list(zip(checked_keys(mine.step_id, mine.op_type, keys, items), items, strict=True))

    return flat_map_batch("flat_map_batch", up, each)


@operator
def key_rm(step_id: str, up: KeyedStream[X]) -> Stream[X]:
    """Drop the keys of a keyed stream, keeping the values.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("key_rm_eg")
    >>> _ = inspect("show", key_rm("unkey", input("inp", flow, TestingSource([("a", 1)]))))
    >>> run_main(flow)
    key_rm_eg.show: 1
    """
    here = _here(up)

    def each(items: list[tuple[str, X]]) -> list[X]:
        return split_keyed(here.step_id, here.op_type, items)[1]

    return flat_map_batch("flat_map_batch", up, each)


@operator
def map_value(step_id: str, up: KeyedStream[V], mapper: Callable[[V], W]) -> KeyedStream[W]:
    """Transform the value of each `(key, value)` item, keeping its key.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("map_value_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("b", 2)]))
    >>> _ = inspect("show", map_value("tenfold", s, lambda v: v * 10))
    >>> run_main(flow)
    map_value_eg.show: ('a', 10)
    map_value_eg.show: ('b', 20)
    """
    here = _here(up)

    def each(items: list[tuple[str, V]]) -> list[tuple[str, W]]:
        keys, values = split_keyed(here.step_id, here.op_type, items)
        return list(zip(keys, call_each(here.step_id, here.op_type, mapper, values), strict=True))

    return flat_map_batch("flat_map_batch", up, each)


@operator
def flat_map_value(
    step_id: str, up: KeyedStream[V], mapper: Callable[[V], Iterable[W]]
) -> KeyedStream[W]:
    """Transform each value into zero or more values, each keeping the item's key.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("fmv_eg")
    >>> s = input("inp", flow, TestingSource([("doc1", "to be")]))
    >>> _ = inspect("show", flat_map_value("split", s, str.split))
    >>> run_main(flow)
    fmv_eg.show: ('doc1', 'to')
    fmv_eg.show: ('doc1', 'be')
    """
    here = _here(up)

    def each(items: list[tuple[str, V]]) -> list[tuple[str, W]]:
        keys, values = split_keyed(here.step_id, here.op_type, items)
        out: list[tuple[str, W]] = []
        last = None
        try:
            for k, last in zip(keys, values, strict=True):
                out.extend((k, w) for w in mapper(last))
        except Exception as exc:
            raise user_function_error(here.step_id, here.op_type, mapper, last, exc) from exc
        return out

    return flat_map_batch("flat_map_batch", up, each)


@operator
def filter_value(
    step_id: str, up: KeyedStream[V], predicate: Callable[[V], bool]
) -> KeyedStream[V]:
    """Keep the `(key, value)` items whose value passes `predicate`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("fv_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("b", -1)]))
    >>> _ = inspect("show", filter_value("positive", s, lambda v: v > 0))
    >>> run_main(flow)
    fv_eg.show: ('a', 1)
    """
    here = _here(up)

    def each(items: list[tuple[str, V]]) -> list[tuple[str, V]]:
        keys, values = split_keyed(here.step_id, here.op_type, items)
        keeps = _keep(here.step_id, here.op_type, predicate, values)
        return list(itertools.compress(zip(keys, values, strict=True), keeps))

    return flat_map_batch("flat_map_batch", up, each)


@operator
def filter_map_value(
    step_id: str, up: KeyedStream[V], mapper: Callable[[V], W | None]
) -> KeyedStream[W]:
    """Transform each value and drop the items whose new value is `None`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("fmv2_eg")
    >>> s = input("inp", flow, TestingSource([("a", "1"), ("b", "x")]))
    >>> _ = inspect("show", filter_map_value("parse", s, lambda v: int(v) if v.isdigit() else None))
    >>> run_main(flow)
    fmv2_eg.show: ('a', 1)
    """
    here = _here(up)

    def each(items: list[tuple[str, V]]) -> list[tuple[str, W]]:
        keys, values = split_keyed(here.step_id, here.op_type, items)
        mapped = call_each(here.step_id, here.op_type, mapper, values)
        return [(k, w) for k, w in zip(keys, mapped, strict=True) if w is not None]

    return flat_map_batch("flat_map_batch", up, each)


# --- stateful operators -----------------------------------------------------


class StatefulLogic(ABC, Generic[V, W, S]):
    """The state of one key in `stateful`, and what to do with it, one item at a time.

    Like `StatefulBatchLogic`, but `on_item` gets the key's values one by one.
    """

    RETAIN: bool = False
    DISCARD: bool = True

    @abstractmethod
    def on_item(self, value: V) -> tuple[Iterable[W], bool]:
        """Called with each value of this key, in order."""

    def on_notify(self) -> tuple[Iterable[W], bool]:
        """Called once the time from `notify_at()` has passed."""
        return ((), self.RETAIN)

    def on_eof(self) -> tuple[Iterable[W], bool]:
        """Called when the input ends, for every key still holding state."""
        return ((), self.RETAIN)

    def notify_at(self) -> datetime | None:
        """When `on_notify` should next be called (`None`: never)."""
        return None

    @abstractmethod
    def snapshot(self) -> S:
        """A copy of the state, enough for the builder to resume from."""


class _ItemByItem(StatefulBatchLogic[V, W, S]):
    """Runs a `StatefulLogic` inside `stateful_batch`, one value at a time."""

    def __init__(self, logic: StatefulLogic[V, W, S], builder: Callable[[S | None], Any]) -> None:
        self.logic: StatefulLogic[V, W, S] | None = logic
        self.builder = builder

    def on_batch(self, values: list[V]) -> tuple[Iterable[W], bool]:
        out: list[W] = []
        for value in values:
            if self.logic is None:  # discarded earlier in this same batch
                self.logic = self.builder(None)
            emit, discard = self.logic.on_item(value)
            out.extend(emit)
            if discard:
                self.logic = None
        return out, self.logic is None

    def on_notify(self) -> tuple[Iterable[W], bool]:
        assert self.logic is not None
        return self.logic.on_notify()

    def on_eof(self) -> tuple[Iterable[W], bool]:
        assert self.logic is not None
        return self.logic.on_eof()

    def notify_at(self) -> datetime | None:
        return None if self.logic is None else self.logic.notify_at()

    def snapshot(self) -> S:
        assert self.logic is not None
        return self.logic.snapshot()


@operator
def stateful(
    step_id: str,
    up: KeyedStream[V],
    builder: Callable[[S | None], StatefulLogic[V, W, S]],
) -> KeyedStream[W]:
    """Run a `StatefulLogic` per key, item by item, with timers and an EOF hook.

    >>> from learnstream.testing import TestingSource, run_main
    >>> class FirstTwo(StatefulLogic):
    ...     def __init__(self):
    ...         self.seen = []
    ...     def on_item(self, value):
    ...         self.seen.append(value)
    ...         if len(self.seen) == 2:
    ...             return [self.seen], self.DISCARD
    ...         return [], self.RETAIN
    ...     def on_eof(self):
    ...         return [self.seen], self.DISCARD
    ...     def snapshot(self):
    ...         return list(self.seen)
    >>> flow = Dataflow("stateful_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 2), ("a", 3)]))
    >>> _ = inspect("show", stateful("pairs", s, lambda resume: FirstTwo()))
    >>> run_main(flow)
    stateful_eg.show: ('a', [1, 2])
    stateful_eg.show: ('a', [3])
    """

    def shim_builder(resume: S | None) -> _ItemByItem[V, W, S]:
        return _ItemByItem(builder(resume), builder)

    return stateful_batch("stateful_batch", up, shim_builder)


class _StatefulMap(StatefulLogic[V, W, S]):
    def __init__(
        self, mapper: Callable[[S | None, V], tuple[S | None, Iterable[W]]], state: S | None
    ) -> None:
        self.mapper = mapper
        self.state: S | None = state

    def on_item(self, value: V) -> tuple[Iterable[W], bool]:
        self.state, emit = self.mapper(self.state, value)
        return emit, self.state is None

    def snapshot(self) -> S:
        return copy.deepcopy(self.state)  # type: ignore[return-value]


@operator
def stateful_flat_map(
    step_id: str,
    up: KeyedStream[V],
    mapper: Callable[[S | None, V], tuple[S | None, Iterable[W]]],
) -> KeyedStream[W]:
    """Like `stateful_map`, but the mapper returns `(state, iterable_of_values)`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> def every_other(seen, value):
    ...     seen = (seen or 0) + 1
    ...     return seen, [value] if seen % 2 == 1 else []
    >>> flow = Dataflow("sfm_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 2), ("a", 3)]))
    >>> _ = inspect("show", stateful_flat_map("alt", s, every_other))
    >>> run_main(flow)
    sfm_eg.show: ('a', 1)
    sfm_eg.show: ('a', 3)
    """
    return stateful("stateful", up, lambda resume: _StatefulMap(mapper, resume))


@operator
def stateful_map(
    step_id: str,
    up: KeyedStream[V],
    mapper: Callable[[S | None, V], tuple[S | None, W]],
) -> KeyedStream[W]:
    """Transform values with per-key state: `mapper(state, value) -> (state, new_value)`.

    State starts as `None` for a new key; returning `None` as the state forgets it.

    >>> from learnstream.testing import TestingSource, run_main
    >>> def running_sum(total, value):
    ...     total = (total or 0) + value
    ...     return total, total
    >>> flow = Dataflow("sm_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("b", 10), ("a", 2)]))
    >>> _ = inspect("show", stateful_map("sum", s, running_sum))
    >>> run_main(flow)
    sm_eg.show: ('a', 1)
    sm_eg.show: ('b', 10)
    sm_eg.show: ('a', 3)
    """

    # Bytewax nests stateful_map as stateful_flat_map > stateful > stateful_batch; the
    # steps keep those ids (errors, visualize), while one logic runs the whole loop.
    flow = up.flow()
    here = _here(up).step_id

    def builder(resume: S | None) -> _MapEachValue[V, W, S]:
        return _MapEachValue(here, mapper, resume)

    fm_cls = record_class("stateful_flat_map", ("up", "mapper"), ("up",), ("down",), False)
    st_cls = record_class("stateful", ("up", "builder"), ("up",), ("down",), False)
    fm_id = f"{current_call(flow).step_id}.stateful_flat_map"
    fm_up = SinglePort(f"{fm_id}.up", up.stream_id)
    with flow._enter(fm_cls, "stateful_flat_map", up=fm_up, mapper=mapper) as fm:
        st_up = SinglePort(f"{fm_id}.stateful.up", up.stream_id)
        with flow._enter(st_cls, "stateful", up=st_up, builder=builder) as st:
            down = stateful_batch("stateful_batch", up, builder)
            st.down = SinglePort(f"{st.step_id}.down", down.stream_id)  # type: ignore[attr-defined]
        fm.down = SinglePort(f"{fm.step_id}.down", down.stream_id)  # type: ignore[attr-defined]
    return down


class _MapEachValue(StatefulBatchLogic[V, W, S]):
    """`stateful_map`'s logic: the mapper over a key's values of a batch, in one loop.

    A model held as state (Part 4) costs tens of microseconds per item, so the
    engine's own share must stay small: no logic object or list per item. State
    `None` means forgotten, and the next value starts from `None` again, so the
    loop can carry it on; the key is discarded when the batch ends on `None`.
    """

    def __init__(
        self, step_id: str, mapper: Callable[[S | None, V], tuple[S | None, W]], state: S | None
    ) -> None:
        self.step_id = step_id
        self.mapper = mapper
        self.state = state
        self.failed: tuple[V] | None = None  # (the value the mapper raised on,), for the error

    def on_batch(self, values: list[V]) -> tuple[Iterable[W], bool]:
        mapper, state, out = self.mapper, self.state, []
        append = out.append
        for value in values:
            try:
                result = mapper(state, value)
            except Exception:
                self.failed = (value,)
                raise
            try:
                state, emitted = result
            except (TypeError, ValueError):
                err = self._not_a_pair(value, result)
                raise err from err.__cause__
            append(emitted)
        self.state = state
        return out, state is None

    def _not_a_pair(self, value: V, result: Any) -> StepError:
        err = StepError(
            self.step_id,
            "stateful_map",
            value,
            f"mapper returned {short_repr(result)}, not a (state, value) 2-tuple",
            "return both the new state and the value to emit: `return state, value`",
        )
        err.__cause__ = TypeError(  # Bytewax's wording, which its users match on
            f"return value of `mapper` {_fn_name(self.mapper)} in step {self.step_id!r} must "
            f"be a 2-tuple of `(updated_state, emit_value)`; got a {type(result)!r} instead"
        )
        return err

    def snapshot(self) -> S:
        return copy.deepcopy(self.state)  # type: ignore[return-value]


class _FoldFinal(StatefulLogic[V, S, S]):
    def __init__(self, state: S, folder: Callable[[S, V], S]) -> None:
        self.state = state
        self.folder = folder

    def on_item(self, value: V) -> tuple[Iterable[S], bool]:
        self.state = self.folder(self.state, value)
        return (), self.RETAIN

    def on_eof(self) -> tuple[Iterable[S], bool]:
        return (self.state,), self.DISCARD

    def snapshot(self) -> S:
        return copy.deepcopy(self.state)


@operator
def fold_final(
    step_id: str,
    up: KeyedStream[V],
    builder: Callable[[], S],
    folder: Callable[[S, V], S],
) -> KeyedStream[S]:
    """Fold each key's values into an accumulator; emit it at EOF, in key order.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("fold_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("b", 2), ("a", 3)]))
    >>> _ = inspect("show", fold_final("collect", s, list, lambda acc, v: acc + [v]))
    >>> run_main(flow)
    fold_eg.show: ('a', [1, 3])
    fold_eg.show: ('b', [2])
    """
    return stateful(
        "stateful", up, lambda resume: _FoldFinal(builder() if resume is None else resume, folder)
    )


@operator
def reduce_final(step_id: str, up: KeyedStream[V], reducer: Callable[[V, V], V]) -> KeyedStream[V]:
    """Combine each key's values pairwise with `reducer`; emit the result at EOF.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("reduce_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("b", 2), ("a", 3)]))
    >>> _ = inspect("show", reduce_final("sum", s, lambda x, y: x + y))
    >>> run_main(flow)
    reduce_eg.show: ('a', 4)
    reduce_eg.show: ('b', 2)
    """
    first = object()

    def folder(acc: Any, value: V) -> V:
        return value if acc is first else reducer(acc, value)

    folder.__qualname__ = getattr(reducer, "__qualname__", "reducer")
    return fold_final("fold_final", up, lambda: first, folder)


@operator
def max_final(
    step_id: str, up: KeyedStream[V], by: Callable[[V], Any] = _identity
) -> KeyedStream[V]:
    """The largest value of each key (compared by `by(value)`), at EOF.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("max_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 7), ("b", 2)]))
    >>> _ = inspect("show", max_final("max", s))
    >>> run_main(flow)
    max_eg.show: ('a', 7)
    max_eg.show: ('b', 2)
    """
    return reduce_final("reduce_final", up, lambda x, y: builtins.max(x, y, key=by))


@operator
def min_final(
    step_id: str, up: KeyedStream[V], by: Callable[[V], Any] = _identity
) -> KeyedStream[V]:
    """The smallest value of each key (compared by `by(value)`), at EOF.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("min_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 7), ("b", 2)]))
    >>> _ = inspect("show", min_final("min", s))
    >>> run_main(flow)
    min_eg.show: ('a', 1)
    min_eg.show: ('b', 2)
    """
    return reduce_final("reduce_final", up, lambda x, y: builtins.min(x, y, key=by))


@dataclass
class _Collecting(StatefulLogic[V, list[V], tuple[list[V], datetime | None]]):
    timeout: timedelta
    max_size: int
    acc: list[V] = field(default_factory=list)
    deadline: datetime | None = None

    def on_item(self, value: V) -> tuple[Iterable[list[V]], bool]:
        self.deadline = clock.now() + self.timeout  # each value restarts it, as in Bytewax
        self.acc.append(value)
        if len(self.acc) >= self.max_size:
            return (self.acc,), self.DISCARD
        return (), self.RETAIN

    def on_notify(self) -> tuple[Iterable[list[V]], bool]:
        return (self.acc,), self.DISCARD

    def on_eof(self) -> tuple[Iterable[list[V]], bool]:
        return (self.acc,), self.DISCARD

    def notify_at(self) -> datetime | None:
        return self.deadline

    def snapshot(self) -> tuple[list[V], datetime | None]:
        return list(self.acc), self.deadline


@operator
def collect(
    step_id: str, up: KeyedStream[V], timeout: timedelta, max_size: int
) -> KeyedStream[list[V]]:
    """Gather each key's values into lists of up to `max_size`.

    A list is emitted when it is full, when `timeout` has passed since its latest
    value (each value restarts the timer, as in Bytewax 0.21.1), or at EOF,
    whichever comes first.

    >>> from datetime import timedelta
    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("collect_eg")
    >>> s = input("inp", flow, TestingSource([("a", 1), ("a", 2), ("a", 3)]))
    >>> _ = inspect("show", collect("pairs", s, timeout=timedelta(seconds=10), max_size=2))
    >>> run_main(flow)
    collect_eg.show: ('a', [1, 2])
    collect_eg.show: ('a', [3])
    """
    if max_size < 1:
        raise StepError(
            _here(up).step_id,
            "collect",
            max_size,
            "needs max_size of at least 1",
            "pass max_size=1 or more",
        )

    def builder(resume: tuple[list[V], datetime | None] | None) -> _Collecting[V]:
        if resume is None:
            return _Collecting(timeout, max_size)
        acc, deadline = resume
        return _Collecting(timeout, max_size, list(acc), deadline)

    return stateful("stateful", up, builder)


@dataclass
class TTLCache(Generic[DK, DV]):
    """Values fetched by `v_getter`, re-fetched once older than `ttl`."""

    v_getter: Callable[[DK], DV]
    now_getter: Callable[[], datetime]
    ttl: timedelta
    _cache: dict[DK, tuple[datetime, DV]] = field(default_factory=dict)

    def get(self, k: DK) -> DV:
        """The cached value for `k`, fetching it when missing or stale."""
        now = self.now_getter()
        hit = self._cache.get(k)
        if hit is not None and now - hit[0] <= self.ttl:
            return hit[1]
        v = self.v_getter(k)
        self._cache[k] = (now, v)
        return v

    def remove(self, k: DK) -> None:
        """Forget the cached value for `k`."""
        del self._cache[k]


@operator
def enrich_cached(
    step_id: str,
    up: Stream[X],
    getter: Callable[[DK], DV],
    mapper: Callable[[TTLCache[DK, DV], X], Y],
    ttl: timedelta = timedelta.max,
    _now_getter: Callable[[], datetime] = clock.now,
) -> Stream[Y]:
    """Enrich each item with a looked-up value, caching lookups for `ttl`.

    `mapper(cache, item)` calls `cache.get(k)`, which calls `getter(k)` only when
    `k` is not cached or is older than `ttl`.

    >>> from learnstream.testing import TestingSource, run_main
    >>> calls = []
    >>> def lookup(code):
    ...     calls.append(code)
    ...     return {"fr": "France", "jp": "Japan"}[code]
    >>> flow = Dataflow("enrich_eg")
    >>> s = input("inp", flow, TestingSource(["fr", "jp", "fr"]))
    >>> s = enrich_cached("country", s, lookup, lambda cache, c: (c, cache.get(c)))
    >>> _ = inspect("show", s)
    >>> run_main(flow)
    enrich_eg.show: ('fr', 'France')
    enrich_eg.show: ('jp', 'Japan')
    enrich_eg.show: ('fr', 'France')
    >>> calls
    ['fr', 'jp']
    """
    cache = TTLCache(getter, _now_getter, ttl)
    return map("map", up, lambda item: mapper(cache, item))


JoinInsertMode = Literal["first", "last", "product"]
"""Which values of a side a join keeps: the first, the last, or all (cross product)."""

JoinEmitMode = Literal["complete", "final", "running"]
"""When a join emits: once every side has a value (then forgets), at EOF, or on every value."""


@operator(core=True)
def join(
    step_id: str,
    *sides: KeyedStream[Any],
    insert_mode: JoinInsertMode = "last",
    emit_mode: JoinEmitMode = "complete",
) -> KeyedStream[tuple[Any, ...]]:
    """Match values by key across streams; emit `(key, (v_side0, v_side1, ...))`.

    `insert_mode` picks which values of a side are kept; `emit_mode` picks when
    rows go out (see `JoinInsertMode`, `JoinEmitMode`). Missing sides are `None`.
    The join state lives in the C core: per key, which sides have arrived and
    where their values are. In `"complete"` mode a key is forgotten as soon as
    its row is emitted, so memory follows the keys still waiting for a match.

    >>> from learnstream.testing import TestingSource, run_main
    >>> flow = Dataflow("join_eg")
    >>> names = input("names", flow, TestingSource([("1", "ada"), ("2", "alan")]))
    >>> emails = input("emails", flow, TestingSource([("1", "ada@x.org")]))
    >>> _ = inspect("show", join("join", names, emails))
    >>> run_main(flow)
    join_eg.show: ('1', ('ada', 'ada@x.org'))
    """
    if insert_mode not in ("first", "last", "product"):
        raise ValueError(
            f"unknown join insert mode {insert_mode!r}: use 'first', 'last' or 'product'"
        )
    if emit_mode not in ("complete", "final", "running"):
        raise ValueError(
            f"unknown join emit mode {emit_mode!r}: use 'complete', 'final' or 'running'"
        )
    if not sides:
        raise StepError(
            step_id, "join", sides, "needs at least one stream", "pass the streams to join"
        )
    call, mine = current_call(sides[0].flow()), _here(sides[0])
    count = len(sides)

    def runtime() -> Any:
        # The join machinery (and the C core under it) loads when a flow first runs a join.
        from learnstream.engine.join_steps import JoinStep

        return JoinStep(mine.step_id, mine.op_type, count, insert_mode, emit_mode)

    (down,) = sides[0].flow()._add_core(call, list(sides), 1, runtime)
    return down
