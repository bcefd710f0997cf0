"""Syntax errors of code in any of our languages, from tree-sitter grammars (it parses; nothing runs).

Each grammar is its own PyPI package (tree-sitter-go, ...), named by the language's record
(`Language.grammar` in languages.py) and imported on first use. The result is a list
of places where the parser found an error or had to invent a missing token, with line and column.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from .languages import find_language

MAX_ERRORS = 20


@dataclass(frozen=True)
class SyntaxProblem:
    """Where the parser stopped understanding the code: 1-based line, 0-based column, and what it saw."""

    line: int
    col: int
    message: str


@cache
def parser(language: str) -> Any:
    """The tree-sitter parser of a language (ImportError when its grammar is not installed)."""
    from tree_sitter import Language, Parser

    known = find_language(language)
    if known is None or known.grammar is None:
        raise ImportError(f"no tree-sitter grammar is declared for {language!r}")
    module, function = known.grammar
    return Parser(Language(getattr(importlib.import_module(module), function)()))


def available(language: str | None) -> bool:
    """Whether a grammar for the language is installed."""
    known = find_language(language)
    if known is None or known.grammar is None:
        return False
    try:
        parser(known.name)
    except (ImportError, AttributeError, ValueError):
        return False
    return True


def _describe(node: Any, source: bytes) -> str:
    if node.is_missing:
        return f"syntax error: missing {node.type!r}"
    text = source[node.start_byte:node.end_byte].decode("utf-8", "replace").strip().splitlines()
    snippet = (text[0][:40] + ("…" if len(text[0]) > 40 or len(text) > 1 else "")) if text else ""
    return f"syntax error: unexpected {snippet!r}" if snippet else "syntax error"


def syntax_problems(code: str, language: str) -> list[SyntaxProblem]:
    """The syntax errors tree-sitter finds in code ([] when it parses, or when no grammar is installed)."""
    if not available(language):
        return []
    source = code.encode("utf-8", "replace")
    tree = parser(language).parse(source)
    if not tree.root_node.has_error:
        return []
    problems: list[SyntaxProblem] = []
    stack = [tree.root_node]
    while stack and len(problems) < MAX_ERRORS:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, col = node.start_point
            problems.append(SyntaxProblem(row + 1, col, _describe(node, source)))
            continue  # one problem per broken region
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(problems, key=lambda p: (p.line, p.col))
