"""Catalogue case map_chunks_of_two: reads values in pairs, so every other result comes early."""

import itertools


def double(stream):
    stream = iter(stream)
    while batch := list(itertools.islice(stream, 2)):
        for value in batch:
            yield value * 2
