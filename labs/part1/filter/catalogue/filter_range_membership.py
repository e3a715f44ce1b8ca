def less_than_fifty(stream):
    for value in stream:
        if value in range(50):
            yield value
