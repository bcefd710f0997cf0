"""Tests: write tests for code; each runs on it and is kept if it passes, then scored by planted bugs."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import CheckPlan, Kept, keep_passing
from ..feedback import MAX_FAILURES
from ..lint import Finding, lint_after
from ..prompting import Mode
from ..result import Answer
from ..verdict import Verdict
from .base import ForAgents, Shows, Task


@dataclass(frozen=True)
class Tests(Task):
    """The answer is tests for the input, not a new version of it: its checks run it against the input and keep
    the tests that pass, scored by bugs planted in the input (checks/suite.py); it is linted as code that runs
    after the input, and nothing is restored into it from the input."""

    def judge(self, plan: CheckPlan, answer: Answer, program: str) -> Kept:
        return keep_passing(plan, program)

    def feedback(self, verdict: Verdict, answer: Answer, program: str) -> str:
        """What to do better: the code is right, so a test that fails on it is wrong (the note names them), and
        a planted bug no test caught asks for a test that tells it from the code."""
        removed = [n for n in verdict.notes if "written test" in n and "removed" in n]
        lines = [f"- {note} The code is right: fix or drop those tests." for note in removed]
        missed = verdict.strength.missed if verdict.strength is not None else []
        lines += [f"- This change to the code survived every test: {change}. Write a test that passes on the code "
                  "and would fail with that change." for change in missed[:MAX_FAILURES - len(lines)]]
        return "\n".join(lines) or super().feedback(verdict, answer, program)

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
