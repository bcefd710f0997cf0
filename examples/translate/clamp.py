from typing import List, Optional


def clamp_all(values: List[int], low: int, high: Optional[int] = None) -> List[int]:
    """Move every value into the range [low, high] (no upper bound when high is None).

    >>> clamp_all([1, 5, 9], 2, 6)
    [2, 5, 6]
    >>> clamp_all([-3, 4], 0)
    [0, 4]
    """
    result = []
    for value in values:
        if value < low:
            value = low
        if high is not None and value > high:
            value = high
        result.append(value)
    return result
