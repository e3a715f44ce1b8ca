"""What a keyed item is, checked in one place for every keyed operator.

A keyed item is a `(key, value)` 2-tuple (exactly a `tuple`) whose key is a
`str`. Every step that needs keys (the stateful, windowing and join steps, a
partitioned sink, the `*_value` operators) and every key function (`key_on`,
`count_final`, `count_window`) goes through the functions below, so the same
mistake gives the same error whichever operator meets it, and that error names
the step and operator the learner wrote (see `learnstream.dataflow.learner_call`).

Stricter than Bytewax 0.21, on purpose: Bytewax unpacks whatever has two
elements, so a bare word "hi" becomes the key "h" with the value "i" and a word
count without `key_on` splits two-letter words into letters; here a `str`, a
`list` pair or a namedtuple is refused with the fix. Like Bytewax, a key that is
a `str` subclass (a `StrEnum` member) is accepted and kept as its plain text.

The checks cost next to nothing on good batches: each is one pass of the
builtin `map(type, ...)` and a `count`, with per-item work only once a batch is
known to hold something wrong (or a `str` subclass key).
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from learnstream.errors import key_function_problem, keyed_item_problem


def keyed_pair(step_id: str, operator: str, item: Any) -> tuple[str, Any]:
    """`item` as a `(str, value)` pair, or the error that explains why it is not one.

    >>> keyed_pair("flow.r", "reduce_final", ("a", 1))
    ('a', 1)
    >>> keyed_pair("flow.r", "reduce_final", "hi")
    Traceback (most recent call last):
    ...
    learnstream.errors.KeyedItemError: step 'flow.r' (reduce_final) is a keyed operator: each item must be a (key, value) 2-tuple with a str key, but got a str
      item: 'hi'
      what to do: key the stream first: op.key_on('key', stream, lambda x: str(...)) makes (key, item) 2-tuples
    """
    if type(item) is tuple and len(item) == 2:
        key = item[0]
        if type(key) is str:
            return item
        if isinstance(key, str):
            return (str.__str__(key), item[1])
    raise keyed_item_problem(step_id, operator, item)


def split_keyed(step_id: str, operator: str, items: list[Any]) -> tuple[list[str], list[Any]]:
    """The keys and the values of a batch of keyed items.

    >>> split_keyed("flow.r", "reduce_final", [("a", 1), ("b", 2)])
    (['a', 'b'], [1, 2])
    """
    n = len(items)
    if list(map(type, items)).count(tuple) == n:
        try:
            keys = [k for k, _ in items]  # every item a tuple: this checks each has two
        except ValueError:
            pass
        else:
            if list(map(type, keys)).count(str) == n:
                return keys, [v for _, v in items]
    pairs = [keyed_pair(step_id, operator, item) for item in items]
    return [k for k, _ in pairs], [v for _, v in pairs]


def checked_keys(step_id: str, operator: str, keys: list[Any], items: list[Any]) -> list[str]:
    """The keys a key function returned for `items`, each checked to be a `str`.

    >>> checked_keys("flow.k", "key_on", ["7"], [{"id": 7}])
    ['7']
    >>> checked_keys("flow.k", "key_on", [7], [{"id": 7}])
    Traceback (most recent call last):
    ...
    learnstream.errors.KeyedItemError: step 'flow.k' (key_on) got the key 7 (an int) from your key function; keys must be str
      item: {'id': 7}
      what to do: return a str from the key function, e.g. lambda x: str(x['id'])
    """
    if list(map(type, keys)).count(str) == len(keys):
        return keys
    out = []
    for key, item in zip(keys, items, strict=True):
        if not isinstance(key, str):
            raise key_function_problem(step_id, operator, item, key)
        out.append(key if type(key) is str else str.__str__(key))
    return out


_KEY = itemgetter(0)


def in_key_order(rows: list[Any], batch_keys: set[str] | None = None) -> None:
    """Put one activation's `(key, ...)` rows in the order Bytewax 0.21.1 writes them.

    Bytewax's keyed steps visit a batch's keys in key order (each key's rows in
    the order they were made), then the keys the clock woke that had no item in
    the batch, in key order too. `batch_keys` are the keys of the batch (None or
    empty when only the clock or EOF woke the step). Sorts `rows` in place.
    """
    if len(rows) < 2:
        return
    rows.sort(key=_KEY)
    if batch_keys and not batch_keys.issuperset(map(_KEY, rows)):
        # Stable: each part keeps its key order, the batch's keys come first.
        rows.sort(key=lambda row: row[0] not in batch_keys)
