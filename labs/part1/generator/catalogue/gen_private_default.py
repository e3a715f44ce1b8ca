import random


def rand_stream(low=0, high=100, rng=None):
    source = rng or random.Random()
    while True:
        yield source.randint(low, high)
