"""Correct: a generator expression."""


def less_than_fifty(stream):
    return (value for value in stream if value < 50)
