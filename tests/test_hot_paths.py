"""The fast paths of `map`, `filter` and `count_final` keep their error reports exact.

The per-item loops run inside builtins (`map`, list methods) for speed; these
tests pin down that an error still names the very item that caused it,
wherever it sits in a batch, and that nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import learnstream.operators as op
from learnstream.dataflow import Dataflow
from learnstream.errors import StepError, UserFunctionError
from learnstream.testing import TestingSink, TestingSource, run_main


def _run(build: Callable[[Any], Any], items: list[Any], batch_size: int) -> list[Any]:
    flow = Dataflow("hot")
    got: list[Any] = []
    op.output(
        "out", build(op.input("inp", flow, TestingSource(items, batch_size))), TestingSink(got)
    )
    run_main(flow)
    return got


@pytest.mark.parametrize("bad", [0, 1, 6, 9])
@pytest.mark.parametrize("opname", ["map", "filter", "count_final"])
def test_an_exception_names_its_item_anywhere_in_the_batch(opname: str, bad: int) -> None:
    def fn(x: int) -> Any:
        if x == bad:
            raise ValueError("boom")
        return {"map": x, "filter": x % 2 == 0, "count_final": str(x % 3)}[opname]

    build = {
        "map": lambda s: op.map("m", s, fn),
        "filter": lambda s: op.filter("f", s, fn),
        "count_final": lambda s: op.count_final("c", s, fn),
    }
    with pytest.raises(UserFunctionError) as info:
        _run(build[opname], list(range(10)), batch_size=10)
    assert info.value.item == bad
    assert info.value.operator == opname


@pytest.mark.parametrize("bad", [0, 4, 9])
@pytest.mark.parametrize("opname", ["map", "count_final"])
def test_stop_iteration_from_a_function_is_an_error_not_the_end(opname: str, bad: int) -> None:
    def fn(x: int) -> Any:
        if x == bad:
            raise StopIteration
        return x if opname == "map" else "k"

    build = {
        "map": lambda s: op.map("m", s, fn),
        "count_final": lambda s: op.count_final("c", s, fn),
    }
    with pytest.raises(UserFunctionError, match="StopIteration") as info:
        _run(build[opname], list(range(10)), batch_size=10)
    assert info.value.item == bad


@pytest.mark.parametrize("verdict", [1, 0, 1.0, None, "yes"])
def test_filter_rejects_a_non_bool_equal_to_true_or_false(verdict: Any) -> None:
    """Bytewax requires a bool: an int 1 among Trues must not slip through."""

    def pred(x: int) -> Any:
        return verdict if x == 7 else x % 2 == 0

    with pytest.raises(StepError, match="not a bool") as info:
        _run(lambda s: op.filter("f", s, pred), list(range(10)), batch_size=10)
    assert info.value.item == 7


def test_key_on_rejects_a_non_str_key_and_names_its_item() -> None:
    def key(x: int) -> Any:
        return 5 if x == 6 else str(x)

    with pytest.raises(StepError, match="keys must be str") as info:
        _run(lambda s: op.key_on("k", s, key), list(range(10)), batch_size=10)
    assert info.value.item == 6
    assert _run(lambda s: op.key_on("k", s, str), [1, 2], batch_size=2) == [("1", 1), ("2", 2)]


def test_count_final_counts_every_key() -> None:
    got = _run(lambda s: op.count_final("c", s, lambda x: str(x % 4)), list(range(30)), 7)
    assert got == [("0", 8), ("1", 8), ("2", 7), ("3", 7)]


def test_map_and_filter_results_are_unchanged() -> None:
    got = _run(
        lambda s: op.filter("f", op.map("m", s, lambda x: x * 3), lambda y: y % 2 == 1),
        list(range(25)),
        batch_size=7,
    )
    assert got == [y for y in (x * 3 for x in range(25)) if y % 2 == 1]
