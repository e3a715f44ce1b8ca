"""Hostile: stops the interpreter after the first value."""

import sys


def running_mean(stream):
    for value in stream:
        yield float(value)
        sys.exit("done")
