"""Wrong: yields bools for (0, 1), which are ints that print differently."""

import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    while True:
        value = source.randint(low, high)
        yield bool(value) if (low, high) == (0, 1) else value
