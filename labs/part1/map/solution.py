"""Exercise 2 — `map`: transform every item of a stream.

*Mapping* applies a function to each item as it passes. On a stream that never
ends, the mapped stream must never end either, and it must hand out each result
as soon as its input arrives: it may not wait for "all the items" (there is no
such thing), and it may not read ahead.

Write `double(stream)`: it takes any iterable of numbers (often an endless
generator such as `rand_stream()` from exercise 1) and lazily yields each
value times two, in order, keeping its type (an `int` stays an `int`).

Try it:

    >>> import itertools
    >>> from ex2_map import double
    >>> doubled = double(itertools.count())      # 0, 1, 2, ... never ends
    >>> list(itertools.islice(doubled, 4))
    [0, 2, 4, 6]

Beware the classic slip: `double(rand_stream)` passes the *function*; pass the
stream, `double(rand_stream())`.

Check your work: `learnstream grade part1 map`. Stuck? `learnstream hint part1 map`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def double(stream: Iterable[float]) -> Iterator[float]:
    """Yield each value of `stream` times two, one at a time."""
    # BEGIN SOLUTION
    for value in stream:
        yield value * 2
    # STUB
    # # TODO: take the values of `stream` one by one and yield each one doubled.
    # raise NotImplementedError("double is not written yet")
    # END SOLUTION
