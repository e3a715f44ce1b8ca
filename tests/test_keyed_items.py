"""One keyed-item check: every keyed operator refuses the same bad items with the same message.

A keyed item is a `(key, value)` 2-tuple, exactly a `tuple`, whose key is a `str`
(a `str` subclass such as a `StrEnum` member is kept as its plain text, as in
Bytewax). The error names the step and operator the learner wrote, the item and
the fix; the fast path (a whole batch checked at once) and the slow path (item by
item) agree wherever in a batch the bad item sits.
"""

from __future__ import annotations

import enum
from collections import namedtuple
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
import learnstream.operators.windowing as win
from learnstream.dataflow import Dataflow, Stream
from learnstream.errors import KeyedItemError, UserFunctionError, short_repr
from learnstream.outputs import FixedPartitionedSink, StatefulSinkPartition
from learnstream.testing import TestingSink, TestingSource, run_main

T0 = datetime(2024, 1, 1, tzinfo=UTC)
Pair = namedtuple("Pair", "key value")


class Colour(enum.StrEnum):
    RED = "red"


class _Part(StatefulSinkPartition[Any, None]):
    def __init__(self, got: list[Any]) -> None:
        self.got = got

    def write_batch(self, values: list[Any]) -> None:
        self.got.extend(values)

    def snapshot(self) -> None:
        return None


class TwoParts(FixedPartitionedSink[Any, None]):
    """A partitioned sink: routing by key makes `output` a keyed step."""

    def __init__(self, got: list[Any]) -> None:
        self.got = got

    def list_parts(self) -> list[str]:
        return ["p0", "p1"]

    def build_part(self, step_id: str, for_part: str, resume_state: None) -> _Part:
        return _Part(self.got)


class Keep(op.StatefulBatchLogic):
    def on_batch(self, values: list[Any]) -> tuple[list[Any], bool]:
        return values, self.RETAIN

    def snapshot(self) -> None:
        return None


class Last(op.StatefulLogic):
    def on_item(self, value: Any) -> tuple[list[Any], bool]:
        return [value], self.DISCARD

    def snapshot(self) -> None:
        return None


class Firsts(win.WindowLogic):
    def __init__(self) -> None:
        self.values: list[Any] = []

    def on_value(self, value: Any) -> list[Any]:
        self.values.append(value)
        return []

    def on_merge(self, original: Any) -> list[Any]:
        return []

    def on_close(self) -> list[Any]:
        return [self.values[0]]

    def snapshot(self) -> list[Any]:
        return self.values


CLOCK = win.EventClock(lambda v: v, wait_for_system_duration=timedelta(seconds=1))
TUMBLE = win.TumblingWindower(timedelta(minutes=1), T0)

# Every operator that takes a keyed stream, as a learner calls it: (name, build).
# Values are datetimes, so the windowing operators' clock can read them.
KEYED: dict[str, Callable[[Stream[Any], Stream[Any]], Stream[Any] | None]] = {
    "map_value": lambda s, other: op.map_value("step", s, lambda v: v),
    "flat_map_value": lambda s, other: op.flat_map_value("step", s, lambda v: [v]),
    "filter_value": lambda s, other: op.filter_value("step", s, lambda v: True),
    "filter_map_value": lambda s, other: op.filter_map_value("step", s, lambda v: v),
    "key_rm": lambda s, other: op.key_rm("step", s),
    "stateful_batch": lambda s, other: op.stateful_batch("step", s, lambda r: Keep()),
    "stateful": lambda s, other: op.stateful("step", s, lambda r: Last()),
    "stateful_map": lambda s, other: op.stateful_map("step", s, lambda st, v: (st, v)),
    "stateful_flat_map": lambda s, other: op.stateful_flat_map("step", s, lambda st, v: (st, [v])),
    "fold_final": lambda s, other: op.fold_final("step", s, list, lambda acc, v: [*acc, v]),
    "reduce_final": lambda s, other: op.reduce_final("step", s, max),
    "max_final": lambda s, other: op.max_final("step", s),
    "min_final": lambda s, other: op.min_final("step", s),
    "collect": lambda s, other: op.collect("step", s, timedelta(seconds=10), 3),
    "join": lambda s, other: op.join("step", s, other),
    "window": lambda s, other: win.window("step", s, CLOCK, TUMBLE, lambda r: Firsts()).down,
    "fold_window": lambda s, other: (
        win.fold_window(
            "step", s, CLOCK, TUMBLE, list, lambda acc, v: [*acc, v], lambda a, b: a + b
        ).down
    ),
    "collect_window": lambda s, other: win.collect_window("step", s, CLOCK, TUMBLE).down,
    "reduce_window": lambda s, other: win.reduce_window("step", s, CLOCK, TUMBLE, max).down,
    "max_window": lambda s, other: win.max_window("step", s, CLOCK, TUMBLE).down,
    "min_window": lambda s, other: win.min_window("step", s, CLOCK, TUMBLE).down,
    "join_window": lambda s, other: win.join_window("step", CLOCK, TUMBLE, s, other).down,
    "output": lambda s, other: op.output("step", s, TwoParts([])),
}

# Bad items, each with what the message says it got.
BAD: list[tuple[Any, str]] = [
    ("hi", "a str"),  # Bytewax would read this as the key "h" and the value "i"
    (["a", T0], "a list"),
    (("a", T0, 2), "a tuple of 3 items"),
    (("a",), "a tuple of 1 item"),
    ((1, T0), "a key of type int"),
    ((b"a", T0), "a key of type bytes"),
    ((None, T0), "a key of type NoneType"),
    (Pair("a", T0), "a Pair (a tuple subclass; keyed items are plain tuples)"),
    (7, "an int"),
]
FIX = (
    "key the stream first: op.key_on('key', stream, lambda x: str(...)) makes (key, item) 2-tuples"
)


def expected_message(opname: str, item: Any, got: str) -> str:
    return (
        f"step 'kt.step' ({opname}) is a keyed operator: each item must be a (key, value) "
        f"2-tuple with a str key, but got {got}\n"
        f"  item: {short_repr(item)}\n"
        f"  what to do: {FIX}"
    )


def run(opname: str, items: list[Any], batch_size: int) -> list[Any]:
    flow = Dataflow("kt")
    s = op.input("inp", flow, TestingSource(items, batch_size=batch_size))
    other = op.input("other", flow, TestingSource([("a", T0)]))
    out: list[Any] = []
    down = KEYED[opname](s, other)
    if down is not None:
        op.output("out", down, TestingSink(out))
    run_main(flow)
    return out


@pytest.mark.parametrize("opname", KEYED)
@pytest.mark.parametrize(("item", "got"), BAD, ids=[short_repr(b) for b, _ in BAD])
def test_every_keyed_operator_refuses_a_bad_item_with_the_same_message(
    opname: str, item: Any, got: str
) -> None:
    with pytest.raises(KeyedItemError) as info:
        run(opname, [("a", T0), item], batch_size=2)
    err = info.value
    assert not isinstance(err, UserFunctionError)  # never wrapped a second time
    assert (err.step_id, err.operator, err.item) == ("kt.step", opname, item)
    assert str(err) == expected_message(opname, item, got)


good_items = st.lists(
    st.tuples(st.sampled_from(["a", "b", "é", ""]), st.just(T0)), min_size=0, max_size=12
)


@settings(max_examples=15, deadline=None)
@given(
    good=good_items,
    bad=st.sampled_from(BAD),
    where=st.integers(0, 12),
    batch_size=st.integers(1, 14),
)
@pytest.mark.parametrize("opname", ["map_value", "reduce_final", "window", "count_final"])
def test_the_bad_item_is_found_wherever_it_sits_in_a_batch(
    opname: str, good: list[Any], bad: tuple[Any, str], where: int, batch_size: int
) -> None:
    item, got = bad
    items = [*good[:where], item, *good[where:]]
    if opname == "count_final":  # the identity key function meets a non-str key
        keys = [k for k, _ in good]
        with pytest.raises(KeyedItemError) as info:
            run_count_final([*keys[:where], 3, *keys[where:]], batch_size)
        assert str(info.value).startswith(
            "step 'kt.step' (count_final) got the key 3 (an int) from your key function"
        )
        return
    with pytest.raises(KeyedItemError) as info:
        run(opname, items, batch_size)
    assert str(info.value) == expected_message(opname, item, got)


def run_count_final(keys: list[Any], batch_size: int) -> list[Any]:
    flow = Dataflow("kt")
    s = op.input("inp", flow, TestingSource(keys, batch_size=batch_size))
    out: list[Any] = []
    op.output("out", op.count_final("step", s, lambda k: k), TestingSink(out))
    run_main(flow)
    return out


KEY_FUNCTIONS: dict[str, Callable[[Stream[Any], Callable[[Any], Any]], Stream[Any]]] = {
    "key_on": lambda s, key: op.key_on("step", s, key),
    "count_final": lambda s, key: op.count_final("step", s, key),
    "count_window": lambda s, key: win.count_window("step", s, CLOCK, TUMBLE, key).down,
}


@pytest.mark.parametrize("opname", KEY_FUNCTIONS)
@pytest.mark.parametrize("key", [7, None, b"a", ("a",)])
def test_every_key_function_must_return_a_str(opname: str, key: Any) -> None:
    flow = Dataflow("kt")
    s = op.input("inp", flow, TestingSource([T0, T0]))
    keys = iter(["ok", key])
    op.output("out", KEY_FUNCTIONS[opname](s, lambda v: next(keys)), TestingSink([]))
    with pytest.raises(KeyedItemError) as info:
        run_main(flow)
    fix = "return a str from the key function, e.g. lambda x: str(x['id'])"
    if type(key) is tuple:  # a container is not a key to stringify: say what likely went wrong
        fix = (
            "your key function returned a tuple, not one key: if a step before this one "
            "returns a list of things to count (e.g. the words of a line), use op.flat_map "
            "there, not op.map, so each element goes on as its own item"
        )
    assert str(info.value) == (
        f"step 'kt.step' ({opname}) got the key {short_repr(key)} "
        f"({'a' if type(key).__name__[0] not in 'aeiou' else 'an'} {type(key).__name__}) "
        "from your key function; keys must be str\n"
        f"  item: {short_repr(T0)}\n"
        f"  what to do: {fix}"
    )


def test_a_list_item_counted_as_its_own_key_names_op_map_for_op_flat_map() -> None:
    """op.map(tokenize) before count_final gives lists; the error names the likely cause and
    never advises str(...), which would silently count stringified lists."""
    flow = Dataflow("kt")
    lines = op.input("inp", flow, TestingSource(["to be"]))
    words = op.map("tokenize", lines, str.split)
    op.output("out", op.count_final("count", words, lambda word: word), TestingSink([]))
    with pytest.raises(KeyedItemError) as info:
        run_main(flow)
    assert str(info.value) == (
        "step 'kt.count' (count_final) got the key ['to', 'be'] (a list) from your key "
        "function; keys must be str\n"
        "  item: ['to', 'be']\n"
        "  what to do: the item itself is a list, not one key: if a step before this one "
        "returns a list of things to count (e.g. the words of a line), use op.flat_map there, "
        "not op.map, so each element goes on as its own item"
    )
    assert "str(" not in str(info.value)


@pytest.mark.parametrize("opname", [name for name in KEYED if name != "output"])
def test_a_str_subclass_key_is_kept_as_its_text_everywhere(opname: str) -> None:
    plain = run(opname, [("red", T0), ("red", T0)], batch_size=2)
    enums = run(opname, [(Colour.RED, T0), ("red", T0)], batch_size=2)
    assert enums == plain
    if opname != "key_rm":  # which drops the keys
        assert all(type(k) is str for k, _ in enums)


@pytest.mark.parametrize("opname", ["key_on", "count_final", "count_window"])
def test_a_key_function_may_return_a_str_subclass(opname: str) -> None:
    def collect(key: Callable[[Any], Any]) -> list[Any]:
        flow = Dataflow("kt")
        s = op.input("inp", flow, TestingSource([T0, T0]))
        out: list[Any] = []
        op.output("out", KEY_FUNCTIONS[opname](s, key), TestingSink(out))
        run_main(flow)
        return out

    enums = collect(lambda v: Colour.RED)
    assert enums == collect(lambda v: "red")
    assert all(type(k) is str for k, _ in enums)


def test_a_partitioned_sink_routes_by_the_plain_key() -> None:
    got: list[Any] = []
    flow = Dataflow("kt")
    s = op.input("inp", flow, TestingSource([(Colour.RED, 1), ("b", 2)]))
    op.output("step", s, TwoParts(got))
    run_main(flow)
    assert sorted(got) == [1, 2]
