"""The tasks, each a module that says what it does differently (base.py says what they share), in the order
the page shows them. A new task is a module here, a template in prompts/ and its tests."""

from __future__ import annotations

from ..errors import InputError
from ..lint import Finding
from ..models import ModelInfo
from ..prompting import FIM_STOPS, Extra, Prompt, TaskInputs, fill
from .base import NoHarm, Shows, Task
from .complete import COMPLETE
from .debug import DEBUG
from .simplify import SIMPLIFY
from .tests import TESTS
from .translate import TRANSLATE

TASKS: dict[str, Task] = {t.name: t for t in (TRANSLATE, SIMPLIFY, DEBUG, COMPLETE, TESTS)}


def get_task(name: str) -> Task:
    """The task called name; unknown names list the valid ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise InputError(f"Unknown task {name!r}. Valid tasks: {', '.join(TASKS)}.") from None


def build_prompt(task: str, code: str, info: ModelInfo, *, source: str, target: str | None = None, error: str = "",
                 suffix: str = "", findings: list[Finding] | None = None) -> Prompt:
    """Render the prompt for a task on code, in the model's own chat template (or FIM layout)."""
    return get_task(task).prompt(code, info, source=source, target=target, error=error, suffix=suffix,
                                 findings=findings)


__all__ = ["FIM_STOPS", "TASKS", "Extra", "NoHarm", "Prompt", "Shows", "Task", "TaskInputs", "build_prompt", "fill",
           "get_task"]
