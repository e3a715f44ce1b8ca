"""Correct, written unusually: x + x is exactly x * 2 for ints and floats."""


def double(stream):
    yield from (value + value for value in stream)
