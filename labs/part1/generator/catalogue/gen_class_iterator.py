"""Correct, written as a class: an iterator object instead of a generator function."""

import random


class RandStream:
    def __init__(self, low, high, rng):
        self.low, self.high = low, high
        self.source = random if rng is None else rng

    def __iter__(self):
        return self

    def __next__(self):
        return self.source.randrange(self.low, self.high + 1)


def rand_stream(low=0, high=100, rng=None):
    return RandStream(low, high, rng)
