"""The tasks, in the order the page shows them, by name."""

from __future__ import annotations

from ..errors import InputError
from .base import Task
from .complete import COMPLETE
from .debug import DEBUG
from .explain import EXPLAIN
from .simplify import SIMPLIFY
from .tests import TESTS
from .translate import TRANSLATE

TASKS: dict[str, Task] = {t.name: t for t in (TRANSLATE, SIMPLIFY, DEBUG, COMPLETE, TESTS, EXPLAIN)}


def get_task(name: str) -> Task:
    """The task called name; unknown names list the valid ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"Unknown task {name!r}. Valid tasks: {', '.join(TASKS)}.") from None
