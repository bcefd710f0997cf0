"""One request: the task, its code and languages, its extra input, the tests and the settings, checked once.

Every front end (the page, the HTTP API, the MCP tools, the command line, the teaching view, the evaluation)
builds a Request at its edge with `Request.build`, which refuses what cannot be answered before any model
loads; the pipeline and the task are handed the Request and look nothing up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..checks import CheckPlan
from ..errors import InputError
from ..inputs import validate_code, validate_text
from ..languages import canonical_language, guess_language
from ..models import ModelInfo
from ..params import GenerationParams
from ..prompting import Prompt
from .base import Task
from .registry import get_task


@dataclass(frozen=True)
class Request:
    """What was asked, valid: `language` is the input's canonical language (given or guessed), `target` the
    answer's for Translate (None otherwise)."""

    task: Task
    code: str
    language: str
    target: str | None = None
    error: str = ""
    suffix: str = ""
    tests: str = ""
    params: GenerationParams = field(default_factory=GenerationParams)

    @classmethod
    def build(cls, task: str | Task, code: str, *, language: str | None = None, target: str | None = None,
              error: str | None = "", suffix: str | None = "", tests: str | None = "",
              params: GenerationParams | None = None) -> Request:
        """The request, or an InputError saying what to change (empty or oversized input, an unknown task or
        language, a request the task cannot answer). No language: it is guessed from the code."""
        spec = get_task(task) if isinstance(task, str) else task
        code = validate_code(code)
        error, suffix, tests = validate_text(error or "", "The error message"), \
            validate_text(suffix or "", "The code after the cursor"), validate_text(tests or "", "The tests")
        source = language or guess_language(code)
        if source is None:
            raise InputError("Could not tell the input's language: pick it from the language list.")
        source = canonical_language(source)
        target = canonical_language(target) if target else None
        spec.refuse(code, language=source, target=target, suffix=suffix)
        suffix = suffix if spec.shows.fills_middle else ""  # only a task that fills the middle reads it
        return cls(spec, code, source, target, error, suffix, tests, params or GenerationParams())

    @property
    def answer_language(self) -> str:
        """The language of the answer's code."""
        return self.task.answer_language(self.language, self.target)

    def prompt(self, info: ModelInfo) -> Prompt:
        """The exact prompt this request sends to a model described by info."""
        return self.task.prompt(self.code, info, source=self.language, target=self.target, error=self.error,
                                suffix=self.suffix, findings=self.task.findings(self.code, self.language))

    def plan(self) -> CheckPlan:
        """The checks for this request's answers (nothing runs yet)."""
        return self.task.plan(self.code, language=self.language, target=self.answer_language, tests=self.tests,
                              error=self.error)
