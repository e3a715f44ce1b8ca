"""A seeded search for a failing input, and the shrinker that makes it small.

`search(strategy, test, seed=..., max_examples=...)` calls `test` on the
simplest example of `strategy` (every choice 0), then on examples drawn from
`random.Random(seed)`, never the same one twice. When `test` raises, the
example's choices (see `kit.strategies`) are shrunk: the shrinker deletes
spans of them (an element of a list, with its "more?" choice), lowers each
one (to 0, else as far as a binary search finds), lowers equal ones together,
moves a value onto a later choice, and lowers a size while deleting what it
sized, keeping an edit whenever the example it makes still fails with the same type of exception and is smaller
— fewer choices, or the same number and lower ones. The smallest is run once
more and its exception raised; if it passes then, the test is not
deterministic (`Unreproducible`).

Nothing here depends on anything but the seed and what `test` does, so the
same seed finds and shrinks to the same input in any process, whatever is
installed or loaded. A `BaseException` from `test` (a hang, a crash) stops
everything at once and is raised as it is.

>>> from learnstream.grading.kit import strategies as st
>>> smallest = []
>>> def test(xs):
...     smallest[:] = xs
...     assert sum(xs) < 100
>>> search(st.lists(st.integers(0, 1000)), test, seed=3, max_examples=100)
Traceback (most recent call last):
AssertionError
>>> smallest
[100]
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Generic, TypeVar

from learnstream.grading.kit.strategies import Data, Reject, SearchStrategy

T = TypeVar("T")

#: How many more runs of the test the shrinker may spend on one failure.
SHRINK_RUNS = 300


class Unreproducible(Exception):
    """The smallest failing example passed when it was run again."""


class Unsatisfiable(Exception):
    """The strategy rejected almost every example it drew (a `filter` too strict)."""


def search(
    strategy: SearchStrategy[T],
    test: Callable[[T], None],
    *,
    seed: int,
    max_examples: int,
    shrink_runs: int = SHRINK_RUNS,
) -> None:
    """Run `test` on up to `max_examples` examples; raise the smallest failure found."""
    rng = random.Random(seed)
    tried: set[tuple[int, ...]] = set()
    runs = rejected = repeats = 0
    data = Data(None)  # the simplest example first
    while runs < max_examples:
        try:
            value = data.draw(strategy)
        except Reject:
            rejected += 1
            if rejected > 10 * max_examples:
                raise Unsatisfiable(f"{strategy!r} rejected {rejected} examples") from None
        else:
            key = tuple(data.choices)
            if key not in tried:
                tried.add(key)
                runs += 1
                try:
                    test(value)
                except Exception as failure:
                    smallest = shrink(strategy, test, data.choices, type(failure), shrink_runs)
                    _run_again(strategy, test, smallest)
            else:
                repeats += 1
                if repeats > max_examples:  # the strategy has few examples: all tried
                    return
        data = Data(rng)


def _run_again(strategy: SearchStrategy[T], test: Callable[[T], None], choices: list[int]) -> None:
    test(Data(None, choices).draw(strategy))
    raise Unreproducible("the smallest failing example passed when run again")


def shrink(
    strategy: SearchStrategy[T],
    test: Callable[[T], None],
    choices: list[int],
    failure: type[Exception],
    runs: int,
) -> list[int]:
    """The smallest choices found, within `runs` runs of `test`, whose example fails so."""
    shrinker = _Shrinker(strategy, test, choices, failure, runs)
    changed = True
    while changed and shrinker.left > 0:
        changed = shrinker.delete_spans()
        changed |= shrinker.lower_each()
        changed |= shrinker.lower_equal_together()
        changed |= shrinker.move_to_later()
        changed |= shrinker.lower_and_delete()
    return shrinker.best


class _Shrinker(Generic[T]):
    """The best (smallest failing) choices so far, and the edits tried on them."""

    def __init__(
        self,
        strategy: SearchStrategy[T],
        test: Callable[[T], None],
        choices: list[int],
        failure: type[Exception],
        runs: int,
    ) -> None:
        self.strategy, self.test, self.failure, self.left = strategy, test, failure, runs
        data = Data(None, choices)
        data.draw(strategy)
        self.best, self.sizes, self.spans = choices, data.sizes, data.spans
        self.seen = {tuple(choices)}

    def fails(self, candidate: list[int]) -> bool:
        """Whether `candidate` makes a smaller example that fails; if so it becomes the best."""
        data = Data(None, candidate)
        try:
            value = data.draw(self.strategy)
        except Reject:
            return False
        key = tuple(data.choices)
        if self.left <= 0 or key in self.seen or not _smaller(data.choices, self.best):
            return False
        self.seen.add(key)
        self.left -= 1
        try:
            self.test(value)
        except self.failure:
            self.best, self.sizes, self.spans = data.choices, data.sizes, data.spans
            return True
        except Exception:
            return False
        return False

    def delete_spans(self) -> bool:
        """Delete each span in turn (after a deletion, the next span has the same place)."""
        changed, at = False, 0
        while at < len(self.spans) and self.left > 0:
            start, end = sorted(self.spans, key=lambda s: (s[0], -s[1]))[at]
            if self.fails(self.best[:start] + self.best[end:]):
                changed = True
            else:
                at += 1
        return changed

    def lower_each(self) -> bool:
        """Lower each choice: to 0, else as far as a binary search finds."""
        changed = False
        for i in range(len(self.best)):
            if i < len(self.best) and self.best[i] > 0:
                changed |= self._lower([i])
        return changed

    def lower_equal_together(self) -> bool:
        """Lower equal choices all at once (duplicates that must stay duplicates)."""
        changed = False
        for value, size in sorted(
            {(c, n) for c, n in zip(self.best, self.sizes, strict=True) if c}, reverse=True
        ):
            where = [i for i, c in enumerate(self.best) if (c, self.sizes[i]) == (value, size)]
            if len(where) > 1:
                changed |= self._lower(where)
        return changed

    def move_to_later(self) -> bool:
        """Move a choice's value onto a later one (`[68, 32]` to `[0, 100]`): the next three
        choices, and the next three with as many options (the same field of the next rows)."""
        changed, i = False, 0
        while i < len(self.best) and self.left > 0:
            value, size = self.best[i], self.sizes[i]
            alike = [j for j in range(i + 1, len(self.best)) if self.sizes[j] == size][:3]
            for j in sorted({*alike, *range(i + 1, min(i + 4, len(self.best)))}) if value else ():
                moved = [*self.best]
                moved[i], moved[j] = 0, min(moved[j] + value, size - 1)
                if self.fails(moved):
                    changed = True
                    break
            i += 1
        return changed

    def lower_and_delete(self) -> bool:
        """Lower a choice by one and delete the one or two after it (a size and an element)."""
        changed, i = False, 0
        while i < len(self.best) and self.left > 0:
            for k in (1, 2) if self.best[i] else ():
                if self.fails([*self.best[:i], self.best[i] - 1, *self.best[i + 1 + k :]]):
                    changed = True
                    break
            i += 1
        return changed

    def _lower(self, where: list[int]) -> bool:
        """Set the choices at `where` (all equal) to the lowest value that still fails."""

        def to(value: int) -> list[int]:
            return [value if i in where else c for i, c in enumerate(self.best)]

        if self.fails(to(0)):
            return True
        changed, low, high = False, 0, self.best[where[0]]
        while low + 1 < high and self.left > 0 and where[-1] < len(self.best):
            middle = (low + high) // 2
            if self.fails(to(middle)):
                high, changed = middle, True
            else:
                low = middle
        return changed


def _smaller(a: list[int], b: list[int]) -> bool:
    """Shortlex order: fewer choices, or as many and lower ones first."""
    return (len(a), a) < (len(b), b)
