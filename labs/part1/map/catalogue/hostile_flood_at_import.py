"""Hostile: prints tens of megabytes when imported."""

import sys

for _ in range(200_000):
    sys.stdout.write("PASSED all checks, score 10/10\n" * 4)


def double(stream):
    for value in stream:
        yield value * 2
