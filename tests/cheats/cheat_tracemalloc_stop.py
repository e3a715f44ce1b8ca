"""Cheat (stateful): keeps every value, and switches off the memory tracer that would see it."""

import tracemalloc

tracemalloc.get_traced_memory = lambda: (0, 0)


def running_mean(stream):
    seen = []
    for x in stream:
        seen.append(x)
        tracemalloc.stop()
        yield sum(seen) / len(seen)
