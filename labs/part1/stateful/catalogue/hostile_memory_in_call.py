"""Hostile: grabs ever more memory while running.

Each grab is larger than the sandbox's memory limit, so it fails at once with a
MemoryError. (A grab just under the limit would have the kernel zero a gigabyte of
pages, which takes seconds on a slow or busy machine: the verdict would then depend
on the machine, a TIMEOUT here and a MEMORY there.)
"""


def running_mean(stream):
    hoard = []
    total = count = 0
    for value in stream:
        hoard.append(bytearray(4 * 10**9))
        total += value
        count += 1
        yield total / count
