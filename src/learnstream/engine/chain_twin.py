"""A chain of stateless steps over a batch, in one pass: the readable twin of `csrc/chain.c`.

`map` and `filter` are *stages*: a map stage replaces an item with `fn(item)`; a
filter stage lets it go on when `fn(item)` is `True` and drops it when `False`.
The executor fuses neighbouring `map` and `filter` steps into one chain
(`learnstream.engine.chains`), and `run_chain` takes each item through every
stage before the next item, so nothing is built between the stages.

The C core's `ls_chain_run` does exactly this loop through the CPython API;
`chain_c.run_chain` has the same signature and results.

>>> run_chain([1, 2, 3, 4], (lambda x: x * 10, lambda x: x > 15), bytes([MAP, FILTER]))
([20, 30, 40], None)
>>> run_chain([1, 2], (lambda x: 1 / (x - 2),), bytes([MAP]))[1][:3]
(1, 0, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from learnstream.engine.constants import FILTER, MAP

__all__ = ["FILTER", "MAP", "Failure", "run_chain"]


class Failure(NamedTuple):
    """Where a chain stopped: the item `index` of the batch, at stage `stage`."""

    index: int  # type: ignore[assignment]  # a field named as tuple's method, on purpose
    stage: int  # -1: no stage's fault (out of memory while collecting the results)
    item: Any  # what the stage's function was given
    what: Any  # the exception it raised, or its answer that was not a bool
    raised: bool


def run_chain(
    items: list[Any], fns: Sequence[Callable[[Any], Any]], kinds: bytes
) -> tuple[list[Any], Failure | None]:
    """Everything that comes out of the stages, and the failure that stopped them, if any.

    On a failure, the items before it have gone through (they are in the list);
    every exception is caught, even `KeyboardInterrupt`, for the caller to re-raise.
    """
    out: list[Any] = []
    stages = list(zip(fns, kinds, strict=True))
    for index, item in enumerate(items):
        for stage, (fn, kind) in enumerate(stages):
            try:
                answer = fn(item)
            except BaseException as exc:
                return out, Failure(index, stage, item, exc, True)
            if kind == MAP:
                item = answer
            elif answer is True:
                continue
            elif answer is False:
                break
            else:
                return out, Failure(index, stage, item, answer, False)
        else:  # no filter dropped it
            out.append(item)
    return out, None
