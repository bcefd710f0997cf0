"""Grading per task: does an answer's code do what the item asks?

- complete, debug: the code plus the item's asserts run and pass.
- simplify: the same, and the code is shorter than the original (non-blank characters): an answer
  that gives the original back unchanged is safe, but it is not a simplification.
- translate: node runs the JavaScript and the function returns the expected value for every case.
- explain (on the simplify items' correct code): the explanation gives at least one example call with its result,
  and each such example is what the code returns (run in the sandbox); the rest of its words are not graded.
"""

from __future__ import annotations

from ..tasks import get_task
from .dataset import Item
from .sandbox import Grade, run_node_cases, run_python_tests

SOURCE, TARGET = "python", "javascript"  # the evaluation's items are Python; its translations go to JavaScript


def answer_language(task: str) -> str:
    """The language of the evaluation's answers for a task: the items' own, or the translations' target."""
    return get_task(task).answer_language(SOURCE, TARGET)


def grade_answer(item: Item, code: str) -> Grade:
    """Check an answer's code (Explain: its explanation; Task.content) for an item (runs it in the sandbox)."""
    if not code.strip():
        return Grade(False, "no code in the answer")
    if answer_language(item.task) != SOURCE:  # a translation: node runs it on the item's cases
        return run_node_cases(code, item.function, list(item.cases))
    task = get_task(item.task)
    problem = task.grade(item.code, code)
    if problem:
        return Grade(False, problem)
    return run_python_tests(task.tested(item.code, code), item.tests)
