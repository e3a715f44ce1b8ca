def double(stream):
    while True:
        pass
