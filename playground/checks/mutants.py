"""Planted bugs: copies of the code with one operator or constant changed, to measure how strong tests are.

A test suite that passes on the code should fail on a copy with a bug in it; the share of planted bugs
(mutants) that make at least one test fail is the suite's mutation score (as mutmut and Stryker report
it). The changes are the ones the evaluation's Debug items plant by hand: a comparison made off by one
(`<` to `<=`), an arithmetic or boolean operator swapped (`+` to `-`, `and` to `or`), an integer constant
changed by one, a boolean constant flipped. Only code inside functions is changed, so that every copy
still loads; tree-sitter finds the places, so Python, JavaScript and TypeScript share one implementation.
Nothing here runs code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..languages import has_python_ast
from ..syntax import available, parser

MAX_MUTANTS = 8

# operator -> what the planted bug makes it
SWAPS: dict[str, str] = {
    "<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "==", "===": "!==", "!==": "===",
    "+": "-", "-": "+", "*": "/", "/": "*", "//": "*", "%": "//",
    "and": "or", "or": "and", "&&": "||", "||": "&&",
    "+=": "-=", "-=": "+=", "*=": "/=",
    "True": "False", "False": "True", "true": "false", "false": "true",
}
# The nodes whose operator a swap may change (a unary minus or a spread is left alone).
OPERATOR_PARENTS = {"comparison_operator", "binary_operator", "boolean_operator", "augmented_assignment",
                    "binary_expression", "augmented_assignment_expression"}
BOOLEANS = {"true", "false"}  # node types of boolean literals (Python's True/False parse as these too)
INTEGERS = {"integer", "number"}
FUNCTIONS = {"function_definition", "function_declaration", "function_expression", "arrow_function",
             "method_definition", "generator_function_declaration", "function"}
# Swaps whose result is Python's syntax only (`//` starts a comment elsewhere).
PYTHON_ONLY = {"%"}


@dataclass(frozen=True)
class Mutant:
    """The code with one planted bug, and where and what it is (for the reader: `line 4: < -> <=`)."""

    code: str
    line: int
    before: str
    after: str

    def describe(self) -> str:
        return f"line {self.line}: {self.before} → {self.after}"


def _in_function(node: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS:
            return True
        parent = parent.parent
    return False


def _change(node: Any, language: str) -> str | None:
    """What the token at node becomes, or None when it is not a place to plant a bug."""
    text = node.text.decode("utf-8", "replace")
    if node.type in BOOLEANS:
        return SWAPS.get(text)
    if node.type in INTEGERS:
        digits = text.replace("_", "")
        return str(int(digits) + 1) if digits.isdigit() else None
    if node.child_count == 0 and node.parent is not None and node.parent.type in OPERATOR_PARENTS:
        if text in PYTHON_ONLY and not has_python_ast(language):
            return None
        return SWAPS.get(text)
    return None


def _places(root: Any, language: str) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("string", "template_string", "comment"):
            continue
        after = _change(node, language)
        if after is not None and _in_function(node):
            found.append((node, after))
            continue
        stack.extend(reversed(node.children))
    return sorted(found, key=lambda p: p[0].start_byte)


def _spread(items: list[Any], n: int) -> list[Any]:
    """n items spread evenly over the list (all of them when there are no more than n)."""
    if len(items) <= n:
        return list(items)
    return [items[round(i * (len(items) - 1) / (n - 1))] for i in range(n)] if n > 1 else items[:1]


def plant(code: str, language: str, limit: int = MAX_MUTANTS) -> list[Mutant]:
    """Up to `limit` copies of code with one bug planted each, spread over the code's functions, in order.

    [] when the language has no grammar here, or the code does not parse (a bug in broken code says nothing).
    """
    if not available(language):
        return []
    source = code.encode("utf-8")
    tree = parser(language).parse(source)
    if tree.root_node.has_error:
        return []
    mutants = []
    for node, after in _spread(_places(tree.root_node, language), limit):
        changed = source[:node.start_byte] + after.encode("utf-8") + source[node.end_byte:]
        mutants.append(Mutant(changed.decode("utf-8"), node.start_point[0] + 1,
                              node.text.decode("utf-8", "replace"), after))
    return mutants
