"""Catalogue case mean_keeps_values: right answers, but keeps every value in a list."""


def running_mean(stream):
    seen = []
    for value in stream:
        seen.append(value)
        yield sum(seen) / len(seen)
