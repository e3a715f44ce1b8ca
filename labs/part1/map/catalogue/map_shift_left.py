"""Wrong: a bit shift doubles ints but raises TypeError on floats."""


def double(stream):
    for value in stream:
        yield value << 1
