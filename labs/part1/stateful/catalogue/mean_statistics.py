"""Correct, written unusually (and slowly): statistics.fmean of everything so far."""

import statistics


def running_mean(stream):
    seen = []
    for value in stream:
        seen.append(value)
        yield statistics.fmean(seen)
