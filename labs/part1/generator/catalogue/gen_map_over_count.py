"""Correct, written unusually: a lazy map over itertools.count()."""

import itertools
import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    return map(lambda _: source.randint(low, high), itertools.count())
