"""The example inputs in examples/ (listed in examples/examples.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from . import TASKS

EXAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "examples"


@dataclass(frozen=True)
class Example:
    """One ready-made input for a task."""

    task: str
    name: str
    code: str
    language: str
    target: str | None = None
    error: str = ""
    suffix: str = ""
    tests: str = ""  # for the Tests box

    @property
    def extra(self) -> str | None:
        """The value of the task's extra input (target, error or suffix), None for a task without one."""
        extra = TASKS[self.task].extra
        return getattr(self, extra.name) if extra is not None else None


@cache
def load_examples(task: str, root: Path = EXAMPLES_DIR) -> tuple[Example, ...]:
    """The examples for a task, in the order examples.toml lists them (none if the folder is absent)."""
    index = root / "examples.toml"
    if not index.is_file():
        return ()
    entries = tomllib.loads(index.read_text("utf-8")).get(task, [])
    return tuple(
        Example(
            task=task,
            name=Path(e["file"]).stem,
            code=(root / e["file"]).read_text("utf-8"),
            language=e["language"],
            target=e.get("target"),
            error=e.get("error", ""),
            suffix=(root / e["suffix_file"]).read_text("utf-8") if "suffix_file" in e else "",
            tests=e.get("tests", ""),
        )
        for e in entries
    )
