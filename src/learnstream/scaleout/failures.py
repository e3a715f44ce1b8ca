"""The learnstream errors raised inside Bytewax's callbacks, kept until the run ends.

In one process Bytewax hands a step's exception back at the end of a chain of
its own `RuntimeError`s; a cluster of processes stops with a bare panic instead.
Noting each learnstream error as it passes lets the run report it either way,
with learnstream's message (step, operator, item, what to do).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from learnstream.errors import LearnstreamError

F = TypeVar("F", bound=Callable[..., Any])


class Failures:
    """Where the guarded callbacks of one run note the learnstream errors they raise."""

    def __init__(self) -> None:
        self.seen: list[LearnstreamError] = []

    def note(self, exc: LearnstreamError) -> LearnstreamError:
        """Keep `exc` (and return it, to be raised)."""
        self.seen.append(exc)
        return exc

    def guard(self, fn: F) -> F:
        """`fn`, noting any learnstream error it raises before passing it on."""

        @functools.wraps(fn)
        def guarded(*args: Any) -> Any:
            try:
                return fn(*args)
            except LearnstreamError as exc:
                raise self.note(exc)  # noqa: B904 (re-raising the same exception)

        return guarded  # type: ignore[return-value]

    def explain(self, exc: BaseException) -> LearnstreamError | None:
        """The learnstream error behind `exc`, if there is one: in its chain, or noted."""
        seen: BaseException | None = exc
        while seen is not None:
            if isinstance(seen, LearnstreamError):
                return seen
            seen = seen.__cause__
        return self.seen[0] if self.seen else None
