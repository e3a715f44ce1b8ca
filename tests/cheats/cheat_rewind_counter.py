"""Cheat (map): reads ten items ahead, then rewinds every input counter it can find."""

import gc
import itertools


def _rewind(by):
    for obj in gc.get_objects():
        if hasattr(type(obj), "__next__") and isinstance(getattr(obj, "pulled", None), int):
            obj.pulled = max(0, obj.pulled - by)


def double(stream):
    while True:
        chunk = list(itertools.islice(stream, 10))
        _rewind(len(chunk) - 1)
        if not chunk:
            return
        for x in chunk:
            yield x * 2
