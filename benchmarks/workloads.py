"""The workloads, each written once and run on every system.

A *system* is what runs the workload: learnstream (on its C core or on the
pure-Python twin, chosen by `LEARNSTREAM_BACKEND` in the child's environment),
Bytewax 0.21.1, or a plain-Python *floor* that does the same work with no
engine at all. Flows are built by one function for both engines, from an `Api`
that names the engine's modules, so learnstream and Bytewax run the very same
code with only the imports changed.

Every run returns a checksum of its result; the runner fails loudly unless all
systems agree.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.data import W2_START_MS

W1_TOKEN = r'[^\s!,.?":;0-9]+'
W3_BATCH = 10_000


@dataclass(frozen=True)
class Api:
    """The parts of an engine a flow is built from."""

    Dataflow: Any
    op: ModuleType
    inputs: ModuleType
    outputs: ModuleType
    FileSource: Any
    TestingSink: Any
    run_main: Callable[[Any], None]
    win: ModuleType


def learnstream_api() -> Api:
    import learnstream.operators as op
    import learnstream.operators.windowing as win
    from learnstream import inputs, outputs
    from learnstream.connectors.files import FileSource
    from learnstream.dataflow import Dataflow
    from learnstream.testing import TestingSink, run_main

    return Api(Dataflow, op, inputs, outputs, FileSource, TestingSink, run_main, win)


def bytewax_api() -> Api:
    import bytewax.operators as op
    import bytewax.operators.windowing as win
    from bytewax import inputs, outputs
    from bytewax.connectors.files import FileSource
    from bytewax.dataflow import Dataflow
    from bytewax.testing import TestingSink, run_main

    return Api(Dataflow, op, inputs, outputs, FileSource, TestingSink, run_main, win)


# --- W1: wordcount ------------------------------------------------------------


def lower(line: str) -> str:
    return line.lower()


def tokenize(line: str) -> list[str]:
    return re.findall(W1_TOKEN, line)


def w1_checksum(counts: Iterable[tuple[str, int]]) -> str:
    """Distinct words, total words and a hash of the sorted (word, count) pairs."""
    pairs = sorted(counts)
    digest = hashlib.sha256("".join(f"{w}\t{c}\n" for w, c in pairs).encode()).hexdigest()
    return f"{len(pairs)} words, {sum(c for _, c in pairs)} tokens, sha256 {digest[:16]}"


def w1_flow(api: Api, path: Path) -> tuple[Any, list[tuple[str, int]]]:
    """The seed's wordcount flow (examples/wordcount.py), collecting into a list."""
    flow = api.Dataflow("wordcount")
    inp = api.op.input("inp", flow, api.FileSource(path))
    lowered = api.op.map("lowercase", inp, lower)
    tokens = api.op.flat_map("tokenize", lowered, tokenize)
    counts = api.op.count_final("count", tokens, lambda word: word)
    out: list[tuple[str, int]] = []
    api.op.output("out", counts, api.TestingSink(out))
    return flow, out


def w1_engine(api: Api, path: Path) -> str:
    flow, out = w1_flow(api, path)
    api.run_main(flow)
    return w1_checksum(out)


def w1_floor(path: Path) -> str:
    """Plain Python: a Counter updated line by line."""
    counts: Counter[str] = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            counts.update(re.findall(W1_TOKEN, line.lower()))
    return w1_checksum(counts.items())


# --- W2: windowed count -----------------------------------------------------

W2_WINDOW_MS = 10_000
W2_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_event(line: str) -> tuple[str, datetime]:
    """`key,ts_ms` to `(key, aware datetime)`, as Bytewax's EventClock needs."""
    key, ms = line.split(",")
    # Exact: a millisecond count below 2**53 / 1000 divides to the nearest double,
    # which fromtimestamp rounds back to the same millisecond (the checksum
    # against the integer-only floor would catch any drift).
    return key, datetime.fromtimestamp(int(ms) / 1000, UTC)


def event_key(event: tuple[str, datetime]) -> str:
    return event[0]


def event_time(event: tuple[str, datetime]) -> datetime:
    return event[1]


def w2_checksum(counts: Iterable[tuple[str, int, int]]) -> str:
    """Windows, events and a hash of the sorted (key, window id, count) triples."""
    rows = sorted(counts)
    digest = hashlib.sha256("".join(f"{k}\t{w}\t{c}\n" for k, w, c in rows).encode())
    return (
        f"{len(rows)} windows, {sum(c for *_, c in rows)} events, sha256 {digest.hexdigest()[:16]}"
    )


def w2_engine(api: Api, path: Path) -> str:
    """Parse, then count per key per 10 s tumbling window on event time (wait 5 s)."""
    win = api.win
    flow = api.Dataflow("windowed_count")
    events = api.op.map("parse", api.op.input("inp", flow, api.FileSource(path)), parse_event)
    clock = win.EventClock(event_time, wait_for_system_duration=timedelta(seconds=5))
    windower = win.TumblingWindower(
        length=timedelta(milliseconds=W2_WINDOW_MS),
        align_to=W2_EPOCH + timedelta(milliseconds=W2_START_MS),
    )
    counts = win.count_window("count", events, clock, windower, event_key)
    out: list[tuple[str, tuple[int, int]]] = []
    api.op.output("out", counts.down, api.TestingSink(out))
    late: list[Any] = []
    api.op.output("late", counts.late, api.TestingSink(late))
    api.run_main(flow)
    if late:  # the data is generated to be on time: a late item is a bug somewhere
        raise AssertionError(f"{len(late)} late events, e.g. {late[0]!r}")
    return w2_checksum((k, wid, c) for k, (wid, c) in out)


def w2_floor(path: Path) -> str:
    """Plain Python: the same parse to aware datetimes, then a dict keyed by (key, window).

    The W2 target (course/reference/architecture.md) has the flow parse every event to an aware datetime, as
    Bytewax's API asks; the floor does that same work, so the ratio measures the
    engine (clock, windows, watermarks, late checks), not the parse.
    """
    align = W2_EPOCH + timedelta(milliseconds=W2_START_MS)
    length = timedelta(milliseconds=W2_WINDOW_MS)
    counts: dict[tuple[str, int], int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, ts = parse_event(line)
            slot = (key, (ts - align) // length)
            counts[slot] = counts.get(slot, 0) + 1
    return w2_checksum((k, wid, c) for (k, wid), c in counts.items())


# --- W3: per-item overhead ----------------------------------------------------


def double(x: int) -> int:
    return x * 2


def third(x: int) -> bool:
    return x % 3 == 0


def w3_checksum(count: int, total: int) -> str:
    return f"{count} items, sum {total}"


def list_source(api: Api, items: list[int], batch_size: int) -> Any:
    """A source handing out slices of a list, written against the engine's interfaces."""

    class _Slices(api.inputs.StatefulSourcePartition):  # type: ignore[name-defined,misc]
        def __init__(self, at: int) -> None:
            self.at = at

        def next_batch(self) -> list[int]:
            if self.at >= len(items):
                raise StopIteration
            batch = items[self.at : self.at + batch_size]
            self.at += len(batch)
            return batch

        def snapshot(self) -> int:
            return self.at

    class ListSource(api.inputs.FixedPartitionedSource):  # type: ignore[name-defined,misc]
        def list_parts(self) -> list[str]:
            return ["list"]

        def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _Slices:
            return _Slices(resume_state or 0)

    return ListSource()


class Tally:
    """How many items reached the counting sink, and their sum."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0


def counting_sink(api: Api, tally: Tally) -> Any:
    class _Counting(api.outputs.StatelessSinkPartition):  # type: ignore[name-defined,misc]
        def write_batch(self, items: list[int]) -> None:
            tally.count += len(items)
            tally.total += sum(items)

    class CountingSink(api.outputs.DynamicSink):  # type: ignore[name-defined,misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Counting:
            return _Counting()

    return CountingSink()


def w3_engine(api: Api, data: list[int]) -> str:
    flow = api.Dataflow("per_item")
    nums = api.op.input("inp", flow, list_source(api, data, W3_BATCH))
    doubled = api.op.map("double", nums, double)
    kept = api.op.filter("third", doubled, third)
    tally = Tally()
    api.op.output("out", kept, counting_sink(api, tally))
    api.run_main(flow)
    return w3_checksum(tally.count, tally.total)


def w3_floor(data: list[int]) -> str:
    """Builtin map and filter with the same functions."""
    kept = list(filter(third, map(double, data)))
    return w3_checksum(len(kept), sum(kept))


def w3_genexpr(data: list[int]) -> str:
    """Generator expressions: the same arithmetic inlined, no function calls."""
    kept = [y for y in (x * 2 for x in data) if y % 3 == 0]
    return w3_checksum(len(kept), sum(kept))


# --- W5: online learning --------------------------------------------------------
# Prequential evaluation reporting the running accuracy after every example (the
# learning curve); the model's own work dominates, so this measures how much the
# engine adds around a model held as operator state.

W5_BATCH = 1_000


def agrawal(size: int) -> list[tuple[dict[str, Any], int]]:
    """`size` examples of River's Agrawal generator (seed 42), made before the clock starts."""
    from itertools import islice

    from river.datasets import synth

    return list(islice(synth.Agrawal(seed=42), size))


def w5_model() -> Any:
    from river import linear_model, preprocessing

    return preprocessing.StandardScaler() | linear_model.LogisticRegression()


def w5_checksum(count: int, accuracy: float) -> str:
    return f"{count} examples, prequential accuracy {accuracy!r}"


def w5_engine(api: Api, data: list[tuple[dict[str, Any], int]]) -> str:
    """Test-then-train in a `stateful_map` holding the model and its metric, one key."""
    from river import metrics

    def test_then_train(state: Any, example: tuple[dict[str, Any], int]) -> tuple[Any, float]:
        model, accuracy = state or (w5_model(), metrics.Accuracy())
        x, y = example
        accuracy.update(y, model.predict_one(x))
        model.learn_one(x, y)
        return (model, accuracy), accuracy.get()

    flow = api.Dataflow("prequential")
    examples = api.op.input("inp", flow, list_source(api, data, W5_BATCH))
    keyed = api.op.key_on("one_model", examples, lambda example: "model")
    scored = api.op.stateful_map("test_then_train", keyed, test_then_train)
    last: list[float] = []
    api.op.output("out", scored, last_value_sink(api, last))
    api.run_main(flow)
    return w5_checksum(len(data), last[-1] if last else 0.0)


def last_value_sink(api: Api, last: list[float]) -> Any:
    """Keeps only the latest value of `(key, value)` items (the accuracy so far)."""

    class _Last(api.outputs.StatelessSinkPartition):  # type: ignore[name-defined,misc]
        def write_batch(self, items: list[tuple[str, float]]) -> None:
            if items:
                last[:] = [items[-1][1]]

    class LastValueSink(api.outputs.DynamicSink):  # type: ignore[name-defined,misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Last:
            return _Last()

    return LastValueSink()


def w5_floor(data: list[tuple[dict[str, Any], int]]) -> str:
    """The plain River loop: predict, score, learn, and read the accuracy so far, per example."""
    from river import metrics

    model, accuracy = w5_model(), metrics.Accuracy()
    so_far = 0.0
    for x, y in data:
        accuracy.update(y, model.predict_one(x))
        model.learn_one(x, y)
        so_far = accuracy.get()  # the learning curve's point, as the flow emits it
    return w5_checksum(len(data), so_far)


# --- W4: key join -------------------------------------------------------------
# 1M orders and their 1M payments, keyed by order id; payments trail their orders
# by W4_LAG items and are locally out of order. `join` last/complete emits each
# order with its payment once both are there; the floor joins the same batches
# with two plain dicts.

W4_BATCH = 10_000


def lagged(items: list[Any], batch: int, lag: int) -> list[list[Any]]:
    """The batches a side arrives in, one per tick, the first `lag` items late."""
    ends = list(range(batch - lag, len(items) + batch, batch))
    return [items[max(0, end - batch) : max(0, end)] for end in ends if end - batch < len(items)]


def batches_source(api: Api, batches: list[list[Any]]) -> Any:
    """A source handing out prepared batches, one per poll (empty ones included)."""

    class _Batches(api.inputs.StatefulSourcePartition):  # type: ignore[name-defined,misc]
        def __init__(self, at: int) -> None:
            self.at = at

        def next_batch(self) -> list[Any]:
            if self.at >= len(batches):
                raise StopIteration
            self.at += 1
            return batches[self.at - 1]

        def snapshot(self) -> int:
            return self.at

    class BatchesSource(api.inputs.FixedPartitionedSource):  # type: ignore[name-defined,misc]
        def list_parts(self) -> list[str]:
            return ["batches"]

        def build_part(self, step_id: str, for_part: str, resume_state: int | None) -> _Batches:
            return _Batches(resume_state or 0)

    return BatchesSource()


def w4_sides(orders: list[Any], payments: list[Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Both sides in their batches: orders on time, payments `W4_LAG` items behind."""
    from benchmarks.data import W4_LAG

    return lagged(orders, W4_BATCH, 0), lagged(payments, W4_BATCH, W4_LAG)


def w4_checksum(count: int, total: int) -> str:
    return f"{count} pairs, amounts {total}"


def pair_sink(api: Api, tally: Tally) -> Any:
    """Counts `(key, (order_amount, payment_amount))` rows and sums their amounts."""

    class _Pairs(api.outputs.StatelessSinkPartition):  # type: ignore[name-defined,misc]
        def write_batch(self, items: list[tuple[str, tuple[int, int]]]) -> None:
            tally.count += len(items)
            tally.total += sum([o + p for _, (o, p) in items])

    class PairSink(api.outputs.DynamicSink):  # type: ignore[name-defined,misc]
        def build(self, step_id: str, worker_index: int, worker_count: int) -> _Pairs:
            return _Pairs()

    return PairSink()


def w4_engine(api: Api, sides: tuple[list[list[Any]], list[list[Any]]]) -> str:
    flow = api.Dataflow("orders_payments")
    orders = api.op.input("orders", flow, batches_source(api, sides[0]))
    payments = api.op.input("payments", flow, batches_source(api, sides[1]))
    joined = api.op.join("match", orders, payments, insert_mode="last", emit_mode="complete")
    tally = Tally()
    api.op.output("out", joined, pair_sink(api, tally))
    api.run_main(flow)
    return w4_checksum(tally.count, tally.total)


def w4_floor(sides: tuple[list[list[Any]], list[list[Any]]]) -> str:
    """Two plain dicts over the same batches: a side's value waits in its dict for the other."""
    waiting: tuple[dict[str, int], dict[str, int]] = ({}, {})
    count = total = 0
    for tick in range(max(len(sides[0]), len(sides[1]))):
        for side in (0, 1):
            if tick >= len(sides[side]):
                continue
            mine, other = waiting[side], waiting[1 - side]
            for key, value in sides[side][tick]:
                match = other.pop(key, None)
                if match is None:
                    mine[key] = value  # "last": a newer value replaces the one waiting
                else:
                    count += 1
                    total += value + match
    return w4_checksum(count, total)


# W4b: the same sides through `join_window`, 10 s tumbling windows on event time:
# order i happens at W4B_START + i ms, its payment up to 3 s later.

W4B_WINDOW = timedelta(seconds=10)
W4B_START = datetime(2024, 1, 1, tzinfo=UTC)
W4B_WAIT = timedelta(hours=1)
"""The clock's wait: longer than any run, so no window closes before the end of the
input on any engine. An EventClock's watermark also moves with system time, and
on a slow engine (Bytewax takes minutes here) some payments would otherwise
arrive after their window closed, and the systems would disagree."""


def w4b_sides(orders: list[Any], payments: list[Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    """W4's sides with event times: `(order_id, (amount, ts))`."""

    def timed(items: list[Any], shift_ms: int) -> list[Any]:
        return [
            (key, (amount, W4B_START + timedelta(milliseconds=int(key[6:]) + shift_ms)))
            for key, amount in items
        ]

    return w4_sides(timed(orders, 0), timed(payments, 3_000))


def event_time_of(value: tuple[int, datetime]) -> datetime:
    return value[1]


def w4b_engine(api: Api, sides: tuple[list[list[Any]], list[list[Any]]]) -> str:
    win = api.win
    flow = api.Dataflow("orders_payments_windowed")
    orders = api.op.input("orders", flow, batches_source(api, sides[0]))
    payments = api.op.input("payments", flow, batches_source(api, sides[1]))
    clock = win.EventClock(event_time_of, wait_for_system_duration=W4B_WAIT)
    windower = win.TumblingWindower(length=W4B_WINDOW, align_to=W4B_START)
    joined = win.join_window(
        "match",
        clock,
        windower,
        orders,
        payments,
        insert_mode="last",
        emit_mode="complete",
        ordered=False,
    )
    rows = api.op.map_value("amounts", joined.down, lambda w: (w[1][0][0], w[1][1][0]))
    tally = Tally()
    api.op.output("out", rows, pair_sink(api, tally))
    api.run_main(flow)
    return w4_checksum(tally.count, tally.total)


def w4b_floor(sides: tuple[list[list[Any]], list[list[Any]]]) -> str:
    """Two plain dicts keyed by (key, window number) over the same batches."""
    waiting: tuple[dict[Any, int], dict[Any, int]] = ({}, {})
    count = total = 0
    for tick in range(max(len(sides[0]), len(sides[1]))):
        for side in (0, 1):
            if tick >= len(sides[side]):
                continue
            mine, other = waiting[side], waiting[1 - side]
            for key, (value, ts) in sides[side][tick]:
                slot = (key, (ts - W4B_START) // W4B_WINDOW)
                match = other.pop(slot, None)
                if match is None:
                    mine[slot] = value
                else:
                    count += 1
                    total += value + match
    return w4_checksum(count, total)


# --- W6: many distinct keys ----------------------------------------------------

W6_BATCH = 1_000


def w6_checksum(pairs: list[tuple[str, int]]) -> str:
    """The pairs in the order given (both sides give them in key order)."""
    digest = hashlib.sha256("".join(f"{k}\t{c}\n" for k, c in pairs).encode()).hexdigest()
    return f"{len(pairs)} keys, {sum(c for _, c in pairs)} items, sha256 {digest[:16]}"


def w6_engine(api: Api, keys: list[str]) -> str:
    """`count_final` over keys that are (nearly) all distinct: the keyed state is the cost."""
    flow = api.Dataflow("distinct")
    inp = api.op.input("inp", flow, list_source(api, keys, W6_BATCH))  # type: ignore[arg-type]
    counts = api.op.count_final("count", inp, lambda key: key)
    out: list[tuple[str, int]] = []
    api.op.output("out", counts, api.TestingSink(out))
    api.run_main(flow)
    return w6_checksum(out)


def w6_floor(keys: list[str]) -> str:
    """Plain Python: a Counter updated batch by batch, its items in key order at the end."""
    counts: Counter[str] = Counter()
    for at in range(0, len(keys), W6_BATCH):
        counts.update(keys[at : at + W6_BATCH])
    return w6_checksum(sorted(counts.items()))
