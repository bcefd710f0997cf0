"""What the web app shows: escaped HTML fragments and short texts (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from playground.checks import RunReport
from playground.lint import Finding
from playground.markup.fragments import message_html
from playground.result import Answer, Candidate, Result, Stats, Status
from playground.verdict import Item, Verdict
from playground.web.manager import ModelCard
from playground.web.present import (
    checks_html,
    diff_html,
    explanation_html,
    fim_note,
    lint_rows,
    lint_summary,
    model_card_html,
    run_html,
    stats_line,
)
from tests.browser import XSS


def _no_code(code: str, language: str) -> str:
    """The code renderer of a Checks panel that shows no code (no rejected candidate): never called."""
    raise AssertionError(f"unexpected code to render: {code!r}")


def _result(**values: object) -> Result:
    stats = Stats(prompt_tokens=300, completion_tokens=42, ttft_s=0.25, tokens_per_s=36.04, total_s=1.4,
                  context_size=4096)
    return Result("simplify", "python", "", "m", "e", stats=stats, **values)  # type: ignore[arg-type]


def test_stats_line_shows_tokens_speed_ttft_and_context() -> None:
    line = stats_line(_result(status=Status.DONE))
    assert line.startswith("Done: 42 tokens")
    for part in ("36.0 tokens/s", "first token 0.25 s", "context 342 / 4096", "1.4 s in all"):
        assert part in line
    assert stats_line(_result()).startswith("Generating")
    assert stats_line(_result(status=Status.STOPPED)).startswith("Stopped")


def _verdict(passed: int, total: int, candidate: int = 1, tried: int = 1) -> Verdict:
    items = [Item(f"f({i})", i < passed, "1", "1" if i < passed else "2") for i in range(total)]
    return Verdict(items, candidate=candidate, candidates_tried=tried)


@pytest.mark.parametrize(("values", "phrase"), [
    ({"candidate": 2, "candidates": 3}, "answer 2 of up to 3"),
    ({"candidate": 2, "candidates": 3, "repairs": 1}, "answer 2 of up to 3, repairing answer 1"),
    ({"candidate": 1, "candidates": 3, "status": Status.CHECKING}, "checking answer 1 of up to 3"),
    ({"status": Status.CHECKING}, "checking the answer"),
    ({"status": Status.DONE, "candidates": 3, "checks": _verdict(4, 4, 2, 2)}, "answer 2 of 2 passed"),
    ({"status": Status.DONE, "candidates": 3, "checks": _verdict(3, 4, 2, 3)},
     "no answer of 3 passed (best: answer 2, fails 1 of 4)"),
    ({"status": Status.DONE, "checks": _verdict(4, 4)}, "checks: passes 4/4"),
    ({"status": Status.DONE, "candidates": 3, "checks": _verdict(4, 4)}, "checks: passes 4/4"),  # at once
    ({"status": Status.DONE, "checks": _verdict(0, 0)}, "no checks"),
])
def test_stats_line_says_how_the_candidates_went(values: dict[str, object], phrase: str) -> None:
    assert stats_line(_result(**values)).endswith(" · " + phrase)


def test_checks_panel_lists_each_check_escaped() -> None:
    items = [Item("f('<script>')", False, "'<b>'", "'<i>'", "ValueError: <img src=x>")]
    result = _result(status=Status.DONE, checks=Verdict(items, notes=["2 examples are <Python-only>"]))
    html = checks_html(result, lambda code, language: f"<pre>{code}</pre>")
    assert "✗ fails 1 of 1" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;img src=x&gt;" in html and "&lt;Python-only&gt;" in html
    assert "Checks run when" in checks_html(_result(), _no_code)
    assert "no checks: add &gt;&gt;&gt; examples" in checks_html(_result(status=Status.DONE, checks=Verdict()),
                                                                   _no_code)



def test_simplify_that_kept_the_original_says_so_and_folds_the_candidate_once() -> None:
    """The failing verdict belongs to a candidate not shown: it goes in a fold with that candidate, once."""
    rejected = Candidate(Answer("a", "x = 2"), Verdict([Item("f(1)", False, "1", "2"), Item("f(2)", True, "2", "2")]))
    html = checks_html(_result(status=Status.DONE, checks=rejected.verdict, rejected=rejected), lambda c, lang: c)
    head, fold = html.split('<details class="pg-rejected">')
    assert "No simplification kept the behaviour: your code is unchanged." in head
    assert "✗" not in head and "fails" not in head and "x = 2" not in head  # nothing of the candidate outside
    assert "<summary>The best candidate, not used: fails 1 of 2</summary>" in fold and "x = 2" in fold
    assert html.count("<code>f(1)</code>") == 1 and "<code>f(2)</code>" not in html  # its failing checks, once
    kept = _result(status=Status.DONE, checks=rejected.verdict, rejected=rejected)
    assert stats_line(kept).endswith("code unchanged: no simplification kept the behaviour")  # not "fails 1 of 2"


def test_checks_panel_shows_failures_first_and_folds_the_rest() -> None:
    items = [Item(f"f({i})", i % 2 == 0 or i > 12, "1", "2") for i in range(22)]  # 6 failing: f(1), f(3), ..f(11)
    html = checks_html(_result(status=Status.DONE, checks=Verdict(items)), _no_code)
    shown, folded = html.split('<details class="pg-more-checks">')
    assert [f"f({i})" for i in (1, 3, 5, 7, 9, 11)] == re.findall(r"<code>(f\(\d+\))</code>", shown)
    assert "<summary>16 more checks (all passing)</summary>" in folded
    assert len(re.findall("<code>", folded)) == 16
    few = checks_html(_result(status=Status.DONE, checks=Verdict(items[:7])), _no_code)
    assert "<details" not in few and len(re.findall("<code>", few)) == 7  # one more row is not worth a fold
    eight = checks_html(_result(status=Status.DONE, checks=Verdict([*items[:7], items[1]])), _no_code)
    assert "<summary>2 more checks (all passing)</summary>" in eight


def test_run_box_shows_output_value_or_error_escaped() -> None:
    html = run_html(RunReport("f(<x>)", "<b>hi</b>\n", "'<i>'", "", 0.002))
    assert "&lt;b&gt;hi&lt;/b&gt;" in html and "returned" in html and "2.0 ms" in html and "<b>" not in html
    assert "TypeError" in run_html(RunReport("f()", "", "", "TypeError: f() missing", 0.0))
    assert "printed nothing" in run_html(RunReport("f()", "", "", "", 0.0))


@pytest.mark.parametrize("render", [explanation_html, message_html, lambda t: diff_html("x = 1\n", t)])
def test_fragments_escape_model_and_user_text(render: Callable[[str], str]) -> None:
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
    return Result("simplify", "python", "", "m", "e", answer=Answer(code=code, lint=tuple(lint)), lint_note=note,
                  status=Status.DONE)


@pytest.mark.parametrize(("result", "expected"), [
    (_final([]), "No problems found"),
    (_final([Finding(1, 0, "undefined name 'y'")]), "1 problem found"),
    (_final([Finding(1, 0, "a"), Finding(2, 0, "b")]), "2 problems found"),
    (Result("translate", "go", "", "m", "e", answer=Answer(code="package main\n"), status=Status.DONE),
     "✓ Parses as Go (tree-sitter"),
    (Result("translate", "go", "", "m", "e", answer=Answer(code="x", lint=(Finding(1, 0, "syntax error"),)),
            status=Status.DONE),
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



def test_a_warning_row_is_amber_a_time_out_is_marked_and_the_sentence_speaks_to_a_learner() -> None:
    items = [Item("last_item([1, 2])", True, "no IndexError", "2", origin="test"),
             Item("last_item([])", True, "no IndexError", "IndexError: list index out of range (line 2)",
                  origin="generated", warning="still raises IndexError on `last_item([])`: intended?"),
             Item("slow(9)", False, "", "", "timed out: the machine was too busy", origin="model", timed_out=True)]
    html = checks_html(_result(status=Status.DONE, checks=Verdict(items)), _no_code)
    assert '<div class="pg-verdict pg-pass">✓ passes 2/2 · 1 to look at</div>' in html
    assert ('<div class="pg-verdict-sentence">passes 2/2; still raises IndexError on <code>last_item([])</code>: '
            "intended?; 1 check timed out on a busy machine and is not counted</div>") in html
    assert '<span class="pg-warn">!</span>' in html and "still raises IndexError: intended?</div>" in html
    assert '<span class="pg-unchecked">~</span>' in html  # the time-out: neither passed nor failed
    assert html.index("last_item([])") < html.index("last_item([1, 2])")  # what to look at comes first
    hostile = Verdict([Item("f(1)", False, "1", "2", origin="model"),
                       Item("f(2)", True, warning=f"raises `{XSS}`: intended?", origin="edge")], notes=[])
    shown = checks_html(_result(status=Status.DONE, checks=hostile), _no_code)
    assert "<script" not in shown and "<img" not in shown
