"""Explain this error: what an error message or traceback means, in plain words, at the line of the student's code
it points to, why it happened there, and one thing to try, without rewriting the code.

The facts come first and from the code, not the model: the exception the message names, the line of the code
(the traceback's frame when it quotes a line of this code, else the first line using a name the message quotes),
and for Python a run in the sandbox that reproduces the error: the code's own `>>>` examples and the call the
traceback quotes, the first that raises the same exception giving the line it really happened on. The model then
explains those facts (prompts/explain_error.toml); a code block in its words is dropped (it may not rewrite the
code), and the facts it did not name are put before its words.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from .ask import numbered, short_answer
from .checks.cases import Case, Kind
from .checks.debug import line_text, quoted_calls, reported_error
from .checks.runners import run_cases
from .checks.sources import doctest_cases
from .engines import Engine
from .errors import InputError
from .hints import error_line
from .inputs import validate_code, validate_text
from .languages import display_name, has_python_ast

MAX_TRIES = 4  # calls tried in the sandbox to reproduce the error
_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_LEAD_IN = re.compile(r"(?:^|(?<=[.!?])\s)[^.!?\n]*:\s*$")  # a last sentence that ends in a colon


@dataclass(frozen=True)
class ErrorExplanation:
    """What `explain-error`, `/explain_error` and the MCP tool return."""

    text: str
    exception: str | None  # the exception the error names
    line: int | None  # the line of the student's code it happened on (1-based)
    reproduced: bool  # the sandbox raised the same exception running the code
    ran: str = ""  # the call that reproduced it
    seconds: float = 0.0
    added: bool = False  # the model's words left out the exception or the line, so the facts were put first

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "exception": self.exception, "reproduced": self.reproduced, "ran": self.ran,
                "text": self.text, "seconds": round(self.seconds, 2)}


def reproduce(code: str, language: str, exception: str | None, error: str) -> tuple[int | None, str] | None:
    """(the line, the call) of a Python run of the code that raises the exception the error names; None when
    none does (or the code is not Python)."""
    if not has_python_ast(language) or not exception:
        return None
    cases = [c for c in doctest_cases(code)][:MAX_TRIES]
    cases += [Case(call, Kind.EVAL, source=call) for call in quoted_calls(error)][: MAX_TRIES - len(cases)]
    run = run_cases(code, language, cases)
    if run.load.raised == exception:
        return (run.load.line or None), "loading the code"
    for case, outcome in zip(cases, run.outcomes, strict=False):
        if outcome.raised == exception:
            return (outcome.line or None), case.source.strip()
    return None


def _facts(exception: str | None, line: int | None, quoted: str, reproduced: tuple[int | None, str] | None) -> str:
    parts = []
    if exception:
        parts.append(f"The exception is `{exception}`.")
    if line is not None:
        parts.append(f"It happened on line {line}: `{quoted}`.")
    if reproduced is not None:
        parts.append(f"Running `{reproduced[1]}` here raised it too.")
    return " ".join(parts)


def explain_error(code: str, error: str, language: str, engine: Engine) -> ErrorExplanation:
    """The explanation of an error in code (a PlaygroundError for empty input: it says what to paste)."""
    started = time.perf_counter()
    error = validate_text(error or "", "The error message")
    if not error.strip():
        raise InputError("Paste the error message or traceback to explain (the code box holds the code it came from).")
    code = validate_code(code)
    reported = reported_error(error)
    exception = reported.exception if reported is not None else None
    found = reproduce(code, language, exception, error)
    lines = code.splitlines()
    line = found[0] if found is not None and found[0] else None
    if line is None and reported is not None and reported.source:  # the frame that quotes a line of this code
        line = next((n for n, text in enumerate(lines, 1) if text.strip() == reported.source), None)
    line = line or error_line(code, error)
    facts = _facts(exception, line, line_text(code, line or 0), found)
    words = _words(code, error, language, facts or "The error names no line of this code.", engine)
    name = bool(exception) and str(exception) not in words
    place = line is not None and f"line {line}" not in words
    head = (f"This is a `{exception}` on line {line}. " if name and place else f"This is a `{exception}`. " if name
            else f"It happened on line {line}. " if place else "")
    return ErrorExplanation(head + words, exception, line, found is not None, found[1] if found else "",
                            time.perf_counter() - started, bool(head))


def _words(code: str, error: str, language: str, facts: str, engine: Engine) -> str:
    text = short_answer(engine, "explain_error", {"source_name": display_name(language), "numbered": numbered(code),
                                                  "error": error.strip(), "facts": facts})
    text = _BLOCK.sub("", text).strip()  # no rewritten code
    text = _LEAD_IN.sub("", text).strip()  # "Here's how you can do it:" led to the code just dropped
    return text or facts
