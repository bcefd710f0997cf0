"""pyflakes findings for Python code; a syntax error is a finding, never an exception."""

from __future__ import annotations

from dataclasses import dataclass

from pyflakes import api, messages
from pyflakes.reporter import Reporter

from .highlight import DISPLAY_NAMES

LINT_LANGUAGES = frozenset({"python"})
# Findings that make the code fail when run; everything else pyflakes reports is a warning.
_ERRORS = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport,
           messages.ReturnOutsideFunction, messages.YieldOutsideFunction,
           messages.ContinueOutsideLoop, messages.BreakOutsideLoop, messages.DuplicateArgument)


@dataclass(frozen=True)
class Finding:
    """One problem: 1-based line, 0-based column, message, and 'error' or 'warning'."""

    line: int
    col: int
    message: str
    kind: str = "warning"


class _Collect(Reporter):
    """A pyflakes reporter that keeps findings instead of printing them."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def unexpectedError(self, filename: str, msg: str) -> None:  # noqa: N802 (pyflakes' API)
        self.findings.append(Finding(1, 0, f"could not check the code: {msg}", "error"))

    def syntaxError(self, filename: str, msg: str, lineno: int | None, offset: int | None,  # noqa: N802
                    text: str | None) -> None:
        self.findings.append(Finding(lineno or 1, max((offset or 1) - 1, 0), f"syntax error: {msg}", "error"))

    def flake(self, message: messages.Message) -> None:
        kind = "error" if isinstance(message, _ERRORS) else "warning"
        text = message.message % message.message_args
        self.findings.append(Finding(message.lineno, message.col, text, kind))


def lint(code: str, language: str = "python") -> list[Finding]:
    """pyflakes findings sorted by position; [] for languages other than Python."""
    if language not in LINT_LANGUAGES:
        return []
    reporter = _Collect()
    try:
        api.check(code, "answer.py", reporter)
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. NUL bytes, absurd nesting
        reporter.findings.append(Finding(1, 0, f"syntax error: {exc}", "error"))
    return sorted(reporter.findings, key=lambda f: (f.line, f.col))


def lint_note(language: str | None) -> str | None:
    """A plain sentence when lint does not cover the language, else None."""
    if language in LINT_LANGUAGES:
        return None
    name = DISPLAY_NAMES.get(language or "", language or "this")
    return f"Lint covers Python only; no checks were run on the {name} output."
