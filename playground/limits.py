"""The class's limits: which tasks students may use and how far the hints may go. From the settings
(PLAYGROUND_TASKS, PLAYGROUND_MAX_HINT_STEP) at start; the teacher's panel changes them while the app runs (with
the admin token). Every surface (the page, the HTTP API, MCP, the command line) asks before it answers, and a
request beyond a limit is refused with a message that says so, never answered quietly."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .errors import AccessError, InputError

STEP_WORDS = {1: "where to look", 2: "what is wrong, in words", 3: "the idea of the fix", 4: "the whole answer"}


class Limits:
    """The limits of one app (or one command line run)."""

    def __init__(self, tasks: Iterable[str], every: Iterable[str], max_hint_step: int = 4) -> None:
        self.every = tuple(every)
        self._lock = threading.Lock()
        self._tasks: frozenset[str] = frozenset()
        self._step = 4
        self.set(tasks, max_hint_step)

    @classmethod
    def from_setting(cls, tasks: str, every: Iterable[str], max_hint_step: int) -> Limits:
        """From PLAYGROUND_TASKS (comma-separated, empty: all) and PLAYGROUND_MAX_HINT_STEP."""
        every = tuple(every)
        named = [t.strip().lower() for t in tasks.split(",") if t.strip()]
        return cls(named or every, every, max_hint_step)

    def set(self, tasks: Iterable[str], max_hint_step: int) -> None:
        """Change the limits (the teacher's panel); an unknown task or step is an InputError."""
        chosen = frozenset(tasks)
        unknown = sorted(chosen - set(self.every))
        if unknown:
            raise InputError(f"Unknown task(s) {', '.join(unknown)}: the tasks are {', '.join(self.every)}.")
        if max_hint_step not in STEP_WORDS:
            raise InputError(f"The highest hint step is 1 to 4, not {max_hint_step}.")
        with self._lock:
            self._tasks, self._step = chosen, max_hint_step

    @property
    def tasks(self) -> tuple[str, ...]:
        """The tasks on, in the page's order."""
        return tuple(t for t in self.every if t in self._tasks)

    @property
    def max_hint_step(self) -> int:
        return self._step

    def check_task(self, task: str, title: str = "") -> None:
        """Refuse a task the teacher turned off."""
        if task not in self._tasks:
            raise AccessError(f"Your teacher has turned {title or task} off for this class for now; the tasks on "
                              f"are: {', '.join(self.tasks) or 'none'}.")

    def check_hint(self, step: int) -> None:
        """Refuse a hint step above the class's highest."""
        if step > self._step:
            raise AccessError(f"Your teacher allows hints up to step {self._step} ({STEP_WORDS[self._step]}) in this "
                              f"class; step {step} ({STEP_WORDS.get(step, '?')}) is not available.")

    def describe(self) -> str:
        return (f"Tasks on: {', '.join(self.tasks) or 'none'}. Hints up to step {self._step} "
                f"({STEP_WORDS[self._step]}).")
