"""What a check works with: a `Session` on the learner's file, and `CheckFailed`.

A check is a function `run(session) -> None`. It asks the learner's code for
answers through `session.probe(...)` (which runs in the child process),
computes the right answer itself, and raises `CheckFailed` when they differ.
Returning normally means the check passed.

For property checks, `session.for_all(strategy, test)` runs `test` on inputs
drawn by hypothesis from the session's seed; when one fails, hypothesis
shrinks it, and the `CheckFailed` raised carries the smallest failing input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from learnstream.grading.sandbox import LearnerError, Sandbox

T = TypeVar("T")

_NO_EXAMPLE = object()
#: Learner errors that no smaller input would change: stop searching at once.
_UNSHRINKABLE = ("not_implemented", "missing")
_SHOWN_INPUT_CHARS = 400


def show_input(value: Any) -> str:
    """The repr of an input, cut short if it is long.

    >>> show_input([1, 2]), len(show_input("x" * 1000)) <= 400
    ('[1, 2]', True)
    """
    text = repr(value)
    return text if len(text) <= _SHOWN_INPUT_CHARS else text[: _SHOWN_INPUT_CHARS - 3] + "..."


class _Abort(BaseException):
    """Carries a `LearnerError` out of hypothesis without shrinking (BaseException is not caught)."""

    def __init__(self, error: LearnerError) -> None:
        super().__init__(str(error))
        self.error = error


class CheckFailed(Exception):
    """The learner's answer is wrong: `message` says how, `details` shows it.

    `example` is the input it failed on (set by `Session.for_all` to the
    smallest one hypothesis found); `shown` is how to print that input.
    """

    def __init__(
        self,
        message: str,
        details: str = "",
        *,
        example: Any = _NO_EXAMPLE,
        shown: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.example = example
        self.shown = shown
        self.shrunk = False

    @property
    def input_text(self) -> str | None:
        """The failing input as text, if there was one."""
        if self.shown is not None:
            return self.shown
        return None if self.example is _NO_EXAMPLE else show_input(self.example)


def from_learner_error(err: LearnerError) -> CheckFailed:
    """A failed check that reports the learner's exception, with their traceback."""
    details = err.traceback
    if err.kind == "syntax" and err.source_text:
        details = f"    {err.source_text}"
    return CheckFailed(err.reason, details.rstrip())


@dataclass
class Session:
    """One exercise being graded: the learner's file in a sandbox, and the run's seed."""

    sandbox: Sandbox
    seed: int
    max_examples: int = 100

    def probe(self, probe: str, what: str, **args: Any) -> Any:
        """Run a probe on the learner's module (see `learnstream.grading.probes`)."""
        return self.sandbox.probe(probe, what, **args)

    def take(self, fn: str, n: int, what: str, **args: Any) -> dict[str, Any]:
        """`probes.take`: call `fn` and pull up to `n` items from the iterator it returns."""
        report: dict[str, Any] = self.probe(
            "learnstream.grading.probes:take", what, fn=fn, n=n, **args
        )
        return report

    def for_all(
        self,
        strategy: Any,
        test: Callable[[T], None],
        *,
        describe: Callable[[T], str] = show_input,
        max_examples: int | None = None,
    ) -> None:
        """Run `test` on inputs from the hypothesis `strategy`; fail on the smallest failing one.

        `test` raises `CheckFailed` (or lets the learner's `LearnerError`
        through) to say an input fails. Hangs and crashes (`SandboxDied`) stop
        the search at once, reporting the input that caused them unshrunk.
        """
        from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
        from hypothesis.errors import Flaky

        def attempt(example: T) -> None:
            try:
                test(example)
            except CheckFailed as failure:
                failure.example, failure.shown = example, describe(example)
                raise
            except LearnerError as err:
                if err.kind in _UNSHRINKABLE:
                    raise _Abort(err) from None
                failure = from_learner_error(err)
                failure.example, failure.shown = example, describe(example)
                raise failure from None
            except BaseException as stop:  # a hang or crash: report this input as it is
                stop.example_text = describe(example)  # type: ignore[attr-defined]
                raise

        search = settings(
            database=None,
            max_examples=max_examples or self.max_examples,
            deadline=None,
            derandomize=False,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )(seed(self.seed)(given(strategy)(attempt)))
        try:
            search()
        except CheckFailed as failure:
            failure.shrunk = True
            raise
        except _Abort as abort:
            raise abort.error from None
        except Flaky:
            raise CheckFailed(
                "your code gave different answers to the same input; does it use randomness, "
                "or state left over from an earlier call (a global variable)?"
            ) from None
