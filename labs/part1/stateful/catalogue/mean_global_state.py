"""Wrong: the total lives in module globals, so a second stream starts from the first's."""

total = 0
count = 0


def running_mean(stream):
    global total, count
    for value in stream:
        total += value
        count += 1
        yield total / count
