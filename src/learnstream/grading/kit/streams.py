"""Judging a stream of answers: the learner's items against the reference's, item by item.

`stream_diff` shows expected vs actual around the first difference;
`compare_streams` fails a check with it (lengths first, then types, then
values); `iterator_items`, `type_trouble` and `check_laziness` read what the
`take` probe reported (did the call give an iterator, of which types, reading
how much of its input before each result); `check_endless` and
`check_constant_state` read the `drain` and `state_growth` probes (does a stream
go on, does a state stay the same size however long the stream).

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
from learnstream.wording import a_or_an, plural

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

    The shape comes first: a stream with an item too many or too few is wrong
    in its length, whatever the types of the items that moved up; only two
    streams of the same length are compared type by type, then value by value.

    >>> compare_streams("double(iter([1]))", [2], [2.0])
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: double(iter([1])) gave the wrong stream: item 0 is a float, expected an int (2.0 instead of 2)
    >>> compare_streams("keep(iter([7, 50]))", [7], [7, 50])
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: keep(iter([7, 50])) gave the wrong stream: 2 items, expected 1 (an extra item: 50)
    """
    index = first_difference(expected, actual, equal)
    if index is None:
        return
    message = f"{call} gave the wrong stream"
    details = stream_diff(expected, actual, equal=equal)
    if len(expected) != len(actual):
        message += f": {plural(len(actual), 'item')}, expected {len(expected)}"
        extra = _odd_one_out(actual, expected, equal)
        missing = _odd_one_out(expected, actual, equal)
        if extra is not None:
            message += f" (an extra item: {short_repr(extra)})"
        elif missing is not None:
            message += f" (a missing item: {short_repr(missing)})"
        raise CheckFailed(message, details, kind=FailureKind.WRONG_SHAPE)
    want, got = expected[index], actual[index]
    kind = FailureKind.WRONG_VALUE
    if type(want) is not type(got):
        kind = FailureKind.WRONG_TYPE
        message += (
            f": item {index} is {a_type_name(got)}, expected {a_type_name(want)} "
            f"({short_repr(got)} instead of {short_repr(want)})"
        )
    raise CheckFailed(message, details, kind=kind)


def _odd_one_out(
    longer: Sequence[Any], shorter: Sequence[Any], equal: Callable[[Any, Any], bool]
) -> Any | None:
    """The one item of `longer` whose removal leaves `shorter`, if there is exactly such a one.

    >>> _odd_one_out([7, 50, 49], [7, 49], same), _odd_one_out([1, 2], [3], same)
    (50, None)
    """
    if len(longer) != len(shorter) + 1:
        return None
    index = first_difference(shorter, longer, lambda a, b: equal(a, b))
    index = len(shorter) if index is None else index
    rest = [*longer[:index], *longer[index + 1 :]]
    if first_difference(shorter, rest, equal) is None:
        return longer[index]
    return None


def iterator_items(report: dict[str, Any], call: str) -> list[Any]:
    """The items a `take` report holds, failing when the call gave no iterator."""
    require_iterator(report, call)
    items: list[Any] = report["items"]
    return items


def require_iterator(report: dict[str, Any], call: str) -> None:
    """Fail unless the probe's report says the call gave an iterator."""
    if not report["iterator"]:
        kind = report["type"]
        advice = (
            "use `yield` inside a loop so that it hands out one item at a time"
            if kind in ("list", "tuple", "set", "dict")
            else "write it as a generator: a function with `yield` in it"
        )
        raise CheckFailed(
            f"{call} returned {a_or_an(kind)}, not an iterator: {advice}",
            kind=FailureKind.WRONG_SHAPE,
        )


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


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 21st.

    >>> [_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 21)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '21st']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def check_laziness(call: str, report: dict[str, Any], needed: Sequence[int]) -> None:
    """Fail unless the call read its input one item at a time: exactly `needed[i]` items
    before its result `i` (counting from 0), no more.

    The promise "one result per arrival, no reading ahead" is probed at every
    result the check took, not at one moment with slack: reading ahead in
    chunks of any size, or holding one item back, shows at the first result or
    at a later one.

    >>> check_laziness("double(...)", {"pulled_at_call": 0, "pulled_after": [1, 2]}, [1, 2])
    >>> check_laziness("double(...)", {"pulled_at_call": 0, "pulled_after": [6, 6]}, [1, 2])
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: double(...) read 6 input items before giving its first result (it needs 1): it must read its input one item at a time, giving each result as soon as it can
    """
    if report["pulled_at_call"] > 0:
        raise CheckFailed(
            f"{call} read {plural(report['pulled_at_call'], 'input item')} before anyone asked "
            "it for a result: it must not read its input until next() is called",
            kind=FailureKind.EAGER,
        )
    for index, (pulled, need) in enumerate(zip(report["pulled_after"], needed, strict=False)):
        if pulled > need:
            which = "its first result" if index == 0 else f"its {_ordinal(index + 1)} result"
            raise CheckFailed(
                f"{call} read {plural(pulled, 'input item')} before giving {which} (it needs "
                f"{need}): it must read its input one item at a time, giving each result as "
                "soon as it can",
                kind=FailureKind.EAGER,
            )


def check_endless(call: str, report: dict[str, Any]) -> None:
    """Fail if a stream drawn by the `drain` probe ended.

    >>> check_endless("rand_stream(0, 1)", {"iterator": True, "drawn": 20000, "ended": True})
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: your stream ended after 20,000 numbers: rand_stream(0, 1) must never run out — loop forever with `while True:`
    """
    if report["ended"]:
        raise CheckFailed(
            f"your stream ended after {report['drawn']:,} numbers: {call} must never run out "
            "— loop forever with `while True:`",
            kind=FailureKind.WRONG_SHAPE,
        )


#: Bytes per item the state may gain, on average, in every stretch measured. Memory is read
#: from the OS, a page at a time; a kept item costs its ballast (`probes.BALLAST`, 4 KB).
_GROWTH_PER_ITEM = 256.0


def check_constant_state(
    call: str, report: dict[str, Any], marks: Sequence[int], keep: str, unit: str = "items"
) -> None:
    """Fail if the memory held by a state (the `state_growth` probe) grows with the stream.

    It fails only when the memory grows in *every* stretch between marks (a
    cache filled once is not growth) by more than 256 bytes per item: each item
    measured carries 4 KB of ballast, so a state that keeps its items grows by
    kilobytes per item, and the OS's pages blur far less. `keep` says what to
    keep instead; `unit` names what `marks` count (items of a stream, updates of
    an object).

    >>> marks = [100, 1100, 2100]
    >>> check_constant_state("running_mean(...)", {"held": [8192, 12288, 8192]}, marks, "a total")
    >>> check_constant_state("running_mean(...)", {"held": [9e5, 5e6, 9e6]}, marks, "a total")
    Traceback (most recent call last):
    ...
    learnstream.grading.failures.CheckFailed: running_mean(...) held 7910.2 KB more after 2,100 items than after 100: its memory grows with the stream, so it keeps what it has seen. A stream never ends — keep a total only
    """
    held = report["held"]
    steps = list(zip(held, held[1:], marks, marks[1:], strict=False))
    if steps and all(
        after - before > _GROWTH_PER_ITEM * (m2 - m1) for before, after, m1, m2 in steps
    ):
        grown = (held[-1] - held[0]) / 1024
        raise CheckFailed(
            f"{call} held {grown:.1f} KB more after {marks[len(held) - 1]:,} {unit} than after "
            f"{marks[0]:,}: its memory grows with the stream, so it keeps what it has seen. "
            f"A stream never ends — keep {keep} only",
            kind=FailureKind.GROWING,
        )
