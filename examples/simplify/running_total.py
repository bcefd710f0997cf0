from typing import List


def running_total(numbers: List[int]) -> List[int]:
    """The sum of the numbers so far, after each number.

    >>> running_total([1, 2, 3, 4])
    [1, 3, 6, 10]
    >>> running_total([])
    []
    """
    totals = []
    index = 0
    while index < len(numbers):
        if index == 0:
            totals.append(numbers[index])
        else:
            previous = totals[index - 1]
            totals.append(previous + numbers[index])
        index = index + 1
    return totals
