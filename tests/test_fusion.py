"""Fusing neighbouring map/filter steps changes nothing a learner can see but speed.

The executor runs each run of `map`/`filter` steps that feed only one another as
one pass (`learnstream.engine.chains`). These properties compare the fused plan
with the unfused one (every step on its own) on arbitrary chains, inputs and
batch sizes: the same outputs, and the same error (type, step, operator, item,
message) when a function raises or a predicate answers something other than a
bool. The C chain and the twin's loop agree on the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.engine import backend, chain_twin, chains, constants
from learnstream.engine.executor import Executor
from learnstream.errors import StepError
from learnstream.testing import TestingSink, TestingSource

# A stage: ("map", a, b, bad) is x -> a*x + b, raising on x % 7 == bad;
# ("filter", m, odd, bad) keeps x % m == 0, answering `odd` instead of a bool on
# x % 11 == bad ("raise" raises instead); bad == -1 never fails.
maps = st.tuples(
    st.just("map"), st.integers(-3, 3), st.integers(-5, 5), st.sampled_from([-1, -1, 0, 3])
)
filters = st.tuples(
    st.just("filter"),
    st.integers(1, 4),
    st.sampled_from([None, 1, 0, "yes", "raise"]),
    st.sampled_from([-1, -1, 2, 5]),
)
stage_lists = st.lists(st.one_of(maps, filters), min_size=1, max_size=5)
# Where an `inspect` reads an intermediate stream, so that a chain must break there.
taps = st.sets(st.integers(0, 4), max_size=2)


def make_fn(stage: tuple[Any, ...]) -> Callable[[int], Any]:
    kind, p, q, bad = stage
    if kind == "map":

        def mapper(x: int) -> int:
            if x % 7 == bad:
                raise ValueError(f"map fails on {x}")
            return p * x + q

        return mapper

    def predicate(x: int) -> Any:
        if x % 11 == bad:
            if q == "raise":
                raise KeyError(x)
            return q
        return x % p == 0

    return predicate


def build(stages: list[tuple[Any, ...]], tapped: set[int], items: list[int], batch: int) -> Any:
    flow = Dataflow("chain")
    out: list[Any] = []
    seen: list[Any] = []
    s = op.input("inp", flow, TestingSource(items, batch_size=batch))
    for i, stage in enumerate(stages):
        step = op.map if stage[0] == "map" else op.filter
        s = step(f"s{i}", s, make_fn(stage))
        if i in tapped and i < len(stages) - 1:
            op.inspect(f"tap{i}", s, lambda step_id, x: seen.append((step_id, x)))
    op.output("out", s, TestingSink(out))
    return flow, out, seen


def outcome(
    stages: list[tuple[Any, ...]], tapped: set[int], items: list[int], batch: int, *, fused: bool
) -> Any:
    flow, out, seen = build(stages, tapped, items, batch)
    try:
        Executor(flow, fused=fused).run()
    except StepError as err:
        cause = err.__cause__
        return (
            "error",
            type(err).__name__,
            err.step_id,
            err.operator,
            err.item,
            str(err),
            type(cause).__name__ if cause else None,
            sorted(seen, key=repr),
        )
    return ("ok", out, sorted(seen, key=repr))


@settings(max_examples=150, deadline=None)
@given(
    stages=stage_lists,
    tapped=taps,
    items=st.lists(st.integers(-50, 50), max_size=40),
    batch=st.integers(1, 12),
)
def test_fused_and_unfused_plans_agree(
    stages: list[tuple[Any, ...]], tapped: set[int], items: list[int], batch: int
) -> None:
    assert outcome(stages, tapped, items, batch, fused=True) == outcome(
        stages, tapped, items, batch, fused=False
    )


@settings(max_examples=100, deadline=None)
@given(stages=stage_lists, items=st.lists(st.integers(-50, 50), max_size=40))
def test_the_c_chain_and_the_twin_agree(stages: list[tuple[Any, ...]], items: list[int]) -> None:
    if backend.NAME != "c":
        pytest.skip("the C core is not built")
    fns = tuple(make_fn(s) for s in stages)
    kinds = bytes(chain_twin.MAP if s[0] == "map" else chain_twin.FILTER for s in stages)

    def seen(result: tuple[list[Any], Any]) -> Any:
        out, failure = result
        if failure is None:
            return out, None
        what = failure.what
        what = (type(what).__name__, str(what)) if failure.raised else what
        return out, (failure.index, failure.stage, failure.item, what, failure.raised)

    c = backend.chain.run_chain(items, fns, kinds)
    twin = chain_twin.run_chain(items, fns, kinds)
    assert seen(c) == seen(twin)


def test_a_chain_of_map_filter_map_is_one_step_of_the_plan() -> None:
    flow, _, _ = build(
        [("map", 2, 0, -1), ("filter", 3, None, -1), ("map", 1, 1, -1)], set(), [1], 1
    )
    plan = Executor(flow).steps
    assert [s.step_id for s in plan] == [
        "chain.inp",
        "chain.s0.flat_map_batch",
        "chain.out",
    ]
    assert plan[1].outputs == ["chain.s2.flat_map_batch.down"]
    # The flow itself, which visualize draws, still has every step.
    assert len(flow.steps) == 5


def test_a_stream_read_twice_breaks_the_chain() -> None:
    flow, _, _ = build([("map", 2, 0, -1), ("filter", 3, None, -1)], {0}, [1], 1)
    plan = Executor(flow).steps
    assert [s.step_id for s in plan] == [
        "chain.inp",
        "chain.s0.flat_map_batch",
        "chain.tap0.inspect_debug",
        "chain.s1.flat_map_batch",
        "chain.out",
    ]


def test_a_later_stage_error_waits_for_the_earlier_stages() -> None:
    """Unfused, map runs over the whole batch before filter sees any item."""

    def mapper(x: int) -> int:
        if x == 5:
            raise ValueError("five")
        return x

    def predicate(x: int) -> Any:
        return None if x == 2 else True

    flow = Dataflow("order")
    got: list[int] = []
    s = op.filter(
        "keep", op.map("m", op.input("inp", flow, TestingSource(range(8), 8)), mapper), predicate
    )
    op.output("out", s, TestingSink(got))
    with pytest.raises(StepError) as info:
        Executor(flow).run()
    assert (info.value.step_id, info.value.operator, info.value.item) == ("order.m", "map", 5)


def test_keyboard_interrupt_in_a_mapper_goes_through_untouched() -> None:
    def mapper(x: int) -> int:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        chains.run_stages([chains.PerItem("f.m", "map", constants.MAP, mapper)], [1, 2])
