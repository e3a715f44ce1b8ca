"""Catalogue case map_first_then_chunks: the first result at once, then reads three at a time."""

import itertools


def double(stream):
    stream = iter(stream)
    yield next(stream) * 2
    while batch := list(itertools.islice(stream, 3)):
        for value in batch:
            yield value * 2
