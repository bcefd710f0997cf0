"""Turn streamed Results into what a front end shows: escaped HTML fragments and short texts.

Pure functions, no Gradio: every string that came from a user or a model is escaped here.
"""

from __future__ import annotations

import difflib
import html
import re

from ..fragments import message_html
from ..languages import DISPLAY_NAMES
from ..lint import Finding, lint_tool
from ..result import Result, Stats
from .manager import ModelCard

LINT_HEADERS = ["Line", "Column", "Message"]
LINT_PENDING = "Lint runs when the answer is complete."


def stats_line(stats: Stats, done: bool = False, stopped: bool = False) -> str:
    """One line: tokens, tokens/s, time to first token, context used / size (plain text)."""
    state = "Stopped" if stopped else "Done" if done else "Generating"
    used = stats.prompt_tokens + stats.completion_tokens
    parts = [
        f"{state}: {stats.completion_tokens} tokens",
        f"{stats.tokens_per_s:.1f} tokens/s",
        f"first token {stats.ttft_s:.2f} s",
        f"context {used} / {stats.context_size}",
    ]
    if done:
        parts.append(f"{stats.total_s:.1f} s in all")
    return " · ".join(parts)


def lint_rows(findings: list[Finding]) -> dict[str, list]:
    """The lint findings as a table value (headers + rows of line, column, message)."""
    return {"headers": LINT_HEADERS, "data": [[f.line, f.col, f.message] for f in findings]}


def lint_summary(result: Result) -> str:
    """The sentence above the lint table: problems found, none, or why lint does not apply."""
    if not result.done:
        return LINT_PENDING
    if not result.code.strip():
        return "No code in the answer to check."
    n = len(result.lint)
    tool = lint_tool(result.language)
    if tool == "tree-sitter":
        name = DISPLAY_NAMES.get(result.language, result.language)
        if n == 0:
            return f"✓ Parses as {name} (tree-sitter checks the syntax only)."
        return f"{n} syntax error{'s' if n != 1 else ''} (tree-sitter, {name})."
    if result.lint_note:
        return result.lint_note
    if n == 0:
        return "✓ No problems found (pyflakes)."
    return f"{n} problem{'s' if n != 1 else ''} found (pyflakes)."


def explanation_html(text: str) -> str:
    """The model's explanation as escaped HTML: paragraphs, line breaks and `inline code` only."""
    if not text.strip():
        return ""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        safe = html.escape(block)
        safe = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", safe)  # backticks survive escaping
        paragraphs.append("<p>" + safe.replace("\n", "<br>") + "</p>")
    return '<div class="pg-explanation">' + "".join(paragraphs) + "</div>"


def diff_html(before: str, after: str) -> str:
    """A unified line diff of input and output as escaped HTML (added and removed lines marked)."""
    if not after.strip():
        return ""
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), "before", "after", lineterm="", n=3))
    if not lines:
        return '<div class="pg-diff pg-muted">No changes: the output is the same as the input.</div>'
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    rows = []
    for line in lines[2:]:  # skip the ---/+++ file header
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        rows.append(f'<span class="pg-{kind}">{html.escape(line) or " "}</span>')
    head = f'<div class="pg-diff-head">{added} line{"s" if added != 1 else ""} added, {removed} removed</div>'
    return f'<div class="pg-diff">{head}<pre>{"".join(rows)}</pre></div>'  # rows are display:block


def human_size(n: int) -> str:
    """Bytes as a short human-readable size (94.3 MB)."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def model_card_html(card: ModelCard) -> str:
    """The model panel's facts about the loaded model, escaped."""
    trained = f" (trained {card.trained_context})" if card.trained_context else ""
    rows = [
        ("Model", card.name),
        ("Engine", card.engine),
        ("Size on disk", human_size(card.size_bytes) if card.size_bytes else "?"),
        ("Quantization", card.quantization or "?"),
        ("Context", f"{card.context_size} tokens{trained}"),
        ("Fill in the middle", "yes" if card.fim else "no"),
    ]
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f'<table class="pg-model">{cells}</table>' + message_html(card.notice, "notice")


def fim_note(card: ModelCard) -> str:
    """What Complete does with a suffix on the loaded model."""
    if card.fim:
        return f"{card.name} has fill-in-the-middle tokens: the code after the cursor is used."
    return (f"{card.name} has no fill-in-the-middle tokens, so the suffix is ignored and the code is "
            "completed from what comes before the cursor. Load a coder model (e.g. Qwen2.5-Coder) to use it.")
