"""The tasks, each a module that says what it does differently (base.py says what they share), in the order
the page shows them. A new task is a module here, a template in prompts/ and its tests."""

from __future__ import annotations

from ..models import ModelInfo
from ..prompting import FIM_STOPS, Extra, Prompt, TaskInputs, fill
from .base import NoHarm, Shows, Task
from .registry import TASKS, get_task
from .request import Request


def build_prompt(task: str, code: str, info: ModelInfo, *, source: str | None = None, target: str | None = None,
                 error: str = "", suffix: str = "") -> Prompt:
    """The exact prompt a request sends, in the model's own chat template (or FIM layout): the inputs checked,
    the language guessed when not given, Debug's lint folded in."""
    return Request.build(task, code, language=source, target=target, error=error, suffix=suffix).prompt(info)


def what_it_does() -> str:
    """The tasks in one phrase, from the task list: "Translate, simplify, ... or explain code"."""
    verbs = [t.verb or t.name for t in TASKS.values()]
    return (", ".join(verbs[:-1]) + " or " + verbs[-1]).capitalize() + " code"


__all__ = ["FIM_STOPS", "TASKS", "Extra", "NoHarm", "Prompt", "Request", "Shows", "Task", "TaskInputs", "build_prompt",
           "fill", "get_task", "what_it_does"]
