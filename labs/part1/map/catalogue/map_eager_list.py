def double(stream):
    return [value * 2 for value in stream]
