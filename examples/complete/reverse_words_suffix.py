    return " ".join(words)
