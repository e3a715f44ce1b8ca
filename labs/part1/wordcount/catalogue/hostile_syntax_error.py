def tokenize(line)
    return line.split()
