"""What a check works with: a `Session` on the learner's file.

A check is a function `run(session) -> None`. It asks the learner's code for
answers through `session.probe(...)` (probes drive the learner's code through
a `runner.Runner`, measuring from outside it),
computes the right answer itself, and raises `CheckFailed` when they differ.
Returning normally means the check passed.

For property checks, `session.for_all(strategy, test)` runs `test` on inputs
drawn from the session's seed by the grader's own strategies
(`kit.strategies`); when one fails, `kit.search` shrinks it, and the
`CheckFailed` raised carries the smallest failing input. The same seed draws
the same inputs in any process, whatever else is installed.
`learnstream.grading.kit.properties` builds whole checks on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from learnstream.grading.failures import CheckFailed, FailureKind, failed_check, show_input
from learnstream.grading.kit.search import Unreproducible, search
from learnstream.grading.kit.strategies import SearchStrategy
from learnstream.grading.probes import resolve, take
from learnstream.grading.runner import LearnerError, Runner

T = TypeVar("T")


class _Abort(BaseException):
    """Carries a `LearnerError` out of the search without shrinking (a BaseException stops it)."""

    def __init__(self, error: LearnerError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class Session:
    """One exercise being graded: the learner's file in a runner, and the run's seed."""

    runner: Runner
    seed: int
    max_examples: int = 100

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        """Run a probe (a "module:function" under `learnstream.grading`, e.g.
        `learnstream.grading.probes:call`) on the learner's code."""
        return resolve(probe)(self.runner, what, **args)

    def take(self, fn: str, n: int, what: str, **args: Any) -> dict[str, Any]:
        """`probes.take`: call `fn` and pull up to `n` items from the iterator it returns."""
        return take(self.runner, what, fn, n, **args)

    def for_all(
        self,
        strategy: SearchStrategy[T],
        test: Callable[[T], None],
        *,
        describe: Callable[[T], str] = show_input,
        max_examples: int | None = None,
    ) -> None:
        """Run `test` on inputs drawn from `strategy`; fail on the smallest failing one.

        `test` raises `CheckFailed` (or lets the learner's `LearnerError`
        through) to say an input fails. Hangs and crashes (`SandboxDied`) stop
        the search at once, reporting the input that caused them unshrunk. The
        same seed draws the same inputs in any process.
        """

        def attempt(example: T) -> None:
            try:
                test(example)
            except CheckFailed as failure:
                failure.on(example, describe(example))
                raise
            except LearnerError as err:
                if err.kind.unshrinkable:
                    raise _Abort(err) from None
                raise failed_check(err).on(example, describe(example)) from None
            except BaseException as stop:  # a hang or crash: report this input as it is
                stop.example_text = describe(example)  # type: ignore[attr-defined]
                raise

        try:
            search(
                strategy, attempt, seed=self.seed, max_examples=max_examples or self.max_examples
            )
        except CheckFailed as failure:
            failure.shrunk = True
            raise
        except _Abort as abort:
            raise abort.error from None
        except Unreproducible:
            raise CheckFailed(
                "your code gave different answers to the same input; does it use randomness, "
                "or state left over from an earlier call (a global variable)?",
                kind=FailureKind.NONDETERMINISTIC,
            ) from None
