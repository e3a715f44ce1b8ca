"""Exercise 1 — `generator`: an endless stream of random numbers.

A stream has no last item. In Python the natural way to write one is a
*generator*: a function with `yield` in it. Calling it runs nothing yet; each
`next()` runs the body until the next `yield` and hands that value out.

Write `rand_stream(low=0, high=100, rng=None)`: a generator that yields random
integers between `low` and `high`, **both included**, forever.

- When `rng` (a `random.Random`) is given, draw every number from it, so that a
  seeded `rng` makes the stream reproducible. Otherwise draw from the `random`
  module.
- Yield plain `int`s, one at a time: `next(rand_stream())` must return at once,
  and the stream must never run out.

Try it in a Python shell from this folder:

    >>> import itertools, random
    >>> from ex1_generator import rand_stream
    >>> stream = rand_stream(1, 6, rng=random.Random(42))
    >>> next(stream)                        # one throw of a die
    6
    >>> list(itertools.islice(stream, 5))   # five more (never call list(stream)!)
    [1, 1, 6, 3, 2]

Check your work: `learnstream grade part1 generator`.
Stuck? `learnstream hint part1 generator`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator


def rand_stream(low: int = 0, high: int = 100, rng: random.Random | None = None) -> Iterator[int]:
    """Yield random ints in [low, high], both ends included, forever."""
    # BEGIN SOLUTION
    source = random if rng is None else rng
    while True:
        yield source.randint(low, high)
    # STUB
    # # TODO: choose where the numbers come from: `rng` if one is given, else the `random` module.
    # # TODO: loop forever, and on each turn yield one random int between low and high (inclusive).
    # raise NotImplementedError("rand_stream is not written yet")
    # END SOLUTION
