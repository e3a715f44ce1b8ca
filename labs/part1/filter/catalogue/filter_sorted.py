def less_than_fifty(stream):
    yield from sorted(value for value in stream if value < 50)
