"""Judging a stream of answers: the learner's items against the reference's, item by item.

`stream_diff` shows expected vs actual around the first difference;
`compare_streams` fails a check with it; `iterator_items`, `type_trouble` and
`check_laziness` read what the `take` probe reported (did the call give an
iterator, of which types, reading how much of its input).

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
from learnstream.grading.codec import a_type_name, same
from learnstream.grading.failures import CheckFailed, FailureKind
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


def compare_streams(
    call: str, expected: list[Any], actual: list[Any], equal: Callable[[Any, Any], bool] = same
) -> None:
    """Fail with a stream diff unless `actual` matches `expected` item by item.

    >>> compare_streams("double(iter([1]))", [2], [2.0])
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: double(iter([1])) gave the wrong stream: item 0 is a float, expected an int (2.0 instead of 2)
    """
    index = first_difference(expected, actual, equal)
    if index is None:
        return
    message = f"{call} gave the wrong stream"
    kind = FailureKind.WRONG_SHAPE
    if index < len(expected) and index < len(actual):
        want, got = expected[index], actual[index]
        kind = FailureKind.WRONG_VALUE
        if type(want) is not type(got):
            kind = FailureKind.WRONG_TYPE
            message += (
                f": item {index} is {a_type_name(got)}, expected {a_type_name(want)} "
                f"({short_repr(got)} instead of {short_repr(want)})"
            )
    raise CheckFailed(message, stream_diff(expected, actual, equal=equal), kind=kind)


def iterator_items(report: dict[str, Any], call: str) -> list[Any]:
    """The items a `take` report holds, failing when the call gave no iterator."""
    if not report["iterator"]:
        kind = report["type"]
        advice = (
            "use `yield` inside a loop so that it hands out one item at a time"
            if kind in ("list", "tuple", "set", "dict")
            else "write it as a generator: a function with `yield` in it"
        )
        raise CheckFailed(
            f"{call} returned a {kind}, not an iterator: {advice}", kind=FailureKind.WRONG_SHAPE
        )
    items: list[Any] = report["items"]
    return items


def type_trouble(items: list[Any], allowed: tuple[type, ...]) -> str | None:
    """A sentence about the first item whose type is not allowed, if any.

    >>> type_trouble([1, 2.5], (int,))
    'item 1 is 2.5, a float; every item must be a plain int'
    """
    for index, item in enumerate(items):
        if type(item) not in allowed:
            names = " or ".join(t.__name__ for t in allowed)
            return (
                f"item {index} is {short_repr(item)}, {a_type_name(item)}; "
                f"every item must be a plain {names}"
            )
    return None


def check_laziness(call: str, report: dict[str, Any], taken: int, needed: int) -> None:
    """Fail if taking `taken` items pulled more than `needed` (+1) input items."""
    if report["pulled_at_call"] > 1:
        raise CheckFailed(
            f"{call} read {report['pulled_at_call']} input items before anyone asked it for "
            "an item: it must not read its input until next() is called",
            kind=FailureKind.EAGER,
        )
    if report["pulled"] > needed + 1:
        raise CheckFailed(
            f"to give {taken} items, {call} read {report['pulled']} input items (it needs only "
            f"{needed}): it must read the input one item at a time, as it goes",
            kind=FailureKind.EAGER,
        )
