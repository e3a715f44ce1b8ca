import itertools


def double(stream):
    stream = iter(stream)
    while batch := list(itertools.islice(stream, 10)):
        for value in batch:
            yield value * 2
