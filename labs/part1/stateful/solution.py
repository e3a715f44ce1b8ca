"""Exercise 4 — `stateful`: remember something between items.

`double` and `less_than_fifty` look at one item at a time and forget it: they
are *stateless*. Many useful stream computations need *state* carried from one
item to the next — a count, a sum, the last value seen.

Write `running_mean(stream)`: after each value of `stream` it lazily yields the
mean of **all** the values seen so far. Keep the state in plain Python
variables inside the generator (no lists of every value: the stream may be
endless, and memory is not).

Try it:

    >>> from ex4_stateful import running_mean
    >>> list(running_mean([2, 4, 9]))
    [2.0, 3.0, 5.0]

Check your work: `learnstream grade part1 stateful`. Stuck? `learnstream hint part1 stateful`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def running_mean(stream: Iterable[float]) -> Iterator[float]:
    """After each value of `stream`, yield the mean of every value so far."""
    # BEGIN SOLUTION
    total = 0
    count = 0
    for value in stream:
        total += value
        count += 1
        yield total / count
    # STUB
    # # TODO: keep a running total and a count of the values seen so far.
    # # TODO: after each value, update them and yield total / count.
    # raise NotImplementedError("running_mean is not written yet")
    # END SOLUTION
