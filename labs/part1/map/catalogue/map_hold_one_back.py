"""Catalogue case map_hold_one_back: yields each value only once the next one has arrived."""


def double(stream):
    previous = None
    for index, value in enumerate(stream):
        if index:
            yield previous * 2
        previous = value
    if previous is not None:
        yield previous * 2
