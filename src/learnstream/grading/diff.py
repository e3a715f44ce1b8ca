"""Expected vs actual, for streams: where they first part ways, with a few items around it.

>>> print(stream_diff([2, 4, 6, 8], [2, 4, 6.0, 8.0]))
first difference at item 2 (counting from 0); expected 4 items, got 4
       #  expected  yours
       0  2         2
       1  4         4
    →  2  6         6.0
       3  8         8.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from learnstream.errors import short_repr
from learnstream.grading.codec import same
from learnstream.wording import plural

_ENDED = "(ended)"
_COLUMN = 40


def first_difference(
    expected: Sequence[Any], actual: Sequence[Any], equal: Callable[[Any, Any], bool] = same
) -> int | None:
    """The index of the first item that differs (or where one stream ends), else None.

    >>> first_difference([1, 2], [1, 2]), first_difference([1, 2], [1]), first_difference([1], [2])
    (None, 1, 0)
    """
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        if not equal(want, got):
            return index
    if len(expected) != len(actual):
        return min(len(expected), len(actual))
    return None


def _cell(items: Sequence[Any], index: int) -> str:
    if index >= len(items):
        return _ENDED
    text = short_repr(items[index])
    return text if len(text) <= _COLUMN else text[: _COLUMN - 3] + "..."


def stream_diff(
    expected: Sequence[Any],
    actual: Sequence[Any],
    *,
    equal: Callable[[Any, Any], bool] = same,
    window: int = 2,
) -> str:
    """A small table of the items around the first difference ("" when there is none).

    >>> print(stream_diff([1, 2, 3], [1, 2]))
    first difference at item 2 (counting from 0); expected 3 items, got 2
    your stream ended too early
           #  expected  yours
           0  1         1
           1  2         2
        →  2  3         (ended)
    """
    index = first_difference(expected, actual, equal)
    if index is None:
        return ""
    lines = [
        f"first difference at item {index} (counting from 0); "
        f"expected {plural(len(expected), 'item')}, got {len(actual)}"
    ]
    if index == len(actual):
        lines.append("your stream ended too early")
    elif index == len(expected):
        lines.append("your stream has items after the expected ones ended")
    last = min(max(len(expected), len(actual)) - 1, index + window)
    rows = [
        (str(i), _cell(expected, i), _cell(actual, i))
        for i in range(max(0, index - window), last + 1)
    ]
    widths = [max(len(row[c]) for row in [("#", "expected", "yours"), *rows]) for c in range(3)]

    def line(mark: str, row: tuple[str, str, str]) -> str:
        number, want, got = row
        return (f"    {mark:1}  {number:>{widths[0]}}  {want:<{widths[1]}}  {got}").rstrip()

    lines.append(line("", ("#", "expected", "yours")))
    lines.extend(line("→" if row[0] == str(index) else "", row) for row in rows)
    return "\n".join(lines)
