"""The grader's own strategies: inputs drawn from a recorded sequence of choices.

A grade must not depend on which version of a library is installed, so the
inputs that decide a verdict are drawn here, by code that ships with the
checks. The names are hypothesis's (`integers`, `lists`, `tuples`,
`sampled_from`, `one_of`, `floats`, `just`, `booleans`, `text`,
`characters`, `permutations`, `composite`, and `.map`, `.filter`,
`.flatmap`, `|`), so a check module imports
`from learnstream.grading.kit import strategies as st` and reads as before.

Every strategy draws through `Data.choice(n)`: an index in `range(n)` where
0 is the simplest choice (the integer nearest zero, the first element of a
`sampled_from`, a list that stops here). A fresh `Data` takes its indices
from a `random.Random(seed)` — biased, as hypothesis's are, toward boundaries
and small values — and records them; a `Data` made from a recorded sequence
replays it (indices past its end are 0). So an example *is* its sequence of
indices, and `kit.search` shrinks any strategy, through `map`, `filter`,
`flatmap` and `composite`, by editing that sequence: deleting spans, lowering
indices.

>>> data = Data(random.Random(1))
>>> value = data.draw(lists(integers(0, 9), max_size=4))
>>> Data(None, data.choices).draw(lists(integers(0, 9), max_size=4)) == value
True
>>> Data(None, []).draw(tuples(integers(-5, 5), text(), booleans()))
(0, '', False)
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

#: An example that needs more choices than this is rejected (a runaway strategy).
MAX_CHOICES = 20_000


class Reject(Exception):
    """This example cannot be drawn (a `filter` found nothing, too many choices): draw another."""


class Data:
    """The choices one example is made of: fresh from `rng` (and recorded), or replayed.

    `choices` holds every index drawn, in order, and `sizes` how many there
    were to choose from; `spans` the `(start, end)` of the choices each
    element of a collection used, which the shrinker tries to delete whole.
    """

    def __init__(self, rng: random.Random | None, replay: Sequence[int] = ()) -> None:
        self.rng = rng
        self.replay = replay
        self.choices: list[int] = []
        self.sizes: list[int] = []
        self.spans: list[tuple[int, int]] = []

    def choice(self, n: int, likely: Sequence[int] = ()) -> int:
        """An index in `range(n)`, 0 the simplest; `likely` are indices worth trying often."""
        at = len(self.choices)
        if at >= MAX_CHOICES:
            raise Reject
        if at < len(self.replay):
            index = min(self.replay[at], n - 1)
        elif self.rng is None:
            index = 0
        else:
            index = self._fresh(n, likely)
        self.choices.append(index)
        self.sizes.append(n)
        return index

    def _fresh(self, n: int, likely: Sequence[int]) -> int:
        rng = self.rng
        assert rng is not None
        roll = rng.random()
        if likely and roll < 0.25:  # a boundary: low, high, next to zero
            return rng.choice(likely)
        if n > 64 and roll < 0.6:  # a small value: as likely 0-9 as 10-99 as 100-999...
            return rng.randrange(min(n, 1 << rng.randint(1, n.bit_length())))
        return rng.randrange(n)

    def more(self, p: float) -> bool:
        """Whether a collection goes on: True with probability `p` (the simplest is False)."""
        at = len(self.choices)
        if at >= MAX_CHOICES:
            raise Reject
        if at < len(self.replay):
            go = self.replay[at] > 0
        else:
            go = self.rng is not None and self.rng.random() < p
        self.choices.append(int(go))
        self.sizes.append(2)
        return go

    def draw(self, strategy: SearchStrategy[T]) -> T:
        """A value of `strategy` (a `composite` function's `draw`)."""
        return strategy.do_draw(self)


class SearchStrategy(Generic[T]):
    """Draws values of type T from a `Data`."""

    def do_draw(self, data: Data) -> T:
        raise NotImplementedError

    def map(self, fn: Callable[[T], U]) -> SearchStrategy[U]:
        return _Mapped(self, fn)

    def filter(self, keep: Callable[[T], Any]) -> SearchStrategy[T]:
        return _Filtered(self, keep)

    def flatmap(self, then: Callable[[T], SearchStrategy[U]]) -> SearchStrategy[U]:
        return _FlatMapped(self, then)

    def __or__(self, other: SearchStrategy[U]) -> SearchStrategy[T | U]:
        return one_of(self, other)


class _Mapped(SearchStrategy[U], Generic[T, U]):
    def __init__(self, base: SearchStrategy[T], fn: Callable[[T], U]) -> None:
        self.base, self.fn = base, fn

    def do_draw(self, data: Data) -> U:
        return self.fn(data.draw(self.base))


class _Filtered(SearchStrategy[T]):
    def __init__(self, base: SearchStrategy[T], keep: Callable[[T], Any]) -> None:
        self.base, self.keep = base, keep

    def do_draw(self, data: Data) -> T:
        for _ in range(3):
            value = data.draw(self.base)
            if self.keep(value):
                return value
        raise Reject


class _FlatMapped(SearchStrategy[U], Generic[T, U]):
    def __init__(self, base: SearchStrategy[T], then: Callable[[T], SearchStrategy[U]]) -> None:
        self.base, self.then = base, then

    def do_draw(self, data: Data) -> U:
        return data.draw(self.then(data.draw(self.base)))


class _Just(SearchStrategy[T]):
    def __init__(self, value: T) -> None:
        self.value = value

    def do_draw(self, data: Data) -> T:
        return self.value


def just(value: T) -> SearchStrategy[T]:
    """Always `value`."""
    return _Just(value)


class _Integers(SearchStrategy[int]):
    """Integers in [low, high], indexed by nearness to the one nearest zero: t, t+1, t-1, t+2..."""

    def __init__(self, low: int, high: int) -> None:
        if low > high:
            raise ValueError(f"integers({low}, {high}): no integer is in that range")
        self.low, self.high = low, high
        self.target = min(max(0, low), high)
        near = (low, high, self.target - 1, self.target + 1)
        self.likely = sorted({self.index_of(v) for v in near if low <= v <= high})

    def index_of(self, value: int) -> int:
        up, down = self.high - self.target, self.target - self.low
        both, off = min(up, down), value - self.target
        if abs(off) <= both:
            return 2 * off - 1 if off > 0 else -2 * off
        return both + abs(off)

    def value_at(self, index: int) -> int:
        up, down = self.high - self.target, self.target - self.low
        both = min(up, down)
        if index <= 2 * both:
            step = (index + 1) // 2
            return self.target + step if index % 2 else self.target - step
        return self.target + (index - both) * (1 if up > down else -1)

    def do_draw(self, data: Data) -> int:
        return self.value_at(data.choice(self.high - self.low + 1, self.likely))


class _UnboundedIntegers(SearchStrategy[int]):
    """Any integer: first a size (8 to 128 bits, small first), then a value of that size."""

    SIZES = (8, 16, 32, 64, 128)

    def __init__(self, low: int | None, high: int | None) -> None:
        self.low, self.high = low, high

    def do_draw(self, data: Data) -> int:
        reach = 1 << self.SIZES[data.choice(len(self.SIZES))]
        low = (
            self.low if self.low is not None else -reach if self.high is None else self.high - reach
        )
        high = (
            self.high
            if self.high is not None
            else low + 2 * reach
            if self.low is None
            else low + reach
        )
        return data.draw(_Integers(low, high))


def integers(min_value: int | None = None, max_value: int | None = None) -> SearchStrategy[int]:
    """Integers in [min_value, max_value] (either may be open), shrinking toward zero."""
    if min_value is None or max_value is None:
        return _UnboundedIntegers(min_value, max_value)
    return _Integers(min_value, max_value)


def booleans() -> SearchStrategy[bool]:
    """False or True, shrinking toward False."""
    return _Integers(0, 1).map(bool)


class _Sampled(SearchStrategy[T]):
    def __init__(self, elements: Sequence[T]) -> None:
        if not elements:
            raise ValueError("sampled_from() needs at least one element")
        self.elements = tuple(elements)

    def do_draw(self, data: Data) -> T:
        return self.elements[data.choice(len(self.elements))]


def sampled_from(elements: Sequence[T]) -> SearchStrategy[T]:
    """One of `elements`, shrinking toward the first."""
    return _Sampled(elements)


class _OneOf(SearchStrategy[Any]):
    def __init__(self, options: Sequence[SearchStrategy[Any]]) -> None:
        self.options = tuple(options)

    def do_draw(self, data: Data) -> Any:
        return data.draw(self.options[data.choice(len(self.options))])


def one_of(*strategies: SearchStrategy[Any]) -> SearchStrategy[Any]:
    """A value of one of `strategies`, shrinking toward the first."""
    flat: list[SearchStrategy[Any]] = []
    for strategy in strategies:
        flat.extend(strategy.options if isinstance(strategy, _OneOf) else (strategy,))
    return _OneOf(flat)


class _Tuples(SearchStrategy[tuple[Any, ...]]):
    def __init__(self, parts: Sequence[SearchStrategy[Any]]) -> None:
        self.parts = tuple(parts)

    def do_draw(self, data: Data) -> tuple[Any, ...]:
        return tuple(data.draw(part) for part in self.parts)


def tuples(*parts: SearchStrategy[Any]) -> SearchStrategy[tuple[Any, ...]]:
    """A tuple of one value from each of `parts`."""
    return _Tuples(parts)


class _Lists(SearchStrategy[list[T]]):
    """Lists whose elements each follow a "more?" choice, so that deleting that span removes one."""

    def __init__(
        self,
        elements: SearchStrategy[T],
        min_size: int,
        max_size: int | None,
        unique_by: Callable[[T], Hashable] | None,
    ) -> None:
        self.elements, self.min_size, self.unique_by = elements, min_size, unique_by
        self.max_size = max_size if max_size is not None else max(min_size * 2, min_size + 100)
        average = min(max(min_size * 2, min_size + 5), (min_size + self.max_size) / 2)
        extra = average - min_size
        self.p_more = extra / (1 + extra)

    def do_draw(self, data: Data) -> list[T]:
        items: list[T] = []
        keys: set[Hashable] = set()
        duplicates = 0
        while len(items) < self.max_size:
            start = len(data.choices)
            if len(items) >= self.min_size and not data.more(self.p_more):
                break
            item = data.draw(self.elements)
            data.spans.append((start, len(data.choices)))
            if self.unique_by is not None:
                key = self.unique_by(item)
                if key in keys:
                    duplicates += 1
                    if duplicates > 10 + 2 * self.max_size:
                        break
                    continue
                keys.add(key)
            items.append(item)
        if len(items) < self.min_size:
            raise Reject
        return items


def lists(
    elements: SearchStrategy[T],
    *,
    min_size: int = 0,
    max_size: int | None = None,
    unique_by: Callable[[T], Hashable] | None = None,
) -> SearchStrategy[list[T]]:
    """Lists of `elements` (no two with the same `unique_by` key), short ones most often."""
    return _Lists(elements, min_size, max_size, unique_by)


class _Permutations(SearchStrategy[list[T]]):
    def __init__(self, values: Sequence[T]) -> None:
        self.values = list(values)

    def do_draw(self, data: Data) -> list[T]:
        out = list(self.values)
        for i in range(len(out) - 1):  # all zeros: the order as given
            j = i + data.choice(len(out) - i)
            out[i], out[j] = out[j], out[i]
        return out


def permutations(values: Sequence[T]) -> SearchStrategy[list[T]]:
    """`values` in any order, shrinking toward the order given."""
    return _Permutations(values)


_FRACTION_BITS = 52


class _Floats(SearchStrategy[float]):
    """A whole part and a fraction (shrinking toward whole numbers near zero), or a special value."""

    def __init__(self, low: float, high: float, specials: Sequence[float]) -> None:
        self.low, self.high = low, high
        self.whole = _Integers(math.floor(low), math.floor(high))
        self.specials = specials  # the bounds first

    def do_draw(self, data: Data) -> float:
        if self.specials and data.choice(3) == 2:
            return self.specials[data.choice(len(self.specials), likely=(0, 1))]
        whole = data.draw(self.whole)
        # index 1 is 1/2, 2 is 1/4, 3 is 3/4, 4 is 1/8...: the fewer binary digits, the simpler
        bits = data.choice(1 << _FRACTION_BITS)
        fraction = int(f"{bits:0{_FRACTION_BITS}b}"[::-1], 2) / (1 << _FRACTION_BITS)
        return min(max(whole + fraction, self.low), self.high)


def floats(
    min_value: float | None = None,
    max_value: float | None = None,
    *,
    allow_nan: bool | None = None,
    allow_infinity: bool | None = None,
) -> SearchStrategy[float]:
    """Floats in [min_value, max_value]; unbounded, also infinities and nan unless excluded."""
    biggest = 2.0**1023
    low = -biggest if min_value is None else float(min_value)
    high = biggest if max_value is None else float(max_value)
    candidates = [low, high, 0.0, -0.0, 0.5, -0.5, 0.1, 1 / 3, 1e-300, 5e-324, -5e-324, 1e300]
    specials = [x for x in candidates if low <= x <= high]
    if allow_infinity is not False:
        specials += [
            x for x, open_ in ((math.inf, max_value), (-math.inf, min_value)) if open_ is None
        ]
    if allow_nan is not False and min_value is None and max_value is None:
        specials.append(math.nan)
    return _Floats(low, high, list(dict.fromkeys(specials)))


#: Characters in the order they shrink: digits, letters, then the rest of printable ASCII.
_SIMPLE_FIRST = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_SURROGATES = (0xD800, 0xDFFF)


class _Characters(SearchStrategy[str]):
    """One character: index i < len(first) is `first[i]`, then the others by code point."""

    def __init__(self, low: int, high: int, exclude: str) -> None:
        skipped = {ord(c) for c in exclude}
        self.first = [c for c in _SIMPLE_FIRST if low <= ord(c) <= high and ord(c) not in skipped]
        holes = sorted({*(ord(c) for c in self.first), *skipped})
        holes += range(max(low, _SURROGATES[0]), min(high, _SURROGATES[1]) + 1)
        self.starts: list[int] = []  # the code point ranges left: starts, and indices there
        self.indices: list[int] = []
        index, start = len(self.first), low
        for hole in sorted(h for h in set(holes) if low <= h <= high):
            if hole > start:
                self.starts.append(start)
                self.indices.append(index)
                index += hole - start
            start = hole + 1
        if start <= high:
            self.starts.append(start)
            self.indices.append(index)
            index += high + 1 - start
        if index == 0:
            raise ValueError("characters(): no character is allowed")
        self.size = index

    def do_draw(self, data: Data) -> str:
        index = data.choice(self.size)
        if index < len(self.first):
            return self.first[index]
        at = bisect.bisect_right(self.indices, index) - 1
        return chr(self.starts[at] + index - self.indices[at])


def characters(
    *,
    codec: str | None = None,
    min_codepoint: int | None = None,
    max_codepoint: int | None = None,
    exclude_characters: str = "",
) -> SearchStrategy[str]:
    """One character (never a surrogate), from `codec`'s range ("ascii", "utf-8", None)."""
    top = 0x7F if codec == "ascii" else 0x10FFFF
    high = top if max_codepoint is None else min(max_codepoint, top)
    return _Characters(min_codepoint or 0, high, exclude_characters)


def text(
    alphabet: SearchStrategy[str] | str | None = None,
    *,
    min_size: int = 0,
    max_size: int | None = None,
) -> SearchStrategy[str]:
    """Strings of characters from `alphabet` (a strategy, or a str of allowed characters)."""
    chars = (
        characters()
        if alphabet is None
        else sampled_from(list(alphabet))
        if isinstance(alphabet, str)
        else alphabet
    )
    return lists(chars, min_size=min_size, max_size=max_size).map("".join)


class _Composite(SearchStrategy[T]):
    def __init__(self, build: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]):
        self.build, self.args, self.kwargs = build, args, kwargs

    def do_draw(self, data: Data) -> T:
        return self.build(data.draw, *self.args, **self.kwargs)


def composite(build: Callable[..., T]) -> Callable[..., SearchStrategy[T]]:
    """`build(draw, *args)` as a strategy: `composite(build)(*args)`; `draw(s)` draws from s."""

    def strategy(*args: Any, **kwargs: Any) -> SearchStrategy[T]:
        return _Composite(build, args, kwargs)

    return strategy
