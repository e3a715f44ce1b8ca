"""Wrong: yields the mean before counting the new value (off by one)."""


def running_mean(stream):
    total = count = 0
    for value in stream:
        yield total / count if count else float(value)
        total += value
        count += 1
