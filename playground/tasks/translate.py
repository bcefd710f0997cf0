"""Translate: rewrite code in another language; the original's behaviour is the expectation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..checks import Expect
from ..checks.judge import undefined_name
from ..errors import InputError
from ..feedback import told_rows
from ..languages import display_name
from ..prompting import Extra
from ..result import Answer
from ..verdict import Verdict
from .base import ForAgents, Task

# A failed call that passes null: JavaScript's null is what the original's None (or null) became, and an answer
# that tests `=== undefined` for a missing argument misses it (seen on the page's `clamp`).
NULL_ARGUMENT = re.compile(r"[(,\[]\s*null\s*[,)\]]")
NULL_HINT = ("- Where a call passes `null`, the original was given None there: handle `null` as the original "
             "handles None (a test for `undefined` does not catch `null`).")


def undefined_hint(name: str) -> str:
    """What to do about a name the answer uses and does not define (a ReferenceError: JavaScript's, and
    TypeScript's once compiled): mostly the original's Python (`insort`, `string.ascii_lowercase`, `Counter`) or a
    module (`require`), which the model, shown only the error, tends to write again (hard tier)."""
    return (f"- `{name}` is not defined in your code: there is no such built-in, the original's library "
            "functions and modules do not exist here, and the code runs on its own (no `require` or `import`). "
            f"Define `{name}` in the code, or use the language's own built-ins.")


@dataclass(frozen=True)
class Translate(Task):
    def answer_language(self, language: str, target: str | None) -> str:
        return target or language

    def refuse(self, code: str, *, language: str, target: str | None, suffix: str) -> None:
        if language == (target or language):
            raise InputError(f"Source and target language are both {display_name(language)}: pick another target.")

    def feedback(self, verdict: Verdict, answer: Answer, program: str) -> str:
        """What failed (feedback.py), what to do about a name the answer never defined, and when a failed call
        passes `null`, what that null stands for."""
        told = super().feedback(verdict, answer, program)
        if not told:
            return told
        shown = told_rows(verdict, answer.lint)
        hints = [undefined_hint(name) for name in dict.fromkeys(undefined_name(i.error) for i in shown) if name]
        hints += [NULL_HINT] if any(NULL_ARGUMENT.search(item.name) for item in shown) else []
        return "\n".join([told, *hints])


TRANSLATE = Translate(
    "translate", "Translate", "Rewrite code in another language.", expect=Expect.SAME_BEHAVIOUR,
    anchor="Translate this Python code to JavaScript:\n{code}",
    agents=ForAgents("Translate code into another programming language with the local model; the answer is run in a "
                     "sandbox.", "the source code to translate.",
                     "the language to translate into, e.g. javascript, rust, go."),
    extra=Extra("target", "Translate to", "language", "--to", "target_language", "target language, e.g. javascript",
                default="javascript", required=True))
