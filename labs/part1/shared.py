"""Part 1: what the checks of `generator`, `map`, `filter`, `stateful` and `wordcount` share.

Each exercise's titles, points and hints are in its folder's `lab.toml`, its
checks' code in its `checks.py`; here are the reference answers they share. Each check
compares the learner's answers with a tiny reference written here,
in the grader's process. The checks are written against clever wrong answers:
an eager list passes a finite example but not an endless stream, `high`
exclusive passes a bounds check but never yields `high`, a flow that ignores
its source passes on Hamlet but not on other lines.

>>> reference_wordcount(["To be, or not to be"])
[('be', 2), ('not', 1), ('or', 1), ('to', 2)]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from learnstream.grading.kit import (
    Session,
    check_constant_state,
    check_laziness,
    compare_streams,
    iterator_items,
    property_check,
    require_iterator,
    same,
    show_input,
)
from learnstream.grading.kit import strategies as st

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
