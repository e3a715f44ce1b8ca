"""Each operator agrees with a tiny, obviously-correct model, whatever the batch size."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.dataflow import Dataflow, Stream
from learnstream.testing import TestingSink, TestingSource, run_main

ints = st.lists(st.integers(-1000, 1000), max_size=60)
keys = st.sampled_from(["a", "b", "c", "", "é", "key with spaces", "z" * 50])
keyed = st.lists(st.tuples(keys, st.integers(-100, 100)), max_size=60)
batch_sizes = st.integers(1, 8)


def run(
    build: Callable[[Stream[Any]], Stream[Any]], items: list[Any], batch_size: int
) -> list[Any]:
    """Feed `items` through the steps `build` adds; return what reaches the sink."""
    flow = Dataflow("model")
    out: list[Any] = []
    up = op.input("inp", flow, TestingSource(items, batch_size=batch_size))
    op.output("out", build(up), TestingSink(out))
    run_main(flow)
    return out


def per_key(pairs: list[tuple[str, Any]]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for k, v in pairs:
        grouped[k].append(v)
    return dict(grouped)


@given(ints, batch_sizes)
def test_map(xs: list[int], bs: int) -> None:
    assert run(lambda s: op.map("m", s, lambda x: x * 3 - 1), xs, bs) == [x * 3 - 1 for x in xs]


@given(ints, batch_sizes)
def test_filter(xs: list[int], bs: int) -> None:
    assert run(lambda s: op.filter("f", s, lambda x: x % 3 == 0), xs, bs) == [
        x for x in xs if x % 3 == 0
    ]


@given(ints, batch_sizes)
def test_flat_map(xs: list[int], bs: int) -> None:
    expected = [y for x in xs for y in range(x % 4)]
    assert run(lambda s: op.flat_map("fm", s, lambda x: range(x % 4)), xs, bs) == expected


@given(st.lists(st.lists(st.integers(), max_size=4), max_size=20), batch_sizes)
def test_flatten(xss: list[list[int]], bs: int) -> None:
    assert run(lambda s: op.flatten("fl", s), xss, bs) == [x for xs in xss for x in xs]


@given(ints, batch_sizes)
def test_filter_map(xs: list[int], bs: int) -> None:
    def half(x: int) -> int | None:
        return x // 2 if x % 2 == 0 else None

    assert run(lambda s: op.filter_map("fm", s, half), xs, bs) == [x // 2 for x in xs if x % 2 == 0]


@given(ints, batch_sizes)
def test_key_on_and_key_rm(xs: list[int], bs: int) -> None:
    assert run(lambda s: op.key_on("k", s, lambda x: str(x % 5)), xs, bs) == [
        (str(x % 5), x) for x in xs
    ]
    assert run(lambda s: op.key_rm("r", op.key_on("k", s, str)), xs, bs) == xs


@given(keyed, batch_sizes)
def test_value_operators(kvs: list[tuple[str, int]], bs: int) -> None:
    assert run(lambda s: op.map_value("mv", s, abs), kvs, bs) == [(k, abs(v)) for k, v in kvs]
    assert run(lambda s: op.filter_value("fv", s, lambda v: v > 0), kvs, bs) == [
        (k, v) for k, v in kvs if v > 0
    ]
    assert run(lambda s: op.flat_map_value("fmv", s, lambda v: [v, -v]), kvs, bs) == [
        (k, w) for k, v in kvs for w in (v, -v)
    ]
    assert run(
        lambda s: op.filter_map_value("fmv", s, lambda v: v * 2 if v % 2 else None), kvs, bs
    ) == [(k, v * 2) for k, v in kvs if v % 2]


@given(ints, batch_sizes)
def test_branch(xs: list[int], bs: int) -> None:
    flow = Dataflow("branch_model")
    trues: list[int] = []
    falses: list[int] = []
    b = op.branch("b", op.input("inp", flow, TestingSource(xs, bs)), lambda x: x > 0)
    op.output("t", b.trues, TestingSink(trues))
    op.output("f", b.falses, TestingSink(falses))
    run_main(flow)
    assert trues == [x for x in xs if x > 0]
    assert falses == [x for x in xs if x <= 0]


@given(ints, ints, batch_sizes)
def test_merge_keeps_each_side_in_order(xs: list[int], ys: list[int], bs: int) -> None:
    flow = Dataflow("merge_model")
    out: list[tuple[str, int]] = []
    a = op.map("tag_a", op.input("a", flow, TestingSource(xs, bs)), lambda x: ("a", x))
    b = op.map("tag_b", op.input("b", flow, TestingSource(ys, bs)), lambda y: ("b", y))
    op.output("out", op.merge("m", a, b), TestingSink(out))
    run_main(flow)
    assert [v for t, v in out if t == "a"] == xs
    assert [v for t, v in out if t == "b"] == ys


@given(ints, batch_sizes)
def test_inspect_sees_every_item_in_order(xs: list[int], bs: int) -> None:
    seen: list[tuple[str, int]] = []
    out = run(lambda s: op.inspect("peek", s, lambda sid, x: seen.append((sid, x))), xs, bs)
    assert out == xs
    assert seen == [("model.peek", x) for x in xs]


@given(st.lists(keys, max_size=80), batch_sizes)
def test_count_final(words: list[str], bs: int) -> None:
    assert run(lambda s: op.count_final("c", s, lambda w: w), words, bs) == sorted(
        Counter(words).items()
    )


@given(keyed, batch_sizes)
def test_final_aggregations_emit_once_per_key_in_key_order(
    kvs: list[tuple[str, int]], bs: int
) -> None:
    groups = per_key(kvs)
    ordered = sorted(groups)
    assert run(lambda s: op.reduce_final("r", s, lambda a, b: a - b), kvs, bs) == [
        (k, _reduce(lambda a, b: a - b, groups[k])) for k in ordered
    ]
    assert run(lambda s: op.fold_final("f", s, list, lambda acc, v: [*acc, v]), kvs, bs) == [
        (k, groups[k]) for k in ordered
    ]
    assert run(lambda s: op.max_final("mx", s), kvs, bs) == [(k, max(groups[k])) for k in ordered]
    assert run(lambda s: op.min_final("mn", s, by=abs), kvs, bs) == [
        (k, min(groups[k], key=abs)) for k in ordered
    ]


def _reduce(fn: Callable[[int, int], int], values: list[int]) -> int:
    acc = values[0]
    for v in values[1:]:
        acc = fn(acc, v)
    return acc


def running_total(state: int | None, value: int) -> tuple[int | None, int]:
    total = (state or 0) + value
    # Returning None as the state forgets the key: the next value starts again.
    return (None if total > 50 else total), total


def model_running_total(kvs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    state: dict[str, int] = {}
    out = []
    for k, v in kvs:
        total = state.get(k, 0) + v
        if total > 50:
            state.pop(k, None)
        else:
            state[k] = total
        out.append((k, total))
    return out


@given(keyed, batch_sizes)
def test_stateful_map(kvs: list[tuple[str, int]], bs: int) -> None:
    got = run(lambda s: op.stateful_map("sm", s, running_total), kvs, bs)
    expected = model_running_total(kvs)
    # Per key the order is the input order; across keys a batch is grouped by key.
    assert per_key(got) == per_key(expected)
    if bs == 1:
        assert got == expected


@given(keyed, batch_sizes)
def test_stateful_flat_map(kvs: list[tuple[str, int]], bs: int) -> None:
    def evens_so_far(state: int | None, v: int) -> tuple[int, list[int]]:
        n = (state or 0) + 1
        return n, [v] * (n % 2)

    got = run(lambda s: op.stateful_flat_map("sfm", s, evens_so_far), kvs, bs)
    expected = {k: vs[::2] for k, vs in per_key(kvs).items()}
    assert {k: v for k, v in per_key(got).items()} == {k: v for k, v in expected.items() if v}


@given(keyed, batch_sizes, st.integers(1, 5))
def test_collect_by_size(kvs: list[tuple[str, int]], bs: int, size: int) -> None:
    got = run(lambda s: op.collect("c", s, timedelta(hours=1), size), kvs, bs)
    expected = {
        k: [vs[i : i + size] for i in range(0, len(vs), size)] for k, vs in per_key(kvs).items()
    }
    assert per_key(got) == expected


def model_join(
    sides: list[list[tuple[str, int]]], insert: str, emit: str
) -> dict[str, list[tuple[Any, ...]]]:
    """Process the sides' items in the order the engine sees them (side order per tick)."""
    seen: dict[str, list[list[int]]] = {}
    out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)

    def rows(vals: list[list[int]]) -> list[tuple[Any, ...]]:
        return list(itertools.product(*(v or [None] for v in vals)))

    for tick in itertools.zip_longest(*sides):
        for side, item in enumerate(tick):
            if item is None:
                continue
            k, v = item
            vals = seen.setdefault(k, [[] for _ in sides])
            if insert == "product":
                vals[side].append(v)
            elif insert == "last" or not vals[side]:
                vals[side] = [v]
            if emit == "complete" and all(vals):
                out[k] += rows(vals)
                del seen[k]
            elif emit == "running":
                out[k] += rows(vals)
    if emit == "final":
        for k in sorted(seen):
            out[k] += rows(seen[k])
    return dict(out)


@settings(max_examples=60)
@given(
    st.lists(keyed, min_size=2, max_size=3),
    st.sampled_from(["first", "last", "product"]),
    st.sampled_from(["complete", "final", "running"]),
)
def test_join(sides: list[list[tuple[str, int]]], insert: str, emit: str) -> None:
    flow = Dataflow("join_model")
    out: list[Any] = []
    ups = [op.input(f"side{i}", flow, TestingSource(s)) for i, s in enumerate(sides)]
    joined = op.join("j", *ups, insert_mode=insert, emit_mode=emit)  # type: ignore[arg-type]
    op.output("out", joined, TestingSink(out))
    run_main(flow)
    assert per_key(out) == model_join(sides, insert, emit)


@given(st.lists(st.integers(0, 100), max_size=30))
def test_stream_then_is_the_same_as_calling_the_operator(xs: list[int]) -> None:
    assert run(lambda s: s.then(op.map, "m", str).then(op.filter, "f", str.isdigit), xs, 3) == [
        str(x) for x in xs
    ]
