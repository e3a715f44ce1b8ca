"""Wrong: takewhile stops at the first value that is not below fifty."""

import itertools


def less_than_fifty(stream):
    return itertools.takewhile(lambda value: value < 50, stream)
