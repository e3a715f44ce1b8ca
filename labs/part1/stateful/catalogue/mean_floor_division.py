def running_mean(stream):
    total = count = 0
    for value in stream:
        total += value
        count += 1
        yield total // count
