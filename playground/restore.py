"""Keep what a rewritten answer still needs from the original: its imports, constants and helpers.

A small model asked to fix or simplify a typed function often answers with that function alone: it uses
`List` but dropped `from typing import List`, or calls `_line_total` and reads `UNITS` that the original
defined beside it. Such an answer fails with NameError however right its logic is, and a user who copies
it gets broken code. When the answer (Python, rewriting Python code) uses names that only the original's
top-level statements define, those statements go back into it, as the user wrote them: imports at its
top, definitions after them, each with whatever it needs in turn.
"""

from __future__ import annotations

import ast

from pyflakes.checker import Checker
from pyflakes.messages import UndefinedName

MAX_ROUNDS = 8  # a helper may need a constant, which may need an import: a few rounds at most


def _undefined(tree: ast.Module) -> set[str]:
    return {str(m.message_args[0]) for m in Checker(tree).messages if isinstance(m, UndefinedName)}


def _binds(node: ast.stmt) -> set[str]:
    """The names a top-level statement defines (imports, assignments, functions, classes)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _leading_end(tree: ast.Module, imports: bool) -> int:
    """The line after the answer's module docstring and __future__ imports (with imports=True, and its
    other leading imports too); 0 when it starts with none of them."""
    end = 0
    for index, node in enumerate(tree.body):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future or (imports and isinstance(node, ast.Import | ast.ImportFrom))):
            break
        end = node.end_lineno or end
    return end


def _source(original: str, node: ast.stmt) -> str:
    """A statement's text as the user wrote it, with its decorators."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return "".join(original.splitlines(keepends=True)[first - 1:node.end_lineno]).rstrip()


def _with(answer: str, tree: ast.Module, original: str, statements: list[ast.stmt]) -> str:
    """The answer with statements (in the original's order) put in: imports after its docstring and
    __future__ imports, definitions after its own imports."""
    lines = answer.splitlines(keepends=True)
    imports = "".join(_source(original, n) + "\n" for n in statements if isinstance(n, ast.Import | ast.ImportFrom))
    block = ""
    for node in (n for n in statements if not isinstance(n, ast.Import | ast.ImportFrom)):
        definition = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        if block and (definition or block.endswith("\n\n\n")):
            block = block.rstrip("\n") + "\n\n\n"  # two blank lines around a def, as PEP 8 has it
        block += _source(original, node) + ("\n\n\n" if definition else "\n")
    at, after = _leading_end(tree, imports=False), _leading_end(tree, imports=True)
    head = "".join(lines[:at])
    sections = [imports + "".join(lines[at:after]), block, "".join(lines[after:])]
    body = "\n\n\n".join(text.strip("\n") for text in sections if text.strip("\n"))
    return head + body + "\n"


def restore_missing(answer: str, original: str) -> tuple[str, list[str]]:
    """The answer with the original's top-level statements it needs put back, and the names they bring
    back; unchanged when nothing is missing, or when the answer or the original does not parse."""
    try:
        answer_tree, original_tree = ast.parse(answer), ast.parse(original)
    except (SyntaxError, ValueError):
        return answer, []
    chosen: list[ast.stmt] = []
    names: list[str] = []
    code, missing = answer, _undefined(answer_tree)
    for _ in range(MAX_ROUNDS):
        found = [(node, sorted(_binds(node) & missing)) for node in original_tree.body if node not in chosen]
        found = [(node, hit) for node, hit in found if hit]
        if not found:
            break
        chosen += [node for node, _ in found]
        names += [name for _, hit in found for name in hit if name not in names]
        code = _with(answer, answer_tree, original, _in_order(original_tree, chosen))
        try:
            missing = _undefined(ast.parse(code))
        except SyntaxError:
            return answer, []
    return code, names


def _in_order(tree: ast.Module, chosen: list[ast.stmt]) -> list[ast.stmt]:
    return [node for node in tree.body if node in chosen]
