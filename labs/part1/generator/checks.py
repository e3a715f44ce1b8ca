"""The checks of part1's exercise `generator`: `CHECKS` maps each check named in lab.toml to its code."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
    check_endless,
    iterator_items,
    property_check,
    require_iterator,
    same,
    stream_diff,
    type_trouble,
)
from learnstream.grading.kit import strategies as st

from ..shared import _PROBES

# --- exercise 1: generator ------------------------------------------------------


def _two_seeds(pick: random.Random) -> tuple[int, int]:
    """Two different seeds below 2**32: `pick.sample(range(2**32), 2)`'s draws, also where
    a range that long does not fit a C ssize_t (Pyodide's 32-bit Python, in the page)."""
    first = pick.randrange(2**32)
    second = pick.randrange(2**32)
    while second == first:
        second = pick.randrange(2**32)
    return first, second


def _draws(
    session: Session,
    low: int,
    high: int,
    n: int,
    *,
    rng_seed: int | None,
    global_seed: int | None = None,
) -> tuple[str, list[Any]]:
    rng = "" if rng_seed is None else f", rng=random.Random({rng_seed})"
    call = f"rand_stream({low}, {high}{rng})"
    report = session.take(
        "rand_stream", n, call, args=[low, high], rng_seed=rng_seed, global_seed=global_seed
    )
    items = iterator_items(report, call)
    if report["ended"]:
        raise CheckFailed(
            f"{call} stopped after {len(items)} numbers; a stream never runs out — "
            "loop forever with `while True:`",
            kind=FailureKind.WRONG_SHAPE,
        )
    return call, items


def _gen_returns_iterator(session: Session) -> None:
    call = "rand_stream()"
    report = session.take("rand_stream", 3, call, global_seed=session.seed)
    items = iterator_items(report, call)
    if report["ended"]:
        raise CheckFailed(
            f"{call} stopped after {len(items)} numbers; a stream never runs out",
            kind=FailureKind.WRONG_SHAPE,
        )
    trouble = type_trouble(items, (int,))
    if trouble:
        raise CheckFailed(f"{call}: {trouble}", kind=FailureKind.WRONG_TYPE)


#: Far more numbers than any plausible finite loop draws (a quarter of a second in the child).
ENDLESS_DRAWS = 2_000_000


def _gen_endless(session: Session) -> None:
    call = "rand_stream(0, 1, rng=...)"
    report = session.probe(
        f"{_PROBES}:drain", call, fn="rand_stream", n=ENDLESS_DRAWS, args=[0, 1], seed=session.seed
    )
    require_iterator(report, call)
    check_endless(call, report)


def _range(case: tuple[int, int, int]) -> str:
    low, width, seed = case
    return f"low={low}, high={low + width}, rng=random.Random({seed})"


def _in_bounds(session: Session, case: tuple[int, int, int]) -> None:
    low, width, seed = case
    call, items = _draws(session, low, low + width, 300, rng_seed=seed)
    trouble = type_trouble(items, (int,))
    if trouble:
        raise CheckFailed(f"{call}: {trouble}", kind=FailureKind.WRONG_TYPE)
    for index, item in enumerate(items):
        if not low <= item <= low + width:
            raise CheckFailed(f"{call}: item {index} is {item}, outside [{low}, {low + width}]")


_gen_in_bounds = property_check(
    st.tuples(
        st.integers(-1000, 1000),
        st.integers(0, 1000) | st.integers(0, 10**12),
        st.integers(0, 2**32 - 1),
    ),
    _in_bounds,
    describe=_range,
    max_examples=50,
)


def _both_ends(session: Session, case: tuple[int, int, int]) -> None:
    low, width, seed = case
    high = low + width
    call, items = _draws(session, low, high, 400, rng_seed=seed)
    seen = {item for item in items if type(item) is int}
    for end, name in ((low, "low"), (high, "high")):
        if end not in seen:
            raise CheckFailed(
                f"in 400 numbers from {call}, {end} (= {name}) never came up; "
                f"both ends are included"
            )


_gen_both_ends = property_check(
    st.tuples(st.integers(-20, 20), st.integers(1, 5), st.integers(0, 2**32 - 1)),
    _both_ends,
    describe=_range,
    max_examples=25,
)


def _gen_uniform(session: Session) -> None:
    call, items = _draws(session, 0, 9, 5000, rng_seed=session.seed)
    counts = Counter(items)
    odd = {
        value: counts.get(value, 0) for value in range(10) if not 350 <= counts.get(value, 0) <= 650
    }
    if odd:
        shown = ", ".join(f"{value} came up {count} times" for value, count in odd.items())
        raise CheckFailed(
            f"in 5000 numbers from {call}, {shown}; each of 0..9 should come up about 500 "
            "times — every value in [low, high] must be equally likely"
        )


def _gen_uses_rng(session: Session) -> None:
    pick = random.Random(session.seed)
    first, second = _two_seeds(pick)
    call, with_first = _draws(session, 0, 10**6, 50, rng_seed=first, global_seed=1)
    _, again = _draws(session, 0, 10**6, 50, rng_seed=first, global_seed=2)
    if not same(with_first, again):
        raise CheckFailed(
            f"{call} gave different numbers after random.seed() changed: with an rng given, "
            "every number must come from that rng, not from the random module",
            stream_diff(with_first, again),
        )
    _, with_second = _draws(session, 0, 10**6, 50, rng_seed=second, global_seed=1)
    if same(with_first, with_second):
        raise CheckFailed(
            f"rand_stream(0, 1000000) gave the same numbers with random.Random({first}) and "
            f"random.Random({second}): it ignores its `rng` argument"
        )


def _gen_default_random(session: Session) -> None:
    pick = random.Random(session.seed + 1)
    first, second = _two_seeds(pick)
    call, seeded = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=first)
    _, again = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=first)
    _, other = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=second)
    if not same(seeded, again) or same(seeded, other):
        raise CheckFailed(
            f"{call} without an rng must draw from the random module, so that random.seed() "
            f"decides its numbers; after random.seed({first}) it gave different numbers "
            "twice, or the same numbers as after another seed"
        )


CHECKS = {
    "returns_iterator": _gen_returns_iterator,
    "endless": _gen_endless,
    "in_bounds": _gen_in_bounds,
    "both_ends": _gen_both_ends,
    "uniform": _gen_uniform,
    "uses_rng": _gen_uses_rng,
    "default_random": _gen_default_random,
}
