"""The repair round's feedback: what failed, in words, from real checks run in the sandbox (no model)."""

from __future__ import annotations

import pytest

from playground.checks import check
from playground.feedback import MAX_FAILURES, failures, feedback, same_program
from playground.lint import Finding
from playground.verdict import Item, Verdict

MEDIAN = ('def median(xs):\n    """\n    >>> median([1, 2])\n    1.5\n    """\n'
          "    xs = sorted(xs)\n    return xs[len(xs) // 2]\n")


@pytest.mark.sandbox
def test_a_failed_example_and_a_failed_test_are_told_with_the_call_the_source_and_the_line() -> None:
    verdict = check(MEDIAN, language="python", tests="assert median([3, 1, 2]) == 2\nassert median([]) is None")
    assert feedback(verdict, MEDIAN) == (
        "- >>> median([1, 2]) (the code's own example): expected 1.5, got 2.\n"
        "- assert median([]) is None (the user's test): expected no error, it raised IndexError: list index out "
        "of range on line 7: `return xs[len(xs) // 2]`.")


@pytest.mark.sandbox
def test_the_original_is_named_as_the_source_of_a_translations_expectation() -> None:
    original = "def double(x):\n    return x * 2\n\n\nprint(double(4))\n"
    answer = "function double(x) {\n  return x + 2;\n}\n\nconsole.log(double(4));\n"
    verdict = check(answer, language="javascript", against=original, against_language="python")
    text = feedback(verdict, answer)
    assert text.splitlines()[:2] == ["- The program printed 6, where the original printed 8.",
                                     "- `double(4)` (a call the code itself makes): expected 8, got 6."]
    assert len(text.splitlines()) <= MAX_FAILURES


def test_lint_errors_come_first_and_the_failures_stop_at_the_limit() -> None:
    verdict = Verdict([Item(f"f({n})", False, str(n), "0", origin="generated") for n in range(5)] +
                      [Item("f(9)", False, "9", "0", origin="example")])
    findings = [Finding(2, 4, "undefined name 'y'", "error"), Finding(1, 0, "'os' imported but unused", "warning")]
    assert feedback(verdict, "x = y\n", findings).splitlines() == [
        "- line 2: undefined name 'y'",
        "- `f(9)` (the code's own example): expected 9, got 0.",  # what a person wrote before generated inputs
        "- `f(0)` (a generated input): expected 0, got 0."]
    assert [i.name for i in failures(verdict)] == ["f(9)", "f(0)", "f(1)"]


def test_a_time_out_is_not_told_as_a_failure_and_nothing_failed_says_nothing() -> None:
    busy = Verdict([Item("f(1)", False, error="stopped: time limit", timed_out=True), Item("f(2)", True, "2", "2")])
    assert failures(busy) == [] and feedback(busy, "") == "" and feedback(None, "") == ""


def test_long_values_are_cut() -> None:
    item = Item("f()", False, "[" + ", ".join(map(str, range(100))) + "]", "[]", origin="test")
    line = feedback(Verdict([item]), "")
    assert "…" in line and len(line) < 200


@pytest.mark.parametrize(("before", "after", "language", "same"), [
    ("def f(x):\n    return x + 1\n", "def f(x):\n    # add one\n    return x + 1  # here\n", "python", True),
    ("def f(x):\n    return x + 1\n", 'import math\n\ndef f(x):\n    """Add one."""\n    return x + 1\n', "python",
     True),
    ("def f(x):\n    return x + 1\n", "def f(x):\n    return x + 2\n", "python", False),
    ("def f(x):\n    return x + 1\n", "def f(x):\n    if x is None:\n        return 1\n    return x + 1\n", "python",
     False),
    ("function f(x) {\n  return x + 1;\n}\n", "// adds one\nfunction f(x) {\n  /* here */ return x + 1;\n}\n",
     "javascript", True),
    ("function f(x) {\n  return x + 1;\n}\n", "function f(x) {\n  return x - 1;\n}\n", "javascript", False),
    ("def f(x:\n    return x\n", "def f(x:\n    return x  # still broken\n", "python", True),  # unparsable: text
])
def test_an_answer_that_changes_only_comments_docstrings_or_imports_is_the_same_program(
        before: str, after: str, language: str, same: bool) -> None:
    assert same_program(before, after, language) is same


TYPED_MEDIAN = ('from typing import List\n\n\ndef median(xs: List[int]) -> float:\n    """\n    >>> median([1, 2])\n'
                '    1.5\n    """\n    xs = sorted(xs)\n    mid = len(xs) // 2\n'
                '    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2\n')


@pytest.mark.sandbox
def test_a_call_is_told_once_and_a_translations_expectation_is_the_originals_result() -> None:
    """The example runs twice on a translation (as written, and against the original's result): the model is
    told it once, and the rows after it are the shortest generated calls, each expected as the original returns."""
    answer = ("function median(xs) {\n  xs = [...xs].sort((a, b) => a - b);\n"
              "  return xs[Math.floor(xs.length / 2)];\n}\n")
    verdict = check(answer, language="javascript", against=TYPED_MEDIAN, against_language="python")
    assert [i.name for i in verdict.items if not i.passed].count("median([1, 2])") == 2  # the panel shows both
    told = feedback(verdict, answer, oracle=True).splitlines()
    assert told[0] == "- `median([1, 2])` (the code's own example): expected 1.5, got 2."
    assert len(told) == MAX_FAILURES and not any("median([1, 2])" in line for line in told[1:])
    assert all("(what the original code returns): expected" in line for line in told[1:])
    plain = feedback(verdict, answer).splitlines()[1]  # without the task's word, where the input came from
    assert "(a generated input)" in plain or "(an edge case)" in plain


@pytest.mark.sandbox
def test_a_name_the_translation_never_defines_fails_everywhere_and_is_told_to_define_it() -> None:
    """A JavaScript answer calling Python's `insort`: a ReferenceError says the code is broken, so it fails on
    generated inputs too (not an "intended?" warning), and the repair turn says what to do about the name."""
    from playground.result import Answer
    from playground.tasks import get_task

    answer = ("function median(xs) {\n  const seen = [];\n  for (const x of xs) insort(seen, x);\n"
              "  return seen[0];\n}\n")
    verdict = check(answer, language="javascript", against=TYPED_MEDIAN, against_language="python")
    generated = [i for i in verdict.items if i.origin == "generated" and i.name != "median([])"]
    assert generated and not any(i.passed or i.warning for i in generated)
    told = get_task("translate").feedback(verdict, Answer(code=answer), answer)
    assert "ReferenceError: 'insort' is not defined" in told
    assert told.splitlines()[-1].startswith("- `insort` is not defined in your code: there is no such built-in")
    assert told.count("`insort` is not defined in your code") == 1


@pytest.mark.sandbox
def test_a_name_never_defined_fails_even_where_the_original_raises() -> None:
    """The original raises ValueError on an empty string: across languages an answer that raises there passes
    (JavaScript has its own exceptions), but a ReferenceError of a name it never defined is no such exception."""
    original = ('def first_word(text: str) -> str:\n    """\n    >>> first_word("a b")\n    \'a\'\n'
                '    >>> first_word("")\n    Traceback (most recent call last):\n    ValueError: empty\n    """\n'
                '    if not text:\n        raise ValueError("empty")\n    return text.split()[0]\n')
    good = 'function first_word(text) {\n  if (!text) throw new Error("empty");\n  return text.split(" ")[0];\n}\n'
    broken = 'function first_word(text) {\n  if (!text) return missing(text);\n  return text.split(" ")[0];\n}\n'
    for answer, passes in ((good, True), (broken, False)):
        verdict = check(answer, language="javascript", against=original, against_language="python")
        row = next(i for i in verdict.items if i.name == 'first_word("")')
        assert row.passed is passes and not row.warning, row
    assert "'missing' is not defined" in row.error
