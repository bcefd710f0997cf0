"""pygments highlighting for the terminal (the CLI); the lexer for our languages, which the HTML
highlighting of the front ends (playground.markup) uses too."""

from __future__ import annotations

from functools import cache

from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from .languages import find_language


@cache  # lexers keep no state while formatting, so one serves every thread
def lexer(language: str | None) -> Lexer:
    """Our languages, and any other name pygments knows (html, json from a fence); else plain text."""
    known = find_language(language)
    try:
        return get_lexer_by_name(known.lexer if known else language or "text", stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def highlight_terminal(code: str, language: str | None) -> str:
    """Code coloured for a terminal (ANSI escapes)."""
    return highlight(code, lexer(language), TerminalFormatter())
