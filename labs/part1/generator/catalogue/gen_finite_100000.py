"""Catalogue case gen_finite_100000: a longer finite loop (100,000 numbers)."""

import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    for _ in range(100_000):
        yield source.randint(low, high)
