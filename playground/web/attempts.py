"""The rounds of a request in the Checks panel: one line per answer tried (how it was asked for, how it did),
each opening onto its code, its diff against the answer it repaired (or the input) and, for a repair, what
the model was told failed. Pure, no Gradio: everything from a user or a model is escaped here."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from ..result import Candidate
from ..verdict import VerdictStatus
from .present import diff_html, words_html


def attempts_html(attempts: Sequence[Candidate], chosen: int, original: str | None, language: str,
                  code_html_of: Callable[[str, str], str]) -> str:
    """The answers tried, in order, when there was more than one ("" otherwise); `chosen` (1-based) is the one
    shown (0: none of them, as when Simplify kept your code); `original`: the input a fresh answer's diff is
    against (None: no diff, as for a translation, whose answer is in another language); a repair's diff is
    against the answer it repairs."""
    if len(attempts) < 2:
        return ""
    rows = []
    for number, tried in enumerate(attempts, 1):
        kind = "pg-pass" if tried.verdict.status is VerdictStatus.PASS else \
            "pg-fail" if tried.verdict.status is VerdictStatus.FAIL else "pg-muted"
        shown = " · the answer shown" if number == chosen else ""
        parent = attempts[tried.repairs - 1].answer.code if 0 < tried.repairs <= len(attempts) else original
        told = (f'<div class="pg-muted">What the model was told:</div><pre class="pg-feedback">'
                f'{html.escape(tried.feedback)}</pre>') if tried.repairs and tried.feedback else ""
        against = f"answer {tried.repairs}" if tried.repairs else "your code"
        diff = diff_html(parent, tried.answer.code) if parent is not None else ""
        shown_text = code_html_of(tried.answer.code, language) if tried.answer.code.strip() else \
            f'<div class="pg-explanation">{words_html(tried.answer.explanation)}</div>'  # Explain answers in words
        body = told + shown_text + (
            f'<div class="pg-muted">Changes from {against}:</div>{diff}' if diff else "")
        rows.append(f'<details class="pg-attempt"><summary><span class="{kind}">{words_html(tried.story(number))}'
                    f'</span>{shown}</summary>{body}</details>')
    return f'<div class="pg-attempts"><div class="pg-muted">{len(attempts)} answers tried:</div>{"".join(rows)}</div>'
