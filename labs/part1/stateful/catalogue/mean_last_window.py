from collections import deque


def running_mean(stream):
    window = deque(maxlen=3)
    for value in stream:
        window.append(value)
        yield sum(window) / len(window)
