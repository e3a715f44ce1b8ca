"""Catalogue case mean_hold_one_back: peeks at the next value before yielding the mean so far."""


def running_mean(stream):
    stream = iter(stream)
    total = count = 0
    nxt = next(stream, None)
    while nxt is not None:
        value, nxt = nxt, next(stream, None)
        total += value
        count += 1
        yield total / count
