"""Correct, with yield from and the two-argument iter()."""

import random
from functools import partial


def rand_stream(low=0, high=100, rng=None):
    draw = partial((rng or random).randint, low, high)
    yield from iter(draw, None)
