"""What failed, in words a model can act on (and a learner can read): the repair round's feedback. Pure.

Only what the user can see is fed back: the failed rows of the Checks panel, each as the call, what was
expected and where that expectation came from (the code's own example, the user's test, the original code's
result on that call), and what came out (the value, or the exception with the line of the answer it was
raised on); pyflakes' errors; at most MAX_FAILURES of them, the ones a person wrote first. Why execution
feedback: repairing from a real run's failure gains where the model's own tests do not ("Revisiting
Self-Debugging", arXiv 2501.12793); most of the gain comes in the first two rounds ("How many tries",
arXiv 2604.10508).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from .languages import has_python_ast
from .lint import Finding
from .repair import errors
from .syntax import available, parser
from .verdict import Item, Verdict, plainest

MAX_FAILURES = 3  # failures shown in one repair turn: short, the first a person would look at
MAX_VALUE = 120  # characters of a value shown (a long list is cut)
UNCHANGED = "the answer changes the code"  # Debug's row for an answer that is the input again

# Where an expectation came from, as the model is told it (Item.origin). The oracle's rows (Translate and
# Simplify: the original's result) and Debug's (the reported error must be gone) say so in their own words.
SOURCES = {
    "example": "the code's own example",
    "test": "the user's test",
    "input": "a call the code itself makes",
    "model": "an example call",
    "edge": "an edge case",
    "intended": "the expected result from the function's name and docstring",
    "generated": "a generated input",
    "error": "the error the user reported",
}
ORACLE = "what the original code returns"  # where the original is the oracle, every other row's expectation


def _cut(text: str) -> str:
    text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _call_key(name: str) -> str:
    """The call a row is about, however it is written (`>>> f("a")` and `f('a')` are one call)."""
    text = name.removeprefix(">>>").strip()
    try:
        return ast.dump(ast.parse(text, mode="eval"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not a call Python reads (or a monster)
        return text


def failures(verdict: Verdict, limit: int = MAX_FAILURES) -> list[Item]:
    """The failed rows to show the model: not the ones a busy machine could not finish, the readable first,
    each call once (an example is checked both as written and against the original's result)."""
    calls: dict[str, Item] = {}
    for item in sorted((i for i in verdict.judged if not i.passed), key=plainest):  # alike: the shortest first
        calls.setdefault(_call_key(item.name), item)
    return list(calls.values())[:limit]


def told_rows(verdict: Verdict, findings: Iterable[Finding]) -> list[Item]:
    """The failed rows a repair turn tells: as many as pyflakes' errors, told first, leave room for."""
    return failures(verdict, max(0, MAX_FAILURES - len(errors(findings))))


def failure_line(item: Item, program: str, oracle: bool = False) -> str:
    """One failure as a line of the repair turn (oracle: the task's expectations are the original code's
    results, as in Translate and Simplify)."""
    if item.origin == "syntax":
        return f"- It does not parse ({item.error or item.got})."
    if item.origin == "unchanged":
        return ("- Your answer is the code you were given, unchanged but for comments, docstrings or imports: the "
                "bug is still there. Change the code itself.")
    if item.origin == "program":  # the whole program's printed output, against the original's
        printed = f"printed {_cut(item.got)}" if item.got else f"raised {_cut(item.error)}" if item.error else \
            "printed nothing"
        return f"- The program {printed}, where the original printed {_cut(item.expected)}."
    source = ORACLE if oracle and item.origin not in ("example", "test") else SOURCES.get(item.origin, "a check")
    expected = _cut(item.expected) or "no error"
    if item.error:
        lines = program.splitlines()
        at = f" on line {item.line}: `{lines[item.line - 1].strip()}`" if 0 < item.line <= len(lines) else ""
        came = f"it raised {_cut(item.error)}{at}"
    else:
        came = f"got {_cut(item.got)}" if item.got else "got nothing"
    call = item.name if item.name.startswith(("assert", ">>>")) else f"`{item.name}`"
    return f"- {call} ({source}): expected {expected}, {came}."


def feedback(verdict: Verdict | None, program: str, findings: Iterable[Finding] = (), oracle: bool = False) -> str:
    """The repair turn's account of what failed: pyflakes' errors, then the failed checks (at most
    MAX_FAILURES in all); "" when nothing failed."""
    lines = [f"- line {f.line}: {f.message}" for f in errors(findings)][:MAX_FAILURES]
    if verdict is not None:
        lines += [failure_line(i, program, oracle) for i in told_rows(verdict, findings)]
    return "\n".join(lines)


# ---------------------------------------------------------------- an answer that changes nothing

# tree-sitter's node types for what does not change a program's behaviour here: comments, and imports (a
# rewrite's import of a name it does not use changes nothing either), in the grammars we ship.
_QUIET_NODES = ("comment", "line_comment", "block_comment", "import_statement", "import_declaration",
                "use_declaration", "preproc_include", "using_directive")


def _python_shape(code: str) -> str | None:
    """The program without its docstrings and imports (ast drops the comments), or None when it does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.body = [s for s in node.body if not isinstance(s, ast.Import | ast.ImportFrom) and not (
                isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str))]
    return ast.dump(tree)


def _tokens(code: str, language: str) -> list[str] | None:
    """The program's tokens (tree-sitter's leaves) without comments and imports; None without a grammar."""
    if not available(language):
        return None
    source = code.encode("utf-8")
    leaves: list[str] = []
    stack = [parser(language).parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type in _QUIET_NODES:
            continue
        if node.child_count == 0:
            leaves.append(source[node.start_byte:node.end_byte].decode("utf-8", "replace"))
        stack.extend(reversed(node.children))
    return leaves


def same_program(before: str, after: str, language: str) -> bool:
    """Whether after changes nothing of before but comments, docstrings, imports and spacing (never a fix)."""
    if has_python_ast(language):
        shapes = _python_shape(before), _python_shape(after)
        if shapes[0] is not None and shapes[1] is not None:
            return shapes[0] == shapes[1]
    tokens = _tokens(before, language), _tokens(after, language)
    if tokens[0] is not None:  # tree-sitter reads a broken program too
        return tokens[0] == tokens[1]
    return "".join(before.split()) == "".join(after.split())  # no grammar: the text
