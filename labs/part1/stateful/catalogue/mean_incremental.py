"""Correct: the incremental (Welford-style) update of the mean."""


def running_mean(stream):
    mean = 0.0
    for count, value in enumerate(stream, start=1):
        mean += (value - mean) / count
        yield mean
