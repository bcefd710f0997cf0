"""Tests: write tests for code; each runs on it and is kept if it passes, then scored by planted bugs."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import CheckPlan, Kept, keep_passing
from ..lint import Finding, lint_after
from ..prompting import Mode
from ..result import Answer
from .base import ForAgents, Shows, Task


@dataclass(frozen=True)
class Tests(Task):
    """The answer is tests for the input, not a new version of it: its checks run it against the input and keep
    the tests that pass, scored by bugs planted in the input (checks/suite.py); it is linted as code that runs
    after the input, and nothing is restored into it from the input."""

    def judge(self, plan: CheckPlan, answer: Answer, program: str) -> Kept:
        return keep_passing(plan, program)

    def lint(self, original: str, answer: str, language: str) -> list[Finding]:
        return lint_after(original, answer, language) if answer.strip() else []

    def restore(self, original: str, answer: str, *, language: str, source: str, mode: Mode) -> tuple[str, list[str]]:
        return answer, []


TESTS = Tests("tests", "Tests", "Write tests for code: each is run on it and kept if it passes, then scored by the "
              "planted bugs it catches.", shows=Shows(tests_box=False), verb="write tests for",
              agents=ForAgents("Write tests for code with the local model: each runs on the code in a sandbox and is "
                               "kept only if it passes.\n\nThe record's checks.strength says how many bugs planted in "
                               "the code the kept tests catch.", "the code to write tests for (Python and JavaScript "
                               "tests run; other languages get a syntax check).",
                               until="one keeps a test that catches a planted bug"))
