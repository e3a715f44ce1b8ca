"""Catalogue case filter_reads_ten_ahead: reads ten values at a time before filtering them."""

import itertools


def less_than_fifty(stream):
    stream = iter(stream)
    while batch := list(itertools.islice(stream, 10)):
        yield from (value for value in batch if value < 50)
