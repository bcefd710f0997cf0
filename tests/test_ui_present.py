"""What the web app shows: escaped HTML fragments and short texts (pure functions)."""

from __future__ import annotations

import pytest

from playground.fragments import message_html
from playground.lint import Finding
from playground.result import Result, Stats
from playground.web.manager import ModelCard
from playground.web.present import (
    diff_html,
    explanation_html,
    fim_note,
    lint_rows,
    lint_summary,
    model_card_html,
    stats_line,
)
from tests.browser import XSS


def test_stats_line_shows_tokens_speed_ttft_and_context() -> None:
    stats = Stats(prompt_tokens=300, completion_tokens=42, ttft_s=0.25, tokens_per_s=36.04, total_s=1.4,
                  context_size=4096)
    line = stats_line(stats, done=True)
    assert line.startswith("Done: 42 tokens")
    for part in ("36.0 tokens/s", "first token 0.25 s", "context 342 / 4096", "1.4 s in all"):
        assert part in line
    assert stats_line(stats).startswith("Generating")
    assert stats_line(stats, done=True, stopped=True).startswith("Stopped")


@pytest.mark.parametrize("render", [explanation_html, message_html, lambda t: diff_html("x = 1\n", t)])
def test_fragments_escape_model_and_user_text(render) -> None:
    out = render(XSS)
    assert "<script" not in out and "<img" not in out and "</textarea>" not in out
    assert "&lt;script&gt;" in out


def test_explanation_keeps_paragraphs_and_inline_code_only() -> None:
    out = explanation_html("Use `sum(<x>)` here.\n\nSecond <b>para</b>.")
    assert out.count("<p>") == 2
    assert "<code>sum(&lt;x&gt;)</code>" in out
    assert "<b>" not in out


def test_diff_marks_added_and_removed_lines() -> None:
    out = diff_html("a = 1\nb = 2\n", "a = 1\nb = 3\n")
    assert "1 line added, 1 removed" in out
    assert '<span class="pg-del">-b = 2</span>' in out and '<span class="pg-add">+b = 3</span>' in out
    assert "No changes" in diff_html("a = 1\n", "a = 1\n")
    assert diff_html("a = 1\n", "") == ""


def _final(lint: list[Finding], code: str = "x = 1\n", note: str | None = None) -> Result:
    return Result("simplify", "python", "", "m", "e", code=code, lint=lint, lint_note=note, done=True)


@pytest.mark.parametrize(("result", "expected"), [
    (_final([]), "No problems found"),
    (_final([Finding(1, 0, "undefined name 'y'")]), "1 problem found"),
    (_final([Finding(1, 0, "a"), Finding(2, 0, "b")]), "2 problems found"),
    (Result("translate", "go", "", "m", "e", code="package main\n", done=True), "✓ Parses as Go (tree-sitter"),
    (Result("translate", "go", "", "m", "e", code="x", lint=[Finding(1, 0, "syntax error")], done=True),
     "1 syntax error (tree-sitter, Go)."),
    (_final([], note="Lint did not run: no checker for html."), "Lint did not run"),
    (_final([], code=""), "No code in the answer"),
    (Result("simplify", "python", "", "m", "e"), "Lint runs when the answer is complete"),
])
def test_lint_summary(result: Result, expected: str) -> None:
    assert expected in lint_summary(result)


def test_lint_rows_are_line_column_message() -> None:
    table = lint_rows([Finding(3, 4, "undefined name 'y'", "error")])
    assert table == {"headers": ["Line", "Column", "Message"], "data": [[3, 4, "undefined name 'y'"]]}


def test_model_card_escapes_names_and_says_fim() -> None:
    card = ModelCard(name=XSS, engine="llama-cpp", spec="default", size_bytes=98_400_000, quantization="Q4_1",
                     context_size=4096, trained_context=8192, fim=False, notice="")
    out = model_card_html(card)
    assert "<script" not in out and "98.4 MB" in out and "4096 tokens (trained 8192)" in out
    assert "no fill-in-the-middle" in fim_note(card)
    assert "is used" in fim_note(ModelCard(**{**card.__dict__, "fim": True}))

