"""Debug: find and fix a bug, with a short explanation; the reported error must be gone."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..agreement import disagreement
from ..checks import CheckPlan, Expect, Item, Kept
from ..feedback import UNCHANGED, same_program
from ..languages import find_language
from ..lint import Finding, lint
from ..prompting import Extra
from ..result import Answer
from .base import ForAgents, Shows, Task


@dataclass(frozen=True)
class Debug(Task):
    def findings(self, code: str, source: str) -> list[Finding]:
        known = find_language(source)
        return lint(code, source) if known is not None and known.linter else []

    def explanation_problem(self, explanation: str, original: str, answer: str) -> str:
        return disagreement(explanation, original, answer)

    def judge(self, plan: CheckPlan, answer: Answer, program: str) -> Kept:
        """As every task, and an answer that changes nothing but comments, docstrings or imports fails: it is
        never a fix (a small model often returns the input so, while its own example still fails)."""
        kept = super().judge(plan, answer, program)
        if not answer.code.strip() or not same_program(plan.original, answer.code, plan.original_language):
            return kept
        row = Item(UNCHANGED, False, "a change to the code", "only comments, docstrings or imports changed",
                   origin="unchanged")
        return Kept(kept.code, replace(kept.verdict, items=(row, *kept.verdict.items)))


DEBUG = Debug(
    "debug", "Debug", "Find and fix a bug, with a short explanation.", expect=Expect.FIXED,
    shows=Shows(diff=True, hints=True, explains_errors=True),
    anchor="Fix the bug in this Python code:\n{code}",
    agents=ForAgents("Find and fix a bug in code with the local model, optionally given the error message it raised.",
                     "the code with a bug.", "the error or traceback it gave, if any."),
    extra=Extra("error", "Error message or traceback (optional)", "text", "--error", "error_message",
                "the error message or traceback you saw"))
