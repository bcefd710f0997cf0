"""What failed under an answer (playground/checks/failure.py), read from real sandbox runs and real checks, as the error
Explain and Hint take: the exception, the line and the call the explanation reproduces."""

from __future__ import annotations

from typing import Any

from playground.checks import run_checks, run_snippet
from playground.checks.debug import reported_error
from playground.checks.failure import of_checks, of_run
from playground.explain_error import explain_error
from playground.hints import error_line
from playground.tasks import get_task
from tests.fakes import ScriptedEngine

AVERAGE = '''def average(values):
    """
    >>> average([2, 4])
    3.0
    >>> average([1, 2])
    1.5
    """
    total = sum(values)
    return total / len(values)
'''
RAISES = AVERAGE.replace("sum(values)", "sum(values) + values[5]")


def checks_of(answer: str) -> dict[str, Any]:
    """The checks of a Simplify answer to AVERAGE, as the answer's record holds them."""
    return run_checks(get_task("simplify").plan(AVERAGE, language="python"), answer).to_dict()


def test_a_run_box_call_that_raises_is_a_failure_with_its_line_and_exception() -> None:
    failed = of_run(run_snippet(AVERAGE, "python", "average([])"), AVERAGE)
    assert failed is not None and (failed.call, failed.where, failed.line) == ("average([])", "the Run box", 9)
    reported = reported_error(failed.error)
    assert reported is not None and (reported.exception, reported.source) == ("ZeroDivisionError",
                                                                             "return total / len(values)")
    assert error_line(AVERAGE, failed.error) == 9
    assert of_run(run_snippet(AVERAGE, "python", "average([3])"), AVERAGE) is None


def test_a_javascript_error_without_a_line_is_still_a_failure() -> None:
    code = "function first(xs) { return xs[0].name; }\n"
    failed = of_run(run_snippet(code, "javascript", "first([])"), code)
    assert failed is not None and failed.line == 0 and failed.error.startswith(">>> first([])\nTypeError")


def test_the_first_failed_check_is_a_failure_and_passing_checks_are_none() -> None:
    wrong = AVERAGE.replace("/ len(values)", "// len(values)")
    failed = of_checks(checks_of(wrong), wrong)
    assert failed is not None and failed.call == "average([2, 4])" and failed.where == "from the examples"
    assert failed.error == "Failed example:\n    average([2, 4])\nExpected:\n    3.0\nGot:\n    3"
    raised = of_checks(checks_of(RAISES), RAISES)
    assert raised is not None and "IndexError" in raised.error and raised.line == 8
    assert of_checks(checks_of(AVERAGE), AVERAGE) is None
    assert of_checks(None, AVERAGE) is None and of_checks({"items": "not a list"}, AVERAGE) is None


def test_a_failure_is_explained_at_its_line_and_reproduced_by_its_call() -> None:
    failed = of_run(run_snippet(AVERAGE, "python", "average([])"), AVERAGE)
    assert failed is not None
    said = explain_error(AVERAGE, failed.error, "python", ScriptedEngine("An empty list has length 0."))
    assert (said.exception, said.line, said.reproduced, said.ran) == ("ZeroDivisionError", 9, True, "average([])")


def test_a_row_that_is_not_a_call_of_the_answer_is_not_its_failure() -> None:
    wrong = AVERAGE.replace("/ len(values)", "// len(values)")
    checks = checks_of(wrong)
    rows = [{"name": "the answer changes the code", "passed": False, "expected": "a change to the code",
             "got": "only comments", "origin": "unchanged"},
            {"name": ">>> 3 planted bugs, 0 caught", "passed": False, "origin": "mutants"}, *checks["items"]]
    failed = of_checks({**checks, "items": rows}, wrong)
    assert failed is not None and failed.call == "average([2, 4])"
    assert of_checks({"items": rows[:2]}, wrong) is None


def test_a_wrong_value_points_at_no_line_of_the_code() -> None:
    shout = "def shout(s):\n    \"\"\"\n    >>> shout('hi')\n    'HI!'\n    \"\"\"\n    return s.upper()\n"
    failed = of_checks(run_checks(get_task("complete").plan(shout, language="python"), shout).to_dict(), shout)
    assert failed is not None and failed.error.startswith("Failed example:\n    shout('hi')\nExpected:\n    'HI!'")
    assert error_line(shout, failed.error) is None  # 'HI!' is a value, not a name on line 3
