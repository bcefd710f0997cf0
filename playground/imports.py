"""Keep the original's imports that a rewritten answer still needs.

A small model asked to fix or simplify a typed function often answers with the function alone: it uses
`List` but dropped `from typing import List`, so the answer fails with NameError however right its logic
is, and a user who copies it gets broken code. When the answer (Python, rewriting Python code) uses a
name that only the original's top-level imports define, those import statements go back at its top.
"""

from __future__ import annotations

import ast

from pyflakes.checker import Checker
from pyflakes.messages import UndefinedName


def _undefined(tree: ast.Module) -> set[str]:
    return {str(m.message_args[0]) for m in Checker(tree).messages if isinstance(m, UndefinedName)}


def _header_end(tree: ast.Module) -> int:
    """The line after the answer's module docstring and __future__ imports (0 when it has neither)."""
    end = 0
    for index, node in enumerate(tree.body):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future):
            break
        end = node.end_lineno or end
    return end


def restore_imports(answer: str, original: str) -> tuple[str, list[str]]:
    """The answer with the original's import statements it needs put back at its top (after a module
    docstring and __future__ imports), and the names they bring back; unchanged when nothing is missing
    or either does not parse."""
    try:
        answer_tree, original_tree = ast.parse(answer), ast.parse(original)
    except (SyntaxError, ValueError):
        return answer, []
    missing = _undefined(answer_tree)
    if not missing:
        return answer, []
    statements, names = [], []
    for node in original_tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        bound = {(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"}
        found = sorted(bound & missing)
        if found and (text := ast.get_source_segment(original, node)):
            statements.append(text)
            names += found
    if not statements:
        return answer, []
    lines = answer.splitlines(keepends=True)
    at = _header_end(answer_tree)
    head = "".join(lines[:at])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + "".join(s + "\n" for s in statements) + "".join(lines[at:]), names
