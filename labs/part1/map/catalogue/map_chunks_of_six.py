"""Catalogue case map_chunks_of_six: reads six values ahead, then yields them (a batch)."""

import itertools


def double(stream):
    stream = iter(stream)
    while batch := list(itertools.islice(stream, 6)):
        for value in batch:
            yield value * 2
