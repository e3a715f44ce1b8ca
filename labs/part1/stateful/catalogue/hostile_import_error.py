import numpyy  # noqa: F401


def running_mean(stream):
    yield from stream
