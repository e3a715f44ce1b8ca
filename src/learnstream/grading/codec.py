"""Plain data passed between the grader and the child process that runs learner code.

The child turns whatever the learner's code produced into a JSON tree that keeps
exact types (a `tuple` stays a tuple, `2` and `2.0` and `True` stay distinct);
the grader turns it back into plain Python values. Anything else — a numpy
scalar, an object with a home-made `__eq__` — comes back as an `Opaque`, which
equals nothing the grader expects, so a learner's object cannot pass a check by
lying about equality: the grader never calls learner code.

>>> decode(encode([1, 2.0, True, ("a", None)]))
[1, 2.0, True, ('a', None)]
>>> class Liar:
...     def __eq__(self, other):
...         return True
>>> value = decode(encode(Liar()))
>>> value == Opaque("Liar", value.text), same(value, 1)
(True, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from learnstream.errors import short_repr
from learnstream.wording import a_or_an

#: Most values one answer may hold; more means the learner's code ran away.
MAX_NODES = 200_000
_MAX_DEPTH = 40


class TooBig(Exception):
    """A value had more than `MAX_NODES` parts, or was nested too deeply."""


@dataclass(frozen=True)
class Opaque:
    """A value of a type the grader does not compare: only its type name and repr survive."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"


def encode(value: Any) -> Any:
    """A JSON-able tree for `value` (run in the child, on learner values).

    >>> encode((1, [2.5, "x"]))
    {'T': [1, {'L': [2.5, 'x']}]}
    """
    budget = [MAX_NODES]
    return _encode(value, budget, 0)


def _encode(value: Any, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooBig(f"more than {MAX_NODES:,} values")
    if depth > _MAX_DEPTH:
        raise TooBig(f"nested more than {_MAX_DEPTH} levels deep")
    kind = type(value)  # exact types only: a subclass may override __eq__
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return {"L": [_encode(v, budget, depth + 1) for v in value]}
    if kind is tuple:
        return {"T": [_encode(v, budget, depth + 1) for v in value]}
    if kind is dict:
        return {
            "D": [
                [_encode(k, budget, depth + 1), _encode(v, budget, depth + 1)]
                for k, v in value.items()
            ]
        }
    if kind is datetime:
        offset = value.utcoffset()
        return {
            "dt": [
                value.replace(tzinfo=None).isoformat(),
                None if offset is None else offset.total_seconds(),
            ]
        }
    if kind is timedelta:
        return {"td": [value.days, value.seconds, value.microseconds]}
    return {"O": [type_name(value), short_repr(value)]}


def decode(tree: Any) -> Any:
    """The plain Python value `tree` stands for (run in the grader).

    >>> decode({"D": [["a", {"T": [1, 2]}]]})
    {'a': (1, 2)}
    """
    if not isinstance(tree, dict):
        return tree
    ((tag, body),) = tree.items()
    if tag == "L":
        return [decode(v) for v in body]
    if tag == "T":
        return tuple(decode(v) for v in body)
    if tag == "D":
        return {decode(k): decode(v) for k, v in body}
    if tag == "dt":
        stamp, offset = body
        tz = None if offset is None else timezone(timedelta(seconds=offset))
        return datetime.fromisoformat(stamp).replace(tzinfo=tz)
    if tag == "td":
        return timedelta(days=body[0], seconds=body[1], microseconds=body[2])
    if tag == "O":
        return Opaque(body[0], body[1])
    raise ValueError(f"unknown tag {tag!r} in encoded value")


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
