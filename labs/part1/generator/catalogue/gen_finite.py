import random


def rand_stream(low=0, high=100, rng=None):
    source = random if rng is None else rng
    for _ in range(1000):
        yield source.randint(low, high)
