"""Hostile: imports fine, then crashes the interpreter when called."""

import ctypes


def less_than_fifty(stream):
    for value in stream:
        if value < 50:
            ctypes.string_at(0)
            yield value
