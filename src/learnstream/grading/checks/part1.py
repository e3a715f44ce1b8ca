"""Part 1 "Foundations": the checks of `generator`, `map`, `filter`, `stateful` and `wordcount`.

Each check compares the learner's answers with a tiny reference written here,
in the grader's process. The checks are written against clever wrong answers:
an eager list passes a finite example but not an endless stream, `high`
exclusive passes a bounds check but never yields `high`, a flow that ignores
its source passes on Hamlet but not on other lines.

>>> [exercise.name for exercise in EXERCISES]
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
from learnstream.grading.checking import CheckFailed, Session, show_input
from learnstream.grading.codec import a_type_name, same
from learnstream.grading.diff import first_difference, stream_diff
from learnstream.grading.registry import Check, Exercise

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


# --- helpers shared by the checks --------------------------------------------

_PROBES = "learnstream.grading.probes"


def _items(report: dict[str, Any], call: str) -> list[Any]:
    """The items a `take` report holds, failing when the call gave no iterator."""
    if not report["iterator"]:
        kind = report["type"]
        advice = (
            "use `yield` inside a loop so that it hands out one item at a time"
            if kind in ("list", "tuple", "set", "dict")
            else "write it as a generator: a function with `yield` in it"
        )
        raise CheckFailed(f"{call} returned a {kind}, not an iterator: {advice}")
    items: list[Any] = report["items"]
    return items


def _type_trouble(items: list[Any], allowed: tuple[type, ...]) -> str | None:
    """A sentence about the first item whose type is not allowed, if any."""
    for index, item in enumerate(items):
        if type(item) not in allowed:
            names = " or ".join(t.__name__ for t in allowed)
            return (
                f"item {index} is {short_repr(item)}, {a_type_name(item)}; "
                f"every item must be a plain {names}"
            )
    return None


def _compare_streams(
    call: str, expected: list[Any], actual: list[Any], equal: Callable[[Any, Any], bool] = same
) -> None:
    """Fail with a stream diff unless `actual` matches `expected` item by item."""
    index = first_difference(expected, actual, equal)
    if index is None:
        return
    message = f"{call} gave the wrong stream"
    if index < len(expected) and index < len(actual):
        want, got = expected[index], actual[index]
        if type(want) is not type(got):
            message += (
                f": item {index} is {a_type_name(got)}, expected {a_type_name(want)} "
                f"({short_repr(got)} instead of {short_repr(want)})"
            )
    raise CheckFailed(message, stream_diff(expected, actual, equal=equal))


def _laziness(call: str, report: dict[str, Any], taken: int, needed: int) -> None:
    """Fail if taking `taken` items pulled more than `needed` (+1) input items."""
    if report["pulled_at_call"] > 1:
        raise CheckFailed(
            f"{call} read {report['pulled_at_call']} input items before anyone asked it for "
            "an item: it must not read its input until next() is called"
        )
    if report["pulled"] > needed + 1:
        raise CheckFailed(
            f"to give {taken} items, {call} read {report['pulled']} input items (it needs only "
            f"{needed}): it must read the input one item at a time, as it goes"
        )


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
    items = _items(report, call)
    if report["ended"]:
        raise CheckFailed(
            f"{call} stopped after {len(items)} numbers; a stream never runs out — "
            "loop forever with `while True:`"
        )
    return call, items


def _gen_returns_iterator(session: Session) -> None:
    call = "rand_stream()"
    report = session.take("rand_stream", 3, call, global_seed=session.seed)
    items = _items(report, call)
    if report["ended"]:
        raise CheckFailed(f"{call} stopped after {len(items)} numbers; a stream never runs out")
    trouble = _type_trouble(items, (int,))
    if trouble:
        raise CheckFailed(f"{call}: {trouble}")


def _gen_endless(session: Session) -> None:
    _draws(session, 0, 1, 20_000, rng_seed=session.seed)


def _gen_in_bounds(session: Session) -> None:
    def test(case: tuple[int, int, int]) -> None:
        low, width, seed = case
        call, items = _draws(session, low, low + width, 300, rng_seed=seed)
        trouble = _type_trouble(items, (int,))
        if trouble:
            raise CheckFailed(f"{call}: {trouble}")
        for index, item in enumerate(items):
            if not low <= item <= low + width:
                raise CheckFailed(f"{call}: item {index} is {item}, outside [{low}, {low + width}]")

    session.for_all(
        st.tuples(
            st.integers(-1000, 1000),
            st.integers(0, 1000) | st.integers(0, 10**12),
            st.integers(0, 2**32 - 1),
        ),
        test,
        describe=lambda c: f"low={c[0]}, high={c[0] + c[1]}, rng=random.Random({c[2]})",
        max_examples=min(session.max_examples, 50),
    )


def _gen_both_ends(session: Session) -> None:
    def test(case: tuple[int, int, int]) -> None:
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

    session.for_all(
        st.tuples(st.integers(-20, 20), st.integers(1, 5), st.integers(0, 2**32 - 1)),
        test,
        describe=lambda c: f"low={c[0]}, high={c[0] + c[1]}, rng=random.Random({c[2]})",
        max_examples=min(session.max_examples, 25),
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


GENERATOR = Exercise(
    name="generator",
    file="ex1_generator.py",
    title="An endless stream of random numbers",
    checks=(
        Check(
            "returns_iterator",
            "rand_stream() returns a generator at once",
            1,
            _gen_returns_iterator,
            "Put `yield` inside the function: calling it then returns a generator at once.",
        ),
        Check(
            "endless",
            "never runs out",
            1,
            _gen_endless,
            "Wrap the yield in `while True:` so the stream never ends.",
        ),
        Check(
            "in_bounds",
            "yields only ints in [low, high]",
            2,
            _gen_in_bounds,
            "rng.randint(low, high) gives an int with low <= n <= high.",
        ),
        Check(
            "both_ends",
            "low and high both come up",
            2,
            _gen_both_ends,
            "randint(low, high) includes high; randrange(low, high) stops just before it.",
        ),
        Check(
            "uniform",
            "every value is equally likely",
            1,
            _gen_uniform,
            "Draw each number with one randint(low, high) call.",
        ),
        Check(
            "uses_rng",
            "draws from the rng it is given",
            2,
            _gen_uses_rng,
            "When rng is given, call rng.randint(...), not random.randint(...).",
        ),
        Check(
            "default_random",
            "draws from the random module without an rng",
            1,
            _gen_default_random,
            "`source = random if rng is None else rng` lets one randint call serve both.",
        ),
    ),
    hints=(
        "A generator is a function that uses `yield`: each next() runs it up to the next "
        "yield. An endless one loops forever: `while True: yield ...`.",
        "Pick the source of numbers once, at the top: `source = random if rng is None else rng`. "
        "Both the random module and a random.Random have randint().",
        "randint(low, high) includes both ends: `yield source.randint(low, high)`.",
    ),
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

    def run(session: Session) -> None:
        def test(xs: list[Any]) -> None:
            call = f"{fn}(iter({show_input(xs)}))"
            report = session.take(fn, len(xs) + 5, call, stream={"items": xs})
            actual = _items(report, call)
            _compare_streams(call, reference(xs), actual, same if equal is None else equal(xs))

        session.for_all(
            st.lists(values, max_size=30), test, describe=lambda xs: f"{fn}(iter({show_input(xs)}))"
        )

    return run


def _stream_example(
    fn: str, xs: list[Any], expected: list[Any], equal: Callable[[Any, Any], bool] = same
) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        call = f"{fn}(iter({xs!r}))"
        report = session.take(fn, len(xs) + 5, call, stream={"items": xs})
        _compare_streams(call, expected, _items(report, call), equal)

    return run


def _stream_lazy(
    fn: str,
    source: dict[str, Any],
    shown: str,
    expected: list[Any],
    needed: int,
    equal: Callable[[Any, Any], bool] = same,
) -> Callable[[Session], None]:
    """Take a few items of `fn` over an endless stream; it must answer, and read little."""

    def run(session: Session) -> None:
        call = f"{fn}({shown})"
        report = session.take(fn, len(expected), call, stream=source)
        _compare_streams(call, expected, _items(report, call), equal)
        _laziness(call, report, len(expected), needed)

    return run


_LAZY_HINT = (
    "Never turn the stream into a list (no list(), sorted(), len() or [... for ...]); "
    "loop over it with `for value in stream:` and `yield` as you go."
)

MAP = Exercise(
    name="map",
    file="ex2_map.py",
    title="Double every item of a stream",
    checks=(
        Check(
            "example",
            "doubles [1, 2, 3] to 2, 4, 6",
            2,
            _stream_example("double", [1, 2, 3], [2, 4, 6]),
        ),
        Check(
            "matches",
            "yields x * 2 for every x, in order, keeping types",
            4,
            _stream_matches("double", _NUMBER, lambda xs: [x * 2 for x in xs]),
            (
                "Yield exactly `value * 2`: no int(), round() or 2.0, so ints stay ints "
                "and floats stay floats."
            ),
        ),
        Check(
            "lazy",
            "works on an endless stream, one item at a time",
            4,
            _stream_lazy("double", {"count": 0}, "itertools.count()", [0, 2, 4, 6, 8], 5),
            _LAZY_HINT,
        ),
    ),
    hints=(
        "`double` receives a stream that may never end, so it cannot build a list; it must be "
        "a generator that yields one result per input item.",
        "Loop over the input with `for value in stream:` and yield something inside the loop.",
        "`for value in stream: yield value * 2` — or return the generator expression "
        "`(value * 2 for value in stream)`.",
    ),
)


def _below_fifty(xs: list[Any]) -> list[Any]:
    return [x for x in xs if x < 50]


FILTER = Exercise(
    name="filter",
    file="ex3_filter.py",
    title="Keep the values below fifty",
    checks=(
        Check(
            "example",
            "keeps 7, 49.5, -3, 49 of [7, 50, 49.5, 80, -3, 51, 49]",
            2,
            _stream_example("less_than_fifty", [7, 50, 49.5, 80, -3, 51, 49], [7, 49.5, -3, 49]),
            (
                "Keep a value when `value < 50` (so 50 itself goes), and yield the kept "
                "ones in the order they came."
            ),
        ),
        Check(
            "matches",
            "keeps exactly the values < 50, in order",
            4,
            _stream_matches(
                "less_than_fifty",
                st.one_of(
                    st.sampled_from([49, 50, 51]),
                    st.integers(-100, 200),
                    st.floats(-100, 200, allow_nan=False),
                ),
                _below_fifty,
            ),
            "Yield the value itself, unchanged, in the order it came.",
        ),
        Check(
            "lazy",
            "works on an endless stream, one item at a time",
            4,
            _stream_lazy(
                "less_than_fifty",
                {"cycle": [10, 60, 49, 50]},
                "itertools.cycle([10, 60, 49, 50])",
                [10, 49, 10, 49, 10],
                9,
            ),
            _LAZY_HINT,
        ),
    ),
    hints=(
        "Like `double`, `less_than_fifty` is a generator over a stream that may never end: "
        "look at each item once, as it arrives.",
        "Inside `for value in stream:`, decide with an `if` whether to yield the value.",
        "`for value in stream: if value < 50: yield value` — strictly less than: 50 is dropped.",
    ),
)


def _mean_equal(xs: list[Any]) -> Callable[[Any, Any], bool]:
    """Means match when the learner's is an int or float within a tiny relative error."""
    scale = max([1.0, *(abs(float(x)) for x in xs)])

    def equal(expected: float, actual: Any) -> bool:
        return type(actual) in (int, float) and abs(actual - expected) <= 1e-9 * scale

    return equal


def _mean_example(session: Session) -> None:
    _stream_example("running_mean", [2, 4, 9], [2.0, 3.0, 5.0], _mean_equal([2, 4, 9]))(session)


STATEFUL = Exercise(
    name="stateful",
    file="ex4_stateful.py",
    title="A running mean",
    checks=(
        Check("example", "[2, 4, 9] gives 2.0, 3.0, 5.0", 2, _mean_example),
        Check(
            "matches",
            "yields the mean of all values so far, after each value",
            4,
            _stream_matches(
                "running_mean",
                st.one_of(st.integers(-(10**9), 10**9), st.floats(-1e6, 1e6, allow_nan=False)),
                reference_running_mean,
                _mean_equal,
            ),
            "The mean so far is the total of *every* value seen divided by how many there "
            "were — not just the last few.",
        ),
        Check(
            "lazy",
            "works on an endless stream, one item at a time",
            4,
            _stream_lazy(
                "running_mean",
                {"count": 1},
                "itertools.count(1)",
                [1.0, 1.5, 2.0, 2.5, 3.0],
                5,
                _mean_equal([5]),
            ),
            _LAZY_HINT,
        ),
    ),
    hints=(
        "State is what the generator remembers between items. For a mean you need two numbers: "
        "the total so far and how many values there were.",
        "Set `total = 0` and `count = 0` before the loop; inside `for value in stream:` add to "
        "both, then yield.",
        "`total += value; count += 1; yield total / count`.",
    ),
)


# --- exercise 5: wordcount -------------------------------------------------------

_TEXT_CHARS = st.sampled_from([*"abzAZ'’-_\"!,.?:;0189 \t", "É", "é", "ß", "İ", "Σ"])
_LINE = st.text(alphabet=st.one_of(_TEXT_CHARS, st.characters(codec="utf-8")), max_size=30)


def _tokens(session: Session, line: str) -> None:
    call = f"tokenize({line!r})"
    tokens = session.probe(f"{_PROBES}:call", call, fn="tokenize", args=[line])
    if type(tokens) is not list:
        raise CheckFailed(
            f"{call} returned {a_type_name(tokens)}, not a list; return the list of words "
            "(WORD.findall(...) gives one)"
        )
    _compare_streams(call, reference_tokenize(line), tokens)


def _tokenize_hamlet(session: Session) -> None:
    for line in HAMLET:
        _tokens(session, line)


def _tokenize_matches(session: Session) -> None:
    session.for_all(
        _LINE, lambda line: _tokens(session, line), describe=lambda line: f"tokenize({line!r})"
    )


def _counts(session: Session, lines: list[str]) -> None:
    call = f"build_flow(...) run on the lines {show_input(lines)}"
    report = session.probe(f"{_PROBES}:run_flow", call, fn="build_flow", items=lines)
    if "items" not in report:
        raise CheckFailed(
            f"build_flow returned a {report['type']}, not a Dataflow; end it with `return flow`"
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
        )
    _compare_streams(call, reference_wordcount(lines), actual)


def _flow_hamlet(session: Session) -> None:
    _counts(session, list(HAMLET))


def _flow_matches(session: Session) -> None:
    session.for_all(
        st.lists(st.sampled_from(HAMLET) | _LINE, max_size=6),
        lambda lines: _counts(session, lines),
        describe=lambda lines: f"the lines {show_input(lines)}",
        max_examples=min(session.max_examples, 60),
    )


WORDCOUNT = Exercise(
    name="wordcount",
    file="ex5_wordcount.py",
    title="Count words with a dataflow",
    checks=(
        Check(
            "tokenize_hamlet",
            "tokenize splits the Hamlet lines exactly",
            3,
            _tokenize_hamlet,
            "Lower-case first (`line.lower()`), then `WORD.findall(...)`.",
        ),
        Check(
            "tokenize_matches",
            "tokenize agrees with the article's regex on any text",
            5,
            _tokenize_matches,
            "Use the given WORD pattern unchanged, on the lower-cased line.",
        ),
        Check(
            "flow_hamlet",
            "the flow counts the words of Hamlet's lines",
            4,
            _flow_hamlet,
            "input -> flat_map(tokenize) -> count_final(lambda word: word) -> output.",
        ),
        Check(
            "flow_matches",
            "the flow counts the words of whatever its source holds",
            8,
            _flow_matches,
            "Read from the `source` argument and write to the `sink` argument; don't "
            "hard-code the lines.",
        ),
    ),
    hints=(
        "A dataflow is a chain of steps: `flow = Dataflow('wordcount')`, "
        "`lines = op.input('inp', flow, source)`, ... and finally `op.output('out', ..., sink)`.",
        "One line gives many words: `op.flat_map('tokenize', lines, tokenize)`. Counting needs "
        "a key per word: `op.count_final('count', words, lambda word: word)`.",
        "tokenize is `return WORD.findall(line.lower())`; build_flow ends with `return flow`.",
    ),
)

EXERCISES = (GENERATOR, MAP, FILTER, STATEFUL, WORDCOUNT)
