"""What a program's functions are and which calls it makes itself, for the languages whose calls the checks can
read: Python (its `ast`) and JavaScript / TypeScript (tree-sitter). Nothing here runs code.

The checks need, for the original code: the functions to call (with how many positional parameters), the calls
the code makes itself with literal arguments (`print(fizzbuzz(15))`, `console.log(wordCount("a b"))`), and
for an answer in another language, the name under which it defines the same function (`word_count` for
`wordCount`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..languages import QUICKJS, find_language, has_python_ast
from ..syntax import available, parser
from .sources import Call, input_calls, written_calls

# tree-sitter node types (JavaScript and TypeScript grammars)
_DECLARATIONS = {"function_declaration", "generator_function_declaration"}
_VALUES = {"arrow_function", "function_expression", "function"}
_PARAMETERS = {"identifier", "assignment_pattern", "object_pattern", "array_pattern", "required_parameter",
               "optional_parameter"}
_SCOPES = {"function_declaration", "generator_function_declaration", "arrow_function", "function_expression",
           "function", "method_definition", "class_declaration", "class"}


def reads_calls(language: str | None) -> bool:
    """Whether the checks can read this language's functions and calls (Python, JavaScript, TypeScript)."""
    known = find_language(language)
    return known is not None and (known.python_ast or (known.sandbox == QUICKJS and available(known.name)))


def defined_functions(code: str, language: str) -> dict[str, int]:
    """The program's top-level functions and their positional parameter counts, in order (none when it does
    not parse)."""
    if has_python_ast(language):
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return {}
        return {n.name: len(n.args.posonlyargs + n.args.args) for n in tree.body if isinstance(n, ast.FunctionDef)}
    return dict(_script_functions(code, language)) if reads_calls(language) else {}


@cache
def _script_functions(code: str, language: str) -> tuple[tuple[str, int], ...]:
    found: dict[str, int] = {}
    for name, node in _function_nodes(code, language):
        found.setdefault(name, _arity(node))
    return tuple(found.items())


def _function_nodes(code: str, language: str) -> list[tuple[str, Any]]:
    """A script's top-level functions as (name, tree-sitter node): declarations and `const f = (x) => ...`."""
    root = parser(language).parse(code.encode("utf-8")).root_node
    found: list[tuple[str, Any]] = []
    for node in root.children:
        if node.type in ("export_statement", "expression_statement") and node.named_children:
            node = node.named_children[0]
        if node.type in _DECLARATIONS and (name := node.child_by_field_name("name")) is not None:
            found.append((_text(name), node))
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
                if name is not None and name.type == "identifier" and value is not None and value.type in _VALUES:
                    found.append((_text(name), value))
    return found


_EQUALITIES = {"==", "===", "!=", "!=="}


@dataclass(frozen=True)
class Literals:
    """What a function's own text says about the inputs that matter to it: its integer literals (`18` of
    `age >= 18`) and whether it compares values for equality (`x === value`: a `"1"` beside a `1` tells)."""

    integers: frozenset[int] = frozenset()
    compares: bool = False


def literals(code: str, language: str) -> dict[str, Literals]:
    """The Literals of each top-level function of the program (none when it does not parse)."""
    if has_python_ast(language):
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return {}
        return {n.name: Literals(
            frozenset(c.value for c in ast.walk(n) if isinstance(c, ast.Constant) and type(c.value) is int),
            any(isinstance(op, ast.Eq | ast.NotEq) for c in ast.walk(n) if isinstance(c, ast.Compare) for op in c.ops))
            for n in tree.body if isinstance(n, ast.FunctionDef)}
    if not reads_calls(language):
        return {}
    found: dict[str, Literals] = {}
    for name, node in _function_nodes(code, language):
        nodes = list(_descendants(node))
        numbers = {int(_text(n)) for n in nodes if n.type == "number" and _text(n).isdigit()}
        found.setdefault(name, Literals(frozenset(numbers), any(n.type in _EQUALITIES for n in nodes)))
    return found


def _descendants(node: Any) -> Iterator[Any]:
    for child in node.children:
        yield child
        yield from _descendants(child)


def _arity(node: Any) -> int:
    params = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
    if params is None:
        return 0
    if params.type == "identifier":  # x => x + 1
        return 1
    return sum(1 for p in params.named_children if p.type in _PARAMETERS)


def _text(node: Any) -> str:
    return bytes(node.text).decode("utf-8", "replace")


def own_calls(code: str, language: str) -> list[Call]:
    """Calls the program makes itself with literal arguments, outside its functions (at module level, in its
    `if __name__ == "__main__":` block, in a top-level `console.log(...)`), to functions it defines."""
    if has_python_ast(language):
        return input_calls(code)
    names = set(defined_functions(code, language))
    if not names:
        return []
    root = parser(language).parse(code.encode("utf-8")).root_node
    texts = [_text(node) for node in _top_level_calls(root) if _callee(node) in names]
    return written_calls("\n".join(" ".join(t.split()) for t in texts), names, language)


def _top_level_calls(node: Any) -> list[Any]:
    found = []
    for child in node.named_children:
        if child.type in _SCOPES:
            continue
        if child.type == "call_expression":
            found.append(child)
        found += _top_level_calls(child)
    return found


def _callee(node: Any) -> str:
    function = node.child_by_field_name("function")
    return _text(function) if function is not None and function.type == "identifier" else ""


def definitions(code: str) -> str:
    """Python code without its top-level statements that only do something (a call, a print, a loop, the
    `if __name__ == "__main__":` block): its imports, functions, classes and assignments stay, so that a
    program that fails while it runs can still have its functions called one by one."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return code
    kept = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    lines = code.splitlines()
    body = [n for n in tree.body if isinstance(n, kept) and not (isinstance(n, ast.Assign | ast.AnnAssign) and any(
        isinstance(c, ast.Call) for c in ast.walk(n)))]
    return "\n".join("\n".join(lines[n.lineno - 1 - len(getattr(n, "decorator_list", [])):n.end_lineno])
                     for n in body) + "\n"


def name_forms(name: str) -> list[str]:
    """The names a translated function may have: as written, camelCase, PascalCase, snake_case."""
    parts = [p for p in re.split(r"_+", name) if p]
    camel = parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:]) if parts else name
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return list(dict.fromkeys([name, camel, camel[:1].upper() + camel[1:], snake]))


def answer_name(func: str, program: str, language: str) -> str:
    """The name under which the program defines func (`word_count` for `wordCount`), else func itself."""
    defined = defined_functions(program, language)
    forms = name_forms(func)
    found = next((f for f in forms if f in defined), None)
    if found is None:  # the sandbox's own last resort: the same letters, whatever the underscores and case
        key = func.replace("_", "").lower()
        found = next((d for d in defined if d.replace("_", "").lower() == key), None)
    return found or func
