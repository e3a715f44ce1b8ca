"""Errors a learner can act on: each names the step, the operator, the item and the fix."""

from __future__ import annotations

import itertools
import os
import reprlib
from pathlib import Path
from types import TracebackType
from typing import Any

from learnstream.wording import a_or_an

_PACKAGE_DIR = str(Path(__file__).resolve().parent)

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = 5
_short.maxtuple = 5
_short.maxdict = 5
_short.maxlevel = 3


def short_repr(item: Any) -> str:
    """A repr that fits on one line, however large the item."""
    try:
        text = _short.repr(item)
    except Exception:  # a learner's __repr__ may itself be broken
        text = f"<{type(item).__name__} object with a broken __repr__>"
    return text if len(text) <= 120 else text[:117] + "..."


class LearnstreamError(Exception):
    """Base class of every error learnstream raises on purpose."""


class DataflowError(LearnstreamError, ValueError):
    """The dataflow was built wrongly (duplicate step id, streams of two flows, ...)."""


class StepError(LearnstreamError):
    """An item could not go through a step while the flow ran."""

    def __init__(self, step_id: str, operator: str, item: Any, problem: str, fix: str) -> None:
        self.step_id = step_id
        self.operator = operator
        self.item = item
        self.problem = problem
        self.fix = fix
        super().__init__(
            f"step {step_id!r} ({operator}) {problem}\n"
            f"  item: {short_repr(item)}\n"
            f"  what to do: {fix}"
        )


class UserFunctionError(StepError):
    """A function the learner gave to an operator raised an exception."""


class KeyedItemError(StepError, TypeError):
    """A keyed step got something other than a `(str, value)` 2-tuple."""


def keyed_item_problem(step_id: str, operator: str, item: Any) -> KeyedItemError:
    """Explain why `item` cannot enter the keyed step `step_id`."""
    if isinstance(item, tuple) and len(item) == 2:
        return KeyedItemError(
            step_id,
            operator,
            item,
            f"got a key of type {type(item[0]).__name__}; keys must be str",
            "convert the key with str(...), e.g. op.key_on('key', stream, lambda x: str(x.id))",
        )
    return KeyedItemError(
        step_id,
        operator,
        item,
        "is a keyed operator: each item must be a (key, value) 2-tuple with a str key, "
        f"but got {a_or_an(type(item).__name__)}",
        "add a key first, e.g. op.key_on('key', stream, lambda x: str(x)) before this step",
    )


def user_function_error(
    step_id: str, operator: str, fn: Any, item: Any, exc: BaseException
) -> UserFunctionError:
    """Wrap an exception raised by the learner's function `fn` on `item`."""
    name = getattr(fn, "__qualname__", None) or repr(fn)
    err = UserFunctionError(
        step_id,
        operator,
        item,
        f"your function {name}() raised {type(exc).__name__}: {exc}",
        "fix the function, or filter such items out before this step "
        "(op.filter / op.filter_map); the traceback above shows where in your code",
    )
    exc.__traceback__ = user_frames(exc.__traceback__)
    return err


def user_frames(tb: TracebackType | None) -> TracebackType | None:
    """Drop learnstream's own frames from a traceback, keeping the learner's code.

    Set LEARNSTREAM_DEBUG=1 (or pass `--debug` to the CLI) to keep every frame.
    """
    if os.environ.get("LEARNSTREAM_DEBUG"):
        return tb
    frames: list[TracebackType] = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            frames.append(tb)
        tb = tb.tb_next
    for here, nxt in itertools.pairwise(frames):
        here.tb_next = nxt
    if frames:
        frames[-1].tb_next = None
        return frames[0]
    return None
