"""Where checks come from: the >>> examples in the code's docstrings, the Tests box, Debug's error message.

Everything here reads text on the host and never runs it: doctest's parser splits examples, `ast` reads
calls and literals. Inputs generated from a signature are in generate.py.
"""

from __future__ import annotations

import ast
import doctest
import re
from typing import Any

from ..errors import InputError
from ..languages import QUICKJS, find_language
from .cases import Case, Kind
from .values import encode

_EXCEPTION = re.compile(r"\b([A-Z]\w*(?:Error|Exception|Exit|Interrupt))\b")


def _call_parts(source: str) -> tuple[str, tuple[Any, ...]] | None:
    """(function name, literal arguments) when source is one call like f(1, [2]) with literal arguments."""
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _literal_call(node)


def _literal(text: str) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _name(source: str, prefix: str = "") -> str:
    first = source.strip().splitlines()[0] if source.strip() else ""
    return prefix + (first if len(first) <= 80 else first[:79] + "…")


def doctest_cases(text: str, origin: str = "example") -> list[Case]:
    """The >>> examples of a text (a program's docstrings, or the Tests box), as doctest would run them."""
    try:
        examples = doctest.DocTestParser().get_examples(text)
    except ValueError as exc:  # inconsistent indentation and the like
        raise InputError(f"The >>> examples cannot be read: {exc}. Fix their indentation.") from None
    cases = []
    for ex in examples:  # want: (expected output, expected exception line or None, doctest option flags)
        cases.append(Case(_name(ex.source, ">>> "), Kind.DOCTEST, source=ex.source,
                          want=(ex.want, ex.exc_msg, _flags(ex.options)), has_want=True, origin=origin))
    return cases


def docstrings(code: str) -> list[str]:
    """The docstrings of Python code (module, classes, functions), as doctest's finder reads them."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))]
    return [text for n in nodes if (text := ast.get_docstring(n, clean=True))]


def example_cases(code: str) -> list[Case]:
    """The >>> examples in the docstrings of Python code."""
    return [case for text in docstrings(code) for case in doctest_cases(text, "example")]


def _flags(options: dict[int, bool]) -> int:
    flags = 0
    for flag, on in options.items():
        flags = flags | flag if on else flags & ~flag
    return flags


def assert_cases(text: str, origin: str = "test") -> list[Case]:
    """One case per statement of the Tests box (plain `assert` lines, or any statement)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise InputError(f"The tests are not valid Python (line {exc.lineno}: {exc.msg}): write >>> examples "
                         "or one `assert` per line.") from None
    lines = text.splitlines()
    cases = []
    for node in tree.body:
        source = "\n".join(lines[node.lineno - 1: node.end_lineno])
        cases.append(Case(_name(source), Kind.EXEC, source=source, origin=origin))
    return cases


def cases_from_tests(text: str, language: str = "python") -> list[Case]:
    """The Tests box: doctest text when it has >>> lines, else assert lines (for a JavaScript answer: one
    statement per line, e.g. `assert(isEven(2))`, or Python-style `assert f(1) == 2`)."""
    if not text or not text.strip():
        return []
    if ">>>" in text:
        return doctest_cases(text, "test")
    known = find_language(language)
    if known is None or known.sandbox != QUICKJS:
        return assert_cases(text, "test")
    cases = []
    for line in (line.strip() for line in text.splitlines()):
        if line and not line.startswith(("//", "#")):
            python = as_call(Case(line, Kind.EXEC, source=line, origin="test")) if line.startswith("assert ") else None
            cases.append(python or Case(line, Kind.EXEC, source=line, origin="test", language=known.name))
    return cases


def as_call(case: Case) -> Case | None:
    """The same check as a language-neutral call (for a JavaScript answer): a >>> f(literals) example with a
    literal result, or `assert f(literals) == literal`. None when the check is Python-only."""
    if case.language:  # a statement in the answer's own language
        return case
    if case.kind is Kind.DOCTEST:
        parts = _call_parts(case.source)
        want, exc_msg, _ = case.want
        if parts is None or exc_msg is not None:
            return None
        ok, value = _literal(want) if want.strip() else (True, None)
        if not ok:
            return None
        return Case(case.name, Kind.CALL, func=parts[0], args=tuple(encode(a) for a in parts[1]),
                    want=encode(value), has_want=True, origin=case.origin)
    if case.kind is Kind.EXEC:
        test = assert_parts(case.source)
        if test is None:
            return None
        func, args, value = test
        return Case(case.name, Kind.CALL, func=func, args=tuple(encode(a) for a in args),
                    want=encode(value), has_want=True, origin=case.origin)
    return case if case.kind is Kind.CALL else None


def example_calls(cases: list[Case]) -> list[tuple[str, tuple[Any, ...]]]:
    """(function, literal arguments) of the calls the examples and tests make, in order, without repeats."""
    calls: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for case in cases:
        source = case.source
        if case.kind is Kind.EXEC:
            try:
                node = ast.parse(source).body[0]
            except (SyntaxError, IndexError):
                continue
            test = node.test if isinstance(node, ast.Assert) else None
            source = ast.unparse(test.left if isinstance(test, ast.Compare) else test) if test is not None else ""
        parts = _call_parts(source)
        if parts is not None:
            calls.setdefault(repr(parts), parts)
    return list(calls.values())


def forbidden_exception(error: str) -> str:
    """The exception type a Debug error message names (NameError, IndexError, ...), or ""."""
    found = _EXCEPTION.search(error or "")
    return found[1] if found else ""


def call_case(func: str, args: tuple[Any, ...], origin: str, forbid: str = "") -> Case:
    shown = ", ".join(_short_repr(a) for a in args)
    return Case(f"{func}({shown})", Kind.CALL, func=func, args=tuple(encode(a) for a in args), origin=origin,
                forbid=forbid)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


MAX_WRITTEN = 8  # calls kept per function from what the model wrote


def _literal_call(node: ast.AST, names: set[str] | None = None) -> tuple[str, tuple[Any, ...]] | None:
    """(function, arguments) of a call node (to one of names, if given) with literal positional arguments only."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (names is None or node.func.id in names)
            and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args)):
        return None
    try:
        return node.func.id, tuple(ast.literal_eval(arg) for arg in node.args)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _calls_in(tree: ast.AST, names: set[str]) -> list[tuple[str, tuple[Any, ...]]]:
    return [parts for node in ast.walk(tree) if (parts := _literal_call(node, names)) is not None]


_JS_LITERALS = re.compile(r"\b(true|false|null|undefined)\b")
_JS_WORDS = {"true": "True", "false": "False", "null": "None", "undefined": "None"}


Call = tuple[str, tuple[Any, ...]]


def written_calls(text: str, names: list[str] | set[str], language: str = "python") -> list[Call]:
    """The example calls a model wrote, read strictly: calls of the named functions whose arguments are all
    literals, found anywhere on a line (`print(f(1))`, `x = f(1)`, `>>> f(1)`); anything else is dropped.
    Nothing is run: `ast` reads each line. JavaScript's true/false/null are read as Python's."""
    wanted = set(names)
    known = find_language(language)
    quickjs = known is not None and known.sandbox == QUICKJS
    found: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for raw in text.splitlines():
        line = raw.strip().removeprefix(">>>").strip().rstrip(";")
        if quickjs:
            line = _JS_LITERALS.sub(lambda m: _JS_WORDS[m[1]], line.split("//")[0])
        try:
            tree = ast.parse(line)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        for call in _calls_in(tree, wanted):
            if sum(f == call[0] for f, _ in found.values()) < MAX_WRITTEN:
                found.setdefault(repr(call), call)
    return list(found.values())


_EDGE = re.compile(r"^\s*(?:#|//)\s*edge", re.IGNORECASE)


def split_calls(text: str, names: list[str] | set[str], language: str = "python") -> tuple[list[Call], list[Call]]:
    """(ordinary, edge) calls from what a model wrote under prompts/calls.toml: those before its `# edge cases`
    line, and those after it (all ordinary when the line is missing). Read as written_calls reads them."""
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if _EDGE.match(line)), len(lines))
    edge = written_calls("\n".join(lines[at:]), names, language)
    seen = {repr(c) for c in edge}  # listed under both: the model's more specific word, an edge case, holds
    return [c for c in written_calls("\n".join(lines[:at]), names, language) if repr(c) not in seen], edge


def input_calls(code: str) -> list[tuple[str, tuple[Any, ...]]]:
    """Calls the Python code makes itself with literal arguments, at module level or in its
    `if __name__ == "__main__":` block (`print(fizzbuzz(15))`), to functions it defines."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return []
    names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    top = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    found: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for node in top:
        for call in _calls_in(node, names):
            found.setdefault(repr(call), call)
    return list(found.values())


def assert_parts(line: str) -> tuple[str, tuple[Any, ...], Any] | None:
    """(function, arguments, expected result) of one line `assert f(literals) == literal`, else None (nothing
    runs: `ast` reads the line)."""
    try:
        node = ast.parse(line.strip()).body[0]
    except (SyntaxError, ValueError, IndexError, MemoryError, RecursionError):
        return None
    if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1
            and isinstance(node.test.ops[0], ast.Eq)):
        return None
    call = _literal_call(node.test.left)
    ok, want = _literal(ast.unparse(node.test.comparators[0]))
    return (*call, want) if call is not None and ok else None


def intended_calls(text: str, names: list[str] | set[str]) -> list[tuple[str, tuple[Any, ...], Any]]:
    """(function, arguments, expected) from the `assert f(literals) == literal` lines a model wrote for the
    named functions (assert_parts); anything else is dropped."""
    wanted = set(names)
    found: dict[str, tuple[str, tuple[Any, ...], Any]] = {}
    for raw in text.splitlines():
        test = assert_parts(raw)
        if test is not None and test[0] in wanted and sum(f == test[0] for f, _, _ in found.values()) < MAX_WRITTEN:
            found.setdefault(repr(test[:2]), test)
    return list(found.values())
