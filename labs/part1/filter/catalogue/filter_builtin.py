"""Correct: the builtin filter, which is lazy."""


def less_than_fifty(stream):
    return filter(lambda value: value < 50, stream)
