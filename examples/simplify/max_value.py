def find_max(values):
    if len(values) == 0:
        return None
    biggest = values[0]
    for v in values:
        if v > biggest:
            biggest = v
        else:
            pass
    return biggest
