"""Plain data across the grader's pipe: the one encoding both of its ends use.

The grader (`learnstream.grading`) and the child process that runs a learner's
code (`learnstream.sandbox_child`) exchange JSON lines. Values keep their exact
types through `encode`/`decode`: a `tuple` stays a tuple, `2`, `2.0` and `True`
stay distinct. Anything else the learner's code produced — a numpy scalar, an
object with a home-made `__eq__` — crosses as an `Opaque` (its type name and
repr), which equals nothing the grader expects.

This module lives outside `learnstream.grading` because the child imports it:
it holds no check, no reference answer and no measurement. The grader's side
decodes with `decode(tree, strict=True)`, which refuses anything but these
shapes, so a child that writes its own answers can send only plain data.

>>> decode(encode([1, 2.0, True, ("a", None)]))
[1, 2.0, True, ('a', None)]
>>> class Liar:
...     def __eq__(self, other):
...         return True
>>> decode(encode(Liar())) == 1
False
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from learnstream.errors import short_repr

#: Most values one message may hold; more means the learner's code ran away.
MAX_NODES = 200_000
MAX_DEPTH = 40
#: Longest repr kept of an opaque value (strs cross whole).
_REPR_CHARS = 200
#: Ints past this many bits cross as opaque values (JSON readers refuse huge ints).
_INT_BITS = 12_000


class TooBig(Exception):
    """A value had more than `MAX_NODES` parts, or was nested too deeply."""


class Malformed(ValueError):
    """A message that is not the plain data `encode` makes."""


@dataclass(frozen=True)
class Opaque:
    """A value of a type the grader does not compare: only its type name and repr survive."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name} object: {self.text}>"


def encode(value: Any, budget: list[int] | None = None) -> Any:
    """A JSON-able tree for `value`; `budget` (one int in a list) caps the nodes of a message.

    >>> encode((1, [2.5, "x"]))
    {'T': [1, {'L': [2.5, 'x']}]}
    """
    return _encode(value, [MAX_NODES] if budget is None else budget, 0)


def _encode(value: Any, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise TooBig(f"more than {MAX_NODES:,} values")
    if depth > MAX_DEPTH:
        raise TooBig(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)  # exact types only: a subclass may override __eq__
    if value is None or kind in (bool, float, str):
        return value
    if kind is int:
        return value if value.bit_length() <= _INT_BITS else {"O": ["int", short_repr(value)]}
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
    name = kind.__qualname__ if isinstance(kind.__qualname__, str) else "?"
    return {"O": [name, short_repr(value)]}


_ATOMS = (type(None), bool, int, float, str)


def decode(tree: Any, *, budget: list[int] | None = None, depth: int = 0) -> Any:
    """The plain Python value `tree` stands for; `Malformed` if it is not `encode`'s shape.

    >>> decode({"D": [["a", {"T": [1, 2]}]]})
    {'a': (1, 2)}
    >>> decode({"exec": "import os"})
    Traceback (most recent call last):
    ...
    learnstream.wire.Malformed: a value tagged 'exec'
    """
    budget = [MAX_NODES * 2] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH + 2:
        raise Malformed("a value too large or too deeply nested")
    if type(tree) in _ATOMS:
        return tree
    if type(tree) is list:  # only inside tags
        raise Malformed("a bare list")
    if type(tree) is not dict or len(tree) != 1:
        raise Malformed(f"a value of shape {type(tree).__name__}")
    ((tag, body),) = tree.items()
    if tag in ("L", "T") and type(body) is list:
        items = [decode(v, budget=budget, depth=depth + 1) for v in body]
        return items if tag == "L" else tuple(items)
    if tag == "D" and type(body) is list:
        pairs = []
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise Malformed("a dict entry that is not a pair")
            key = decode(pair[0], budget=budget, depth=depth + 1)
            try:
                hash(key)
            except TypeError:
                raise Malformed("a dict key that cannot be hashed") from None
            pairs.append((key, decode(pair[1], budget=budget, depth=depth + 1)))
        return dict(pairs)
    try:
        if tag == "dt":
            stamp, offset = body
            tz = None if offset is None else timezone(timedelta(seconds=float(offset)))
            if type(stamp) is not str:
                raise Malformed("a datetime that is not text")
            return datetime.fromisoformat(stamp).replace(tzinfo=tz)
        if tag == "td":
            days, seconds, micros = body
            if not all(type(n) is int for n in body):
                raise Malformed("a timedelta that is not three ints")
            return timedelta(days=days, seconds=seconds, microseconds=micros)
        if tag == "O":
            name, text = body
            if type(name) is not str or type(text) is not str:
                raise Malformed("an opaque value that is not two strs")
            return Opaque(name[:_REPR_CHARS], text[: _REPR_CHARS * 2])
    except (TypeError, ValueError, OverflowError) as err:
        if isinstance(err, Malformed):
            raise
        raise Malformed(f"a {tag!r} value that cannot be read ({err})") from None
    raise Malformed(f"a value tagged {tag!r}")
