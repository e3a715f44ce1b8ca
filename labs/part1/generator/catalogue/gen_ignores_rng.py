import random


def rand_stream(low=0, high=100, rng=None):
    while True:
        yield random.randint(low, high)
