"""Lint findings: pyflakes for Python, tree-sitter syntax errors for the other languages; never an exception."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pyflakes import api, messages

from .languages import LANGUAGES, find_language
from .syntax import available, syntax_problems

# The languages pyflakes lints (Language.linter); the others get tree-sitter's syntax errors.
LINT_LANGUAGES = frozenset(name for name, language in LANGUAGES.items() if language.linter == "pyflakes")
# The kind rule: "error" when the code cannot run as written (it does not parse, or it fails with a
# NameError/SyntaxError when the line runs); everything else pyflakes reports (unused imports and
# variables, redefinitions, f-strings without placeholders, ...) is a "warning".
_ERRORS = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport,
           messages.ReturnOutsideFunction, messages.YieldOutsideFunction,
           messages.ContinueOutsideLoop, messages.BreakOutsideLoop, messages.DuplicateArgument)
_MAX_MESSAGE = 200  # an undefined 10,000-character name should not flood the lint table


@dataclass(frozen=True)
class Finding:
    """One problem: 1-based line, 0-based column, message, and kind ('error' or 'warning')."""

    line: int
    col: int
    message: str
    kind: str = "warning"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


class _Collect:
    """A pyflakes reporter (its three methods: pyflakes calls nothing else) that keeps findings instead of
    printing them."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def unexpectedError(self, filename: str, msg: str) -> None:  # noqa: N802 (pyflakes' API)
        # pyflakes says "problem decoding source" for any parser failure other than SyntaxError;
        # with the encoding checked beforehand, what is left is nesting too deep for the parser.
        self.findings.append(Finding(1, 0, f"could not check the code: Python's parser gave up ({msg}); "
                                     "it may be nested too deeply", "error"))

    def syntaxError(self, filename: str, msg: str, lineno: int | None, offset: int | None,  # noqa: N802
                    text: str | None) -> None:
        line, col = max(lineno or 1, 1), max((offset or 1) - 1, 0)
        self.findings.append(Finding(line, col, _short(f"syntax error: {msg}"), "error"))

    def flake(self, message: messages.Message) -> None:
        kind = "error" if isinstance(message, _ERRORS) else "warning"
        self.findings.append(Finding(message.lineno, message.col, _short(message.message % message.message_args), kind))


def _canonical(language: str | None) -> str | None:
    known = find_language(language)
    return known.name if known else None


def _position(code: str, index: int) -> tuple[int, int]:
    """1-based line and 0-based column of a character index."""
    line_start = code.rfind("\n", 0, index) + 1
    return code.count("\n", 0, index) + 1, index - line_start


def _unparseable(code: str) -> Finding | None:
    """A finding for text Python's parser rejects before it sees any syntax (NUL bytes, lone surrogates)."""
    if "\0" in code:
        return Finding(*_position(code, code.index("\0")), "syntax error: the code contains a NUL byte", "error")
    try:
        code.encode("utf-8")
    except UnicodeEncodeError as exc:
        return Finding(*_position(code, exc.start), "syntax error: the code contains invalid Unicode", "error")
    return None


def lint(code: str, language: str | None = "python") -> list[Finding]:
    """Findings sorted by line and column: pyflakes for Python, syntax errors (tree-sitter) for the others."""
    canonical = _canonical(language)
    if canonical not in LINT_LANGUAGES:
        if canonical is None:
            return []
        return [Finding(p.line, p.col, _short(p.message), "error") for p in syntax_problems(code, canonical)]
    code = code.removeprefix("\ufeff")  # a BOM is valid at the start of a Python file, not in an ast.parse string
    if (finding := _unparseable(code)) is not None:
        return [finding]
    reporter = _Collect()
    try:
        api.check(code, "answer.py", reporter)
    except RecursionError:  # the checker walks the tree recursively: a 1,000-term expression is enough
        reporter.findings.append(Finding(1, 0, "could not check the code: it is nested too deeply", "error"))
    except Exception as exc:  # lint is an aid: a pyflakes bug must not lose the answer
        failed = f"could not check the code: pyflakes failed ({type(exc).__name__})"
        reporter.findings.append(Finding(1, 0, failed, "error"))
    return sorted(reporter.findings, key=lambda f: (f.line, f.col))


def lint_after(context: str, code: str, language: str | None = "python") -> list[Finding]:
    """Findings in code that runs after context (tests written for a program): the names context defines are
    defined, and only code's own lines are reported, numbered as in code."""
    if _canonical(language) not in LINT_LANGUAGES or _unparseable(context) is not None:
        return lint(code, language)
    head = context.rstrip("\n") + "\n\n"
    offset = head.count("\n")
    return [replace(f, line=f.line - offset) for f in lint(head + code, language) if f.line > offset]


def lint_tool(language: str | None) -> str:
    """What lint() runs for the language: "pyflakes", "tree-sitter" (syntax only), or "" (nothing)."""
    canonical = _canonical(language)
    if canonical in LINT_LANGUAGES:
        return "pyflakes"
    return "tree-sitter" if available(canonical) else ""


def lint_note(language: str | None) -> str | None:
    """A plain sentence when lint checks nothing for the language (or only its syntax), else None."""
    canonical = _canonical(language)
    known = find_language(language)
    name = known.display if known else language or ""
    tool = lint_tool(language)
    if tool == "pyflakes":
        return None
    if tool == "tree-sitter":
        return f"Only the syntax of the {name} output is checked (tree-sitter)."
    if canonical is None and not language:
        return "Lint did not run: the output's language is unknown."
    return f"Lint did not run: no checker for {name}."
