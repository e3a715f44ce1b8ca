"""Catalogue case map_next_on_empty: calls next() on the stream, which an empty stream refuses."""


def double(stream):
    stream = iter(stream)
    while True:
        yield next(stream) * 2
