"""Correct, with itertools.accumulate."""

from itertools import accumulate


def running_mean(stream):
    for count, total in enumerate(accumulate(stream), start=1):
        yield total / count
