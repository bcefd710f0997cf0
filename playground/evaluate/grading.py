"""Grading per task: does an answer's code do what the item asks?

- complete, debug: the code plus the item's asserts run and pass.
- simplify: the same, and the code is shorter than the original (non-blank characters): an answer
  that gives the original back unchanged is safe, but it is not a simplification.
- translate: node runs the JavaScript and the function returns the expected value for every case.
"""

from __future__ import annotations

from ..tasks import get_task
from .dataset import Item
from .sandbox import Grade, run_node_cases, run_python_tests


def size(code: str) -> int:
    """Length of code in non-whitespace characters (indentation style does not count)."""
    return sum(not c.isspace() for c in code)


def grade_answer(item: Item, code: str) -> Grade:
    """Check an answer's code for an item (runs it in the sandbox)."""
    if not code.strip():
        return Grade(False, "no code in the answer")
    task = get_task(item.task)
    if task.output == "target":  # the evaluation translates to JavaScript
        return run_node_cases(code, item.function, list(item.cases))
    if task.shortens and size(code) >= size(item.code):
        same = size(code) == size(item.code)
        return Grade(False, "not shorter than the original" + (" (unchanged?)" if same else
                                                                 f" ({size(code)} > {size(item.code)} characters)"))
    return run_python_tests(code, item.tests)
