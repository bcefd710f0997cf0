def reverse_words(sentence):
    """Return the sentence with the order of its words reversed."""
    words = sentence.split()
