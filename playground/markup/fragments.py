"""Small escaped HTML fragments shared by the web app and the teaching view: message boxes, the code frame."""

from __future__ import annotations

import html

PLACEHOLDER = '<div class="pg-code pg-placeholder">The answer appears here.</div>'


def message_html(message: str, kind: str = "error") -> str:
    """A short escaped message box (kind: error, notice)."""
    if not message:
        return ""
    return f'<div class="pg-{kind}" role="{"alert" if kind == "error" else "status"}">{html.escape(message)}</div>'


def code_html(result_html: str) -> str:
    """The pipeline's highlighted code (already escaped by pygments) in the output frame."""
    if not result_html:
        return PLACEHOLDER
    return f'<div class="pg-code">{result_html}</div>'
