"""Comparing the plain data that comes back from a learner's code, in the grader.

What the learner's code produced crosses to the grader as plain data
(`learnstream.wire`): exact types, and anything else an `Opaque` that equals
nothing the grader expects, so a learner's object cannot pass a check by lying
about equality — the grader never calls learner code. Here: naming types as a
learner writes them, and `same`, equality of values *and* types.

>>> from learnstream.wire import decode, encode
>>> class Liar:
...     def __eq__(self, other):
...         return True
>>> value = decode(encode(Liar()))
>>> value == Opaque("Liar", value.text), same(value, 1)
(True, False)
"""

from __future__ import annotations

import math
from typing import Any

from learnstream.wire import Opaque
from learnstream.wording import a_or_an

__all__ = ["Opaque", "a_type_name", "same", "type_name"]


def type_name(value: Any) -> str:
    """The name of the type of `value`, as a learner would write it.

    >>> type_name(3), type_name(Opaque("Liar", "<Liar>"))
    ('int', 'Liar')
    """
    if isinstance(value, Opaque):
        return value.type_name
    return type(value).__qualname__


def a_type_name(value: Any) -> str:
    """`type_name` with its article, so messages read "an int", "a float".

    >>> a_type_name(3), a_type_name(2.0)
    ('an int', 'a float')
    """
    return a_or_an(type_name(value))


def same(a: Any, b: Any) -> bool:
    """Equal *and* of the same types all the way down (`1`, `1.0` and `True` all differ).

    NaN is the same as NaN, so a stream holding one can still be compared.

    >>> same([1, (2.0, "x")], [1, (2.0, "x")]), same(1, 1.0), same(1, True)
    (True, False, False)
    """
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)
