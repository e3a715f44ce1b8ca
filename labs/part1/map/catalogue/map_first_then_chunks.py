"""Catalogue case map_first_then_chunks: the first result at once, then reads three at a time."""

import itertools


def double(stream):
    stream = iter(stream)
    for first in stream:
        yield first * 2
        break
    while batch := list(itertools.islice(stream, 3)):
        for value in batch:
            yield value * 2
