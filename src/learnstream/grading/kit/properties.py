"""Property checks: hand-made edge cases first, then a seeded search, then the smallest failure.

`property_check(strategy, test, ...)` makes a whole check, `run(session)`:

1. `test(session, example)` on each hand-made `edges` example — small inputs at
   the exact boundaries (a reading exactly on the watermark, one second past
   it, ...), so the classic mistakes fail whatever the search draws;
2. then on the examples drawn from `strategy` (from the session's seed, by
   `kit.search`; shrunk when one fails);
3. then, when `smaller` is given and the failing example has more than two
   items (an edge: up to `EDGE_SHRINK_MAX`), one more shrinking pass on
   the example itself (the search shrinks
   the choices it was drawn from, which cannot always delete one event of a
   stream built from them): the failing example is made smaller with `smaller(example)`'s candidates
   (e.g. `eventtime.without_one`) as long as one still fails the same way.

`example_check(example, test)` runs one fixed example (a simulated stream);
`events_check` is either, for a check on a stream of events.
A test fails by raising `CheckFailed`; what the learner's code does instead
of answering (an exception, a hang) becomes a failed check on that example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from learnstream.grading.failures import CheckFailed, FailureKind, failed_check, show_input
from learnstream.grading.kit.eventtime import Event, show_events, without_one
from learnstream.grading.kit.session import Session
from learnstream.grading.kit.strategies import SearchStrategy
from learnstream.grading.sandbox import LearnerError, SandboxDied

T = TypeVar("T")
#: Edges longer than this (a long made-up stream, whose point is its length) are not shrunk:
#: a pass of `smaller` costs a run of the learner's code per event.
EDGE_SHRINK_MAX = 12
Test = Callable[[Session, T], None]


def on_example(session: Session, test: Test[T], example: T, describe: Callable[[T], str]) -> None:
    """`test` on one example; a failure shows that example as its input."""
    try:
        test(session, example)
    except CheckFailed as failure:
        failure.on(example, describe(example))
        raise
    except LearnerError as err:
        if err.kind.unshrinkable:
            raise
        raise failed_check(err).on(example, describe(example)) from None


def example_check(
    example: T, test: Test[T], describe: Callable[[T], str] = show_input
) -> Callable[[Session], None]:
    """A check: `test` on one fixed example."""

    def run(session: Session) -> None:
        on_example(session, test, example, describe)

    return run


def property_check(
    strategy: SearchStrategy[T],
    test: Test[T],
    *,
    edges: Sequence[T] = (),
    describe: Callable[[T], str] = show_input,
    max_examples: int | None = None,
    at_least: int = 0,
    smaller: Callable[[T], Iterable[T]] | None = None,
) -> Callable[[Session], None]:
    """A check: `test` on the `edges`, then on what the search draws from `strategy`.

    The search tries the session's number of examples, at most `max_examples`
    and at least `at_least` (for mistakes that few draws reveal).
    """

    def run(session: Session) -> None:
        for edge in edges:
            try:
                on_example(session, test, edge, describe)
            except CheckFailed as failure:
                # What of an edge plays no part in its failure is left out: a wrong
                # answer must stay the same wrong answer (its message), so the point
                # the edge makes is kept.
                if smaller is not None and 2 < len(failure.example) <= EDGE_SHRINK_MAX:
                    failure = _smallest(session, test, failure, describe, smaller, same=True)
                failure.shrunk = True
                raise failure from None
        budget = max(at_least, min(session.max_examples, max_examples or session.max_examples))
        try:
            session.for_all(
                strategy,
                lambda example: test(session, example),
                describe=describe,
                max_examples=budget,
            )
        except CheckFailed as failure:
            # two items are small enough to read; more may hold some that play no part
            if smaller is None or len(failure.example) <= 2:
                raise
            raise _smallest(session, test, failure, describe, smaller) from None

    return run


def _smallest(
    session: Session,
    test: Test[T],
    failure: CheckFailed,
    describe: Callable[[T], str],
    smaller: Callable[[T], Iterable[T]],
    *,
    same: bool = False,
) -> CheckFailed:
    """The failure on the smallest example found by trying `smaller` candidates in turn.

    Each try is one more run of the learner's code; a try that fails
    differently is not taken (a wrong answer stands for a wrong answer, with
    `same` only for one with the very same message; an exception of their code
    for the same kind of failure), and a crash ends the search with what the
    search found (the child is gone).
    """
    best, example = failure, failure.example
    shrinking = True
    while shrinking:
        shrinking = False
        for trial in smaller(example):
            try:
                test(session, trial)
                continue
            except CheckFailed as wrong:
                less = wrong
            except LearnerError as err:
                if err.kind.unshrinkable:
                    continue
                less = failed_check(err)
            except SandboxDied:
                return failure
            if FailureKind.EXCEPTION in (less.kind, failure.kind):
                if less.kind is not failure.kind:
                    continue
            elif same and less.message != failure.message:
                continue
            best, example, shrinking = less, trial, True
            break
    if best is not failure:
        best.on(example, describe(example)).shrunk = True
    return best


def events_check(
    test: Test[list[Event]],
    events: list[Event] | SearchStrategy[list[Event]],
    *,
    edges: Sequence[list[Event]] = (),
    max_examples: int | None = None,
    at_least: int = 0,
) -> Callable[[Session], None]:
    """A check on streams of events: one fixed stream (a list), or `edges` then a strategy's.

    Streams are shown in arrival order (`show_events`) and a failing drawn one
    is made smaller an event at a time (`without_one`).
    """
    if isinstance(events, list):
        return example_check(events, test, show_events)
    return property_check(
        events,
        test,
        edges=edges,
        describe=show_events,
        max_examples=max_examples,
        at_least=at_least,
        smaller=without_one,
    )
