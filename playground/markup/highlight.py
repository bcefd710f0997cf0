"""Highlighted code as escaped HTML (pygments), and the CSS that colours it."""

from __future__ import annotations

from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter

from ..highlight import lexer

_HTML = HtmlFormatter(nowrap=False, cssclass="highlight")  # built once: its style tables cost more than a short answer


def highlight_html(code: str, language: str | None) -> str:
    """Highlighted HTML (<div class="highlight"><pre>...); pygments escapes the code, so it is safe to embed."""
    return highlight(code, lexer(language), _HTML)


@lru_cache(maxsize=16)
def highlighted(code: str, language: str | None) -> str:
    """highlight_html, remembered for the last few answers: a UI shows the same final code in more than one
    place and more than once, and highlighting a long answer costs more than looking it up."""
    return highlight_html(code, language)


def highlight_css(style: str = "default", dark_style: str = "monokai") -> str:
    """CSS for highlighted code: a light style, and a dark one under Gradio's `.dark` class."""
    # Scoped rules only: pygments' full get_style_defs() also styles every `pre` on the page.
    rules = [".highlight pre { line-height: 125%; }"]
    for name, scope in ((style, ".highlight"), (dark_style, ".dark .highlight")):
        formatter = HtmlFormatter(style=name)
        rules += formatter.get_background_style_defs(scope) + formatter.get_token_style_defs(scope)
    return "\n".join(rules) + "\n"
