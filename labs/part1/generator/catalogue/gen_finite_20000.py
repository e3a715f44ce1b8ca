"""Catalogue case gen_finite_20000: a long but finite loop (20,000 numbers)."""

import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    for _ in range(20_000):
        yield source.randint(low, high)
