"""Part 1: the checks of `generator`, `map`, `filter`, `stateful` and `wordcount`.

The exercises' titles, points and hints are in `part1.toml`; here are the
reference answers, the strategies and `CHECKS`, each check's code. Each check
compares the learner's answers with a tiny reference written here,
in the grader's process. The checks are written against clever wrong answers:
an eager list passes a finite example but not an endless stream, `high`
exclusive passes a bounds check but never yields `high`, a flow that ignores
its source passes on Hamlet but not on other lines.

>>> list(CHECKS)
['generator', 'map', 'filter', 'stateful', 'wordcount']
>>> reference_wordcount(["To be, or not to be"])
[('be', 2), ('not', 1), ('or', 1), ('to', 2)]
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from learnstream.errors import short_repr
from learnstream.grading.kit import (
    CheckFailed,
    FailureKind,
    Session,
    a_type_name,
    check_constant_state,
    check_endless,
    check_laziness,
    compare_streams,
    iterator_items,
    property_check,
    require_iterator,
    same,
    show_input,
    stream_diff,
    type_trouble,
)
from learnstream.wording import a_or_an

#: The seed article's input: the first lines of Hamlet's soliloquy.
HAMLET = (
    "To be, or not to be, that is the question:",
    "Whether 'tis nobler in the mind to suffer",
    "The slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles",
    "And by opposing end them.",
)

_WORD = re.compile(r'[^\s!,.?":;0-9]+')


# --- the grader's own answers ----------------------------------------------


def reference_tokenize(line: str) -> list[str]:
    """The words of `line`, lower-cased, by the seed article's regex."""
    return _WORD.findall(line.lower())


def reference_wordcount(lines: list[str] | tuple[str, ...]) -> list[tuple[str, int]]:
    """`(word, count)` for every word of `lines`, in word order."""
    return sorted(Counter(word for line in lines for word in reference_tokenize(line)).items())


def reference_running_mean(values: list[int | float]) -> list[float]:
    """The mean of each prefix of `values`, computed exactly and then rounded once."""
    total = Fraction(0)
    means = []
    for count, value in enumerate(values, start=1):
        total += Fraction(value)
        means.append(float(total / count))
    return means


_PROBES = "learnstream.grading.probes"


# --- exercise 1: generator ------------------------------------------------------


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
    first, second = pick.sample(range(2**32), 2)
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
    first, second = pick.sample(range(2**32), 2)
    call, seeded = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=first)
    _, again = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=first)
    _, other = _draws(session, 0, 10**6, 50, rng_seed=None, global_seed=second)
    if not same(seeded, again) or same(seeded, other):
        raise CheckFailed(
            f"{call} without an rng must draw from the random module, so that random.seed() "
            f"decides its numbers; after random.seed({first}) it gave different numbers "
            "twice, or the same numbers as after another seed"
        )


# --- exercises 2-4: map, filter, stateful ----------------------------------------

_NUMBER = st.one_of(st.integers(-1000, 1000), st.integers(), st.floats(-1e6, 1e6, allow_nan=False))


def _stream_matches(
    fn: str,
    values: st.SearchStrategy[Any],
    reference: Callable[[list[Any]], list[Any]],
    equal: Callable[[list[Any]], Callable[[Any, Any], bool]] | None = None,
) -> Callable[[Session], None]:
    """A property check: `fn` over any finite list equals `reference` of that list."""

    def test(session: Session, xs: list[Any]) -> None:
        call = f"{fn}(iter({show_input(xs)}))"
        report = session.take(fn, len(xs) + 5, call, stream={"items": xs})
        actual = iterator_items(report, call)
        compare_streams(call, reference(xs), actual, same if equal is None else equal(xs))

    return property_check(
        st.lists(values, max_size=30), test, describe=lambda xs: f"{fn}(iter({show_input(xs)}))"
    )


def _stream_example(
    fn: str, xs: list[Any], expected: list[Any], equal: Callable[[Any, Any], bool] = same
) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        call = f"{fn}(iter({xs!r}))"
        report = session.take(fn, len(xs) + 5, call, stream={"items": xs})
        compare_streams(call, expected, iterator_items(report, call), equal)

    return run


def _stream_lazy(
    fn: str,
    source: dict[str, Any],
    shown: str,
    expected: list[Any],
    needed: list[int],
    equal: Callable[[Any, Any], bool] = same,
) -> Callable[[Session], None]:
    """Take a few items of `fn` over an endless stream: it must answer, reading
    exactly `needed[i]` input items before its result `i`."""

    def run(session: Session) -> None:
        call = f"{fn}({shown})"
        report = session.take(fn, len(expected), call, stream=source)
        compare_streams(call, expected, iterator_items(report, call), equal)
        check_laziness(call, report, needed)

    return run


#: Where the state of `running_mean` is measured: after these many values.
_STATE_MARKS = [100, 1100, 2100, 3100]


def _mean_constant_state(session: Session) -> None:
    call = "running_mean(itertools.count(1))"
    report = session.probe(
        f"{_PROBES}:state_growth", call, fn="running_mean", marks=_STATE_MARKS, stream={"count": 1}
    )
    require_iterator(report, call)
    check_constant_state(call, report, _STATE_MARKS, "a total and a count")


def _below_fifty(xs: list[Any]) -> list[Any]:
    return [x for x in xs if x < 50]


def _mean_equal(xs: list[Any]) -> Callable[[Any, Any], bool]:
    """Means match when the learner's is an int or float within a tiny relative error."""
    scale = max([1.0, *(abs(float(x)) for x in xs)])

    def equal(expected: float, actual: Any) -> bool:
        return type(actual) in (int, float) and abs(actual - expected) <= 1e-9 * scale

    return equal


def _mean_example(session: Session) -> None:
    _stream_example("running_mean", [2, 4, 9], [2.0, 3.0, 5.0], _mean_equal([2, 4, 9]))(session)


# --- exercise 5: wordcount -------------------------------------------------------

_TEXT_CHARS = st.sampled_from([*"abzAZ'’-_\"!,.?:;0189 \t", "É", "é", "ß", "İ", "Σ"])
_LINE = st.text(alphabet=st.one_of(_TEXT_CHARS, st.characters(codec="utf-8")), max_size=30)


def _tokens(session: Session, line: str) -> None:
    call = f"tokenize({line!r})"
    tokens = session.probe(f"{_PROBES}:call", call, fn="tokenize", args=[line])
    if type(tokens) is not list:
        raise CheckFailed(
            f"{call} returned {a_type_name(tokens)}, not a list; return the list of words "
            "(WORD.findall(...) gives one)",
            kind=FailureKind.WRONG_SHAPE,
        )
    compare_streams(call, reference_tokenize(line), tokens)


def _tokenize_hamlet(session: Session) -> None:
    for line in HAMLET:
        _tokens(session, line)


_tokenize_matches = property_check(_LINE, _tokens, describe=lambda line: f"tokenize({line!r})")


def _counts(session: Session, lines: list[str]) -> None:
    call = f"build_flow(...) run on the lines {show_input(lines)}"
    report = session.probe(f"{_PROBES}:run_flow", call, fn="build_flow", items=lines)
    if "items" not in report:
        raise CheckFailed(
            f"build_flow returned {a_or_an(report['type'])}, not a Dataflow; end it with "
            "`return flow`",
            kind=FailureKind.WRONG_SHAPE,
        )
    actual: list[Any] = report["items"]
    if all(type(item) is tuple and len(item) == 2 and type(item[0]) is str for item in actual):
        actual = sorted(actual, key=lambda item: item[0])  # the order of words is not graded
    trouble = next((item for item in actual if not (type(item) is tuple and len(item) == 2)), None)
    if trouble is not None:
        raise CheckFailed(
            f"{call} wrote {short_repr(trouble)} to the sink; every item must be a "
            "(word, count) tuple, as op.count_final emits",
            stream_diff(reference_wordcount(lines), actual),
            kind=FailureKind.WRONG_SHAPE,
        )
    compare_streams(call, reference_wordcount(lines), actual)


def _flow_hamlet(session: Session) -> None:
    _counts(session, list(HAMLET))


_flow_matches = property_check(
    st.lists(st.sampled_from(HAMLET) | _LINE, max_size=6),
    _counts,
    describe=lambda lines: f"the lines {show_input(lines)}",
    max_examples=60,
)


# --- the exercise table: the code of each check the manifest (part1.toml) names --------

CHECKS = {
    "generator": {
        "returns_iterator": _gen_returns_iterator,
        "endless": _gen_endless,
        "in_bounds": _gen_in_bounds,
        "both_ends": _gen_both_ends,
        "uniform": _gen_uniform,
        "uses_rng": _gen_uses_rng,
        "default_random": _gen_default_random,
    },
    "map": {
        "example": _stream_example("double", [1, 2, 3], [2, 4, 6]),
        "matches": _stream_matches("double", _NUMBER, lambda xs: [x * 2 for x in xs]),
        "lazy": _stream_lazy(
            "double", {"count": 0}, "itertools.count()", [0, 2, 4, 6, 8], [1, 2, 3, 4, 5]
        ),
    },
    "filter": {
        "example": _stream_example(
            "less_than_fifty", [7, 50, 49.5, 80, -3, 51, 49], [7, 49.5, -3, 49]
        ),
        "matches": _stream_matches(
            "less_than_fifty",
            st.one_of(
                st.sampled_from([49, 50, 51]),
                st.integers(-100, 200),
                st.floats(-100, 200, allow_nan=False),
            ),
            _below_fifty,
        ),
        "lazy": _stream_lazy(
            "less_than_fifty",
            {"cycle": [10, 60, 49, 50]},
            "itertools.cycle([10, 60, 49, 50])",
            [10, 49, 10, 49, 10],
            [1, 3, 5, 7, 9],
        ),
    },
    "stateful": {
        "example": _mean_example,
        "matches": _stream_matches(
            "running_mean",
            st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e6, 1e6, allow_nan=False)),
            reference_running_mean,
            _mean_equal,
        ),
        "lazy": _stream_lazy(
            "running_mean",
            {"count": 1},
            "itertools.count(1)",
            [1.0, 1.5, 2.0, 2.5, 3.0],
            [1, 2, 3, 4, 5],
            _mean_equal([5]),
        ),
        "constant_state": _mean_constant_state,
    },
    "wordcount": {
        "tokenize_hamlet": _tokenize_hamlet,
        "tokenize_matches": _tokenize_matches,
        "flow_hamlet": _flow_hamlet,
        "flow_matches": _flow_matches,
    },
}
