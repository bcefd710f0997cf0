"""The Run box: run one call or statement against an answer in the sandbox, and say what happened."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..errors import InputError
from ..languages import RUNNABLE, has_python_ast, runnable_names
from .cases import Case, Kind
from .runners import run_cases
from .typescript import Unstrippable
from .values import show

MAX_CALL_CHARS = 2000


@dataclass(frozen=True)
class RunReport:
    """What a Run printed and returned, or the exception (or the limit that stopped it)."""

    call: str
    output: str
    value: str  # repr-like text of the return value ("" for a statement or None)
    error: str
    seconds: float
    line: int = 0  # the line of the code the error was raised on (0: none, or not known)

    @property
    def ok(self) -> bool:
        return not self.error


def _case(call: str, language: str) -> Case:
    if has_python_ast(language):  # a Python line may be a statement; others run as an expression
        try:
            ast.parse(call, mode="eval")
            return Case(call, Kind.EVAL, source=call)
        except SyntaxError:
            return Case(call, Kind.EXEC, source=call)
    return Case(call, Kind.EVAL, source=call)


def run_snippet(code: str, language: str, call: str) -> RunReport:
    """Load code, then run call (an expression shows its value); never raises for what the code does."""
    call = (call or "").strip()
    if not call:
        raise InputError("Type a call to run, e.g. fizzbuzz(15).")
    if len(call) > MAX_CALL_CHARS:
        raise InputError(f"The call has {len(call):,} characters; the limit is {MAX_CALL_CHARS:,}.")
    if language not in RUNNABLE:
        raise InputError(f"Only {runnable_names()} answers can be run here, not {language}.")
    if not code.strip():
        raise InputError("There is no answer to run yet: generate one first.")
    try:
        run = run_cases(code, language, [_case(call, language)])
    except Unstrippable as exc:
        return RunReport(call, "", "", f"the TypeScript cannot run here: {exc}", 0.0)
    outcome = run.outcomes[0]
    if not run.load.ok:
        error = f"the code did not load: {run.load.error_text()}"
        return RunReport(call, run.load.output, "", error, run.seconds, run.load.line)
    value = "" if outcome.value is None or (isinstance(outcome.value, dict) and "$undefined" in outcome.value) \
        else show(outcome.value)
    return RunReport(call, run.load.output + outcome.output, value, outcome.error_text(), outcome.seconds,
                     outcome.line if outcome.error_text() else 0)
