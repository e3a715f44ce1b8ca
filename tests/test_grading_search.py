"""The grader's own strategies and search (`kit.strategies`, `kit.search`).

A grade depends on the inputs the search draws and on the example it shrinks
to, so both must follow from the seed alone — in any process, with any hash
seed — and must find what a learner's mistakes need: boundaries, duplicates,
empty and small collections. The shrinker must reach the smallest
counterexample of known properties, through `map`, `filter`, `flatmap` and
`composite`. Hypothesis drives these tests with arbitrary seeds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import workspace_from
from hypothesis import given, settings
from hypothesis import strategies as hs

from learnstream.grading.kit import strategies as st
from learnstream.grading.kit.search import Unreproducible, Unsatisfiable, search
from learnstream.grading.kit.strategies import Data, Reject, SearchStrategy

SEEDS = hs.integers(0, 2**32 - 1)


def drawn(strategy: SearchStrategy[Any], seed: int, n: int = 100) -> list[Any]:
    """What a search from `seed` tries, in order."""
    tried: list[Any] = []
    search(strategy, tried.append, seed=seed, max_examples=n)
    return tried


def smallest(strategy: SearchStrategy[Any], holds: Callable[[Any], bool], seed: int) -> Any:
    """The example a search from `seed` shrinks to, for a property that does not hold."""
    failing: list[Any] = []

    def test(value: Any) -> None:
        if not holds(value):
            failing.append(value)
            raise AssertionError(value)

    with pytest.raises(AssertionError):
        search(strategy, test, seed=seed, max_examples=200)
    return failing[-1]  # the last failure is the smallest one, run again


@st.composite
def _pair(draw: Callable[[SearchStrategy[Any]], Any]) -> tuple[int, int]:
    low = draw(st.integers(0, 50))
    return low, draw(st.integers(low, 100))


EVERYTHING = st.tuples(
    st.lists(st.integers(-1000, 1000) | st.integers(), max_size=8),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.text(alphabet=st.one_of(st.sampled_from("ab É"), st.characters(codec="utf-8"))),
    st.permutations(range(6)),
    st.lists(st.tuples(st.integers(0, 9), st.booleans()), unique_by=lambda r: r[0]),
    st.integers(0, 5).flatmap(lambda n: st.lists(st.just(n), min_size=n, max_size=n)),
    _pair(),
    st.integers(0, 100).filter(lambda n: n % 3 == 0).map(str),
)

PRINT_DRAWS = """
import json
from learnstream.grading.kit import strategies as st
from test_grading_search import EVERYTHING, drawn
print(json.dumps([repr(x) for x in drawn(EVERYTHING, 1234, 60)]))
"""


def test_a_seed_draws_the_same_examples_in_any_process() -> None:
    def in_a_process(hash_seed: str) -> list[str]:
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        env["PYTHONPATH"] = os.pathsep.join([os.path.dirname(__file__), *sys.path])
        run = subprocess.run(
            [sys.executable, "-c", PRINT_DRAWS],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        draws: list[str] = json.loads(run.stdout)
        return draws

    first = in_a_process("0")
    assert first == in_a_process("4242") == [repr(x) for x in drawn(EVERYTHING, 1234, 60)]
    assert len(set(first)) == 60


@given(SEEDS)
@settings(max_examples=30, deadline=None)
def test_an_example_is_its_choices(seed: int) -> None:
    import random

    data = Data(random.Random(seed))
    try:
        value = data.draw(EVERYTHING)
    except Reject:  # the filter found no multiple of 3 in three tries: no example
        return
    assert Data(None, data.choices).draw(EVERYTHING) == value


def test_the_simplest_example_comes_first_and_none_twice() -> None:
    tried = drawn(st.lists(st.integers(-5, 5), max_size=3), seed=1, n=200)
    assert tried[0] == []
    assert len({repr(x) for x in tried}) == len(tried)


def test_a_small_strategy_stops_when_every_example_was_tried() -> None:
    assert sorted(drawn(st.tuples(st.booleans(), st.sampled_from("abc")), seed=5)) == sorted(
        (b, c) for b in (False, True) for c in "abc"
    )


@pytest.mark.parametrize("seed", range(10))
def test_boundaries_duplicates_and_small_collections_come_up(seed: int) -> None:
    numbers = drawn(st.integers(-1000, 10**9), seed)
    assert {-1000, 0, 1, -1, 10**9} <= set(numbers)
    lists = drawn(st.lists(st.integers(0, 10**6), max_size=30), seed)
    assert [] in lists and any(len(xs) == 1 for xs in lists)
    assert any(len(set(xs)) < len(xs) for xs in lists)  # a repeated value
    assert any(len(xs) >= 10 for xs in lists)
    reals = drawn(st.floats(-100.0, 200.0, allow_nan=False), seed)
    assert -100.0 in reals and 200.0 in reals and 0.0 in reals
    assert any(x != int(x) for x in reals) and any(x == int(x) != 0 for x in reals)
    assert "" in drawn(st.text(), seed)


@given(SEEDS)
@settings(max_examples=15, deadline=None)
def test_shrinking_reaches_the_smallest_counterexample(seed: int) -> None:
    lists = st.lists(st.integers(-1000, 1000))
    assert smallest(st.lists(st.integers(0, 1000)), lambda xs: sum(xs) < 100, seed) == [100]
    assert smallest(lists, lambda xs: len(set(xs)) == len(xs), seed) == [0, 0]
    assert smallest(lists, lambda xs: len(xs) < 3, seed) == [0, 0, 0]
    assert smallest(st.integers(-(10**6), 10**6), lambda n: n > -37, seed) == -37
    assert smallest(st.integers(), lambda n: abs(n) < 1000, seed) == 1000
    assert smallest(st.floats(-1e6, 1e6), lambda x: x == int(x), seed) == 0.5
    assert smallest(st.text(), lambda s: s.isdigit() or not s, seed) == "a"
    assert smallest(st.permutations(range(4)), lambda p: p == sorted(p), seed) == [0, 1, 3, 2]


@given(SEEDS)
@settings(max_examples=15, deadline=None)
def test_shrinking_works_through_map_filter_flatmap_and_composite(seed: int) -> None:
    evens = st.integers(0, 10**6).filter(lambda n: n % 2 == 0).map(lambda n: n * 10)
    assert smallest(st.lists(evens), lambda xs: sum(xs) < 1000, seed) == [1000]
    sized = st.integers(0, 10).flatmap(lambda n: st.lists(st.integers(0, 9), min_size=n))
    assert smallest(sized, lambda xs: 7 not in xs, seed) == [7]
    assert smallest(_pair(), lambda p: p[1] - p[0] < 40, seed) == (0, 40)
    rows = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 500)), unique_by=lambda r: r[0])
    assert smallest(rows, lambda rs: sum(v for _, v in rs) < 300, seed) == [(0, 300)]


def test_a_test_that_fails_only_once_is_unreproducible() -> None:
    calls: list[int] = []

    def flaky(n: int) -> None:
        calls.append(n)
        if len(calls) == 5:
            raise AssertionError

    with pytest.raises(Unreproducible):
        search(st.integers(0, 100), flaky, seed=0, max_examples=50)


def test_a_base_exception_stops_the_search_unshrunk() -> None:
    tried: list[int] = []

    def hangs(n: int) -> None:
        tried.append(n)
        if n > 1000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search(st.integers(0, 10**6), hangs, seed=0, max_examples=100)
    assert tried[-1] > 1000 and all(n <= 1000 for n in tried[:-1])


def test_a_filter_that_rejects_everything_is_named() -> None:
    with pytest.raises(Unsatisfiable):
        search(st.integers(0, 9).filter(lambda n: n > 9), lambda n: None, seed=0, max_examples=10)


def test_grading_needs_no_hypothesis(tmp_path: Path) -> None:
    """Grading draws its inputs without hypothesis (a dev-only dependency): graded here in a
    fresh interpreter, Parts 1 and 3 (lists, tuples, floats, text, composite, permutations)."""
    workspace = workspace_from("solutions", tmp_path / "ws", "part1")
    workspace_from("solutions", workspace, "part3")
    code = (
        "import sys\n"
        "from learnstream.grading import grade\n"
        f"for part, exercise in (('part1', 'map'), ('part1', 'wordcount'), ('part3', 'paid')):\n"
        f"    result = grade(part, exercise, path={str(workspace)!r}, seed=5, max_examples=10)\n"
        "    assert result.to_json()['exercises'][0]['passed'], result.to_json()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'hypothesis'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
