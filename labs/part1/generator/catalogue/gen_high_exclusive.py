import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    while True:
        yield source.randrange(low, high + 1 if low == high else high)
