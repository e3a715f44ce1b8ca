def double(stream):
    for value in stream:
        yield value * 2.0
