def less_than_fifty(stream):
    held = None
    for value in stream:
        if value < 50:
            if held is None:
                held = [value]
            else:
                yield value
                yield held[0]
                held = None
    if held is not None:
        yield held[0]
