"""Hostile: yields a float subclass that claims to equal anything."""


class Agreeable(float):
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0

    def __sub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0


def running_mean(stream):
    for _ in stream:
        yield Agreeable(0)
