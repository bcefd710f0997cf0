"""pygments highlighting to escaped HTML (for the web app) or the terminal (for the CLI)."""

from __future__ import annotations

from functools import cache

from pygments import highlight
from pygments.formatters import HtmlFormatter, TerminalFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from .languages import find_language


@cache  # lexers and formatters keep no state while formatting, so one of each serves every thread
def _lexer(language: str | None) -> Lexer:
    """Our languages, and any other name pygments knows (html, json from a fence); else plain text."""
    known = find_language(language)
    try:
        return get_lexer_by_name(known.lexer if known else language or "text", stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


_HTML = HtmlFormatter(nowrap=False, cssclass="highlight")  # built once: its style tables cost more than a short answer


def highlight_html(code: str, language: str | None) -> str:
    """Highlighted HTML (<div class="highlight"><pre>...); pygments escapes the code, so it is safe to embed."""
    return highlight(code, _lexer(language), _HTML)


def highlight_css(style: str = "default", dark_style: str = "monokai") -> str:
    """CSS for highlighted code: a light style, and a dark one under Gradio's `.dark` class."""
    # Scoped rules only: pygments' full get_style_defs() also styles every `pre` on the page.
    rules = [".highlight pre { line-height: 125%; }"]
    for name, scope in ((style, ".highlight"), (dark_style, ".dark .highlight")):
        formatter = HtmlFormatter(style=name)
        rules += formatter.get_background_style_defs(scope) + formatter.get_token_style_defs(scope)
    return "\n".join(rules) + "\n"


def highlight_terminal(code: str, language: str | None) -> str:
    """Code coloured for a terminal (ANSI escapes)."""
    return highlight(code, _lexer(language), TerminalFormatter())
