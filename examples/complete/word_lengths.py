from typing import Dict, List


def word_lengths(words: List[str]) -> Dict[str, int]:
    """Map each word to its number of letters, ignoring case.

    >>> word_lengths(["Tea", "tea", "cake"])
    {'tea': 3, 'cake': 4}
    >>> word_lengths([])
    {}
    """
