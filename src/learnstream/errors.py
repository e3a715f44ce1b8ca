"""Errors a learner can act on: each names the step, the operator, the item and the fix."""

from __future__ import annotations

import itertools
import os
import reprlib
from types import TracebackType
from typing import Any

from learnstream.wording import a_or_an, plural

__all__ = [
    "BytewaxRuntimeError",
    "DataflowError",
    "FlowRunError",
    "KeyedItemError",
    "LearnstreamError",
    "StepError",
    "UserFunctionError",
]

_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))

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


class BytewaxRuntimeError(LearnstreamError, RuntimeError):
    """A flow failed while it ran (Bytewax's `bytewax.errors.BytewaxRuntimeError`).

    Every error `run_main` raises because of what happened during the run is one,
    so a Bytewax user's `except BytewaxRuntimeError` (imported from
    `learnstream.errors`) catches what it catches on Bytewax; the exception that
    caused it is its `__cause__`.
    """


class StepError(BytewaxRuntimeError):
    """An item could not go through a step while the flow ran.

    A `RuntimeError`, as Bytewax's run-time errors are; the exception that caused
    it (the learner's, or one worded as Bytewax words the problem) is its
    `__cause__`.
    """

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


class FlowRunError(BytewaxRuntimeError):
    """The flow as a whole cannot run (no input, no output); the cause says why."""


class UserFunctionError(StepError):
    """A function the learner gave to an operator raised an exception."""


class KeyedItemError(StepError):
    """A keyed step got something other than a `(str, value)` 2-tuple.

    A RuntimeError caused by a TypeError, as in Bytewax (not a TypeError itself:
    Bytewax's users check for a RuntimeError around a TypeError).
    """


def wrong_return_type(role: str, fn: Any, step_id: str, expected: str, got: Any) -> TypeError:
    """Bytewax's words for a function returning the wrong type; its users match on them."""
    name = "" if fn is None else f"{getattr(fn, '__qualname__', None) or repr(fn)} "
    return TypeError(
        f"return value of `{role}` {name}in step {step_id!r} must be a `{expected}`; "
        f"got a {type(got)!r} instead"
    )


_KEY_ON_FIX = (
    "key the stream first: op.key_on('key', stream, lambda x: str(...)) makes (key, item) 2-tuples"
)


def keyed_item_problem(step_id: str, operator: str, item: Any) -> KeyedItemError:
    """Explain why `item` is not a keyed item (see `learnstream.engine.keyed_items`)."""
    kind = type(item)
    if kind is tuple and len(item) == 2:
        got = f"a key of type {type(item[0]).__name__}"
    elif kind is tuple:
        got = f"a tuple of {plural(len(item), 'item')}"
    elif isinstance(item, tuple):
        got = f"{a_or_an(kind.__name__)} (a tuple subclass; keyed items are plain tuples)"
    else:
        got = a_or_an(kind.__name__)
    err = KeyedItemError(
        step_id,
        operator,
        item,
        f"is a keyed operator: each item must be a (key, value) 2-tuple with a str key, "
        f"but got {got}",
        _KEY_ON_FIX,
    )
    err.__cause__ = TypeError(
        f"step {step_id!r} requires `(key, value)` 2-tuple as upstream for routing; "
        f"got a {kind!r} instead"
    )
    return err


def key_function_problem(
    step_id: str, operator: str, item: Any, key: Any, fn: Any = None
) -> KeyedItemError:
    """Explain why the key function `fn` of `step_id` cannot return `key` for `item`.

    A key that is a container (a list of words, say) is almost never a key that
    should become text: the item itself is usually a whole list that an
    `op.map` upstream returned where `op.flat_map` would have emitted its
    elements one by one, and `str(...)` would silently count stringified lists.
    """
    fix = "return a str from the key function, e.g. lambda x: str(x['id'])"
    if isinstance(key, list | tuple | set | frozenset | dict):
        whole = "the item itself is" if key is item else "your key function returned"
        fix = (
            f"{whole} {a_or_an(type(key).__name__)}, not one key: if a step before this one "
            "returns a list of things to count (e.g. the words of a line), use op.flat_map "
            "there, not op.map, so each element goes on as its own item"
        )
    err = KeyedItemError(
        step_id,
        operator,
        item,
        f"got the key {short_repr(key)} ({a_or_an(type(key).__name__)}) from your key "
        "function; keys must be str",
        fix,
    )
    err.__cause__ = wrong_return_type("key", fn, step_id, "str", key)
    return err


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
