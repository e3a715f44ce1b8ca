"""Correct, written unusually: itertools.compress over a lazy mask."""

import itertools


def less_than_fifty(stream):
    stream, again = itertools.tee(stream)
    return itertools.compress(stream, (value < 50 for value in again))
