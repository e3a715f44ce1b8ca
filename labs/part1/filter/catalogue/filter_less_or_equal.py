def less_than_fifty(stream):
    for value in stream:
        if value <= 50:
            yield value
