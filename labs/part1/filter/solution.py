"""Exercise 3 — `filter`: keep only some items of a stream.

*Filtering* lets through the items that pass a test and drops the rest. Like a
map, a filter on an endless stream must work one item at a time and keep the
items in the order they came.

Write `less_than_fifty(stream)`: it lazily yields the values of `stream` that
are strictly less than 50, in their original order. 50 itself is dropped;
negative numbers and floats such as 49.5 are kept.

Try it:

    >>> from ex3_filter import less_than_fifty
    >>> list(less_than_fifty([7, 50, 49.5, 80, -3]))
    [7, 49.5, -3]

Check your work: `learnstream grade part1 filter`. Stuck? `learnstream hint part1 filter`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def less_than_fifty(stream: Iterable[float]) -> Iterator[float]:
    """Yield the values of `stream` that are < 50, in order, one at a time."""
    # BEGIN SOLUTION
    for value in stream:
        if value < 50:
            yield value
    # STUB
    # # TODO: go through `stream` item by item and yield only the values below 50.
    # raise NotImplementedError("less_than_fifty is not written yet")
    # END SOLUTION
