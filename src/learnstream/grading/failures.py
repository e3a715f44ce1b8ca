"""What went wrong in a failed check: its `FailureKind`, and `CheckFailed`, the failure itself.

Every failure a learner meets is one `CheckFailed` with one kind, whoever found
it: a check that compared answers (wrong value, type, shape, timing), or the
sandbox that ran the learner's code (an exception, a hang, a crash...).
`failed_check` is the one place where the sandbox's errors become failed
checks; hints and reports choose their words by the kind.

>>> failure = CheckFailed("wrong mean", kind=FailureKind.WRONG_VALUE)
>>> failure.kind.learner_code_broke, failure.input_text
(False, None)
>>> FailureKind("timeout").learner_code_broke
True
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol


class FailureKind(Enum):
    """Why a check failed. The values of the first group travel from the child process."""

    # the learner's code did not answer (found by the sandbox)
    EXCEPTION = "exception"  # it raised
    SYNTAX = "syntax"  # the file cannot be read
    NOT_IMPLEMENTED = "not_implemented"  # still the stub
    MISSING = "missing"  # the function the check calls is not there
    EXIT = "exit"  # sys.exit, os._exit
    MEMORY = "memory"  # MemoryError
    FLOOD = "flood"  # printed without end, or wrote a file past the limit
    TOO_BIG = "too_big"  # answered with a huge value
    TIMEOUT = "timeout"  # a call did not return in time (or used up the CPU)
    CRASH = "crash"  # the interpreter crashed (a signal), or wrote over the channel
    KILLED = "killed"  # killed by another signal (often the memory cap)
    TAMPERED = "tampered"  # used the insides of what the grader handed it (a model's)
    # the learner's code answered, wrongly (found by a check)
    WRONG_SHAPE = "wrong_shape"  # not an iterator / a Dataflow, items not shaped as the contract says, too few or too many
    WRONG_TYPE = "wrong_type"  # the right value as the wrong type (2.0 for 2, a naive datetime)
    WRONG_VALUE = "wrong_value"  # a wrong number, word, window result
    WRONG_TIMING = "wrong_timing"  # late items kept, on-time ones dropped, a window emitted twice
    EAGER = "eager"  # read more of its input than it needed
    GROWING = "growing"  # kept what it should not: its memory grows with the stream
    NONDETERMINISTIC = "nondeterministic"  # two answers to one input
    # neither: learnstream's own bug
    GRADER_BUG = "grader_bug"

    @property
    def learner_code_broke(self) -> bool:
        """True when the learner's code did not answer at all (raised, hung, crashed, ...)."""
        return self in _BROKE

    @property
    def unshrinkable(self) -> bool:
        """True when no smaller input could change the failure: stop searching at once."""
        return self in (FailureKind.NOT_IMPLEMENTED, FailureKind.MISSING)


_BROKE = frozenset(
    {
        FailureKind.EXCEPTION,
        FailureKind.SYNTAX,
        FailureKind.NOT_IMPLEMENTED,
        FailureKind.MISSING,
        FailureKind.EXIT,
        FailureKind.MEMORY,
        FailureKind.FLOOD,
        FailureKind.TOO_BIG,
        FailureKind.TIMEOUT,
        FailureKind.CRASH,
        FailureKind.KILLED,
        FailureKind.TAMPERED,
    }
)

#: The kinds of a wrong answer (the learner's code answered): what a check's own hint answers.
ANSWER_KINDS = frozenset(
    {
        FailureKind.WRONG_SHAPE,
        FailureKind.WRONG_TYPE,
        FailureKind.WRONG_VALUE,
        FailureKind.WRONG_TIMING,
    }
)

#: The hint for a failure of each kind that no check's own hint is about: what went wrong
#: decides the advice, whichever check met it.
KIND_HINTS = {
    FailureKind.EXCEPTION: (
        "Your code raised an exception on the input shown: the message names the line (or "
        "the step, and what to do). Run your code on that input yourself to watch it "
        "happen; an empty stream, a zero or a missing field are the usual culprits."
    ),
    FailureKind.SYNTAX: "Fix the line Python cannot read (it is named above), then grade again.",
    FailureKind.MISSING: (
        "Keep the function's name and signature as the stub wrote them: the grader calls it "
        "by that name."
    ),
    FailureKind.EXIT: (
        "Remove sys.exit(), exit() and os._exit() from your file: the grader calls your "
        "functions, which must return."
    ),
    FailureKind.MEMORY: (
        "Something grows without end: a list of an endless stream, or a loop that keeps "
        "appending. Handle one item at a time and keep only what you need."
    ),
    FailureKind.FLOOD: (
        "Print far less, or take the print() out: a line per item of a long stream adds up, "
        "and the grader shows only the start of it."
    ),
    FailureKind.TOO_BIG: "Return the result the exercise asks for, not a huge object.",
    FailureKind.TIMEOUT: (
        "Your code did not answer in time: look for a `while` loop that never ends, or a "
        "list(), sum() or sorted() of a stream that never ends."
    ),
    FailureKind.CRASH: "Remove ctypes or C-extension tricks: the interpreter itself crashed.",
    FailureKind.KILLED: "Your code used too much memory or CPU: handle one item at a time.",
    FailureKind.TAMPERED: (
        "Use a model the grader hands you only through predict_one, predict_proba_one, "
        "learn_one and clone: the grader replays those calls on its own copy, and a model "
        "changed any other way no longer answers as that copy does."
    ),
    FailureKind.EAGER: (
        "Loop with `for value in stream:` and yield each result inside the loop, before "
        "reading the next value: no list(), no islice() chunks, no peeking ahead."
    ),
    FailureKind.GROWING: (
        "Keep only the few numbers the answer needs between items (a total, a count...), "
        "never a list or dict of everything seen."
    ),
    FailureKind.NONDETERMINISTIC: (
        "The same input must give the same answer: no randomness, and no global variables "
        "that remember an earlier call."
    ),
}

_NO_EXAMPLE = object()
_SHOWN_INPUT_CHARS = 400


def show_input(value: Any) -> str:
    """The repr of an input, cut short if it is long.

    >>> show_input([1, 2]), len(show_input("x" * 1000)) <= 400
    ('[1, 2]', True)
    """
    text = repr(value)
    return text if len(text) <= _SHOWN_INPUT_CHARS else text[: _SHOWN_INPUT_CHARS - 3] + "..."


class CheckFailed(Exception):
    """The learner's answer is wrong: `message` says how, `details` shows it, `kind` says why.

    `example` is the input it failed on (set by the property search to the
    smallest one it found); `shown` is how to print that input; `shrunk` says
    it is the smallest found.
    """

    def __init__(
        self,
        message: str,
        details: str = "",
        *,
        kind: FailureKind = FailureKind.WRONG_VALUE,
        example: Any = _NO_EXAMPLE,
        shown: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.kind = kind
        self.example = example
        self.shown = shown
        self.shrunk = False

    @property
    def has_example(self) -> bool:
        """True when the failure knows the input it failed on."""
        return self.example is not _NO_EXAMPLE

    def on(self, example: Any, shown: str) -> CheckFailed:
        """This failure, noted as happening on `example` (printed as `shown`)."""
        self.example, self.shown = example, shown
        return self

    @property
    def input_text(self) -> str | None:
        """The failing input as text, if there was one."""
        if self.shown is not None:
            return self.shown
        return show_input(self.example) if self.has_example else None


class BrokenCode(Protocol):
    """What `failed_check` reads from the sandbox's `LearnerError` and `SandboxDied`."""

    kind: FailureKind
    reason: str


def failed_check(error: BrokenCode) -> CheckFailed:
    """The failed check for learner code that did not answer: raised, hung, crashed, exited...

    The learner's traceback (their own frames only) or the unreadable line is the
    evidence; a hang or crash met during a property search keeps the input that
    caused it (`example_text`).

    >>> from learnstream.grading.sandbox import SandboxDied
    >>> died = SandboxDied(FailureKind.TIMEOUT, "double(...) did not finish within 5 s")
    >>> failure = failed_check(died)
    >>> failure.kind, failure.message
    (<FailureKind.TIMEOUT: 'timeout'>, 'double(...) did not finish within 5 s')
    """
    details = getattr(error, "traceback", "")
    source = getattr(error, "source_text", "")
    if error.kind is FailureKind.SYNTAX and source:
        details = f"    {source}"
    failure = CheckFailed(error.reason, details.rstrip(), kind=error.kind)
    shown = getattr(error, "example_text", None)
    if shown is not None:
        failure.shown = shown
    return failure
