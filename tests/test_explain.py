"""Explain, the task added as the proof that a task is its own module: prose back, and beside it the sandbox's
run of the code's own examples (or the model's example calls) on the code itself.

The round logic with a scripted engine (exact results); then the real bundled model through the command line,
and the page's tab. The API and MCP surfaces come from the task list: tests/test_api_names.py pins `/explain` and
`/explain_code`, tests/test_mcp.py lists and calls the `explain` tool.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from playground.catalog import SMALL_MODEL
from playground.params import GenerationParams
from playground.pipeline import run
from playground.result import Status
from playground.tasks import get_task
from playground.tasks.explain import claims
from playground.web import ModelManager, build_demo
from tests import fakes  # noqa: F401 (registers the "echo" engine)
from tests.fakes import ScriptedEngine

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parent.parent
FIZZ = (ROOT / "examples" / "explain" / "fizzbuzz.py").read_text("utf-8")
GREEDY = GenerationParams(temperature=0.0, max_tokens=200)


def test_the_answer_is_the_explanation_and_the_checks_run_the_code_itself() -> None:
    words = "`fizzbuzz` turns a number into a word.\n\n```python\nfizzbuzz(15)\n```\nFor example it returns `'Fizz'`."
    engine = ScriptedEngine(words)
    result = run("explain", FIZZ, language="python", engine=engine, params=GREEDY)
    assert result.status is Status.DONE and result.answer.code == "" and result.answer.lint == ()
    # the whole answer is the explanation, a code block in it kept as text without its fences
    assert result.answer.explanation == ("`fizzbuzz` turns a number into a word.\n\n\nfizzbuzz(15)\n\n"
                                         "For example it returns `'Fizz'`.")
    # the docstring's example ran on the code that is explained: the true result sits beside the wrong claim
    # (once, as the doctest: not again as the call every task's comparison runs); no generated inputs beside it
    assert result.checks is not None and result.checks.status == "pass"
    assert [(row.name, row.got, row.passed) for row in result.checks.items] == [
        (">>> fizzbuzz(15)", "'FizzBuzz'", True)]
    assert len(engine.prompts) == 1 and "Explain what this Python code does." in engine.prompts[0]


def test_the_explanations_examples_are_run_on_the_code_and_a_wrong_one_fails() -> None:
    words = ("`fizzbuzz` names numbers: `fizzbuzz(3)` returns `'Fizz'`, and `fizzbuzz(15)` returns `'Fizz'` too.")
    result = run("explain", FIZZ, language="python", engine=ScriptedEngine(words, words), params=GREEDY)
    assert result.checks is not None and result.checks.status == "fail"
    said = [(row.name, row.expected, row.got, row.passed) for row in result.checks.items if row.origin == "claim"]
    assert said == [("the explanation: fizzbuzz(3) returns 'Fizz'", "'Fizz'", "'Fizz'", True),
                    ("the explanation: fizzbuzz(15) returns 'Fizz'", "'Fizz'", "'FizzBuzz'", False)]
    assert result.answer.explanation == words  # the words stay; the row says what the code really returns
    # with two candidates, a second explanation is asked for (the checks judge the explanation's examples)
    again = run("explain", FIZZ, language="python", params=GenerationParams(temperature=0.0, max_tokens=200,
                                                                             candidates=2),
                engine=ScriptedEngine(words, "`fizzbuzz(15)` returns `'FizzBuzz'`."))
    assert again.checks is not None and again.checks.status == "pass" and again.candidate == 2


@pytest.mark.parametrize(("words", "expected"), [
    ("`f(1)` returns `2`.", ["assert f(1) == 2"]),
    ("Calling `f([1, 2], 'a')` gives `[1]`; `g(0) == 3` and `h(1)` → `None`.",
     ["assert f([1, 2], 'a') == [1]", "assert h(1) == None", "assert g(0) == 3"]),
    ("`f(x)` returns `x + 1`, and `f(1)` is `2`, `f(1)` returns `2` again.", ["assert f(1) == 2"]),  # literals only
    ("It returns `2` for `f(1)`.", []),  # not said as call then result
])
def test_the_examples_an_explanation_states_are_read_as_asserts(words: str, expected: list[str]) -> None:
    assert claims(words) == expected


def test_the_evaluation_grades_an_explanation_by_its_examples() -> None:
    explain = get_task("explain")
    assert explain.grade(FIZZ, "It returns words for numbers.") == "the explanation gives no example call with its " \
        "result"
    assert explain.grade(FIZZ, "`fizzbuzz(5)` returns `'Buzz'`.") == ""
    assert explain.grade(FIZZ, "`fizzbuzz(5)` returns `'Fizz'`.") == \
        "the explanation: fizzbuzz(5) returns 'Fizz', but the code returns 'Buzz'"


def test_code_whose_own_example_fails_is_explained_and_the_example_named() -> None:
    """The rows show what the code does (its call returns 'Fizz'); the example it fails is named in a note, as
    on every tab whose checks take the code as the expectation."""
    wrong = FIZZ.replace('return "FizzBuzz"', 'return "Fizz"')
    result = run("explain", wrong, language="python", engine=ScriptedEngine("It names multiples of 3 and 5."),
                 params=GREEDY)
    assert result.answer.explanation == "It names multiples of 3 and 5."
    assert result.checks is not None
    assert [(row.name, row.got) for row in result.checks.items] == [("fizzbuzz(15)", "'Fizz'")]
    assert any("`>>> fizzbuzz(15)`" in note and "your code itself fails there" in note
               for note in result.checks.notes), result.checks.notes


def test_the_tab_shows_no_answer_box_and_no_tests_box() -> None:
    """The page's Explain tab: the explanation panel, no code answer, no Tests box, and Copy (not "Copy code"),
    Download and Share link for the explanation; the other tabs keep their answer box."""
    demo = build_demo(ModelManager(engine="echo", model=SMALL_MODEL, public=False))
    by_id = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    assert by_id["explain-output"].visible is False
    row = next(b for b in demo.blocks.values() if isinstance(b, gr.Row) and by_id["explain-copy"] in b.children)
    assert row.visible is not False and by_id["explain-download"] in row.children
    copies = by_id["explain-copy"], by_id["translate-copy"]
    assert all(isinstance(b, gr.Button) for b in copies)
    assert [getattr(b, "value", None) for b in copies] == ["Copy", "Copy code"]
    assert by_id["explain-explanation"].visible is not False
    assert by_id["translate-output"].visible is not False
    explanation = by_id["explain-explanation"]
    assert isinstance(explanation, gr.HTML) and "The explanation appears here." in str(explanation.value)
    assert get_task("explain").shows.tests_box is False


def test_an_explanation_is_copied_downloaded_and_shared_as_words(tmp_path: Path) -> None:
    """Once it has ended, an Explain answer (no code) can be copied, saved as Markdown and shared, like a code
    answer; there is no Run box (a call would run on no code). Stopped after a few words, it is not offered."""
    from dataclasses import replace

    from playground.result import Answer, Result
    from playground.web.view import View, panels

    done = Result(task="explain", language="python", prompt="p", model="m", engine="e", status=Status.DONE,
                  answer=Answer("It names numbers.", "", "It names numbers."))
    shown = panels(View("explain", FIZZ, done), str(tmp_path / "fizzbuzz-explained.md"))
    assert shown["copy"]["interactive"] is True and shown["share"]["interactive"] is True
    assert shown["download"]["interactive"] is True and shown["download"]["value"].endswith("fizzbuzz-explained.md")
    assert shown["run_row"]["visible"] is False
    stopped = panels(View("explain", FIZZ, replace(done, status=Status.STOPPED)), None)
    assert stopped["share"]["interactive"] is False and stopped["download"]["interactive"] is False
    assert stopped["copy"]["interactive"] is True  # Copy still takes what came


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "playground", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.model
def test_the_command_line_explains_with_the_real_model_and_shows_the_run() -> None:
    """The bundled small model (its words are its business) through `python -m playground explain`: the
    explanation streams, then what the code's example returned in the sandbox."""
    out = _cli("explain", "examples/explain/fizzbuzz.py", "--model", SMALL_MODEL, "--temperature", "0",
               "--max-tokens", "48")
    assert out.returncode == 0, out.stderr
    assert "--- explanation" in out.stdout and "--- code" not in out.stdout
    assert "checks: " in out.stdout and "ran >>> fizzbuzz(15): 'FizzBuzz'" in out.stdout
    out = _cli("explain", "examples/explain/binary_search.js", "--model", SMALL_MODEL, "--temperature", "0",
               "--max-tokens", "16", "--json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["task"] == "explain" and record["code"] == "" and record["explanation"]
    rows = record["checks"]["items"]
    assert any(r["name"].startswith("binarySearch([1, 3, 5, 7, 9, 11], 7)") for r in rows), rows
